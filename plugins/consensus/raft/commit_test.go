package main

import (
	"math"
	"reflect"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// A group of three where the engine under test is raft id 2 and the tests
// play leader 1 by hand.
var trio = []consensus.Validator{{Address: consensus.AccountID{1}}, {Address: self}, {Address: consensus.AccountID{3}}}

func newFollower(t *testing.T, h uint64, parent consensus.Hash256) *engine {
	t.Helper()
	e := newRaft(t, validParams())
	step(t, e, consensus.StartHeight{Height: h, ParentID: parent, Validators: trio, Now: t0})
	if e.self != 2 {
		t.Fatalf("raft id %d, want 2", e.self)
	}
	return e
}

// fromLeader is leader 1's message to the engine, as the node delivers it.
func fromLeader(t *testing.T, m raftpb.Message) consensus.Message {
	t.Helper()
	m.From, m.To = 1, 2
	p, err := encodeMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	return consensus.Message{From: trio[0].Address, Payload: p, Signature: []byte{1}}
}

// appendEntries is leader 1's append in term 2 of blocks after index prev,
// committing all of them.
func appendEntries(t *testing.T, prev, prevTerm uint64, blocks ...consensus.Block) consensus.Message {
	t.Helper()
	m := raftpb.Message{Type: raftpb.MsgApp, Term: 2, LogTerm: prevTerm, Index: prev, Commit: prev + uint64(len(blocks))}
	for i, b := range blocks {
		m.Entries = append(m.Entries, raftpb.Entry{Term: 2, Index: prev + 1 + uint64(i), Data: encodeBlockEntry(b)})
	}
	return fromLeader(t, m)
}

func kinds(out []consensus.Output) []consensus.Output {
	var rest []consensus.Output
	for _, o := range out {
		switch o.(type) {
		case consensus.PersistSafety, consensus.SignAndBroadcast:
		default:
			rest = append(rest, o)
		}
	}
	return rest
}

// Every node uses the committed log by the same rule: stale duplicates
// (lower height, or this height on another parent) are skipped, the block
// of this height on this parent is committed, and what follows waits for
// the node's next StartHeight.
func TestFollowerCommitsByTheRuleAndHoldsWhatFollows(t *testing.T) {
	parent := consensus.Hash256{9}
	e := newFollower(t, 10, parent)
	b10 := block(10, parent, "ten")
	b11 := block(11, b10.ID, "eleven")
	out := step(t, e, appendEntries(t, 1, 1,
		block(9, consensus.Hash256{8}, "stale"),
		block(10, consensus.Hash256{7}, "another parent"),
		b10,
		block(10, parent, "a later duplicate"),
		b11,
	))
	if got := kinds(out); len(got) != 1 || !reflect.DeepEqual(got[0].(consensus.Commit).Block, b10) {
		t.Fatalf("want a Commit of block 10 only, got %v", got)
	}
	if c := out[len(out)-1].(consensus.Commit); !reflect.DeepEqual(c.Block, b10) {
		t.Fatalf("the Commit is not the last output: %v", out)
	}
	if term, index, _ := decodeCertificate(out[len(out)-1].(consensus.Commit).Certificate); term != 2 || index != 4 {
		t.Errorf("certificate (term %d, index %d), want (2, 4)", term, index)
	}
	if out := kinds(step(t, e, consensus.Tick{Now: t0.Add(30 * time.Second)})); len(out) != 0 {
		t.Fatalf("used the log before StartHeight(11): %v", out)
	}
	out = kinds(step(t, e, consensus.StartHeight{Height: 11, ParentID: b10.ID, Validators: trio, Now: t0.Add(31 * time.Second)}))
	if len(out) != 1 || !reflect.DeepEqual(out[0].(consensus.Commit).Block, b11) {
		t.Fatalf("StartHeight(11): want the Commit of 11 (the duplicate of 10 skipped), got %v", out)
	}
}

// A block above the node's height means its ledger is behind the log: it
// asks the node to catch up and uses the block once the node got there.
func TestFollowerBehindTheLogCatchesUpAndResumes(t *testing.T) {
	e := newFollower(t, 3, consensus.Hash256{2})
	parent := consensus.Hash256{0x10}
	b11 := block(11, parent, "eleven")
	if out := kinds(step(t, e, appendEntries(t, 1, 1, b11))); !reflect.DeepEqual(out, []consensus.Output{consensus.RequestCatchUp{Height: 3}}) {
		t.Fatalf("want RequestCatchUp{3}, got %v", out)
	}
	if out := kinds(step(t, e, consensus.Tick{Now: t0.Add(100 * time.Millisecond)})); len(out) != 0 {
		t.Fatalf("asked again at once: %v", out)
	}
	if out := kinds(step(t, e, consensus.Tick{Now: t0.Add(2 * time.Second)})); !reflect.DeepEqual(out, []consensus.Output{consensus.RequestCatchUp{Height: 3}}) {
		t.Fatalf("did not ask again after an election timeout: %v", out)
	}
	out := kinds(step(t, e, consensus.StartHeight{Height: 11, ParentID: parent, Validators: trio, Now: t0.Add(3 * time.Second)}))
	if len(out) != 1 || !reflect.DeepEqual(out[0].(consensus.Commit).Block, b11) {
		t.Fatalf("caught up to 11: want its Commit, got %v", out)
	}
}

// A leader's snapshot moves the node past compacted entries: it must first
// hold the snapshot's ledger, which it asks the node to fetch.
func TestFollowerBehindASnapshotCatchesUpFirst(t *testing.T) {
	e := newFollower(t, 3, consensus.Hash256{2})
	parent := consensus.Hash256{0x20}
	snap := fromLeader(t, raftpb.Message{Type: raftpb.MsgSnap, Term: 2, Snapshot: &raftpb.Snapshot{
		Data:     encodeSnapshotData(20),
		Metadata: raftpb.SnapshotMetadata{Index: 30, Term: 2, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}},
	}})
	out := step(t, e, snap)
	if got := kinds(out); !reflect.DeepEqual(got, []consensus.Output{consensus.RequestCatchUp{Height: 3}}) {
		t.Fatalf("want RequestCatchUp{3}, got %v", out)
	}
	if r, err := decodeRecord(lastRecord(t, out, nil)); err != nil || r.snap.index != 30 || r.snap.height != 20 {
		t.Fatalf("the record does not hold the snapshot: %+v, %v", r, err)
	}
	// After the snapshot: a stale duplicate of height 3 on the node's own
	// ledger 2 (the group decided 3 long ago, in the compacted log), then
	// the next block. Committing the duplicate would fork the chain.
	b21 := block(21, parent, "twenty-one")
	if out := kinds(step(t, e, appendEntries(t, 30, 2, block(3, consensus.Hash256{2}, "stale"), b21))); len(out) != 0 {
		t.Fatalf("used an entry after the snapshot before holding its ledger: %v", out)
	}
	out = kinds(step(t, e, consensus.StartHeight{Height: 21, ParentID: parent, Validators: trio, Now: t0.Add(3 * time.Second)}))
	if len(out) != 1 || !reflect.DeepEqual(out[0].(consensus.Commit).Block, b21) {
		t.Fatalf("at the snapshot's ledger: want the Commit of 21, got %v", out)
	}
}

// Messages a member of the group never sends are dropped before raft sees
// them; messages for other members are ignored.
func TestFollowerDropsMessagesNoHonestMemberSends(t *testing.T) {
	parent := consensus.Hash256{9}
	bad := []struct {
		name string
		in   consensus.Message
	}{
		{"signed by a stranger", func() consensus.Message {
			m := appendEntries(t, 1, 1, block(10, parent, "x"))
			m.From = consensus.AccountID{0xee}
			return m
		}()},
		{"raft sender is not the signer", func() consensus.Message {
			m := appendEntries(t, 1, 1, block(10, parent, "x"))
			m.From = trio[2].Address
			return m
		}()},
		{"entries out of order", fromLeader(t, raftpb.Message{Type: raftpb.MsgApp, Term: 2, LogTerm: 1, Index: 1, Commit: 3,
			Entries: []raftpb.Entry{{Term: 2, Index: 3, Data: encodeBlockEntry(block(10, parent, "x"))}}})},
		{"an entry that is not a block", fromLeader(t, raftpb.Message{Type: raftpb.MsgApp, Term: 2, LogTerm: 1, Index: 1, Commit: 2,
			Entries: []raftpb.Entry{{Term: 2, Index: 2, Data: []byte("garbage")}}})},
		{"a configuration change", fromLeader(t, raftpb.Message{Type: raftpb.MsgApp, Term: 2, LogTerm: 1, Index: 1, Commit: 2,
			Entries: []raftpb.Entry{{Term: 2, Index: 2, Type: raftpb.EntryConfChange}}})},
		{"a heartbeat committing beyond the log", fromLeader(t, raftpb.Message{Type: raftpb.MsgHeartbeat, Term: 2, Commit: 50})},
		{"a snapshot of another group", fromLeader(t, raftpb.Message{Type: raftpb.MsgSnap, Term: 2, Snapshot: &raftpb.Snapshot{
			Data: encodeSnapshotData(5), Metadata: raftpb.SnapshotMetadata{Index: 30, Term: 2, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3, 4}}}}})},
		{"a leader transfer", fromLeader(t, raftpb.Message{Type: raftpb.MsgTimeoutNow, Term: 2})},
		{"no term", fromLeader(t, raftpb.Message{Type: raftpb.MsgHeartbeat})},
		{"a term raft would overflow", fromLeader(t, raftpb.Message{Type: raftpb.MsgHeartbeat, Term: math.MaxUint64})},
		{"a snapshot at an index raft would overflow", fromLeader(t, raftpb.Message{Type: raftpb.MsgSnap, Term: 2, Snapshot: &raftpb.Snapshot{
			Data: encodeSnapshotData(5), Metadata: raftpb.SnapshotMetadata{Index: math.MaxUint64 - 3, Term: 2, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}}})},
		{"an append reaching an index raft would overflow", fromLeader(t, raftpb.Message{Type: raftpb.MsgApp, Term: 2, LogTerm: 2, Index: maxRaftNumber, Commit: 1,
			Entries: []raftpb.Entry{{Term: 2, Index: maxRaftNumber + 1, Data: encodeBlockEntry(block(10, parent, "x"))}}})},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			e := newFollower(t, 10, parent)
			if out := step(t, e, tt.in); len(out) != 0 || e.stats.dropped != 1 {
				t.Fatalf("want the message dropped without outputs, got %v (dropped %d)", out, e.stats.dropped)
			}
			if st := e.rn.BasicStatus(); st.Term != 1 || st.Lead != 0 {
				t.Fatalf("raft saw it: term %d, leader %d", st.Term, st.Lead)
			}
		})
	}
	t.Run("addressed to another member", func(t *testing.T) {
		e := newFollower(t, 10, parent)
		m := raftpb.Message{Type: raftpb.MsgHeartbeat, Term: 2, From: 1, To: 3}
		p, _ := encodeMessage(m)
		if out := step(t, e, consensus.Message{From: trio[0].Address, Payload: p}); len(out) != 0 || e.stats.dropped != 0 {
			t.Fatalf("got %v (dropped %d)", out, e.stats.dropped)
		}
	})
	t.Run("a heartbeat of a new leader is answered after the record", func(t *testing.T) {
		e := newFollower(t, 10, parent)
		out := step(t, e, fromLeader(t, raftpb.Message{Type: raftpb.MsgHeartbeat, Term: 2}))
		if len(out) != 2 {
			t.Fatalf("want the record (term 2) and the answer, got %v", out)
		}
		r, err := decodeRecord(out[0].(consensus.PersistSafety).Record)
		if err != nil || r.hard.Term != 2 {
			t.Fatalf("record %+v, %v", r, err)
		}
		m, err := decodeMessage(out[1].(consensus.SignAndBroadcast).Payload)
		if err != nil || m.Type != raftpb.MsgHeartbeatResp || m.To != 1 || m.From != 2 || m.Term != 2 {
			t.Fatalf("answer %+v, %v", m, err)
		}
	})
}

// Terms and indexes at the top of the uint64 range, which raft increments
// without overflow checks, are dropped: before, a heartbeat in term 2^64-1
// (or a snapshot near index 2^64-1 and an append up to it) let the node
// wrap its term to 0 (or its next index) when it next campaigned, tripping
// a raft assertion, so Step failed and the engine stopped until restored.
func TestFollowerSurvivesTermsAndIndexesAtTheTopOfTheRange(t *testing.T) {
	parent := consensus.Hash256{9}
	top := uint64(math.MaxUint64)
	var ents []raftpb.Entry
	for i := range uint64(3) {
		ents = append(ents, raftpb.Entry{Term: 5, Index: top - 2 + i, Data: encodeBlockEntry(block(10+i, parent, "x"))})
	}
	for _, tt := range []struct {
		name string
		ins  []consensus.Message
	}{
		{"a term of 2^64-1", []consensus.Message{fromLeader(t, raftpb.Message{Type: raftpb.MsgHeartbeat, Term: top, Commit: 1})}},
		{"a log reaching index 2^64-1", []consensus.Message{
			fromLeader(t, raftpb.Message{Type: raftpb.MsgSnap, Term: 5, Snapshot: &raftpb.Snapshot{Data: encodeSnapshotData(9),
				Metadata: raftpb.SnapshotMetadata{Index: top - 3, Term: 4, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}}}),
			fromLeader(t, raftpb.Message{Type: raftpb.MsgApp, Term: 5, LogTerm: 4, Index: top - 3, Commit: top, Entries: ents}),
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newFollower(t, 10, parent)
			for _, in := range tt.ins {
				if out := step(t, e, in); len(out) != 0 {
					t.Fatalf("want the message dropped without outputs, got %v", out)
				}
			}
			if e.stats.dropped != len(tt.ins) {
				t.Fatalf("dropped %d of %d messages", e.stats.dropped, len(tt.ins))
			}
			// The node goes on: its election times out and it pre-campaigns
			// for the next term, which tripped raft before. step fails the
			// test if Step returns an error.
			for i := 1; i <= 40; i++ {
				step(t, e, consensus.Tick{Now: t0.Add(time.Duration(i) * time.Second)})
			}
			if st := e.rn.BasicStatus(); st.Term != 1 || st.RaftState != raft.StatePreCandidate {
				t.Fatalf("want a pre-candidate in term 1, got term %d, %s", st.Term, st.RaftState)
			}
			if last, _ := e.storage.LastIndex(); last != 1 || e.snap.index != 1 {
				t.Fatalf("log moved: last index %d, compaction point %d", last, e.snap.index)
			}
		})
	}
}

// A node whose ledger stays behind while the group goes on keeps a bounded
// log: past the bound it folds the committed entries into a snapshot of
// its own and fetches those ledgers instead.
func TestFollowerBehindKeepsItsLogBounded(t *testing.T) {
	e := newFollower(t, 3, consensus.Hash256{2})
	payload := string(make([]byte, 1<<20))
	var rec []byte
	prev, prevTerm, parent := uint64(1), uint64(1), consensus.Hash256{0x10}
	for batch := range 6 {
		var blocks []consensus.Block
		for i := range 5 {
			b := block(uint64(11+5*batch+i), parent, payload)
			b.ID[2] = byte(batch) // unique ids across the run
			blocks = append(blocks, b)
			parent = b.ID
		}
		out := step(t, e, appendEntries(t, prev, prevTerm, blocks...))
		rec = lastRecord(t, out, rec)
		prev, prevTerm = prev+5, 2
	}
	r, err := decodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, ent := range r.entries {
		size += len(ent.Data)
	}
	if size > maxLogBytes+maxBlockPayload || r.snap.height < 20 {
		t.Fatalf("30 MiB of blocks it cannot use: the record keeps %d entries of %d bytes, folded up to ledger %d", len(r.entries), size, r.snap.height)
	}
	if out := kinds(step(t, e, consensus.Tick{Now: t0.Add(2 * time.Second)})); !reflect.DeepEqual(out, []consensus.Output{consensus.RequestCatchUp{Height: 3}}) {
		t.Fatalf("want a catch-up from 3, got %v", out)
	}
}

// Membership changes are not supported: a later validator set that differs
// from the group's is logged and the group stays as it formed.
func TestGroupKeepsTheMembershipItFormedWith(t *testing.T) {
	parent := consensus.Hash256{9}
	e := newFollower(t, 10, parent)
	b10 := block(10, parent, "ten")
	step(t, e, appendEntries(t, 1, 1, b10))
	four := append([]consensus.Validator{{Address: consensus.AccountID{0}}}, trio...)
	step(t, e, consensus.StartHeight{Height: 11, ParentID: b10.ID, Validators: four, Now: t0.Add(time.Second)})
	if len(e.members) != 3 || e.self != 2 || e.h != 11 {
		t.Fatalf("group of %d, raft id %d, height %d: want the group of 3 kept, id 2, height 11", len(e.members), e.self, e.h)
	}
	r, err := decodeRecord(e.record().encode())
	if err != nil || len(r.members) != 3 || r.members[1] != self {
		t.Fatalf("record members %v, %v", r.members, err)
	}
}
