package rbft

import (
	"math"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// The round state machine: rules R0–R11 of spec/rbft.md §5 over the state of
// §4, as Algorithm 1 of Buchman–Kwon–Milošević (2018) states them. Every
// method is one rule; its guard is the "while" clause of the paper, and the
// height driver (engine.go) calls it when the "upon" clause holds: it owns
// the vote keeper and the proposals, and so the thresholds and valid(v).
// The machine returns actions; it performs nothing.

// roundState is the per-height state of §4.
type roundState struct {
	round int32 // −1 until StartRound(0)
	step  step

	lockedRound int32 // −1: not locked
	lockedID    codec.Hash256
	validRound  int32 // −1: no valid value
	validID     codec.Hash256
	decided     bool

	// "for the first time" (once per round) flags of R3, R4 and R6.
	prevoteTimerSet   bool
	polkaSeen         bool
	precommitTimerSet bool

	// isProposer reports whether this node is proposer(h, r).
	isProposer func(r int32) bool
}

func newRoundState(isProposer func(int32) bool) roundState {
	return roundState{round: -1, lockedRound: -1, validRound: -1, isProposer: isProposer}
}

type actionKind uint8

const (
	actNewRound  actionKind = iota + 1 // entered round
	actBuild                           // ask the driver for a fresh block
	actPropose                         // propose validValue (id) with vr
	actPrevote                         // sign a prevote (nil or id)
	actPrecommit                       // sign a precommit (nil or id)
	actSchedule                        // schedule timeout for round
	actDecide                          // decide id, certified in round
	actSafety                          // locked or valid value changed: persist
)

type action struct {
	kind       actionKind
	round      int32
	isNil      bool
	id         codec.Hash256
	validRound int32
	timeout    consensus.TimeoutKind
}

func prevote(r int32, isNil bool, id codec.Hash256) action {
	if isNil {
		id = codec.Hash256{}
	}
	return action{kind: actPrevote, round: r, isNil: isNil, id: id}
}

func precommit(r int32, isNil bool, id codec.Hash256) action {
	if isNil {
		id = codec.Hash256{}
	}
	return action{kind: actPrecommit, round: r, isNil: isNil, id: id}
}

func schedule(k consensus.TimeoutKind, r int32) action {
	return action{kind: actSchedule, timeout: k, round: r}
}

// startRound is R0 (L11): round ← r, step ← propose; the proposer proposes
// its valid value with its valid round, or asks for a fresh block;
// everybody else schedules TimeoutPropose.
//
// The proposer schedules TimeoutPropose too, as CometBFT's enterPropose
// does; the paper's proposer needs no timer because getValue() and its own
// proposal are immediate, but here the block is built asynchronously and a
// re-proposal is accepted, by the proposer as by everyone, only once R2
// sees the polka. Without the timer a proposer whose block never comes back
// would sit in the propose step until R8. It affects liveness only: R9
// prevotes nil, which is always safe.
func (s *roundState) startRound(r int32) []action {
	s.round, s.step = r, stepPropose
	s.prevoteTimerSet, s.polkaSeen, s.precommitTimerSet = false, false, false
	acts := []action{{kind: actNewRound, round: r}}
	switch {
	case !s.isProposer(r):
	case s.validRound >= 0:
		acts = append(acts, action{kind: actPropose, round: r, id: s.validID, validRound: s.validRound})
	default:
		acts = append(acts, action{kind: actBuild, round: r})
	}
	return append(acts, schedule(consensus.TimeoutPropose, r))
}

// onProposal is R1 (L22, vr = −1) and R2 (L28, 0 ≤ vr < round, where the
// caller has seen Q prevotes for id in round vr): prevote id if it is valid
// and the lock allows it, else nil. R2 is the only way past a lock: a polka
// at vr ≥ lockedRound.
func (s *roundState) onProposal(id codec.Hash256, vr int32, valid bool) []action {
	if s.step != stepPropose {
		return nil
	}
	var ok bool
	if vr == -1 {
		ok = valid && (s.lockedRound == -1 || s.lockedID == id)
	} else {
		ok = valid && (s.lockedRound <= vr || s.lockedID == id)
	}
	s.step = stepPrevote
	return []action{prevote(s.round, !ok, id)}
}

// onPolkaAny is R3 (L34): Q prevotes for anything in the round, while in
// the prevote step, for the first time: schedule TimeoutPrevote.
func (s *roundState) onPolkaAny() []action {
	if s.step != stepPrevote || s.prevoteTimerSet {
		return nil
	}
	s.prevoteTimerSet = true
	return []action{schedule(consensus.TimeoutPrevote, s.round)}
}

// onPolka is R4 (L36): the round's proposal for id is valid and has Q
// prevotes, step ≥ prevote, for the first time. In the prevote step the
// node locks id and precommits it; in any case id becomes the valid value.
// This is the only place a lock changes.
func (s *roundState) onPolka(id codec.Hash256) []action {
	if s.step < stepPrevote || s.polkaSeen {
		return nil
	}
	s.polkaSeen = true
	acts := []action{{kind: actSafety}}
	var vote []action
	if s.step == stepPrevote {
		s.lockedID, s.lockedRound = id, s.round
		s.step = stepPrecommit
		vote = []action{precommit(s.round, false, id)}
	}
	s.validID, s.validRound = id, s.round
	return append(acts, vote...)
}

// onPolkaNil is R5 (L44): Q prevotes for nil in the prevote step: precommit
// nil. The lock is left as it is: a nil polka never unlocks (the CometBFT
// divergence at consensus/state.go:1529 that spec/rbft.md §12 rejects).
func (s *roundState) onPolkaNil() []action {
	if s.step != stepPrevote {
		return nil
	}
	s.step = stepPrecommit
	return []action{precommit(s.round, true, codec.Hash256{})}
}

// onPrecommitAny is R6 (L47): Q precommits for anything in the round, for
// the first time: schedule TimeoutPrecommit.
func (s *roundState) onPrecommitAny() []action {
	if s.precommitTimerSet {
		return nil
	}
	s.precommitTimerSet = true
	return []action{schedule(consensus.TimeoutPrecommit, s.round)}
}

// onDecision is R7 (L49): a valid block with Q precommits in round r, any
// round, and no decision yet: decide it.
func (s *roundState) onDecision(r int32, id codec.Hash256) []action {
	if s.decided {
		return nil
	}
	s.decided = true
	return []action{{kind: actDecide, round: r, id: id}}
}

// onRoundSkip is R8 (L55): W validators sent messages for round r > round:
// start round r.
func (s *roundState) onRoundSkip(r int32) []action {
	if r <= s.round {
		return nil
	}
	return s.startRound(r)
}

// onTimeoutPropose is R9 (L57): still proposing in round r: prevote nil.
func (s *roundState) onTimeoutPropose(r int32) []action {
	if r != s.round || s.step != stepPropose {
		return nil
	}
	s.step = stepPrevote
	return []action{prevote(r, true, codec.Hash256{})}
}

// onTimeoutPrevote is R10 (L61): still prevoting in round r: precommit nil.
func (s *roundState) onTimeoutPrevote(r int32) []action {
	if r != s.round || s.step != stepPrevote {
		return nil
	}
	s.step = stepPrecommit
	return []action{precommit(r, true, codec.Hash256{})}
}

// onTimeoutPrecommit is R11 (L65): round r is still the current round:
// start round r+1.
func (s *roundState) onTimeoutPrecommit(r int32) []action {
	if r != s.round || s.round < 0 || r == math.MaxInt32 {
		return nil
	}
	return s.startRound(r + 1)
}
