package blhr

import (
	"bytes"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
)

// Root returns the root of the Merkle tree over a ledger's record ids, in
// any order: the tree's leaves are the ids sorted in ascending byte order,
// so every node computes the same root whatever order records arrived in.
// ids must not repeat (ErrDuplicate); ids is not modified.
//
// The tree: leaf SHA512Half(0x00 ‖ id); each level pairs its nodes left to
// right into SHA512Half(0x01 ‖ left ‖ right), and a last node without a
// partner moves up unchanged (it is never paired with itself, so no two
// lists of leaves share a tree); the root is SHA512Half(0x02 ‖ u64 leaf
// count ‖ top node). No records give the zero hash, which leaves the ledger
// header's extension, and so its hash, as Jingtum's.
func Root(ids []codec.Hash256) (codec.Hash256, error) {
	if len(ids) == 0 {
		return codec.Hash256{}, nil
	}
	leaves, err := sortedIDs(ids)
	if err != nil {
		return codec.Hash256{}, err
	}
	hs := newHasher()
	level := leafLevel(hs, leaves)
	for len(level) > 1 {
		level = nextLevel(hs, level)
	}
	return hs.root(uint64(len(leaves)), level[0]), nil
}

// ProofFor returns the inclusion proof of id in the tree over ids (see
// Root): ErrNotFound if id is not among them, ErrDuplicate if one repeats.
func ProofFor(ids []codec.Hash256, id codec.Hash256) (Proof, error) {
	leaves, err := sortedIDs(ids)
	if err != nil {
		return Proof{}, err
	}
	i, found := slices.BinarySearchFunc(leaves, id, compareIDs)
	if !found {
		return Proof{}, ErrNotFound
	}
	p := Proof{Index: uint64(i), Count: uint64(len(leaves))}
	hs := newHasher()
	level := leafLevel(hs, leaves)
	for len(level) > 1 {
		if s := i ^ 1; s < len(level) {
			p.Siblings = append(p.Siblings, level[s])
		}
		level = nextLevel(hs, level)
		i /= 2
	}
	return p, nil
}

func compareIDs(a, b codec.Hash256) int { return bytes.Compare(a[:], b[:]) }

func sortedIDs(ids []codec.Hash256) ([]codec.Hash256, error) {
	s := slices.Clone(ids)
	slices.SortFunc(s, compareIDs)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return nil, ErrDuplicate
		}
	}
	return s, nil
}

func leafLevel(hs *hasher, ids []codec.Hash256) []codec.Hash256 {
	level := make([]codec.Hash256, len(ids))
	for i, id := range ids {
		level[i] = hs.leaf(id)
	}
	return level
}

// nextLevel hashes level's pairs in place and returns the shorter level.
func nextLevel(hs *hasher, level []codec.Hash256) []codec.Hash256 {
	m := 0
	for i := 0; i+1 < len(level); i += 2 {
		level[m] = hs.interior(level[i], level[i+1])
		m++
	}
	if len(level)%2 == 1 {
		level[m] = level[len(level)-1]
		m++
	}
	return level[:m]
}
