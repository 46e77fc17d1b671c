package rbft

import (
	"math/rand/v2"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// TestFloodIsBounded sends an engine 100,000 messages from its validators —
// any height, any round, equivocating at will — and checks that what it
// keeps stays within the bounds of spec/rbft.md §7: rounds up to round+n,
// one vote per (validator, round, type), one proposal per round, and at
// most two messages per (sender, round, type) for h+1.
func TestFloodIsBounded(t *testing.T) {
	const n = 4
	rng := rand.New(rand.NewPCG(1, 2))
	e, err := New(consensus.Params{ChainID: testChain, Self: testAddr(0), Options: loopbackTimeouts.Options()})
	if err != nil {
		t.Fatal(err)
	}
	eng := e.(*Engine)
	eng.Step(consensus.StartHeight{Height: 10, Validators: testValidators(n), Now: testEpoch})
	ids := []codec.Hash256{{1}, {2}, {3}}
	evidence := 0
	for i := 0; i < 100_000; i++ {
		from := rng.IntN(n)
		h := []uint64{9, 10, 10, 11, 11, 12, 1 << 40}[rng.IntN(7)]
		r := int32(rng.IntN(12))
		if rng.IntN(10) == 0 {
			r = int32(rng.Uint32() >> 1)
		}
		var payload []byte
		switch rng.IntN(3) {
		case 0:
			vr := int32(-1)
			if r > 0 {
				vr = int32(rng.IntN(int(r)+1)) - 1
			}
			payload = (&Proposal{Height: h, Round: r, ValidRound: vr, BlockID: BlockID([]byte{byte(i)}), Payload: []byte{byte(i)}}).Encode()
		default:
			v := &Vote{Type: VoteType(2 + rng.IntN(2)), Height: h, Round: r, Nil: rng.IntN(4) == 0, BlockID: ids[rng.IntN(3)]}
			if v.Nil {
				v.BlockID = codec.Hash256{}
			}
			payload = v.Encode()
		}
		for _, o := range eng.Step(signed(from, payload)) {
			if _, ok := o.(consensus.Evidence); ok {
				evidence++
			}
		}
	}
	hs := eng.hs
	limit := hs.rs.round + n
	for r, rv := range hs.votes.rounds {
		if r > limit {
			t.Errorf("stored round %d beyond round+n = %d", r, limit)
		}
		for _, s := range rv.sets {
			if s.total > n {
				t.Errorf("round %d: %d votes of one type", r, s.total)
			}
		}
	}
	if len(hs.votes.rounds) > int(limit)+1 {
		t.Errorf("%d rounds stored", len(hs.votes.rounds))
	}
	if len(hs.proposals) > int(limit)+1 {
		t.Errorf("%d proposals stored", len(hs.proposals))
	}
	// Evidence at most once per (validator, round, type) of this height.
	if max := n * (int(limit) + 1) * 3; evidence > max {
		t.Errorf("%d evidence outputs, bound %d", evidence, max)
	}
	if b := eng.next; b != nil {
		if max := n * (n + 1) * 3 * bufPerSlot; len(b.msgs) > max {
			t.Errorf("%d buffered messages, bound %d", len(b.msgs), max)
		}
	}
	t.Logf("round %d, %d rounds, %d proposals, %d evidence", hs.rs.round, len(hs.votes.rounds), len(hs.proposals), evidence)
}
