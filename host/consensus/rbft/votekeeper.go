package rbft

import (
	"github.com/jtchain/jtchain/host/codec"
)

// The vote keeper holds the votes of one height, the tallies the rules ask
// about, and the detection of equivocation (R12). It knows nothing about
// steps or locks.
//
// Counting. Every tally counts distinct validators: "Q prevotes for v" is Q
// validators that signed a prevote for v, as in Algorithm 1, which counts
// received messages from distinct senders per value. A validator's first
// vote of a (round, type) counts for its value and for "any". A second,
// different vote is equivocation: it is reported once as evidence, never
// counts for "any" again, and counts for its own value only (so no tally
// ever counts a validator twice). That is what keeps Lemma A: two polkas
// in one round share f+1 signers, one of them correct, and a correct
// validator signs one prevote per round. Counting only first votes would
// let a single equivocator that sent X to some nodes and nil to others hide
// X's polka from the latter for ever, and R2 could then never accept a
// re-proposal of X (the simulator found exactly this livelock). A second
// vote is kept only for nil or for a block the height knows from a
// proposal, the only values a rule can ask about, which bounds memory.

// signedVote is a counted vote with what is needed to show it to others.
type signedVote struct {
	signer  int // validator index
	vote    Vote
	payload []byte
	sig     []byte
}

// valueKey names a vote's value: nil, or a block id.
type valueKey struct {
	isNil bool
	id    codec.Hash256
}

func keyOf(v *Vote) valueKey { return valueKey{isNil: v.Nil, id: v.BlockID} }

type extraKey struct {
	signer int
	value  valueKey
}

// voteSet is one (round, type).
type voteSet struct {
	first    []*signedVote // the first vote of each validator, by index
	extra    map[extraKey]*signedVote
	count    map[valueKey]int // distinct signers per value
	total    int              // distinct signers
	reported []bool           // evidence already emitted, by validator
}

// roundVotes is everything counted for one round.
type roundVotes struct {
	sets    [2]voteSet // prevotes, precommits
	senders []bool     // validators with any accepted message in the round (R8)
	nSender int
}

type voteKeeper struct {
	n      int
	rounds map[int32]*roundVotes
}

func newVoteKeeper(n int) *voteKeeper {
	return &voteKeeper{n: n, rounds: make(map[int32]*roundVotes)}
}

func setIndex(t VoteType) int { return int(t) - int(Prevote) }

func (k *voteKeeper) round(r int32) *roundVotes {
	rv := k.rounds[r]
	if rv == nil {
		rv = &roundVotes{senders: make([]bool, k.n)}
		for i := range rv.sets {
			rv.sets[i] = voteSet{
				first:    make([]*signedVote, k.n),
				extra:    make(map[extraKey]*signedVote),
				count:    make(map[valueKey]int),
				reported: make([]bool, k.n),
			}
		}
		k.rounds[r] = rv
	}
	return rv
}

func (k *voteKeeper) set(r int32, t VoteType) *voteSet {
	rv := k.rounds[r]
	if rv == nil {
		return nil
	}
	return &rv.sets[setIndex(t)]
}

// markSender records that validator idx sent something in round r.
func (k *voteKeeper) markSender(r int32, idx int) {
	rv := k.round(r)
	if !rv.senders[idx] {
		rv.senders[idx] = true
		rv.nSender++
	}
}

func (k *voteKeeper) senders(r int32) int {
	if rv := k.rounds[r]; rv != nil {
		return rv.nSender
	}
	return 0
}

// addResult says what add did with a vote.
type addResult struct {
	counted  bool        // the vote now counts for its value
	evidence *signedVote // non-nil: equivocation to report, against this earlier vote
}

// add counts v from validator idx. known reports whether a block id is one
// the height has a proposal for.
func (k *voteKeeper) add(idx int, v *Vote, payload, sig []byte, known func(codec.Hash256) bool) addResult {
	s := &k.round(v.Round).sets[setIndex(v.Type)]
	sv := &signedVote{signer: idx, vote: *v, payload: payload, sig: sig}
	value := keyOf(v)
	first := s.first[idx]
	if first == nil {
		s.first[idx] = sv
		s.total++
		s.count[value]++
		return addResult{counted: true}
	}
	if keyOf(&first.vote) == value {
		return addResult{} // the same vote again
	}
	var res addResult
	if !s.reported[idx] {
		s.reported[idx] = true
		res.evidence = first
	}
	ek := extraKey{signer: idx, value: value}
	if _, dup := s.extra[ek]; !dup && (v.Nil || known(v.BlockID)) {
		s.extra[ek] = sv
		s.count[value]++
		res.counted = true
	}
	return res
}

// forValue is the number of validators that signed a vote of (r, t) for id.
func (k *voteKeeper) forValue(r int32, t VoteType, id codec.Hash256) int {
	if s := k.set(r, t); s != nil {
		return s.count[valueKey{id: id}]
	}
	return 0
}

// forNil is the number of validators that signed a vote of (r, t) for nil.
func (k *voteKeeper) forNil(r int32, t VoteType) int {
	if s := k.set(r, t); s != nil {
		return s.count[valueKey{isNil: true}]
	}
	return 0
}

// any is the number of validators that voted in (r, t).
func (k *voteKeeper) any(r int32, t VoteType) int {
	if s := k.set(r, t); s != nil {
		return s.total
	}
	return 0
}

// votesFor returns one vote of (r, t) for id (or for nil when isNil) per
// validator that signed one, in validator order.
func (k *voteKeeper) votesFor(r int32, t VoteType, isNil bool, id codec.Hash256) []*signedVote {
	s := k.set(r, t)
	if s == nil {
		return nil
	}
	value := valueKey{isNil: isNil}
	if !isNil {
		value.id = id
	}
	var out []*signedVote
	for i, sv := range s.first {
		switch {
		case sv == nil:
		case keyOf(&sv.vote) == value:
			out = append(out, sv)
		default:
			if ex := s.extra[extraKey{signer: i, value: value}]; ex != nil {
				out = append(out, ex)
			}
		}
	}
	return out
}

// all returns the first vote of (r, t) of every validator, in validator
// order.
func (k *voteKeeper) all(r int32, t VoteType) []*signedVote {
	s := k.set(r, t)
	if s == nil {
		return nil
	}
	var out []*signedVote
	for _, sv := range s.first {
		if sv != nil {
			out = append(out, sv)
		}
	}
	return out
}

// highestRoundWith returns the highest round in (above, limit] that has at
// least w distinct senders, or −1.
func (k *voteKeeper) highestRoundWith(above, limit int32, w int) int32 {
	best := int32(-1)
	for r, rv := range k.rounds { // order-independent: only the maximum is kept
		if r > above && r <= limit && rv.nSender >= w && r > best {
			best = r
		}
	}
	return best
}
