package rbft

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// testCertificate signs a precommit for id in (h, r) by the given
// validators.
func testCertificate(h uint64, r int32, id codec.Hash256, signers ...int) *Certificate {
	c := &Certificate{Height: h, Round: r, BlockID: id}
	msg := SignBytes(testChain, c.Vote().Encode())
	for _, i := range signers {
		c.Precommits = append(c.Precommits, CommitSig{Signer: testAddr(i), Signature: fakeSign(testKey(i), msg)})
	}
	return c
}

func TestVerifyCertificate(t *testing.T) {
	vals := testValidators(4)
	id := BlockID([]byte("decided"))
	good := testCertificate(5, 2, id, 0, 1, 3)
	if err := VerifyCertificate(good.Encode(), vals, testChain, fakeVerify); err != nil {
		t.Fatalf("good certificate: %v", err)
	}
	if err := VerifyCertificate(testCertificate(5, 2, id, 0, 1, 2, 3).Encode(), vals, testChain, fakeVerify); err != nil {
		t.Fatalf("all four: %v", err)
	}
	c, err := DecodeCertificate(good.Encode())
	if err != nil || c.Height != 5 || c.Round != 2 || c.BlockID != id || len(c.Precommits) != 3 {
		t.Fatalf("decode: %+v %v", c, err)
	}

	badSig := testCertificate(5, 2, id, 0, 1, 3)
	badSig.Precommits[1].Signature[0] ^= 1
	otherRound := testCertificate(5, 1, id, 0, 1, 3)
	otherRound.Round = 2
	stranger := testCertificate(5, 2, id, 0, 1, 3)
	stranger.Precommits[2].Signer = codec.AccountID{0xee}
	invalid := map[string]struct {
		cert  []byte
		vals  []consensus.Validator
		chain string
	}{
		"two of four":          {testCertificate(5, 2, id, 0, 3).Encode(), vals, testChain},
		"a bad signature":      {badSig.Encode(), vals, testChain},
		"signed for round 1":   {otherRound.Encode(), vals, testChain},
		"another chain":        {good.Encode(), vals, "other-chain"},
		"a non-validator":      {stranger.Encode(), vals, testChain},
		"seven validators":     {good.Encode(), testValidators(7), testChain},
		"no validators":        {good.Encode(), nil, testChain},
		"duplicate validators": {good.Encode(), append(vals, vals[0]), testChain},
	}
	for name, c := range invalid {
		if err := VerifyCertificate(c.cert, c.vals, c.chain, fakeVerify); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Strict decoding: signer order, counts, lengths.
	dup := testCertificate(5, 2, id, 0, 1, 1)
	unsorted := testCertificate(5, 2, id, 1, 0, 3)
	enc := good.Encode()
	malformed := map[string][]byte{
		"duplicate signer": dup.Encode(),
		"unsorted":         unsorted.Encode(),
		"no precommits":    testCertificate(5, 2, id).Encode(),
		"truncated":        enc[:len(enc)-1],
		"trailing":         append(bytes.Clone(enc), 0),
		"height 0":         testCertificate(0, 2, id, 0, 1, 3).Encode(),
		"round 2^31":       testCertificate(5, -1, id, 0, 1, 3).Encode(),
		"empty signature":  (&Certificate{Height: 1, BlockID: id, Precommits: []CommitSig{{Signer: testAddr(0)}}}).Encode(),
		"a vote":           good.Vote().Encode(),
	}
	for name, b := range malformed {
		if _, err := DecodeCertificate(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
		if err := VerifyCertificate(b, vals, testChain, fakeVerify); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestVerifyEvidence(t *testing.T) {
	vals := testValidators(4)
	vote := func(t VoteType, r int32, isNil bool, name string) []byte {
		return (&Vote{Type: t, Height: 3, Round: r, Nil: isNil, BlockID: BlockID([]byte(name))}).Encode()
	}
	sig := func(i int, payload []byte) []byte { return fakeSign(testKey(i), SignBytes(testChain, payload)) }
	a, b := vote(Prevote, 1, false, "A"), vote(Prevote, 1, true, "")
	dv := NewDuplicateVote(testAddr(2), a, sig(2, a), b, sig(2, b))
	if err := VerifyEvidence(dv.Encode(), vals, testChain, fakeVerify); err != nil {
		t.Fatalf("duplicate vote: %v", err)
	}
	// Canonical order whatever the argument order.
	if !bytes.Equal(dv.Encode(), NewDuplicateVote(testAddr(2), b, sig(2, b), a, sig(2, a)).Encode()) {
		t.Fatal("duplicate vote is not canonically ordered")
	}
	ev, err := DecodeEvidence(dv.Encode())
	if err != nil || ev.Offender() != testAddr(2) || ev.Height() != 3 {
		t.Fatalf("decode: %v %v", ev, err)
	}
	pa, pb := testProposal(3, 1, -1, "A"), testProposal(3, 1, 0, "A")
	cp := NewConflictingProposal(testAddr(1), pa.Header(), sig(1, pa.Encode()), pb.Header(), sig(1, pb.Encode()))
	if err := VerifyEvidence(cp.Encode(), vals, testChain, fakeVerify); err != nil {
		t.Fatalf("conflicting proposal: %v", err)
	}
	if ev, err := DecodeEvidence(cp.Encode()); err != nil || ev.Height() != 3 || ev.Offender() != testAddr(1) {
		t.Fatalf("decode: %v %v", ev, err)
	}

	c := vote(Precommit, 1, false, "A")
	r2 := vote(Prevote, 2, true, "")
	bad := map[string][]byte{
		"same vote twice":        NewDuplicateVote(testAddr(2), a, sig(2, a), a, sig(2, a)).Encode(),
		"different types":        NewDuplicateVote(testAddr(2), a, sig(2, a), c, sig(2, c)).Encode(),
		"different rounds":       NewDuplicateVote(testAddr(2), a, sig(2, a), r2, sig(2, r2)).Encode(),
		"signed by another":      NewDuplicateVote(testAddr(2), a, sig(2, a), b, sig(3, b)).Encode(),
		"not a validator":        NewDuplicateVote(codec.AccountID{0xee}, a, sig(2, a), b, sig(2, b)).Encode(),
		"out of order":           (&DuplicateVote{Signer: dv.Signer, VoteA: dv.VoteB, SigA: dv.SigB, VoteB: dv.VoteA, SigB: dv.SigA}).Encode(),
		"same proposal twice":    NewConflictingProposal(testAddr(1), pa.Header(), sig(1, pa.Encode()), pa.Header(), sig(1, pa.Encode())).Encode(),
		"proposals of two round": NewConflictingProposal(testAddr(1), pa.Header(), sig(1, pa.Encode()), testProposal(3, 2, -1, "B").Header(), sig(1, testProposal(3, 2, -1, "B").Encode())).Encode(),
		"trailing byte":          append(dv.Encode(), 0),
		"truncated":              dv.Encode()[:20],
		"votes as proposals":     append([]byte{wireVersion, typeConflictingProposal}, dv.Encode()[2:]...),
		"a certificate":          testCertificate(3, 1, codec.Hash256{}, 0, 1, 2).Encode(),
	}
	for name, e := range bad {
		if err := VerifyEvidence(e, vals, testChain, fakeVerify); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestSafetyRecordRoundTripAndStrictness(t *testing.T) {
	prevote := (&Vote{Type: Prevote, Height: 4, Round: 2, BlockID: codec.Hash256{1}}).Encode()
	good := []safetyRecord{
		{LockedRound: -1, ValidRound: -1},
		{Last: hrs{4, 2, stepPrevote}, LastPayload: prevote, StateHeight: 4, LockedRound: -1, ValidRound: -1},
		{Last: hrs{4, 2, stepPrevote}, LastPayload: prevote, StateHeight: 4, LockedRound: 1, LockedID: BlockID([]byte("v")), ValidRound: 2, ValidPayload: []byte("v")},
	}
	for i, rec := range good {
		b := rec.encode()
		got, err := decodeSafetyRecord(b)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(got.encode(), b) {
			t.Fatalf("record %d does not re-encode", i)
		}
	}
	bad := map[string]safetyRecord{
		"position without signature": {Last: hrs{4, 2, stepNone}, LockedRound: -1, ValidRound: -1},
		"step does not match":        {Last: hrs{4, 2, stepPrecommit}, LastPayload: prevote, LockedRound: -1, ValidRound: -1},
		"round does not match":       {Last: hrs{4, 3, stepPrevote}, LastPayload: prevote, LockedRound: -1, ValidRound: -1},
		"garbage signed":             {Last: hrs{4, 2, stepPrevote}, LastPayload: []byte("x"), LockedRound: -1, ValidRound: -1},
		"unknown step":               {Last: hrs{4, 2, 9}, LastPayload: prevote, LockedRound: -1, ValidRound: -1},
		"locked after valid":         {StateHeight: 4, LockedRound: 3, ValidRound: 2, ValidPayload: []byte("v")},
		"locked id without lock":     {LockedRound: -1, LockedID: codec.Hash256{1}, ValidRound: -1},
		"valid payload without":      {LockedRound: -1, ValidRound: -1, ValidPayload: []byte("v")},
		"round below -1":             {LockedRound: -2, ValidRound: -1},
		"valid at height 0":          {LockedRound: -1, ValidRound: 0},
	}
	for name, rec := range bad {
		if _, err := decodeSafetyRecord(rec.encode()); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	enc := good[2].encode()
	for n := 0; n < len(enc); n++ {
		if _, err := decodeSafetyRecord(enc[:n]); err == nil {
			t.Fatalf("truncated to %d decoded", n)
		}
	}
}

func TestNewRefusesAnUnreadableSafetyRecord(t *testing.T) {
	_, err := New(consensus.Params{ChainID: testChain, Safety: []byte("not a record")})
	if err == nil || !strings.Contains(err.Error(), "refusing to start") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(consensus.Params{}); !errors.Is(err, ErrNoChainID) {
		t.Fatalf("no chain id: %v", err)
	}
	if _, err := consensus.New("rbft", consensus.Params{ChainID: testChain}); err != nil {
		t.Fatalf("registered engine: %v", err)
	}
}

func TestParseOptions(t *testing.T) {
	got, err := ParseOptions(nil)
	if err != nil || got != DefaultTimeouts {
		t.Fatalf("defaults: %+v %v", got, err)
	}
	got, err = ParseOptions(loopbackTimeouts.Options())
	if err != nil || got != loopbackTimeouts {
		t.Fatalf("loopback: %+v %v", got, err)
	}
	got, err = ParseOptions(map[string]string{"timeout_delta": "0s", "timeout_commit": " 0 "})
	if err != nil || got.Delta != 0 || got.Commit != 0 {
		t.Fatalf("zero delta and commit: %+v %v", got, err)
	}
	_, err = ParseOptions(map[string]string{
		"timeout_propse":    "1s",
		"timeout_prevote":   "soon",
		"timeout_precommit": "0s",
		"timeout_delta":     "-1s",
		"timeout_commit":    "2h",
	})
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{`unknown option "timeout_propse"`, "timeout_prevote=\"soon\" is not a duration", "timeout_precommit=0s is out of range", "timeout_delta=-1s", "timeout_commit=2h"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := New(consensus.Params{ChainID: testChain, Options: map[string]string{"x": "1"}}); err == nil {
		t.Fatal("New accepted an unknown option")
	}
}

func TestTimeoutsGrowAndSaturate(t *testing.T) {
	tm := loopbackTimeouts
	if tm.ProposeTimeout(0) != tm.Propose || tm.PrevoteTimeout(4) != tm.Prevote+4*tm.Delta || tm.PrecommitTimeout(2) != tm.Precommit+2*tm.Delta {
		t.Fatal("timeoutX(r) != X0 + r·δ")
	}
	if tm.RoundPeriod(1) != tm.ProposeTimeout(1)+tm.PrevoteTimeout(1)+tm.PrecommitTimeout(1) {
		t.Fatal("round period")
	}
	if got := tm.ProposeTimeout(1<<31 - 1); got != maxTimeout {
		t.Fatalf("round 2^31-1: %s", got)
	}
}

// TestLastSignedHeight: the driver's double-sign guard (spec §8) reads the
// height of the last signature from the record the engine persisted.
func TestLastSignedHeight(t *testing.T) {
	if h, err := LastSignedHeight(nil); h != 0 || err != nil {
		t.Fatalf("no record: %d, %v", h, err)
	}
	prevote := (&Vote{Type: Prevote, Height: 4, Round: 2, BlockID: codec.Hash256{1}}).Encode()
	rec := safetyRecord{Last: hrs{4, 2, stepPrevote}, LastPayload: prevote, StateHeight: 4, LockedRound: -1, ValidRound: -1}
	if h, err := LastSignedHeight(rec.encode()); h != 4 || err != nil {
		t.Fatalf("record of a height-4 prevote: %d, %v", h, err)
	}
	if _, err := LastSignedHeight([]byte("junk")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("junk: %v", err)
	}
}
