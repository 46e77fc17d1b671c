package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// FuzzDecode feeds arbitrary bytes to every decoder: none panics, and what
// decodes re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	m, _ := encodeMessage(raftpb.Message{Type: raftpb.MsgApp, To: 2, From: 1, Term: 3, Index: 4, LogTerm: 2,
		Entries: []raftpb.Entry{{Term: 3, Index: 5, Data: encodeBlockEntry(block(4, consensus.Hash256{3}, "p"))}}})
	for _, seed := range [][]byte{
		nil, {1}, testRecord().encode(), m,
		encodeBlockEntry(block(4, consensus.Hash256{3}, "p")),
		encodeSnapshotData(3),
		encodeCertificate(3, 9),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeRecord(b); err == nil && !bytes.Equal(r.encode(), b) {
			t.Fatalf("record %x re-encodes as %x", b, r.encode())
		}
		if blk, err := decodeBlockEntry(b); err == nil && !bytes.Equal(encodeBlockEntry(blk), b) {
			t.Fatalf("block entry %x re-encodes differently", b)
		}
		if h, err := decodeSnapshotData(b); err == nil && !bytes.Equal(encodeSnapshotData(h), b) {
			t.Fatalf("snapshot data %x re-encodes differently", b)
		}
		if term, index, err := decodeCertificate(b); err == nil && !bytes.Equal(encodeCertificate(term, index), b) {
			t.Fatalf("certificate %x re-encodes differently", b)
		}
		_, _ = decodeMessage(b)
	})
}

// FuzzStep drives one member of a group of three (raft id 2) with inputs
// decoded from the fuzz bytes: raw payloads and well-formed raft messages
// of every type with arbitrary fields from every member, time, heights,
// built blocks and restarts from its last safety record. The engine never
// fails a Step (a failure would mean a message got past its checks and
// tripped one of raft's assertions), every record it emits decodes, every
// message it sends decodes and comes from itself, and it commits only the
// height in progress.
func FuzzStep(f *testing.F) {
	f.Add([]byte{1, 0, 3, 2, 1, 1, 1, 0, 1, 1, 2, 40, 2, 200, 5, 0, 1})
	for i := uint64(0); i < 8; i++ {
		rng := rand.New(rand.NewPCG(i, i))
		b := make([]byte, 400)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := &fuzzDriver{t: t, data: data, now: t0, h: 10, parent: consensus.Hash256{9}}
		d.boot()
		// At most maxFuzzOps inputs per run: a run costs about 50 µs per
		// op, and the fuzzer's minimizer reruns an input many times, so
		// unbounded runs stall it for a minute on a large input.
		for ops := 0; len(d.data) > 0 && ops < maxFuzzOps; ops++ {
			d.op()
		}
	})
}

// maxFuzzOps bounds the inputs FuzzStep gives the engine in one run.
const maxFuzzOps = 300

type fuzzDriver struct {
	t      *testing.T
	data   []byte
	e      *engine
	record []byte
	now    time.Time
	h      uint64
	parent consensus.Hash256
	sent   [][]byte
}

func (d *fuzzDriver) byte() byte {
	if len(d.data) == 0 {
		return 0
	}
	b := d.data[0]
	d.data = d.data[1:]
	return b
}

func (d *fuzzDriver) u64() uint64 {
	// Small values mostly, so indexes and terms meet the log's.
	switch b := d.byte(); b >> 6 {
	case 3:
		var v [8]byte
		for i := range v {
			v[i] = d.byte()
		}
		return binary.BigEndian.Uint64(v[:])
	default:
		return uint64(b & 0x3f)
	}
}

func (d *fuzzDriver) bytes() []byte {
	n := int(d.byte())
	n = min(n, len(d.data))
	b := d.data[:n]
	d.data = d.data[n:]
	return b
}

func (d *fuzzDriver) boot() {
	d.e = quiet()
	p := validParams()
	p.Safety = d.record
	if _, err := d.e.Configure(context.Background(), consensus.ConfigureRequest{Params: p}); err != nil {
		d.t.Fatalf("Configure from the engine's own record: %v", err)
	}
	if d.record != nil {
		if _, err := d.e.Restore(context.Background(), consensus.RestoreRequest{Safety: d.record, LastCommitted: d.h - 1}); err != nil {
			d.t.Fatalf("Restore from the engine's own record: %v", err)
		}
	}
	d.step(consensus.StartHeight{Height: d.h, ParentID: d.parent, Validators: trio, Now: d.now})
}

func (d *fuzzDriver) step(in consensus.Input) {
	resp, err := d.e.Step(context.Background(), consensus.StepRequest{Inputs: []consensus.Input{in}})
	if err != nil {
		d.t.Fatalf("Step(%T%+v): %v", in, in, err)
	}
	var committed *consensus.Block
	for _, o := range resp.Outputs {
		switch o := o.(type) {
		case consensus.PersistSafety:
			if _, err := decodeRecord(o.Record); err != nil {
				d.t.Fatalf("emitted a record that does not decode: %v", err)
			}
			d.record = o.Record
		case consensus.SignAndBroadcast:
			m, err := decodeMessage(o.Payload)
			if err != nil || m.From != 2 || m.To == 2 || m.To == 0 || m.To > 3 {
				d.t.Fatalf("sent %+v, %v", m, err)
			}
			if len(d.sent) < 16 {
				d.sent = append(d.sent, o.Payload)
			}
		case consensus.Commit:
			if o.Block.Height != d.h || o.Block.ParentID != d.parent || committed != nil {
				d.t.Fatalf("committed %+v at height %d", o.Block, d.h)
			}
			committed = &o.Block
		case consensus.BuildBlock:
			if o.Height != d.h {
				d.t.Fatalf("BuildBlock %d at height %d", o.Height, d.h)
			}
		case consensus.RequestCatchUp:
		default:
			d.t.Fatalf("unexpected output %T", o)
		}
	}
	if committed != nil {
		d.h, d.parent = committed.Height+1, committed.ID
		d.step(consensus.StartHeight{Height: d.h, ParentID: d.parent, Validators: trio, Now: d.now})
	}
}

var fuzzTypes = []raftpb.MessageType{
	raftpb.MsgApp, raftpb.MsgAppResp, raftpb.MsgVote, raftpb.MsgVoteResp, raftpb.MsgPreVote, raftpb.MsgPreVoteResp,
	raftpb.MsgHeartbeat, raftpb.MsgHeartbeatResp, raftpb.MsgSnap, raftpb.MsgProp, raftpb.MsgTimeoutNow,
	raftpb.MsgReadIndex, raftpb.MsgReadIndexResp, raftpb.MsgHup, raftpb.MsgBeat, raftpb.MsgTransferLeader,
	raftpb.MsgSnapStatus, raftpb.MsgUnreachable, raftpb.MsgCheckQuorum, raftpb.MsgStorageAppend,
	raftpb.MsgStorageAppendResp, raftpb.MsgForgetLeader,
}

func (d *fuzzDriver) message() raftpb.Message {
	m := raftpb.Message{
		Type: fuzzTypes[int(d.byte())%len(fuzzTypes)],
		From: 1 + uint64(d.byte()%3), To: 2,
		Term: d.u64(), LogTerm: d.u64(), Index: d.u64(), Commit: d.u64(),
		Reject: d.byte()&1 == 1, RejectHint: d.u64(),
	}
	for range d.byte() % 4 {
		ent := raftpb.Entry{Term: d.u64(), Index: d.u64()}
		switch d.byte() % 4 {
		case 1:
			ent.Data = encodeBlockEntry(block(d.h+uint64(d.byte()%3)-1, d.parent, "f"))
		case 2:
			ent.Data = d.bytes()
		case 3:
			ent.Type = raftpb.EntryType(d.byte() % 3)
		}
		m.Entries = append(m.Entries, ent)
	}
	if d.byte()%4 == 0 {
		s := &raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: d.u64(), Term: d.u64()}}
		if d.byte()%2 == 0 {
			s.Metadata.ConfState.Voters = []uint64{1, 2, 3}
			s.Data = encodeSnapshotData(d.u64())
		} else {
			s.Data = d.bytes()
		}
		m.Snapshot = s
	}
	if d.byte()%8 == 0 {
		m.Context = d.bytes()
	}
	return m
}

func (d *fuzzDriver) op() {
	switch d.byte() % 9 {
	case 0:
		d.step(consensus.Message{From: trio[d.byte()%3].Address, Payload: d.bytes(), Signature: []byte{1}})
	case 1, 2:
		m := d.message()
		p, err := encodeMessage(m)
		if err != nil {
			return
		}
		d.step(consensus.Message{From: trio[m.From-1].Address, Payload: p, Signature: []byte{1}})
	case 3:
		d.now = d.now.Add(time.Duration(d.byte()) * 50 * time.Millisecond)
		d.step(consensus.Tick{Now: d.now})
	case 4:
		d.h += uint64(d.byte() % 3)
		d.parent = consensus.Hash256{byte(d.h)}
		d.step(consensus.StartHeight{Height: d.h, ParentID: d.parent, Validators: trio, Now: d.now})
	case 5:
		d.step(consensus.TxsAvailable{Count: int(d.byte()), Now: d.now})
	case 6:
		d.step(consensus.BlockBuilt{Height: d.h, Block: block(d.h, d.parent, "built")})
	case 7:
		d.boot()
	case 8:
		if len(d.sent) > 0 {
			d.step(consensus.Message{From: self, Payload: d.sent[int(d.byte())%len(d.sent)], Signature: []byte{1}})
		}
	}
}
