package rbft

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// FuzzDecodeMessage feeds arbitrary bytes to every decoder of the package:
// none may panic, and whatever decodes re-encodes to the same bytes.
func FuzzDecodeMessage(f *testing.F) {
	vote := (&Vote{Type: Precommit, Height: 3, Round: 1, BlockID: codec.Hash256{7}}).Encode()
	nilVote := (&Vote{Type: Prevote, Height: 3, Round: 1, Nil: true}).Encode()
	prop := testProposal(3, 1, 0, "payload")
	for _, seed := range [][]byte{
		nil, {1}, {1, 2}, vote, nilVote, prop.Encode(), prop.Header(),
		testCertificate(3, 1, codec.Hash256{7}, 0, 1, 2).Encode(),
		NewDuplicateVote(testAddr(1), vote, []byte{1}, nilVote, []byte{2}).Encode(),
		NewConflictingProposal(testAddr(1), prop.Header(), []byte{1}, testProposal(3, 1, -1, "other").Header(), []byte{2}).Encode(),
		(&safetyRecord{Last: hrs{3, 1, stepPrecommit}, LastPayload: vote, OwnVotes: [][]byte{vote}, StateHeight: 3, LockedRound: 1, LockedID: codec.Hash256{7}, ValidRound: 1, ValidPayload: []byte("v"),
			ValidPolka: []CommitSig{{Signer: testAddr(0), Signature: []byte{1}}}}).encode(),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := DecodeMessage(b); err == nil && !bytes.Equal(m.Encode(), b) {
			t.Fatalf("message %x re-encodes as %x", b, m.Encode())
		}
		if c, err := DecodeCertificate(b); err == nil && !bytes.Equal(c.Encode(), b) {
			t.Fatalf("certificate %x re-encodes as %x", b, c.Encode())
		}
		if e, err := DecodeEvidence(b); err == nil && !bytes.Equal(e.Encode(), b) {
			t.Fatalf("evidence %x re-encodes as %x", b, e.Encode())
		}
		if s, err := decodeSafetyRecord(b); err == nil && !bytes.Equal(s.encode(), b) {
			t.Fatalf("safety record %x re-encodes as %x", b, s.encode())
		}
		// Verification of garbage fails cleanly.
		_ = VerifyCertificate(b, testValidators(4), testChain, fakeVerify)
		_ = VerifyEvidence(b, testValidators(4), testChain, fakeVerify)
	})
}

// FuzzStep drives one engine with inputs decoded from the fuzz bytes —
// heights, ticks, timeouts, built blocks, validation answers, well-formed
// and garbage messages from any validator (its own key included, as a twin
// would), and restarts from its last safety record — playing a driver that
// loops its signed messages back. The engine must never panic, never sign
// a message its last safety record does not name, and never sign two
// different messages for one (height, round, step), across restarts.
func FuzzStep(f *testing.F) {
	f.Add([]byte{0, 0, 2, 4, 1, 0, 5, 1, 0, 0, 5, 2, 0, 0, 5, 3, 0, 0})
	for i := uint64(0); i < 8; i++ {
		rng := rand.New(rand.NewPCG(i, i))
		b := make([]byte, 600)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runFuzzStep(t, data)
	})
}

type fuzzDriver struct {
	t       *testing.T
	n       int
	eng     *Engine
	safety  []byte
	now     time.Time
	h       uint64
	signed  map[hrs][]byte
	blocks  []codec.Hash256
	pending []consensus.Input
}

func runFuzzStep(t *testing.T, data []byte) {
	d := &fuzzDriver{t: t, n: 4, now: testEpoch, signed: map[hrs][]byte{}}
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	if len(data) > 0 {
		d.n = 1 + int(next())%7
	}
	d.restart()
	for steps := 0; len(data) > 0 && steps < 2000; steps++ {
		op, a, b, c := next(), next(), next(), next()
		h := d.h + uint64(a%3)
		if h == 0 {
			h = 1
		}
		r := int32(b % 6)
		switch op % 9 {
		case 0:
			start := d.h + 1 + uint64(a%2)
			d.h = start
			d.step(consensus.StartHeight{Height: start, ParentID: codec.Hash256{byte(start)}, Validators: testValidators(d.n), Seed: codec.Hash256{b, c}, Now: d.now})
		case 1:
			d.now = d.now.Add(time.Duration(a) * 20 * time.Millisecond)
			d.step(consensus.Tick{Now: d.now})
		case 2:
			d.step(consensus.Timeout{Kind: consensus.TimeoutKind(1 + c%4), Height: h, Round: r})
		case 3:
			payload := []byte{a, b, c}
			blk := consensus.Block{Height: h, ID: BlockID(payload), ParentID: codec.Hash256{byte(h)}, Payload: payload}
			if c&1 == 1 {
				blk.ID[0] ^= 1
			}
			d.blocks = append(d.blocks, blk.ID)
			d.step(consensus.BlockBuilt{Height: h, Round: r, Block: blk})
		case 4:
			if len(d.blocks) > 0 {
				d.step(consensus.Validated{BlockID: d.blocks[int(a)%len(d.blocks)], OK: b&1 == 0})
			}
		case 5, 6:
			from := int(c) % d.n
			var payload []byte
			if op%9 == 5 {
				id := codec.Hash256{a % 3}
				if len(d.blocks) > 0 && a&4 == 0 {
					id = d.blocks[int(a)%len(d.blocks)]
				}
				payload = (&Vote{Type: VoteType(2 + b%2), Height: h, Round: r, Nil: a&8 != 0 && true, BlockID: id}).Encode()
				if a&8 != 0 {
					payload = (&Vote{Type: VoteType(2 + b%2), Height: h, Round: r, Nil: true}).Encode()
				}
			} else {
				body := []byte{a, b}
				vr := int32(c%3) - 1
				if vr >= r {
					vr = -1
				}
				p := &Proposal{Height: h, Round: r, ValidRound: vr, BlockID: BlockID(body), Payload: body}
				d.blocks = append(d.blocks, p.BlockID)
				payload = p.Encode()
			}
			d.step(signed(from, payload))
		case 7:
			n := int(a) % (len(data) + 1)
			raw := append([]byte(nil), data[:n]...)
			d.step(signed(int(c)%d.n, raw))
		case 8:
			d.restart()
		}
	}
}

func (d *fuzzDriver) restart() {
	e, err := New(consensus.Params{ChainID: testChain, Self: testAddr(0), Options: loopbackTimeouts.Options(), Safety: d.safety})
	if err != nil {
		d.t.Fatalf("restart from its own record: %v", err)
	}
	d.eng = e.(*Engine)
	d.pending = nil
	if d.h > 0 {
		d.step(consensus.StartHeight{Height: d.h, ParentID: codec.Hash256{byte(d.h)}, Validators: testValidators(d.n), Now: d.now})
	}
}

// step feeds one input and the own messages it makes the engine sign.
func (d *fuzzDriver) step(in consensus.Input) {
	queue := []consensus.Input{in}
	for i := 0; i < len(queue) && i < 1000; i++ {
		for _, o := range d.eng.Step(queue[i]) {
			switch o := o.(type) {
			case consensus.PersistSafety:
				if _, err := decodeSafetyRecord(o.Record); err != nil {
					d.t.Fatalf("undecodable safety record: %v", err)
				}
				d.safety = o.Record
			case consensus.SignAndBroadcast:
				rec, _ := decodeSafetyRecord(d.safety)
				named := rec != nil && bytes.Equal(rec.LastPayload, o.Payload)
				for _, v := range rec.OwnVotes {
					named = named || bytes.Equal(v, o.Payload)
				}
				if !named {
					d.t.Fatalf("signs %x, which the last safety record does not name", o.Payload)
				}
				m, err := DecodeMessage(o.Payload)
				if err != nil {
					d.t.Fatalf("signs an undecodable payload: %v", err)
				}
				pos := hrs{m.height(), m.round(), step(o.Payload[1])}
				if prev, ok := d.signed[pos]; ok && !bytes.Equal(prev, o.Payload) {
					d.t.Fatalf("signed two different messages at %+v", pos)
				}
				d.signed[pos] = o.Payload
				queue = append(queue, signed(0, o.Payload))
			case consensus.Commit:
				if err := VerifyCertificate(o.Certificate, testValidators(d.n), testChain, fakeVerify); err != nil {
					d.t.Fatalf("commit with a bad certificate: %v", err)
				}
			case consensus.Evidence:
				if err := VerifyEvidence(o.Payload, testValidators(d.n), testChain, fakeVerify); err != nil {
					d.t.Fatalf("evidence that does not verify: %v", err)
				}
			}
		}
	}
}
