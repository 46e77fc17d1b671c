package blhr

import (
	"crypto/sha512"
	"hash"

	"github.com/jtchain/jtchain/host/codec"
)

// Hashing domains. Every SHA512Half this package computes starts with one
// of these, and none is a prefix of another or of a domain used elsewhere
// in jtchain (codec's "TXN\0", "LWR\0", …; rbft's "JT/rbft/…"), so no hash
// of one kind can be passed off as another.
var (
	prefixRecordID = [4]byte{'B', 'L', 'R', 0} // record id: prefix ‖ encoding
	prefixSigning  = [4]byte{'B', 'L', 'S', 0} // signing data: prefix ‖ chain ‖ unsigned encoding
)

// Merkle tree node tags. They follow no 4-byte prefix because tree hashes
// are only ever compared with tree hashes; the tag keeps a leaf from being
// read as an interior node or a root and back.
const (
	tagLeaf     = 0x00 // SHA512Half(0x00 ‖ record id)
	tagInterior = 0x01 // SHA512Half(0x01 ‖ left ‖ right)
	tagRoot     = 0x02 // SHA512Half(0x02 ‖ u64 leaf count ‖ top node)
)

// hasher computes SHA512Half reusing one SHA-512 state: a tree of 20,000
// records hashes 40,000 nodes, and a fresh state per node would dominate.
// It is local to one call, never shared.
type hasher struct {
	h   hash.Hash
	buf [1 + 64]byte
	sum [64]byte
}

func newHasher() *hasher { return &hasher{h: sha512.New()} }

func (hs *hasher) leaf(id codec.Hash256) codec.Hash256 {
	hs.buf[0] = tagLeaf
	copy(hs.buf[1:], id[:])
	return hs.half(hs.buf[:33])
}

func (hs *hasher) interior(left, right codec.Hash256) codec.Hash256 {
	hs.buf[0] = tagInterior
	copy(hs.buf[1:], left[:])
	copy(hs.buf[33:], right[:])
	return hs.half(hs.buf[:65])
}

func (hs *hasher) root(count uint64, top codec.Hash256) codec.Hash256 {
	var b [1 + 8 + 32]byte
	b[0] = tagRoot
	for i := range 8 {
		b[1+i] = byte(count >> (56 - 8*i))
	}
	copy(b[9:], top[:])
	return hs.half(b[:])
}

func (hs *hasher) half(b []byte) codec.Hash256 {
	hs.h.Reset()
	hs.h.Write(b)
	hs.h.Sum(hs.sum[:0])
	var out codec.Hash256
	copy(out[:], hs.sum[:32])
	return out
}
