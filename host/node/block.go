package node

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto/vrf"
)

// Block is what a proposer puts in a proposal for a networked engine: the
// ledger it built, described by everything a validator needs to rebuild and
// check it. Transactions travel by id: validators already hold most of them
// from transaction gossip and fetch the rest from the proposer, which keeps
// a 12,000-transaction block under the pubsub message limit.
type Block struct {
	Height       uint32
	ParentHash   codec.Hash256 // ledger hash of Height-1
	CloseTime    uint32        // Ripple-epoch seconds; strictly after the parent's
	CreatorRound int32         // the round it was built in; Creator = proposer(Height, CreatorRound)
	Creator      codec.AccountID
	Seed         codec.Hash256   // seed_h: the proposer-order seed of this height
	VRFProof     []byte          // the creator's VRF proof over VRFInput(chain, Height, Seed)
	LedgerHash   codec.Hash256   // the ledger that applying TxIDs to the parent gives
	TxIDs        []codec.Hash256 // in application order
	LastCommit   []byte          // the engine's certificate for Height-1 (empty after genesis)
	Evidence     [][]byte        // misbehaviour to record in this ledger
	// RecordIDs are the BLHR records the ledger seals, in id order; like
	// transactions they travel by id.
	RecordIDs []codec.Hash256
}

// A block without records is encoded as version 1, the layout from before
// records; one with records as version 2, which appends them.
const (
	blockVersion        = 1
	blockVersionRecords = 2
)

// Limits keep a decoded block's size bounded whatever the input.
const (
	maxBlockTxs       = 100_000
	maxBlockEvidence  = 64
	maxBlockBlobBytes = 1 << 20
	maxBlockRecords   = 100_000
)

// ErrBadBlock is wrapped by every block decoding and checking error.
var ErrBadBlock = errors.New("node: malformed block")

// Encode returns the block's canonical bytes (the engine's block payload).
func (b *Block) Encode() []byte {
	n := 1 + 4 + 32 + 4 + 4 + 20 + 32 + 4 + len(b.VRFProof) + 32 + 4 + 32*len(b.TxIDs) + 4 + len(b.LastCommit) + 4
	for _, e := range b.Evidence {
		n += 4 + len(e)
	}
	version := byte(blockVersion)
	if len(b.RecordIDs) > 0 {
		version = blockVersionRecords
		n += 4 + 32*len(b.RecordIDs)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, version)
	buf = binary.BigEndian.AppendUint32(buf, b.Height)
	buf = append(buf, b.ParentHash[:]...)
	buf = binary.BigEndian.AppendUint32(buf, b.CloseTime)
	buf = binary.BigEndian.AppendUint32(buf, uint32(b.CreatorRound))
	buf = append(buf, b.Creator[:]...)
	buf = append(buf, b.Seed[:]...)
	buf = appendBlob(buf, b.VRFProof)
	buf = append(buf, b.LedgerHash[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(b.TxIDs)))
	for _, id := range b.TxIDs {
		buf = append(buf, id[:]...)
	}
	buf = appendBlob(buf, b.LastCommit)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(b.Evidence)))
	for _, e := range b.Evidence {
		buf = appendBlob(buf, e)
	}
	if version == blockVersionRecords {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b.RecordIDs)))
		for _, id := range b.RecordIDs {
			buf = append(buf, id[:]...)
		}
	}
	return buf
}

func appendBlob(buf, b []byte) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
	return append(buf, b...)
}

type blockReader struct {
	b   []byte
	err error
}

func (r *blockReader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = fmt.Errorf("%w: truncated in %s", ErrBadBlock, what)
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *blockReader) u32(what string) uint32 {
	p := r.take(4, what)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint32(p)
}

func (r *blockReader) hash(what string) (h codec.Hash256) {
	copy(h[:], r.take(32, what))
	return h
}

func (r *blockReader) blob(what string, max int) []byte {
	n := r.u32(what)
	if r.err == nil && int64(n) > int64(max) {
		r.err = fmt.Errorf("%w: %s of %d bytes exceeds %d", ErrBadBlock, what, n, max)
		return nil
	}
	return append([]byte(nil), r.take(int(n), what)...)
}

// DecodeBlock parses Encode's output strictly: known version, exact
// lengths, bounded counts, no trailing bytes.
func DecodeBlock(data []byte) (*Block, error) {
	r := &blockReader{b: data}
	v := r.take(1, "version")
	if r.err == nil && v[0] != blockVersion && v[0] != blockVersionRecords {
		return nil, fmt.Errorf("%w: version %d", ErrBadBlock, v[0])
	}
	b := &Block{}
	b.Height = r.u32("height")
	b.ParentHash = r.hash("parent hash")
	b.CloseTime = r.u32("close time")
	b.CreatorRound = int32(r.u32("creator round"))
	copy(b.Creator[:], r.take(20, "creator"))
	b.Seed = r.hash("seed")
	b.VRFProof = r.blob("VRF proof", vrf.ProofSize)
	b.LedgerHash = r.hash("ledger hash")
	if n := r.u32("transaction count"); r.err == nil {
		if n > maxBlockTxs {
			return nil, fmt.Errorf("%w: %d transactions", ErrBadBlock, n)
		}
		b.TxIDs = make([]codec.Hash256, n)
		for i := range b.TxIDs {
			b.TxIDs[i] = r.hash("transaction id")
		}
	}
	b.LastCommit = r.blob("last commit", maxBlockBlobBytes)
	if n := r.u32("evidence count"); r.err == nil {
		if n > maxBlockEvidence {
			return nil, fmt.Errorf("%w: %d evidence items", ErrBadBlock, n)
		}
		for i := uint32(0); i < n; i++ {
			b.Evidence = append(b.Evidence, r.blob("evidence", maxBlockBlobBytes))
		}
	}
	if r.err == nil && v[0] == blockVersionRecords {
		n := r.u32("record count")
		if r.err == nil && (n == 0 || n > maxBlockRecords) {
			return nil, fmt.Errorf("%w: %d records in a version %d block", ErrBadBlock, n, v[0])
		}
		if r.err == nil && int64(n)*32 > int64(len(r.b)) {
			return nil, fmt.Errorf("%w: truncated in record ids", ErrBadBlock)
		}
		b.RecordIDs = make([]codec.Hash256, 0, n)
		for i := uint32(0); i < n && r.err == nil; i++ {
			id := r.hash("record id")
			if len(b.RecordIDs) > 0 && bytes.Compare(b.RecordIDs[len(b.RecordIDs)-1][:], id[:]) >= 0 {
				return nil, fmt.Errorf("%w: record ids not in strictly increasing order", ErrBadBlock)
			}
			b.RecordIDs = append(b.RecordIDs, id)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrBadBlock, len(r.b))
	}
	if b.CreatorRound < 0 {
		return nil, fmt.Errorf("%w: negative creator round", ErrBadBlock)
	}
	if len(b.VRFProof) != vrf.ProofSize {
		return nil, fmt.Errorf("%w: VRF proof of %d bytes", ErrBadBlock, len(b.VRFProof))
	}
	return b, nil
}

// VRFInput is alpha of a block's VRF proof (spec/rbft.md §2):
// "JT/vrf" ‖ chain id ‖ u64(height) ‖ seed.
func VRFInput(chainID string, height uint32, seed codec.Hash256) []byte {
	buf := make([]byte, 0, 6+4+len(chainID)+8+32)
	buf = append(buf, "JT/vrf"...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(chainID)))
	buf = append(buf, chainID...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(height))
	return append(buf, seed[:]...)
}
