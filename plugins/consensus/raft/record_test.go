package main

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// testRecord is a record of a 3-member group with a noop and two blocks
// after its compaction point.
func testRecord() *record {
	return &record{
		members: []consensus.AccountID{{1}, {2}, {3}},
		hard:    raftpb.HardState{Term: 7, Vote: 2, Commit: 12},
		snap:    snapPoint{index: 10, term: 5, height: 41},
		entries: []raftpb.Entry{
			{Term: 6, Index: 11, Type: raftpb.EntryNormal},
			{Term: 6, Index: 12, Type: raftpb.EntryNormal, Data: encodeBlockEntry(block(42, consensus.Hash256{0x41}, "forty-two"))},
			{Term: 7, Index: 13, Type: raftpb.EntryNormal, Data: encodeBlockEntry(block(43, consensus.Hash256{42, 0xb1}, ""))},
		},
	}
}

func TestRecordRoundTrips(t *testing.T) {
	for _, r := range []*record{testRecord(), {members: []consensus.AccountID{{9}}, hard: raftpb.HardState{Term: 1, Commit: 1}, snap: snapPoint{index: 1, term: 1}}} {
		b := r.encode()
		got, err := decodeRecord(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, r)
		}
		if !bytes.Equal(got.encode(), b) {
			t.Fatal("re-encoding differs")
		}
	}
}

func TestRecordTruncatedOrCorruptedIsAnError(t *testing.T) {
	b := testRecord().encode()
	for n := range len(b) {
		if _, err := decodeRecord(b[:n]); !errors.Is(err, errMalformed) {
			t.Fatalf("truncated to %d of %d bytes: err = %v", n, len(b), err)
		}
	}
	for i := range len(b) {
		for _, bit := range []byte{1, 0x80} {
			c := bytes.Clone(b)
			c[i] ^= bit
			if _, err := decodeRecord(c); !errors.Is(err, errMalformed) {
				t.Fatalf("bit %#x of byte %d flipped: err = %v", bit, i, err)
			}
		}
	}
	if _, err := decodeRecord(append(bytes.Clone(b), 0)); !errors.Is(err, errMalformed) {
		t.Fatalf("a byte appended: err = %v", err)
	}
}

// Records with a valid checksum but a state raft's storage cannot hold are
// refused too, so rebuilding a node never trips raft's assertions.
func TestRecordInconsistentIsAnError(t *testing.T) {
	tests := []struct {
		name   string
		change func(*record)
	}{
		{"no members", func(r *record) { r.members = nil }},
		{"a member twice", func(r *record) { r.members[2] = r.members[0] }},
		{"no compaction point", func(r *record) { r.snap.index, r.snap.term = 0, 0 }},
		{"term below the compaction point", func(r *record) { r.hard.Term = 4 }},
		{"vote for a stranger", func(r *record) { r.hard.Vote = 4 }},
		{"commit beyond the log", func(r *record) { r.hard.Commit = 14 }},
		{"commit before the compaction point", func(r *record) { r.hard.Commit = 9 }},
		{"entry term going back", func(r *record) { r.entries[2].Term = 5 }},
		{"entry term above the hard state", func(r *record) { r.entries[2].Term = 8 }},
		{"entry that is not a block", func(r *record) { r.entries[1].Data = []byte{9, 9, 9} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRecord()
			tt.change(r)
			if got, err := decodeRecord(r.encode()); !errors.Is(err, errMalformed) {
				t.Fatalf("decoded %+v, err = %v", got, err)
			}
		})
	}
}

func TestEncodingsRoundTripAndRefuseGarbage(t *testing.T) {
	b := block(7, consensus.Hash256{6}, "payload")
	if got, err := decodeBlockEntry(encodeBlockEntry(b)); err != nil || !reflect.DeepEqual(got, b) {
		t.Errorf("block entry: %+v, %v", got, err)
	}
	if _, err := decodeBlockEntry(encodeBlockEntry(consensus.Block{Height: 7})); err == nil {
		t.Error("a block without an id decoded")
	}
	if got, err := decodeSnapshotData(encodeSnapshotData(9)); err != nil || got != 9 {
		t.Errorf("snapshot data: %d, %v", got, err)
	}
	if term, index, err := decodeCertificate(encodeCertificate(3, 99)); err != nil || term != 3 || index != 99 {
		t.Errorf("certificate: %d %d %v", term, index, err)
	}
	m := raftpb.Message{Type: raftpb.MsgApp, To: 2, From: 1, Term: 4, LogTerm: 3, Index: 10, Commit: 9,
		Entries: []raftpb.Entry{{Term: 4, Index: 11, Data: encodeBlockEntry(b)}}}
	p, err := encodeMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeMessage(p); err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("message: %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {messageVersion}, {2, 8, 1}, append([]byte{messageVersion}, 0xff, 0xff, 0xff)} {
		if _, err := decodeMessage(bad); !errors.Is(err, errMalformed) {
			t.Errorf("message %x: err = %v", bad, err)
		}
	}
}
