package main

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"

	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// record is the engine's durable state: everything a new process needs to
// rebuild its raft storage. The node keeps only the latest PersistSafety
// record, so each record is complete; it is small because the log is
// compacted to a few entries once the node has applied them.
//
// Encoding (integers big endian):
//
//	"JTRF" version(1)
//	members:  count(u16) then count × 20-byte account id (raft id = 1 + position)
//	hard:     term(u64) vote(u64) commit(u64)
//	snapshot: index(u64) term(u64) ledger height(u64)
//	entries:  count(u32) then count × (term(u64) length(u32) data); entry i has index snapshot.index+1+i
//	crc32c of everything before (u32)
type record struct {
	members []consensus.AccountID
	hard    raftpb.HardState
	snap    snapPoint
	entries []raftpb.Entry
}

// snapPoint is the compaction point: the last raft index and term the
// storage no longer holds, and the height of the ledger a node must hold
// to use the entries after it.
type snapPoint struct {
	index, term, height uint64
}

const (
	recordMagic   = "JTRF"
	recordVersion = 1
	// maxRecordEntries bounds the log a record holds: the window kept
	// after compaction, the entries committed while the node waits for
	// its ledgers, and the uncommitted tail.
	maxRecordEntries = 1 << 16
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func (r *record) encode() []byte {
	size := len(recordMagic) + 1 + 2 + 20*len(r.members) + 3*8 + 3*8 + 4 + 4
	for _, e := range r.entries {
		size += 8 + 4 + len(e.Data)
	}
	out := make([]byte, 0, size)
	out = append(out, recordMagic...)
	out = append(out, recordVersion)
	out = binary.BigEndian.AppendUint16(out, uint16(len(r.members)))
	for _, m := range r.members {
		out = append(out, m[:]...)
	}
	out = binary.BigEndian.AppendUint64(out, r.hard.Term)
	out = binary.BigEndian.AppendUint64(out, r.hard.Vote)
	out = binary.BigEndian.AppendUint64(out, r.hard.Commit)
	out = binary.BigEndian.AppendUint64(out, r.snap.index)
	out = binary.BigEndian.AppendUint64(out, r.snap.term)
	out = binary.BigEndian.AppendUint64(out, r.snap.height)
	out = binary.BigEndian.AppendUint32(out, uint32(len(r.entries)))
	for _, e := range r.entries {
		out = binary.BigEndian.AppendUint64(out, e.Term)
		out = binary.BigEndian.AppendUint32(out, uint32(len(e.Data)))
		out = append(out, e.Data...)
	}
	return binary.BigEndian.AppendUint32(out, crc32.Checksum(out, crcTable))
}

// reader reads big-endian fields and remembers the first shortfall.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w safety record: truncated (need %d bytes, %d left)", errMalformed, n, len(r.b))
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// decodeRecord parses and checks a record: a record this engine wrote
// decodes to what it encoded, and anything else — truncated, corrupted,
// inconsistent — is an error, never a panic or a half-built state.
func decodeRecord(b []byte) (*record, error) {
	const minSize = len(recordMagic) + 1 + 4
	if len(b) < minSize {
		return nil, fmt.Errorf("%w safety record: %d bytes", errMalformed, len(b))
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if got := crc32.Checksum(body, crcTable); got != sum {
		return nil, fmt.Errorf("%w safety record: checksum %08x, want %08x (corrupted or truncated)", errMalformed, got, sum)
	}
	if string(body[:len(recordMagic)]) != recordMagic {
		return nil, fmt.Errorf("%w safety record: not a raft engine record (magic %q)", errMalformed, body[:len(recordMagic)])
	}
	if v := body[len(recordMagic)]; v != recordVersion {
		return nil, fmt.Errorf("%w safety record: version %d, this engine reads %d", errMalformed, v, recordVersion)
	}
	rd := &reader{b: body[len(recordMagic)+1:]}
	rec := &record{}
	n := int(rd.u16())
	if rd.err == nil && (n == 0 || n > maxValidators) {
		return nil, fmt.Errorf("%w safety record: %d members, want 1 to %d", errMalformed, n, maxValidators)
	}
	for range n {
		var id consensus.AccountID
		copy(id[:], rd.take(len(id)))
		rec.members = append(rec.members, id)
	}
	rec.hard = raftpb.HardState{Term: rd.u64(), Vote: rd.u64(), Commit: rd.u64()}
	rec.snap.index, rec.snap.term, rec.snap.height = rd.u64(), rd.u64(), rd.u64()
	count := rd.u32()
	if rd.err == nil && count > maxRecordEntries {
		return nil, fmt.Errorf("%w safety record: %d entries, at most %d", errMalformed, count, maxRecordEntries)
	}
	for i := range count {
		term := rd.u64()
		data := rd.take(int(rd.u32()))
		if rd.err != nil {
			break
		}
		e := raftpb.Entry{Term: term, Index: rec.snap.index + 1 + uint64(i), Type: raftpb.EntryNormal}
		if len(data) > 0 {
			e.Data = append([]byte(nil), data...)
		}
		rec.entries = append(rec.entries, e)
	}
	if rd.err != nil {
		return nil, rd.err
	}
	if len(rd.b) != 0 {
		return nil, fmt.Errorf("%w safety record: %d bytes after the entries", errMalformed, len(rd.b))
	}
	if err := rec.check(); err != nil {
		return nil, err
	}
	return rec, nil
}

// check holds a decoded record to the invariants raft's storage relies on,
// so that rebuilding a node from it cannot trip raft's own assertions.
func (r *record) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w safety record: "+format, append([]any{errMalformed}, args...)...)
	}
	for i, m := range r.members {
		if slices.Contains(r.members[:i], m) {
			return bad("member %x is listed twice", m[:4])
		}
	}
	if r.snap.index == 0 || r.snap.term == 0 {
		return bad("compaction point (index %d, term %d) is not set", r.snap.index, r.snap.term)
	}
	if r.hard.Term < r.snap.term {
		return bad("term %d is below the compaction point's term %d", r.hard.Term, r.snap.term)
	}
	if r.hard.Vote > uint64(len(r.members)) {
		return bad("vote for raft id %d of %d members", r.hard.Vote, len(r.members))
	}
	prev := r.snap.term
	for _, e := range r.entries {
		if e.Term < prev || e.Term > r.hard.Term {
			return bad("entry %d has term %d, want %d to %d", e.Index, e.Term, prev, r.hard.Term)
		}
		prev = e.Term
		if _, _, err := entryBlock(e); err != nil {
			return bad("entry %d: %v", e.Index, err)
		}
	}
	last := r.snap.index + uint64(len(r.entries))
	if r.hard.Commit < r.snap.index || r.hard.Commit > last {
		return bad("commit index %d is outside the log [%d, %d]", r.hard.Commit, r.snap.index, last)
	}
	return nil
}
