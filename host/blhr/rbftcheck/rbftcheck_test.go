package rbftcheck

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/crypto/vrf"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/node"
)

const testChain = "jtchain-blhr-test"

// network is four validators with real node keys, two of each curve.
type network struct {
	keys []crypto.KeyPair
	vals []consensus.Validator
}

func newNetwork(t testing.TB) network {
	t.Helper()
	var n network
	for i := range 4 {
		kt := crypto.Secp256k1
		if i%2 == 1 {
			kt = crypto.Ed25519
		}
		kp, err := crypto.DeriveNodeKeyPair(crypto.SeedFromPassphrase(fmt.Sprintf("validator-%d", i)), kt)
		if err != nil {
			t.Fatal(err)
		}
		n.keys = append(n.keys, kp)
		n.vals = append(n.vals, consensus.Validator{Address: kp.AccountID(), PublicKey: kp.PublicKey()})
	}
	return n
}

// certify returns the certificate of block at height h signed by the
// validators with the given indexes, the way rbft builds one: precommits
// over SignBytes(chain, vote), sorted by signer.
func (n network) certify(t testing.TB, h uint64, block []byte, signers ...int) []byte {
	t.Helper()
	c := &rbft.Certificate{Height: h, Round: 1, BlockID: rbft.BlockID(block)}
	msg := rbft.SignBytes(testChain, c.Vote().Encode())
	for _, i := range signers {
		sig, err := n.keys[i].Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		c.Precommits = append(c.Precommits, rbft.CommitSig{Signer: n.keys[i].AccountID(), Signature: sig})
	}
	slices.SortFunc(c.Precommits, func(a, b rbft.CommitSig) int { return bytes.Compare(a.Signer[:], b.Signer[:]) })
	return c.Encode()
}

// sealed is a ledger of 50 records, one of them signed, committed by the
// network with a real certificate, and the bundle of that record.
func sealed(t testing.TB, n network) blhr.Bundle {
	t.Helper()
	const seq = 12
	kp, err := crypto.DeriveKeyPair(crypto.SeedFromPassphrase("user"), crypto.Secp256k1)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := blhr.NewRecord("doc/contract", []byte("the signed contract text"))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err = blhr.Sign(rec, testChain, kp); err != nil {
		t.Fatal(err)
	}
	ids := []codec.Hash256{rec.ID()}
	for i := range 49 {
		ids = append(ids, crypto.SHA512Half([]byte(fmt.Sprint("other record ", i))))
	}
	root, err := blhr.Root(ids)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := blhr.ProofFor(ids, rec.ID())
	if err != nil {
		t.Fatal(err)
	}
	h := ledger.Header{
		Seq: seq, TotalCoins: 100_000_000_000_000_000, ParentHash: crypto.SHA512Half([]byte("parent")),
		TxHash: crypto.SHA512Half([]byte("txs")), AccountHash: crypto.SHA512Half([]byte("state")),
		ParentCloseTime: 800_000_000, CloseTime: 800_000_003, CloseTimeResolution: 10, BLHRRoot: root,
	}
	blk := &node.Block{
		Height: seq, ParentHash: h.ParentHash, CloseTime: h.CloseTime, Creator: n.keys[0].AccountID(),
		Seed: crypto.SHA512Half([]byte("seed")), VRFProof: make([]byte, vrf.ProofSize), LedgerHash: h.Hash(),
		TxIDs: []codec.Hash256{crypto.SHA512Half([]byte("tx"))},
	}
	block := blk.Encode()
	return blhr.Bundle{
		Record: rec.Encode(), LedgerSeq: seq, Header: h.Encode(),
		Block: block, Certificate: n.certify(t, seq, block, 0, 1, 3), Proof: proof.Encode(),
	}
}

// TestProofTamper is the proof test: a valid bundle verifies
// against the validator set, and flipping any single byte of the record,
// the proof, the header, the block or the certificate makes it fail.
func TestProofTamper(t *testing.T) {
	n := newNetwork(t)
	good := sealed(t, n)
	check := Checker(testChain, n.vals)
	if err := blhr.VerifyBundle(good, testChain, check); err != nil {
		t.Fatalf("valid bundle: %v", err)
	}
	fields := []struct {
		name string
		get  func(*blhr.Bundle) *[]byte
	}{
		{"record", func(b *blhr.Bundle) *[]byte { return &b.Record }},
		{"proof", func(b *blhr.Bundle) *[]byte { return &b.Proof }},
		{"header", func(b *blhr.Bundle) *[]byte { return &b.Header }},
		{"block", func(b *blhr.Bundle) *[]byte { return &b.Block }},
		{"certificate", func(b *blhr.Bundle) *[]byte { return &b.Certificate }},
	}
	for _, f := range fields {
		size := len(*f.get(&good))
		for i := range size {
			for _, mask := range []byte{0x01, 0x80, 0xFF} {
				b := good
				p := f.get(&b)
				*p = bytes.Clone(*p)
				(*p)[i] ^= mask
				if err := blhr.VerifyBundle(b, testChain, check); err == nil {
					t.Fatalf("%s byte %d of %d xor %#02x: still verifies", f.name, i, size, mask)
				}
			}
		}
		t.Logf("%s: every one of %d bytes × 3 flips rejected", f.name, size)
	}
	// Through the API's JSON form, too.
	js, err := good.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := blhr.DecodeBundle(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := blhr.VerifyBundle(back, testChain, check); err != nil {
		t.Fatalf("after JSON: %v", err)
	}
}

func TestCheckCommitRejectsWhatIsNotACommit(t *testing.T) {
	n := newNetwork(t)
	good := sealed(t, n)
	b, err := node.DecodeBlock(good.Block)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := CheckCommit(testChain, n.vals, good.Block, good.Certificate, good.LedgerSeq)
	if err != nil || hash != b.LedgerHash {
		t.Fatalf("good commit: %X, %v", hash, err)
	}
	otherBlock := *b
	otherBlock.Height = 13
	otherEnc := otherBlock.Encode()
	cases := []struct {
		name        string
		vals        []consensus.Validator
		chain       string
		block, cert []byte
		seq         uint32
		is          error
	}{
		{"two of four signers", n.vals, testChain, good.Block, n.certify(t, 12, good.Block, 0, 3), 12, rbft.ErrInvalid},
		{"another validator set", newNetwork(t).vals[:3], testChain, good.Block, good.Certificate, 12, rbft.ErrInvalid},
		{"another chain", n.vals, "other-chain", good.Block, good.Certificate, 12, rbft.ErrInvalid},
		{"another height", n.vals, testChain, good.Block, good.Certificate, 11, ErrNotCommitted},
		{"a block the certificate is not for", n.vals, testChain, otherEnc, good.Certificate, 12, ErrNotCommitted},
		{"a certified block of another height", n.vals, testChain, otherEnc, n.certify(t, 12, otherEnc, 0, 1, 2), 12, ErrNotCommitted},
		{"a certified block that does not decode", n.vals, testChain, []byte("junk"), n.certify(t, 12, []byte("junk"), 0, 1, 2), 12, node.ErrBadBlock},
		{"no certificate", n.vals, testChain, good.Block, nil, 12, rbft.ErrMalformed},
	}
	for _, c := range cases {
		if _, err := CheckCommit(c.chain, c.vals, c.block, c.cert, c.seq); !errors.Is(err, c.is) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.is)
		}
	}
	// In the other-set case the signers are not validators; with the real
	// set minus one signer, three of four is still a quorum of four.
	if _, err := CheckCommit(testChain, n.vals, good.Block, n.certify(t, 12, good.Block, 1, 2, 3), 12); err != nil {
		t.Fatalf("another quorum: %v", err)
	}
}

func BenchmarkVerifyBundle(b *testing.B) {
	n := newNetwork(b)
	bundle := sealed(b, n)
	check := Checker(testChain, n.vals)
	b.ReportAllocs()
	for b.Loop() {
		if err := blhr.VerifyBundle(bundle, testChain, check); err != nil {
			b.Fatal(err)
		}
	}
}
