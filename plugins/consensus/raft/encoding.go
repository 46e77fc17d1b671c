package main

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// The engine's own encodings: the payload of a consensus message, the data
// of a block entry in the raft log, the data of a raft snapshot and the
// certificate of a Commit. Every decoder checks lengths before it reads and
// returns an error wrapping errMalformed; none panics on any input.

// errMalformed is wrapped by every decoding error.
var errMalformed = errors.New("malformed")

// Format versions: the first byte of each encoding.
const (
	messageVersion     = 1
	blockEntryVersion  = 1
	snapshotVersion    = 1
	certificateVersion = 1
)

// Bounds. A block entry travels whole inside one raft message, so the
// largest block payload plus raft's framing must fit the largest consensus
// message the node's gossip layer carries (its max_message_size).
const (
	// maxBlockPayload bounds the host's block encoding in an entry (the
	// node's blocks carry transaction ids: 100,000 of them take 3.2 MB).
	maxBlockPayload = 4 << 20
	// maxMessageSize bounds a consensus message payload: raft batches
	// entries up to maxSizePerMsg, and a single entry up to a block.
	maxMessageSize = 16 << 20
	// maxValidators bounds the raft group (raft ids 1..n).
	maxValidators = 256
)

// blockEntryHeader is version, height, id and parent.
const blockEntryHeader = 1 + 8 + 32 + 32

// encodeBlockEntry is the data of the log entry that proposes b:
// version, height, id, parent (fixed width, big endian) and the payload.
func encodeBlockEntry(b consensus.Block) []byte {
	out := make([]byte, 0, blockEntryHeader+len(b.Payload))
	out = append(out, blockEntryVersion)
	out = binary.BigEndian.AppendUint64(out, b.Height)
	out = append(out, b.ID[:]...)
	out = append(out, b.ParentID[:]...)
	return append(out, b.Payload...)
}

// decodeBlockEntry reverses encodeBlockEntry. An empty payload decodes as
// nil, as it crosses the plugin wire.
func decodeBlockEntry(data []byte) (consensus.Block, error) {
	var b consensus.Block
	if len(data) < blockEntryHeader {
		return b, fmt.Errorf("%w block entry: %d bytes, need at least %d", errMalformed, len(data), blockEntryHeader)
	}
	if data[0] != blockEntryVersion {
		return b, fmt.Errorf("%w block entry: version %d, want %d", errMalformed, data[0], blockEntryVersion)
	}
	if n := len(data) - blockEntryHeader; n > maxBlockPayload {
		return b, fmt.Errorf("%w block entry: payload of %d bytes is above %d", errMalformed, n, maxBlockPayload)
	}
	b.Height = binary.BigEndian.Uint64(data[1:9])
	copy(b.ID[:], data[9:41])
	copy(b.ParentID[:], data[41:73])
	if b.Height == 0 || b.ID == (consensus.Hash256{}) {
		return b, fmt.Errorf("%w block entry: zero height or id", errMalformed)
	}
	if len(data) > blockEntryHeader {
		b.Payload = append([]byte(nil), data[blockEntryHeader:]...)
	}
	return b, nil
}

// entryHeight returns the height of the block an entry proposes without
// copying it; ok is false for anything else.
func entryHeight(e raftpb.Entry) (height uint64, ok bool) {
	if e.Type != raftpb.EntryNormal || len(e.Data) < blockEntryHeader || e.Data[0] != blockEntryVersion {
		return 0, false
	}
	return binary.BigEndian.Uint64(e.Data[1:9]), true
}

// entryBlock returns the block an entry proposes; ok is false for raft's
// own empty entries (a new leader appends one).
func entryBlock(e raftpb.Entry) (b consensus.Block, ok bool, err error) {
	if e.Type != raftpb.EntryNormal {
		return b, false, fmt.Errorf("%w entry %d: type %s, the engine uses only normal entries", errMalformed, e.Index, e.Type)
	}
	if len(e.Data) == 0 {
		return b, false, nil
	}
	b, err = decodeBlockEntry(e.Data)
	return b, err == nil, err
}

// encodeMessage is the payload of a SignAndBroadcast: a version byte and
// the raft message in raft's own protobuf encoding.
func encodeMessage(m raftpb.Message) ([]byte, error) {
	out := make([]byte, 1+m.Size())
	out[0] = messageVersion
	if _, err := m.MarshalTo(out[1:]); err != nil {
		return nil, fmt.Errorf("raft: encode %s to %d: %w", m.Type, m.To, err)
	}
	return out, nil
}

// decodeMessage reverses encodeMessage. It checks only the encoding; the
// engine checks the content against its state (checkMessage).
func decodeMessage(p []byte) (raftpb.Message, error) {
	var m raftpb.Message
	switch {
	case len(p) < 2:
		return m, fmt.Errorf("%w message: %d bytes", errMalformed, len(p))
	case len(p) > maxMessageSize:
		return m, fmt.Errorf("%w message: %d bytes is above %d", errMalformed, len(p), maxMessageSize)
	case p[0] != messageVersion:
		return m, fmt.Errorf("%w message: version %d, want %d", errMalformed, p[0], messageVersion)
	}
	if err := m.Unmarshal(p[1:]); err != nil {
		return raftpb.Message{}, fmt.Errorf("%w message: %v", errMalformed, err)
	}
	return m, nil
}

const snapshotDataSize = 1 + 8

// encodeSnapshotData is the data of a raft snapshot: the height of the
// ledger every node must hold before it uses the log entries after the
// snapshot (every block committed up to the snapshot is at or below it).
func encodeSnapshotData(height uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{snapshotVersion}, height)
}

func decodeSnapshotData(data []byte) (uint64, error) {
	if len(data) != snapshotDataSize || data[0] != snapshotVersion {
		return 0, fmt.Errorf("%w snapshot data: %d bytes, want version %d and %d bytes", errMalformed, len(data), snapshotVersion, snapshotDataSize)
	}
	return binary.BigEndian.Uint64(data[1:]), nil
}

const certificateSize = 1 + 8 + 8

// encodeCertificate is a Commit's certificate: the raft term and index of
// the entry that carried the block. Raft signs nothing, so it proves
// nothing to a third party; it locates the decision in the raft log.
func encodeCertificate(term, index uint64) []byte {
	out := make([]byte, 0, certificateSize)
	out = append(out, certificateVersion)
	out = binary.BigEndian.AppendUint64(out, term)
	return binary.BigEndian.AppendUint64(out, index)
}

// decodeCertificate reverses encodeCertificate.
func decodeCertificate(c []byte) (term, index uint64, err error) {
	if len(c) != certificateSize || c[0] != certificateVersion {
		return 0, 0, fmt.Errorf("%w certificate: %d bytes, want version %d and %d bytes", errMalformed, len(c), certificateVersion, certificateSize)
	}
	return binary.BigEndian.Uint64(c[1:9]), binary.BigEndian.Uint64(c[9:]), nil
}
