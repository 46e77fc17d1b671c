package rbft

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

func init() { consensus.Register("rbft", New) }

// Engine is the RBFT state machine. It is not safe for concurrent use: the
// driver's event loop owns it.
type Engine struct {
	chainID  string
	self     codec.AccountID
	timeouts Timeouts

	now time.Time // the latest time an input carried

	// CheckHRS state: the last thing signed, exactly.
	last        hrs
	lastPayload []byte
	// restore is the record New was given, until the heights it concerns
	// have started.
	restore *safetyRecord
	dirty   bool // lock or valid value changed since the last PersistSafety

	hs   *heightState // nil until the first StartHeight
	next *nextBuffer  // messages for hs.h+1
	// lastCommit is the precommits of the decision of the previous height
	// (of hs.h itself between Commit and the next StartHeight).
	lastCommit []consensus.Message

	out     []consensus.Output
	refused int // signatures CheckHRS refused (see Status)
}

// heightState is everything the engine knows about the current height.
type heightState struct {
	h       uint64
	parent  codec.Hash256
	vals    []consensus.Validator // sorted by address
	index   map[codec.AccountID]int
	self    int // index of this node in vals, −1 if it is not a validator
	perm    []int
	n       int
	q, w    int
	rs      roundState
	votes   *voteKeeper
	started bool // round 0 has begun or the node resumed a round

	proposals map[int32]*storedProposal
	blocks    map[codec.Hash256][]byte // payloads of proposed blocks, by id
	validity  map[codec.Hash256]validity
	decisions []certified // rounds with Q precommits for a block, in arrival order
	building  int32       // round of the outstanding BuildBlock, −1 if none

	signed   map[hrs][]byte        // what this node signed at this height
	ownVotes [2][]byte             // the latest prevote and precommit it signed at this height
	own      [3]*consensus.Message // latest own proposal, prevote, precommit
	ownPos   [3]hrs                // their positions

	nextRebroadcast time.Time
	behindSince     time.Time // since when peers look a height or more ahead
	lastCatchUp     time.Time
	farAhead        bool // a validator sent a message for a height > h+1
}

type storedProposal struct {
	p        *Proposal
	header   []byte
	msg      consensus.Message
	reported bool // ConflictingProposal already emitted
}

type certified struct {
	round int32
	id    codec.Hash256
}

type validity uint8

const (
	validityUnknown validity = iota
	validityPending
	validityOK
	validityBad
)

// ErrNoChainID is returned by New when Params.ChainID is empty: signatures
// must name their chain.
var ErrNoChainID = errors.New("rbft: Params.ChainID is empty: set the chain id so signatures cannot be replayed on another chain")

// New creates an RBFT engine. It fails on bad options and on a safety record
// it cannot read: resuming without it could sign twice.
func New(p consensus.Params) (consensus.Engine, error) {
	if p.ChainID == "" {
		return nil, ErrNoChainID
	}
	t, err := ParseOptions(p.Options)
	if err != nil {
		return nil, err
	}
	e := &Engine{chainID: p.ChainID, self: p.Self, timeouts: t}
	if len(p.Safety) > 0 {
		rec, err := decodeSafetyRecord(p.Safety)
		if err != nil {
			return nil, fmt.Errorf("rbft: cannot resume from the safety record (%w); refusing to start rather than risk signing twice: restore the node's safety file from a backup", err)
		}
		e.last, e.lastPayload, e.restore = rec.Last, rec.LastPayload, rec
	}
	return e, nil
}

// Status is a snapshot of the engine for logs and the operator's
// consensus_info command.
type Status struct {
	Height uint64 // the height in progress (0 before the first StartHeight)
	Round  int32  // −1 before round 0 starts (waiting for timeout_commit)
	Step   string // "none", "propose", "prevote" or "precommit"
	// LockedRound and LockedID are the lock (−1 and zero: not locked);
	// ValidRound and ValidID the valid value (−1 and zero: none).
	LockedRound int32
	LockedID    codec.Hash256
	ValidRound  int32
	ValidID     codec.Hash256
	// Proposer is proposer(Height, Round) (zero before round 0).
	Proposer codec.AccountID
	// Prevotes and Precommits count the distinct validators whose prevote
	// and precommit for the current round this node has counted.
	Prevotes, Precommits int
	Validators           int  // n, the size of the height's validator set
	Decided              bool // Commit was emitted for Height
	Validator            bool // this node is in the validator set of Height
	// Refused counts signatures the CheckHRS guard refused since start: a
	// non-zero value after a restart is expected; otherwise it is a bug.
	Refused int
}

// Status returns the engine's position. It allocates nothing and takes
// time independent of history (O(1) apart from fixed-size copies), so the
// driver may call it on every consensus_info request; like Step, it must be
// called only from the driver's goroutine that owns the engine (the engine
// has no locks), so the driver answers RPC from a snapshot it takes there.
func (e *Engine) Status() Status {
	st := Status{Round: -1, LockedRound: -1, ValidRound: -1, Step: stepNone.String(), Refused: e.refused}
	hs := e.hs
	if hs == nil {
		return st
	}
	rs := &hs.rs
	st.Height, st.Round, st.Step = hs.h, rs.round, rs.step.String()
	st.LockedRound, st.ValidRound = rs.lockedRound, rs.validRound
	if rs.lockedRound >= 0 {
		st.LockedID = rs.lockedID
	}
	if rs.validRound >= 0 {
		st.ValidID = rs.validID
	}
	if rs.round >= 0 {
		st.Proposer = hs.vals[hs.perm[int(rs.round)%hs.n]].Address
		st.Prevotes = hs.votes.any(rs.round, Prevote)
		st.Precommits = hs.votes.any(rs.round, Precommit)
	}
	st.Validators = hs.n
	st.Decided, st.Validator = rs.decided, hs.self >= 0
	return st
}

// Step implements consensus.Engine.
func (e *Engine) Step(in consensus.Input) []consensus.Output {
	e.out = nil
	switch in := in.(type) {
	case consensus.StartHeight:
		e.advance(in.Now)
		e.startHeight(in)
	case consensus.Tick:
		e.advance(in.Now)
	case consensus.TxsAvailable:
		e.advance(in.Now)
	case consensus.Timeout:
		e.onTimeout(in)
	case consensus.BlockBuilt:
		e.onBlockBuilt(in)
	case consensus.Validated:
		e.onValidated(in)
	case consensus.Message:
		e.onMessage(in)
	}
	e.pump()
	if e.dirty {
		e.persist()
	}
	e.gossip()
	out := e.out
	e.out = nil
	return out
}

func (e *Engine) emit(o consensus.Output) { e.out = append(e.out, o) }

func (e *Engine) advance(now time.Time) {
	if now.After(e.now) {
		e.now = now
	}
}

// startHeight resets the per-height state, resumes from the safety record if
// it concerns this height, and replays messages buffered for it.
func (e *Engine) startHeight(in consensus.StartHeight) {
	if in.Height == 0 || (e.hs != nil && in.Height <= e.hs.h) {
		return
	}
	vals, ok := normalizeValidators(in.Validators)
	if !ok {
		return
	}
	n := len(vals)
	_, q, w := thresholds(n)
	hs := &heightState{
		h: in.Height, parent: in.ParentID, vals: vals, n: n, q: q, w: w,
		index: make(map[codec.AccountID]int, n), self: -1,
		perm:      Permutation(n, in.Seed),
		votes:     newVoteKeeper(n),
		proposals: make(map[int32]*storedProposal),
		blocks:    make(map[codec.Hash256][]byte),
		validity:  make(map[codec.Hash256]validity),
		signed:    make(map[hrs][]byte),
		building:  -1,
	}
	for i, v := range vals {
		hs.index[v.Address] = i
		if v.Address == e.self {
			hs.self = i
		}
	}
	hs.rs = newRoundState(func(r int32) bool { return hs.self >= 0 && hs.perm[int(r)%n] == hs.self })
	e.hs = hs
	next := e.next
	e.next = nil
	e.dirty = false
	if len(e.lastCommit) > 0 {
		if m, err := DecodeMessage(e.lastCommit[0].Payload); err != nil || m.height()+1 != hs.h {
			e.lastCommit = nil // not the decision of h−1 (the driver caught up)
		}
	}

	if !e.resume() {
		e.emit(consensus.ScheduleTimeout{Kind: consensus.TimeoutCommit, Height: hs.h, Round: 0, Delay: e.timeouts.Commit})
	}
	if next != nil && next.h == hs.h {
		for _, m := range next.msgs {
			e.onMessage(m)
			e.pump()
		}
	}
}

// resume applies the safety record to a height it concerns: the lock and
// valid value of that height, and the round and step of the last signature,
// which it sends again (the same bytes: the crash may have come between
// PersistSafety and the send). It reports whether a round was resumed.
func (e *Engine) resume() bool {
	rec, hs := e.restore, e.hs
	if rec == nil {
		return false
	}
	if hs.h >= rec.StateHeight && hs.h >= rec.Last.Height {
		e.restore = nil // nothing later concerns it
	}
	if rec.StateHeight == hs.h && rec.ValidRound >= 0 {
		id := BlockID(rec.ValidPayload)
		rs := &hs.rs
		rs.validRound, rs.validID = rec.ValidRound, id
		rs.lockedRound, rs.lockedID = rec.LockedRound, rec.LockedID
		hs.blocks[id] = rec.ValidPayload
		hs.validity[id] = validityOK // R4 checked it before it became the valid value
		// The polka that made it the valid value, so that a re-proposal
		// can be accepted (R2) and shown to others.
		for _, p := range rec.ValidPolka {
			idx, ok := hs.index[p.Signer]
			if !ok {
				continue
			}
			v := &Vote{Type: Prevote, Height: hs.h, Round: rec.ValidRound, BlockID: id}
			if hs.votes.add(idx, v, v.Encode(), p.Signature, func(codec.Hash256) bool { return true }).counted {
				hs.votes.markSender(v.Round, idx)
			}
		}
	}
	if rec.Last.Height != hs.h || rec.Last.Step == stepNone || hs.self < 0 {
		return false
	}
	rs := &hs.rs
	rs.round, rs.step = rec.Last.Round, rec.Last.Step
	hs.started = true
	hs.nextRebroadcast = e.now.Add(e.timeouts.RoundPeriod(rs.round))
	// Send again what this node signed in its latest rounds: the votes it
	// may have signed before the last message (the others may never have
	// received them, and its rebroadcasts must carry them), then the last
	// message. Identical bytes: no equivocation.
	for _, v := range rec.OwnVotes {
		if m, err := DecodeMessage(v); err == nil {
			pos := hrs{m.height(), m.round(), step(v[1])}
			hs.signed[pos] = v
			hs.ownVotes[v[1]-typePrevote] = v
		}
	}
	hs.signed[rec.Last] = rec.LastPayload
	e.persist()
	for _, v := range rec.OwnVotes {
		if !bytes.Equal(v, rec.LastPayload) {
			e.emit(consensus.SignAndBroadcast{Payload: v})
		}
	}
	e.emit(consensus.SignAndBroadcast{Payload: rec.LastPayload})
	// In the propose step the round's TimeoutPropose is re-armed (R0 set it
	// before the crash). The prevote and precommit timers are not: R3 and
	// R6 arm them once Q votes arrive again, from the others' rebroadcasts.
	// Arming them blindly would let this node leave the round without the Q
	// precommits that justify the next one, and then it would have no round
	// certificate to show the nodes it left behind.
	if rs.step == stepPropose {
		e.scheduleTimeout(consensus.TimeoutPropose, rs.round)
	}
	return true
}

func (e *Engine) scheduleTimeout(k consensus.TimeoutKind, r int32) {
	var d time.Duration
	switch k {
	case consensus.TimeoutPropose:
		d = e.timeouts.ProposeTimeout(r)
	case consensus.TimeoutPrevote:
		d = e.timeouts.PrevoteTimeout(r)
	case consensus.TimeoutPrecommit:
		d = e.timeouts.PrecommitTimeout(r)
	}
	e.emit(consensus.ScheduleTimeout{Kind: k, Height: e.hs.h, Round: r, Delay: d})
}

// pump is the multiplexer: it evaluates the "upon" clauses of R4–R11 over
// the height's state and feeds the round state machine until no rule
// applies. Every rule that fires changes the state so that it cannot fire
// again (a decision, a higher round, a later step, or a first-time flag), so
// the loop ends; the bound is a guard against a broken invariant.
func (e *Engine) pump() {
	if e.hs == nil {
		return
	}
	for range 256 {
		acts, fired := e.nextRule()
		if !fired {
			return
		}
		e.perform(acts)
	}
	panic("rbft: consensus rules did not settle")
}

func (e *Engine) nextRule() ([]action, bool) {
	hs := e.hs
	rs := &hs.rs
	if rs.decided {
		return nil, false
	}
	// R7: a valid block with Q precommits in any round.
	for _, c := range hs.decisions {
		if _, ok := hs.blocks[c.id]; ok && hs.validity[c.id] == validityOK {
			return rs.onDecision(c.round, c.id), true
		}
	}
	// R8: W validators are in a higher round.
	if r := hs.votes.highestRoundWith(rs.round, e.roundLimit(), hs.w); r >= 0 {
		hs.started = true
		return rs.onRoundSkip(r), true
	}
	if rs.round < 0 {
		return nil, false
	}
	prop := hs.proposals[rs.round]
	// R1, R2: the round's proposal, once valid(v) is known.
	if rs.step == stepPropose && prop != nil {
		p := prop.p
		if v := hs.validity[p.BlockID]; v == validityOK || v == validityBad {
			if p.ValidRound == -1 || hs.votes.forValue(p.ValidRound, Prevote, p.BlockID) >= hs.q {
				return rs.onProposal(p.BlockID, p.ValidRound, v == validityOK), true
			}
		}
	}
	// R3: Q prevotes for anything.
	if rs.step == stepPrevote && !rs.prevoteTimerSet && hs.votes.any(rs.round, Prevote) >= hs.q {
		return rs.onPolkaAny(), true
	}
	// R4: a polka for the round's valid proposal.
	if rs.step >= stepPrevote && !rs.polkaSeen && prop != nil && hs.validity[prop.p.BlockID] == validityOK &&
		hs.votes.forValue(rs.round, Prevote, prop.p.BlockID) >= hs.q {
		return rs.onPolka(prop.p.BlockID), true
	}
	// R5: a nil polka.
	if rs.step == stepPrevote && hs.votes.forNil(rs.round, Prevote) >= hs.q {
		return rs.onPolkaNil(), true
	}
	// R6: Q precommits for anything.
	if !rs.precommitTimerSet && hs.votes.any(rs.round, Precommit) >= hs.q {
		return rs.onPrecommitAny(), true
	}
	return nil, false
}

// roundLimit is the highest round the engine stores messages for: round+n
// (spec/rbft.md §7); before round 0, n−1.
func (e *Engine) roundLimit() int32 {
	lim := int64(e.hs.rs.round) + int64(e.hs.n)
	return int32(min(lim, int64(1<<31-1)))
}

func (e *Engine) perform(acts []action) {
	hs := e.hs
	for _, a := range acts {
		switch a.kind {
		case actNewRound:
			hs.started = true
			hs.building = -1
			// The rebroadcast timer runs from the first round of the
			// height and is not reset by later rounds: rounds that end
			// before a period is over must not starve the gossip.
			if hs.nextRebroadcast.IsZero() {
				hs.nextRebroadcast = e.now.Add(e.timeouts.RoundPeriod(a.round))
			}
		case actBuild:
			if hs.self >= 0 {
				hs.building = a.round
				e.emit(consensus.BuildBlock{Height: hs.h, Round: a.round})
			}
		case actPropose:
			payload, ok := hs.blocks[a.id]
			if ok && e.signProposal(&Proposal{Height: hs.h, Round: a.round, ValidRound: a.validRound, BlockID: a.id, Payload: payload}) {
				// A re-proposal is accepted through R2 only by nodes that
				// hold the polka of its valid round: send it along.
				if polka := e.votesMessages(hs.votes.votesFor(a.validRound, Prevote, false, a.id)); len(polka) > 0 {
					e.emit(consensus.Rebroadcast{Messages: polka})
				}
			}
		case actPrevote, actPrecommit:
			t := Prevote
			if a.kind == actPrecommit {
				t = Precommit
			}
			v := &Vote{Type: t, Height: hs.h, Round: a.round, Nil: a.isNil, BlockID: a.id}
			e.sign(hrs{hs.h, a.round, step(t)}, v.Encode())
		case actSchedule:
			e.scheduleTimeout(a.timeout, a.round)
		case actDecide:
			e.commit(a.round, a.id)
		case actSafety:
			e.dirty = true
		}
	}
}

func (e *Engine) signProposal(p *Proposal) bool {
	return e.sign(hrs{p.Height, p.Round, stepPropose}, p.Encode())
}

// sign is the signer's guard (CheckHRS, spec/rbft.md §8): it emits
// PersistSafety and then SignAndBroadcast, unless (h, r, step) is not after
// the last signature, or equal to it with other bytes. Non-validators sign
// nothing.
func (e *Engine) sign(pos hrs, payload []byte) bool {
	hs := e.hs
	if hs.self < 0 {
		return false
	}
	if c := pos.cmp(e.last); c < 0 || (c == 0 && !bytes.Equal(payload, e.lastPayload)) {
		e.refused++
		return false
	}
	e.last, e.lastPayload = pos, payload
	hs.signed[pos] = payload
	if pos.Step != stepPropose {
		hs.ownVotes[pos.Step-stepPrevote] = payload
	}
	e.persist()
	e.emit(consensus.SignAndBroadcast{Payload: payload})
	return true
}

// persist emits the current safety record.
func (e *Engine) persist() {
	e.dirty = false
	hs := e.hs
	if hs == nil || hs.self < 0 {
		return
	}
	rs := &hs.rs
	rec := safetyRecord{
		Last: e.last, LastPayload: e.lastPayload,
		OwnVotes:    ownVotes(hs.ownVotes),
		StateHeight: hs.h, LockedRound: rs.lockedRound, LockedID: rs.lockedID, ValidRound: rs.validRound,
	}
	if rs.validRound >= 0 {
		rec.ValidPayload = hs.blocks[rs.validID]
		for _, sv := range hs.votes.votesFor(rs.validRound, Prevote, false, rs.validID) {
			rec.ValidPolka = append(rec.ValidPolka, CommitSig{Signer: hs.vals[sv.signer].Address, Signature: sv.sig})
		}
	}
	e.emit(consensus.PersistSafety{Record: rec.encode()})
}

// commit emits the decision with its certificate: every precommit for id in
// round r, in address order.
func (e *Engine) commit(r int32, id codec.Hash256) {
	hs := e.hs
	cert := Certificate{Height: hs.h, Round: r, BlockID: id}
	precommits := hs.votes.votesFor(r, Precommit, false, id)
	for _, sv := range precommits {
		cert.Precommits = append(cert.Precommits, CommitSig{Signer: hs.vals[sv.signer].Address, Signature: sv.sig})
	}
	// Kept for the next height's rebroadcasts: a node still at this height
	// that missed them decides with them, or learns it must catch up.
	e.lastCommit = e.votesMessages(precommits)
	e.emit(consensus.Commit{
		Block:       consensus.Block{Height: hs.h, ID: id, ParentID: hs.parent, Payload: hs.blocks[id]},
		Certificate: cert.Encode(),
	})
}

func (e *Engine) onTimeout(t consensus.Timeout) {
	hs := e.hs
	if hs == nil || t.Height != hs.h || hs.rs.decided {
		return
	}
	rs := &hs.rs
	switch t.Kind {
	case consensus.TimeoutCommit:
		if !hs.started {
			e.perform(rs.startRound(0))
		}
	case consensus.TimeoutPropose:
		e.perform(rs.onTimeoutPropose(t.Round))
	case consensus.TimeoutPrevote:
		e.perform(rs.onTimeoutPrevote(t.Round))
	case consensus.TimeoutPrecommit:
		e.perform(rs.onTimeoutPrecommit(t.Round))
	}
}

// onBlockBuilt proposes the fresh block the driver built for this round. A
// block that is not for this height and parent, is too large, or whose ID is
// not BlockID(Payload) is dropped (the round then goes on without it).
func (e *Engine) onBlockBuilt(b consensus.BlockBuilt) {
	hs := e.hs
	if hs == nil || hs.rs.decided || b.Height != hs.h || b.Round != hs.rs.round ||
		hs.rs.step != stepPropose || hs.building != b.Round {
		return
	}
	blk := b.Block
	if blk.Height != hs.h || blk.ParentID != hs.parent || len(blk.Payload) > MaxPayloadSize || blk.ID != BlockID(blk.Payload) {
		return
	}
	hs.building = -1
	if _, ok := hs.blocks[blk.ID]; !ok {
		hs.blocks[blk.ID] = blk.Payload
	}
	// The driver built it from its own ledger: valid(v) holds without
	// executing it again.
	hs.validity[blk.ID] = validityOK
	e.signProposal(&Proposal{Height: hs.h, Round: b.Round, ValidRound: -1, BlockID: blk.ID, Payload: blk.Payload})
}

func (e *Engine) onValidated(v consensus.Validated) {
	hs := e.hs
	if hs == nil || hs.validity[v.BlockID] != validityPending {
		return
	}
	if v.OK {
		hs.validity[v.BlockID] = validityOK
	} else {
		hs.validity[v.BlockID] = validityBad
	}
}

// onMessage takes a signed proposal or vote. Anything malformed, from a
// non-validator, for another height than h or h+1, or for a round beyond
// round+n is dropped.
func (e *Engine) onMessage(m consensus.Message) {
	hs := e.hs
	if hs == nil || len(m.Signature) == 0 || len(m.Signature) > MaxSignatureSize {
		return
	}
	msg, err := DecodeMessage(m.Payload)
	if err != nil {
		return
	}
	idx, ok := hs.index[m.From]
	if !ok {
		return
	}
	switch h := msg.height(); {
	case h == hs.h:
		if hs.rs.decided || msg.round() > e.roundLimit() {
			return
		}
		switch msg := msg.(type) {
		case *Proposal:
			e.addProposal(idx, m, msg)
		case *Vote:
			e.addVote(idx, m, msg)
		}
	case h == hs.h+1:
		e.bufferNext(idx, m, msg)
	case h > hs.h+1:
		hs.farAhead = true
	}
}

func (e *Engine) addProposal(idx int, m consensus.Message, p *Proposal) {
	hs := e.hs
	if hs.perm[int(p.Round)%hs.n] != idx {
		return // only proposer(h, r) proposes in r
	}
	header := p.Header()
	if old := hs.proposals[p.Round]; old != nil {
		if !bytes.Equal(old.header, header) && !old.reported {
			old.reported = true // R12: keep the first, report once
			ev := NewConflictingProposal(m.From, old.header, old.msg.Signature, header, m.Signature)
			e.emit(consensus.Evidence{Payload: ev.Encode()})
		}
		return
	}
	hs.proposals[p.Round] = &storedProposal{p: p, header: header, msg: m}
	hs.votes.markSender(p.Round, idx)
	if _, ok := hs.blocks[p.BlockID]; !ok {
		hs.blocks[p.BlockID] = p.Payload
	}
	e.noteOwn(idx, hrs{p.Height, p.Round, stepPropose}, m)
	if hs.validity[p.BlockID] == validityUnknown {
		hs.validity[p.BlockID] = validityPending
		e.emit(consensus.Validate{Block: consensus.Block{Height: hs.h, ID: p.BlockID, ParentID: hs.parent, Payload: p.Payload}})
	}
}

func (e *Engine) addVote(idx int, m consensus.Message, v *Vote) {
	hs := e.hs
	known := func(id codec.Hash256) bool { _, ok := hs.blocks[id]; return ok }
	res := hs.votes.add(idx, v, m.Payload, m.Signature, known)
	if res.evidence != nil {
		ev := NewDuplicateVote(m.From, res.evidence.payload, res.evidence.sig, m.Payload, m.Signature)
		e.emit(consensus.Evidence{Payload: ev.Encode()})
	}
	if !res.counted {
		return
	}
	hs.votes.markSender(v.Round, idx)
	if v.Type == Precommit && !v.Nil && hs.votes.forValue(v.Round, Precommit, v.BlockID) == hs.q {
		hs.decisions = append(hs.decisions, certified{round: v.Round, id: v.BlockID})
	}
	e.noteOwn(idx, hrs{v.Height, v.Round, step(v.Type)}, m)
}

// noteOwn keeps this node's own latest signed messages, as looped back by
// the driver with their signatures, for rebroadcast. A message under this
// node's key that it did not sign (a twin's) is not its own.
func (e *Engine) noteOwn(idx int, pos hrs, m consensus.Message) {
	hs := e.hs
	if idx != hs.self || !bytes.Equal(hs.signed[pos], m.Payload) {
		return
	}
	i := int(pos.Step) - 1
	if hs.own[i] == nil || hs.ownPos[i].cmp(pos) < 0 {
		mm := m
		hs.own[i], hs.ownPos[i] = &mm, pos
	}
}

func ownVotes(v [2][]byte) [][]byte {
	var out [][]byte
	for _, p := range v {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}
