package blhr

import (
	"encoding/binary"

	"github.com/jtchain/jtchain/host/codec"
)

// ProofVersion is the only proof layout this package reads and writes.
const ProofVersion = 1

// MaxProofSiblings bounds a proof's path: a tree of up to 2^64−1 leaves is
// at most 64 levels deep.
const MaxProofSiblings = 64

// MaxProofSize is the largest proof encoding.
const MaxProofSize = proofFixed + 32*MaxProofSiblings

const proofFixed = 1 + 8 + 8 + 1

// Proof shows that a record id is a leaf of the tree whose root a ledger
// header holds (see Root).
type Proof struct {
	Index    uint64          // the leaf's position among the sorted ids
	Count    uint64          // the number of leaves; the root commits to it
	Siblings []codec.Hash256 // the nodes combined with the leaf's path, bottom up
}

// Encode returns the proof's canonical bytes:
//
//	u8 version (1) ‖ u64 index ‖ u64 count ‖ u8 n ‖ n × sibling[32]
func (p Proof) Encode() []byte {
	buf := make([]byte, 0, proofFixed+32*len(p.Siblings))
	buf = append(buf, ProofVersion)
	buf = binary.BigEndian.AppendUint64(buf, p.Index)
	buf = binary.BigEndian.AppendUint64(buf, p.Count)
	buf = append(buf, byte(len(p.Siblings)))
	for _, s := range p.Siblings {
		buf = append(buf, s[:]...)
	}
	return buf
}

// DecodeProof parses Encode's output strictly: version 1, 0 ≤ index <
// count, exactly as many siblings as that leaf's path in a tree of count
// leaves has (at most MaxProofSiblings), no trailing bytes.
func DecodeProof(b []byte) (Proof, error) {
	if len(b) > MaxProofSize {
		return Proof{}, malformed("proof of %d bytes exceeds %d", len(b), MaxProofSize)
	}
	rd := reader{b: b}
	if v := rd.u8("proof version"); rd.err == nil && v != ProofVersion {
		return Proof{}, malformed("proof version %d, want %d", v, ProofVersion)
	}
	p := Proof{Index: rd.u64("leaf index"), Count: rd.u64("leaf count")}
	n := int(rd.u8("sibling count"))
	if rd.err == nil {
		if err := p.checkShape(n); err != nil {
			return Proof{}, err
		}
	}
	for range n {
		var s codec.Hash256
		copy(s[:], rd.take(32, "sibling"))
		p.Siblings = append(p.Siblings, s)
	}
	if err := rd.end(); err != nil {
		return Proof{}, err
	}
	return p, nil
}

// checkShape checks index and count, and that a proof for them has n
// siblings.
func (p Proof) checkShape(n int) error {
	if p.Count == 0 {
		return malformed("proof in a tree of no leaves")
	}
	if p.Index >= p.Count {
		return malformed("proof of leaf %d in a tree of %d", p.Index, p.Count)
	}
	if want := pathLength(p.Index, p.Count); n != want {
		return malformed("proof of leaf %d of %d has %d siblings, want %d", p.Index, p.Count, n, want)
	}
	return nil
}

// pathLength returns the number of siblings on the path of leaf index in
// a tree of count leaves: one per level, except where the leaf's ancestor
// is the last, unpaired node of its level.
func pathLength(index, count uint64) int {
	n := 0
	for ; count > 1; count = count/2 + count%2 {
		if index%2 == 1 || index+1 < count {
			n++
		}
		index /= 2
	}
	return n
}

// Verify checks that id is the leaf at p.Index of the tree of p.Count
// leaves whose root is root. A ledger without records (root zero) contains
// no record.
func (p Proof) Verify(id, root codec.Hash256) error {
	if err := p.checkShape(len(p.Siblings)); err != nil {
		return err
	}
	if root == (codec.Hash256{}) {
		return invalid("the ledger has no records (zero root)")
	}
	hs := newHasher()
	h := hs.leaf(id)
	index, k := p.Index, 0
	for count := p.Count; count > 1; count = count/2 + count%2 {
		switch {
		case index%2 == 1:
			h = hs.interior(p.Siblings[k], h)
			k++
		case index+1 < count:
			h = hs.interior(h, p.Siblings[k])
			k++
		}
		index /= 2
	}
	if got := hs.root(p.Count, h); got != root {
		return invalid("record %X is not under root %X (the proof leads to %X)", id, root, got)
	}
	return nil
}
