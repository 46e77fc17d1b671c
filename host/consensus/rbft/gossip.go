package rbft

import (
	"bytes"
	"time"

	"github.com/jtchain/jtchain/host/consensus"
)

// Gossip support: the buffer for the next height, the periodic rebroadcast
// of spec/rbft.md §9, and catch-up requests. All of it is bounded by the
// validator count, so a flood of junk costs a fixed amount of memory.

// nextBuffer holds messages for height h+1 until StartHeight(h+1), at most
// two distinct payloads per (sender, round, type) with round ≤ n (two, so
// an equivocation is still seen), and at most two proposals per sender.
// Senders are the validators of h: a validator that joins at h+1 is heard
// again through its rebroadcasts.
type nextBuffer struct {
	h         uint64
	msgs      []consensus.Message
	slots     map[bufKey][]int // indexes into msgs
	proposals []int            // per sender
	senders   []bool
	nSenders  int
}

type bufKey struct {
	sender int
	round  int32
	typ    uint8
}

const bufPerSlot = 2

func (e *Engine) bufferNext(idx int, m consensus.Message, msg Message) {
	hs := e.hs
	if msg.round() > int32(hs.n) {
		return
	}
	b := e.next
	if b == nil || b.h != hs.h+1 {
		b = &nextBuffer{h: hs.h + 1, slots: make(map[bufKey][]int), proposals: make([]int, hs.n), senders: make([]bool, hs.n)}
		e.next = b
	}
	k := bufKey{sender: idx, round: msg.round(), typ: m.Payload[1]}
	slot := b.slots[k]
	for _, i := range slot {
		if bytes.Equal(b.msgs[i].Payload, m.Payload) {
			return
		}
	}
	if len(slot) >= bufPerSlot {
		return
	}
	if _, isProposal := msg.(*Proposal); isProposal {
		if b.proposals[idx] >= bufPerSlot {
			return
		}
		b.proposals[idx]++
	}
	b.slots[k] = append(slot, len(b.msgs))
	b.msgs = append(b.msgs, m)
	if !b.senders[idx] {
		b.senders[idx] = true
		b.nSenders++
	}
}

// gossip runs after every input: the rebroadcast timer and the catch-up
// check, both on the time the inputs carried.
func (e *Engine) gossip() {
	hs := e.hs
	if hs == nil || e.now.IsZero() || hs.rs.decided {
		return
	}
	if hs.started && !hs.nextRebroadcast.IsZero() && !e.now.Before(hs.nextRebroadcast) {
		hs.nextRebroadcast = e.now.Add(e.timeouts.RoundPeriod(hs.rs.round))
		if msgs := e.rebroadcastSet(); len(msgs) > 0 {
			e.emit(consensus.Rebroadcast{Messages: msgs})
		}
	}

	// Peers are ahead: someone sent a message for a height beyond h+1, W
	// validators are at h+1, or Q precommits decide a block this node does
	// not have. Give the decision of h a grace period to arrive by gossip
	// (none when peers are two heights ahead), then ask for the decided
	// ledgers, once per round period.
	nextW := e.next != nil && e.next.h == hs.h+1 && e.next.nSenders >= hs.w
	if !hs.farAhead && !nextW && !e.decidedWithoutBlock() {
		hs.behindSince = time.Time{}
		return
	}
	if hs.behindSince.IsZero() {
		hs.behindSince = e.now
	}
	grace := e.timeouts.PrecommitTimeout(0)
	if hs.farAhead {
		grace = 0
	}
	if e.now.Sub(hs.behindSince) >= grace && (hs.lastCatchUp.IsZero() || e.now.Sub(hs.lastCatchUp) >= e.timeouts.RoundPeriod(0)) {
		hs.lastCatchUp = e.now
		e.emit(consensus.RequestCatchUp{Height: hs.h})
	}
}

// rebroadcastSet is what this node sends again while in (h, r): its own
// latest proposal, prevote and precommit, the round certificate that
// justifies being in r (Q precommits of r−1, or the votes of the W
// validators that pulled it into r), and the polka of its valid value, so
// that a proposer's re-proposal (R2) can be accepted by everyone.
func (e *Engine) rebroadcastSet() []consensus.Message {
	hs := e.hs
	rs := &hs.rs
	var out []consensus.Message
	seen := make(map[string]bool)
	add := func(m consensus.Message) {
		k := string(m.From[:]) + string(m.Payload)
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	addVotes := func(svs []*signedVote) {
		for _, m := range e.votesMessages(svs) {
			add(m)
		}
	}
	for _, m := range hs.own {
		if m != nil {
			add(*m)
		}
	}
	switch {
	case rs.round > 0 && hs.votes.any(rs.round-1, Precommit) >= hs.q:
		addVotes(hs.votes.all(rs.round-1, Precommit))
	case hs.votes.senders(rs.round) >= hs.w:
		addVotes(hs.votes.all(rs.round, Prevote))
		addVotes(hs.votes.all(rs.round, Precommit))
	}
	if rs.validRound >= 0 {
		addVotes(hs.votes.votesFor(rs.validRound, Prevote, false, rs.validID))
	}
	for _, m := range e.lastCommit {
		add(m)
	}
	return out
}

// decidedWithoutBlock reports Q precommits for a block this node has no
// proposal for: the height is decided and only catch-up can bring the
// block.
func (e *Engine) decidedWithoutBlock() bool {
	for _, c := range e.hs.decisions {
		if _, ok := e.hs.blocks[c.id]; !ok {
			return true
		}
	}
	return false
}

// votesMessages turns counted votes back into the signed messages they came
// in.
func (e *Engine) votesMessages(svs []*signedVote) []consensus.Message {
	out := make([]consensus.Message, 0, len(svs))
	for _, sv := range svs {
		out = append(out, consensus.Message{From: e.hs.vals[sv.signer].Address, Payload: sv.payload, Signature: sv.sig})
	}
	return out
}
