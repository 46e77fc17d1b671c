package shamap

import (
	"bytes"
	"iter"

	"github.com/jtchain/jtchain/host/crypto"
)

// All yields every item in ascending key order. Children are visited in
// branch order and branches are key nibbles high-first, so a depth-first walk
// is already sorted. The data slices alias the tree and must not be modified.
// The tree must not be modified during the iteration; to change it while
// iterating, iterate a Snapshot.
func (m *Map) All() iter.Seq2[crypto.Hash256, []byte] {
	return func(yield func(crypto.Hash256, []byte) bool) {
		walk(m.root, yield)
	}
}

// After yields the items whose key is strictly greater than after, in
// ascending order: rippled's upper_bound. API paging resumes with the last
// key it returned as the marker. The rules of All apply.
func (m *Map) After(after crypto.Hash256) iter.Seq2[crypto.Hash256, []byte] {
	return func(yield func(crypto.Hash256, []byte) bool) {
		walkAfter(m.root, 0, &after, yield)
	}
}

// walk visits the subtree under n and reports whether to continue.
func walk(n *inner, yield func(crypto.Hash256, []byte) bool) bool {
	for _, c := range n.children {
		switch c := c.(type) {
		case *leaf:
			if !yield(c.key, c.data) {
				return false
			}
		case *inner:
			if !walk(c, yield) {
				return false
			}
		}
	}
	return true
}

// walkAfter visits the keys greater than after in the subtree under n, an
// inner node at depth whose prefix equals after's first depth nibbles.
func walkAfter(n *inner, depth int, after *crypto.Hash256, yield func(crypto.Hash256, []byte) bool) bool {
	first := nibble(after, depth)
	// Branches before first hold only smaller keys. Branch first shares
	// after's prefix one level deeper; branches after it are all greater.
	switch c := n.children[first].(type) {
	case *leaf:
		if bytes.Compare(c.key[:], after[:]) > 0 && !yield(c.key, c.data) {
			return false
		}
	case *inner:
		if !walkAfter(c, depth+1, after, yield) {
			return false
		}
	}
	for _, c := range n.children[first+1:] {
		switch c := c.(type) {
		case *leaf:
			if !yield(c.key, c.data) {
				return false
			}
		case *inner:
			if !walk(c, yield) {
				return false
			}
		}
	}
	return true
}
