package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// Raft settings that are not options: they bound memory and message sizes
// and do not change behaviour a peer can observe.
const (
	// maxSizePerMsg bounds the entries raft batches into one append
	// message (a single larger entry is still sent alone).
	maxSizePerMsg = 1 << 20
	// maxInflightMsgs bounds the append messages in flight to a follower.
	maxInflightMsgs = 64
	// maxUncommittedSize bounds the leader's uncommitted entries; the
	// leader proposes one block at a time, so this is only a backstop.
	maxUncommittedSize = 4 * maxBlockPayload
	// keepEntries is the least window of used entries kept after
	// compaction, so a follower a few entries behind catches up from the
	// log rather than by a snapshot and a ledger fetch.
	keepEntries = 4
	// retainLedgers is how many of the latest ledgers keep their entries.
	// The node confirms a ledger (StartHeight of the next) before its
	// store has written it — its driver queues up to 8 decided ledgers —
	// so after a crash of every node at once the last few ledgers exist
	// only in the raft log; dropping their entries would lose them.
	retainLedgers = 10
	// maxLogEntries and maxLogBytes bound the log kept (and so the safety
	// record and a Step's answer, which carries it across the plugin
	// boundary) while the node's ledger is behind and the log it cannot
	// use yet grows; past them the engine folds the committed entries into
	// a snapshot of its own and fetches those ledgers from peers instead.
	maxLogEntries = 1024
	maxLogBytes   = 16 << 20
	// maxSettleRounds bounds the propose-commit rounds one input runs (a
	// single validator proposes and commits in one).
	maxSettleRounds = 4
	// maxRaftNumber bounds every term and log index a message may carry.
	// Raft adds one to terms and indexes without overflow checks: a term
	// of 2^64-1 wraps to 0 when the node campaigns, and a log that reaches
	// index 2^64-1 has no next index, so either trips one of raft's
	// assertions. No honest group gets near it (2^62 at a million entries
	// or elections a second takes over 100,000 years).
	maxRaftNumber = 1 << 62
)

// join names the raft group from the first StartHeight of a node without
// a record: the validators, in the node's order, are raft ids 1..n. A node
// not among them observes. A member's log starts from a bootstrap
// snapshot at index 1, term 1 that every member creates alike, whose
// ledger is its own.
func (e *engine) join(in consensus.StartHeight) {
	members := make([]consensus.AccountID, len(in.Validators))
	for i, v := range in.Validators {
		members[i] = v.Address
	}
	if err := checkMembers(members); err != nil {
		e.log.Error("cannot form the raft group from this StartHeight; waiting for another", "height", in.Height, "error", err)
		return
	}
	if !slices.Contains(members, e.p.Self) {
		e.observer = true
		e.log.Info("this node is not a validator: observing, the node follows the chain by catching up", "validators", len(members))
		return
	}
	e.setMembers(members)
	e.storage = raft.NewMemoryStorage()
	if err := e.storage.ApplySnapshot(raftpb.Snapshot{
		Data:     encodeSnapshotData(in.Height - 1),
		Metadata: raftpb.SnapshotMetadata{ConfState: e.confState(), Index: 1, Term: 1},
	}); err != nil {
		panic(fmt.Sprintf("bootstrap snapshot: %v", err))
	}
	if err := e.storage.SetHardState(raftpb.HardState{Term: 1, Commit: 1}); err != nil {
		panic(fmt.Sprintf("bootstrap hard state: %v", err))
	}
	e.snap = snapPoint{index: 1, term: 1, height: in.Height - 1}
	e.dirty = true
	e.log.Info("formed the raft group", "validators", len(members), "raft_id", e.self, "ledger", in.Height-1)
	e.startNode()
}

// checkMembers reports why a validator list cannot be a raft group.
func checkMembers(members []consensus.AccountID) error {
	if len(members) == 0 || len(members) > maxValidators {
		return fmt.Errorf("%d validators, want 1 to %d", len(members), maxValidators)
	}
	for i, m := range members {
		if slices.Contains(members[:i], m) {
			return fmt.Errorf("validator %x is listed twice", m[:4])
		}
	}
	return nil
}

func (e *engine) setMembers(members []consensus.AccountID) {
	e.members = members
	e.ids = make(map[consensus.AccountID]uint64, len(members))
	for i, m := range members {
		e.ids[m] = uint64(i + 1)
	}
	e.self = e.ids[e.p.Self]
}

// confState is the raft configuration: every member votes.
func (e *engine) confState() raftpb.ConfState {
	voters := make([]uint64, len(e.members))
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	return raftpb.ConfState{Voters: voters}
}

// sameConf reports whether cs is this group's configuration.
func (e *engine) sameConf(cs raftpb.ConfState) bool {
	want := e.confState()
	return slices.Equal(cs.Voters, want.Voters) && len(cs.Learners) == 0 && len(cs.VotersOutgoing) == 0 &&
		len(cs.LearnersNext) == 0 && !cs.AutoLeave
}

// checkValidators logs, once per distinct set, a validator set that is not
// the recorded raft group: membership changes are not supported.
func (e *engine) checkValidators(vals []consensus.Validator) {
	if e.members == nil {
		return
	}
	addrs := make([]consensus.AccountID, len(vals))
	for i, v := range vals {
		addrs[i] = v.Address
	}
	if slices.Equal(addrs, e.members) || slices.Equal(addrs, e.warned) {
		return
	}
	e.warned = addrs
	e.log.Warn("the validator set differs from the raft group formed at the start; the engine keeps the group (membership changes are not supported)",
		"group", len(e.members), "validators", len(addrs))
}

// restoreRecord rebuilds raft storage and the raft node from a record.
func (e *engine) restoreRecord(rec *record) {
	e.setMembers(rec.members)
	e.storage = raft.NewMemoryStorage()
	if err := e.storage.ApplySnapshot(raftpb.Snapshot{
		Data:     encodeSnapshotData(rec.snap.height),
		Metadata: raftpb.SnapshotMetadata{ConfState: e.confState(), Index: rec.snap.index, Term: rec.snap.term},
	}); err != nil {
		panic(fmt.Sprintf("restore snapshot: %v", err))
	}
	if err := e.storage.SetHardState(rec.hard); err != nil {
		panic(fmt.Sprintf("restore hard state: %v", err))
	}
	if err := e.storage.Append(rec.entries); err != nil {
		panic(fmt.Sprintf("restore entries: %v", err))
	}
	e.snap = rec.snap
	e.startNode()
}

// startNode makes the raft node over the storage. Committed entries after
// the compaction point come out of raft again and are used again: the
// commit rule skips those the node's ledger already holds. A lone
// validator elects itself at once, so its behaviour does not depend on
// raft's randomized election timeout.
func (e *engine) startNode() {
	rn, err := raft.NewRawNode(&raft.Config{
		ID:                        e.self,
		ElectionTick:              e.opts.electionTicks,
		HeartbeatTick:             e.opts.heartbeatTicks,
		Storage:                   e.storage,
		MaxSizePerMsg:             maxSizePerMsg,
		MaxInflightMsgs:           maxInflightMsgs,
		MaxUncommittedEntriesSize: maxUncommittedSize,
		CheckQuorum:               true,
		PreVote:                   true,
		DisableProposalForwarding: true,
		Logger:                    raftLogger{e.log},
	})
	if err != nil {
		panic(fmt.Sprintf("raft node: %v", err))
	}
	e.rn = rn
	e.committed, e.processed = e.snap.index, e.snap.index
	e.lastTick = time.Time{} // ticks count from the next time an input carries
	if len(e.members) == 1 {
		if err := e.rn.Campaign(); err != nil {
			e.log.Warn("campaign", "error", err)
		}
	}
}

// record is the durable state now.
func (e *engine) record() *record {
	hard, _, _ := e.storage.InitialState()
	first, _ := e.storage.FirstIndex()
	last, _ := e.storage.LastIndex()
	var ents []raftpb.Entry
	if last >= first {
		var err error
		if ents, err = e.storage.Entries(first, last+1, math.MaxUint64); err != nil {
			panic(fmt.Sprintf("entries for the record: %v", err))
		}
	}
	return &record{members: e.members, hard: hard, snap: e.snap, entries: ents}
}

// settle runs raft to quiescence after an input: stores what raft hands
// over, uses the committed entries, compacts, and proposes when leading.
func (e *engine) settle() {
	for range maxSettleRounds {
		e.drainReady()
		e.process()
		e.compact()
		e.bound()
		if !e.propose() {
			return
		}
	}
	e.drainReady()
}

// drainReady takes every Ready raft has: the snapshot, entries and hard
// state go to storage (and mark the record dirty when raft must sync
// them), messages wait for the next flush, committed entries become usable.
func (e *engine) drainReady() {
	for e.rn.HasReady() {
		rd := e.rn.Ready()
		if !raft.IsEmptySnap(rd.Snapshot) {
			e.installSnapshot(rd.Snapshot)
		}
		if len(rd.Entries) > 0 {
			if err := e.storage.Append(rd.Entries); err != nil {
				panic(fmt.Sprintf("append entries: %v", err))
			}
		}
		if !raft.IsEmptyHardState(rd.HardState) {
			if err := e.storage.SetHardState(rd.HardState); err != nil {
				panic(fmt.Sprintf("hard state: %v", err))
			}
		}
		if rd.MustSync {
			e.dirty = true
		}
		var snapTo []uint64
		for _, m := range rd.Messages {
			if m.To == e.self || m.To == raft.None {
				continue
			}
			e.msgs = append(e.msgs, m)
			if m.Type == raftpb.MsgSnap {
				snapTo = append(snapTo, m.To)
			}
		}
		if n := len(rd.CommittedEntries); n > 0 {
			e.committed = rd.CommittedEntries[n-1].Index
		}
		if rd.SoftState != nil && rd.SoftState.Lead != e.lead {
			e.lead = rd.SoftState.Lead
			e.log.Info("raft leader changed", "leader", e.lead, "self", e.self, "state", rd.SoftState.RaftState.String(), "term", e.rn.BasicStatus().Term)
		}
		e.rn.Advance(rd)
		// Gossip gives no delivery report. Reporting a snapshot sent as done
		// makes the leader probe the follower after its next heartbeat: if
		// the snapshot was lost the probe fails and raft sends it again.
		for _, to := range snapTo {
			e.rn.ReportSnapshot(to, raft.SnapshotFinish)
		}
	}
}

// installSnapshot takes a leader's snapshot: the log before it is gone, and
// the node must hold the snapshot's ledger before it uses what follows.
func (e *engine) installSnapshot(s raftpb.Snapshot) {
	height, err := decodeSnapshotData(s.Data)
	if err != nil {
		panic(fmt.Sprintf("snapshot data passed checkMessage: %v", err))
	}
	if err := e.storage.ApplySnapshot(s); err != nil {
		panic(fmt.Sprintf("apply snapshot: %v", err))
	}
	e.snap = snapPoint{index: s.Metadata.Index, term: s.Metadata.Term, height: height}
	e.committed, e.processed = s.Metadata.Index, s.Metadata.Index
	e.dirty = true
	e.stats.snapshots++
	e.log.Info("installed a raft snapshot from the leader; the node fetches the ledgers it lacks", "index", s.Metadata.Index, "ledger", height)
}

// process uses committed entries in log order. Every node sees the same
// log and applies the same rule, with h and parent the node's ledger:
//
//   - a block of a height below h is a stale duplicate: skip it;
//   - a block of height h on another parent is stale too: skip it;
//   - a block of height h on the parent is decided: Commit it, and use
//     nothing more until the node confirms it with StartHeight(h+1);
//   - a block above h means the node's ledger is behind the log: ask for a
//     catch-up and wait at that entry.
//
// Before any of it the node must hold the compaction point's ledger.
func (e *engine) process() {
	if !e.started || e.awaiting != 0 {
		return
	}
	if e.h-1 < e.snap.height {
		e.catchUp()
		return
	}
	for e.processed < e.committed {
		ents, err := e.storage.Entries(e.processed+1, e.processed+2, math.MaxUint64)
		if err != nil || len(ents) != 1 {
			panic(fmt.Sprintf("committed entry %d: %v", e.processed+1, err))
		}
		ent := ents[0]
		if height, ok := entryHeight(ent); !ok || height < e.h {
			e.processed++ // raft's own empty entry, or a stale duplicate
			continue
		}
		b, _, err := entryBlock(ent)
		switch {
		case err != nil:
			e.log.Error("skipping a committed entry the engine cannot read", "index", ent.Index, "error", err)
			e.processed++
		case b.Height == e.h && b.ParentID != e.parent:
			e.log.Debug("skipping a committed block on another parent", "height", b.Height, "index", ent.Index)
			e.processed++
		case b.Height == e.h:
			e.processed++
			e.awaiting = e.h
			e.commit(consensus.Commit{Block: b, Certificate: encodeCertificate(ent.Term, ent.Index)})
			return
		default:
			e.catchUp()
			return
		}
	}
}

// catchUp asks the node to fetch the ledgers from h on: at once when h
// changed since the last request, otherwise once per election timeout.
func (e *engine) catchUp() {
	if e.catchUpH == e.h && e.ticks-e.catchUpAt < uint64(e.opts.electionTicks) {
		return
	}
	if e.catchUpH != e.h {
		e.log.Info("the raft log is ahead of this node's ledger; catching up", "height", e.h, "compaction_ledger", e.snap.height)
	}
	e.catchUpH, e.catchUpAt = e.h, e.ticks
	e.stats.catchUps++
	e.out = append(e.out, consensus.RequestCatchUp{Height: e.h})
}

// compact drops the log before the entries of the last retainLedgers
// ledgers, keeping at least keepEntries used entries, once nothing used
// from it waits for confirmation. The snapshot's ledger height is the
// highest block it covers: a follower that gets the snapshot fetches up to
// it, and a restarted node whose store lost its last few ledgers finds
// them again in the entries kept.
func (e *engine) compact() {
	if !e.started || e.awaiting != 0 || e.h-1 < e.snap.height+retainLedgers || e.processed <= e.snap.index+keepEntries {
		return
	}
	limit := e.h - 1 - retainLedgers
	to, height := e.snap.index, e.snap.height
	for i := e.snap.index + 1; i <= e.processed-keepEntries; i++ {
		ents, err := e.storage.Entries(i, i+1, math.MaxUint64)
		if err != nil || len(ents) != 1 {
			panic(fmt.Sprintf("entry %d: %v", i, err))
		}
		if h, ok := entryHeight(ents[0]); ok {
			if h > limit {
				break
			}
			height = max(height, h)
		}
		to = i
	}
	if to == e.snap.index {
		return
	}
	cs := e.confState()
	s, err := e.storage.CreateSnapshot(to, &cs, encodeSnapshotData(height))
	if err != nil {
		panic(fmt.Sprintf("snapshot at %d: %v", to, err))
	}
	if err := e.storage.Compact(to); err != nil {
		panic(fmt.Sprintf("compact to %d: %v", to, err))
	}
	e.snap = snapPoint{index: to, term: s.Metadata.Term, height: height}
	e.dirty = true
}

// bound folds committed entries into a snapshot when the log outgrew its
// bounds, which happens only while the node cannot use it (its ledger is
// behind, or a Commit waits for the node): the folded blocks' ledgers
// come from peers, like after a leader's snapshot.
func (e *engine) bound() {
	first, _ := e.storage.FirstIndex()
	last, _ := e.storage.LastIndex()
	if last+1-first <= retainLedgers+2*keepEntries || e.committed <= e.snap.index+keepEntries {
		return
	}
	ents, err := e.storage.Entries(first, last+1, math.MaxUint64)
	if err != nil {
		panic(fmt.Sprintf("entries %d to %d: %v", first, last, err))
	}
	size := 0
	for _, ent := range ents {
		size += len(ent.Data)
	}
	if len(ents) <= maxLogEntries && size <= maxLogBytes {
		return
	}
	to := e.committed - keepEntries
	height := e.snap.height
	for _, ent := range ents[:to-e.snap.index] {
		if h, ok := entryHeight(ent); ok {
			height = max(height, h)
		}
	}
	cs := e.confState()
	s, err := e.storage.CreateSnapshot(to, &cs, encodeSnapshotData(height))
	if err != nil {
		panic(fmt.Sprintf("snapshot at %d: %v", to, err))
	}
	if err := e.storage.Compact(to); err != nil {
		panic(fmt.Sprintf("compact to %d: %v", to, err))
	}
	e.log.Warn("the log outgrew its bounds while this node's ledger is behind; folding it into a snapshot and fetching the ledgers from peers",
		"entries", len(ents), "bytes", size, "to", to, "ledger", height)
	e.snap = snapPoint{index: to, term: s.Metadata.Term, height: height}
	e.processed = max(e.processed, to)
	e.dirty = true
}

// propose leads: when this node is the leader, its ledger is at h-1 and
// every entry of its log is committed and used (so no proposal for h is in
// flight, and any a previous leader left has been seen), it proposes the
// block it built for h, or asks the node to build one when solo's close
// rule says so. An uncommitted proposal needs the same quorum as a new one
// would, so the leader re-proposes only a proposal that left its log (raft
// dropped it, or a new leader overwrote it), which the condition detects.
// It reports whether it proposed.
func (e *engine) propose() bool {
	if !e.started || e.awaiting != 0 || e.h-1 < e.snap.height {
		return false
	}
	if e.rn.BasicStatus().RaftState != raft.StateLeader {
		return false
	}
	if last, _ := e.storage.LastIndex(); e.processed != last {
		return false
	}
	if e.built != nil {
		if e.ticks < e.retryAt {
			return false
		}
		if err := e.rn.Propose(encodeBlockEntry(*e.built)); err != nil {
			e.log.Warn("raft dropped the proposal; retrying at the next tick", "height", e.h, "error", err)
			e.retryAt = e.ticks + 1
			return false
		}
		return true
	}
	if e.building && e.ticks-e.buildAt < uint64(2*e.opts.electionTicks) {
		return false
	}
	if !e.closeDue() {
		return false
	}
	e.building, e.buildAt = true, e.ticks
	e.out = append(e.out, consensus.BuildBlock{Height: e.h})
	return false
}

// message steps a validator's raft message addressed to this node. The
// node verified the signature of in.From; the raft sender must be that
// validator, and the content must be something an honest member sends.
func (e *engine) message(in consensus.Message) {
	if e.rn == nil || in.From == e.p.Self {
		return // raft never sends to itself; the node loops every message back
	}
	m, err := decodeMessage(in.Payload)
	if err != nil {
		e.drop(in.From, "undecodable", err)
		return
	}
	if m.To != e.self {
		return // gossip delivers every validator's messages to every validator
	}
	if from, ok := e.ids[in.From]; !ok || m.From != from {
		e.drop(in.From, "wrong sender", fmt.Errorf("raft sender %d is not the signer", m.From))
		return
	}
	if err := e.checkMessage(m); err != nil {
		e.drop(in.From, "refused", err)
		return
	}
	if err := e.rn.Step(m); err != nil {
		e.log.Debug("raft refused a message", "type", m.Type.String(), "from", m.From, "error", err)
	}
}

// drop counts a refused message and logs the first and every hundredth.
func (e *engine) drop(from consensus.AccountID, why string, err error) {
	e.stats.dropped++
	if e.stats.dropped%100 == 1 {
		e.log.Warn("dropping a consensus message", "from", fmt.Sprintf("%x", from[:4]), "why", why, "error", err, "dropped", e.stats.dropped)
	}
}

var errUnexpected = errors.New("not a message this engine sends")

// checkMessage refuses messages an honest member of this group never
// sends, before raft sees them: raft asserts (panics) on some impossible
// inputs, and trusts its transport to deliver only its own messages.
func (e *engine) checkMessage(m raftpb.Message) error {
	if m.Term == 0 {
		return fmt.Errorf("%w: %s without a term", errUnexpected, m.Type)
	}
	// len(m.Entries) is bounded by the message size, far below maxRaftNumber.
	if m.Term > maxRaftNumber || m.LogTerm > maxRaftNumber || m.Index > maxRaftNumber-uint64(len(m.Entries)) ||
		m.Commit > maxRaftNumber || m.RejectHint > maxRaftNumber ||
		(m.Snapshot != nil && (m.Snapshot.Metadata.Index > maxRaftNumber || m.Snapshot.Metadata.Term > maxRaftNumber)) {
		return fmt.Errorf("%s in term %d at index %d: a term or index above %d (raft would overflow)", m.Type, m.Term, m.Index, uint64(maxRaftNumber))
	}
	if len(m.Context) > 0 || len(m.Responses) > 0 {
		return fmt.Errorf("%w: %s with a context or responses (leader transfer and read index are not used)", errUnexpected, m.Type)
	}
	if (m.Type != raftpb.MsgApp && len(m.Entries) > 0) || (m.Type != raftpb.MsgSnap && m.Snapshot != nil) {
		return fmt.Errorf("%w: %s with entries or a snapshot", errUnexpected, m.Type)
	}
	last, _ := e.storage.LastIndex()
	switch m.Type {
	case raftpb.MsgVote, raftpb.MsgVoteResp, raftpb.MsgPreVote, raftpb.MsgPreVoteResp, raftpb.MsgHeartbeatResp:
	case raftpb.MsgHeartbeat:
		// A leader sends at most what the follower acknowledged, which it
		// stored first.
		if m.Commit > last {
			return fmt.Errorf("heartbeat commits index %d beyond the log's last index %d", m.Commit, last)
		}
	case raftpb.MsgAppResp:
		// A follower acknowledges at most what the leader sent it.
		if m.Index > last || m.RejectHint > last {
			return fmt.Errorf("append response for index %d (hint %d) beyond the log's last index %d", m.Index, m.RejectHint, last)
		}
	case raftpb.MsgApp:
		prev := m.LogTerm
		for i, ent := range m.Entries {
			if ent.Index != m.Index+1+uint64(i) || ent.Term < prev || ent.Term > m.Term {
				return fmt.Errorf("append entry %d (index %d, term %d) does not follow index %d, term %d in term %d", i, ent.Index, ent.Term, m.Index, prev, m.Term)
			}
			prev = ent.Term
			if _, _, err := entryBlock(ent); err != nil {
				return err
			}
		}
	case raftpb.MsgSnap:
		s := m.Snapshot
		switch {
		case s == nil:
			return fmt.Errorf("%w: snapshot message without a snapshot", errUnexpected)
		case s.Metadata.Index == 0 || s.Metadata.Term == 0 || s.Metadata.Term > m.Term:
			return fmt.Errorf("snapshot at index %d, term %d in term %d", s.Metadata.Index, s.Metadata.Term, m.Term)
		case !e.sameConf(s.Metadata.ConfState):
			return fmt.Errorf("snapshot of another configuration %v", s.Metadata.ConfState.Voters)
		}
		if _, err := decodeSnapshotData(s.Data); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: %s", errUnexpected, m.Type)
	}
	return nil
}
