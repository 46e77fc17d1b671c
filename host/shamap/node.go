package shamap

import (
	"sync/atomic"

	"github.com/jtchain/jtchain/host/crypto"
)

// maxDepth is the number of nibbles in a key. Two distinct keys differ in
// some nibble below it, so inner nodes sit at depths 0..maxDepth-1 and
// leaves at depths 1..maxDepth.
const maxDepth = 64

// A node is either an *inner or a *leaf.
type node interface {
	// hash returns the node's hash, computing and caching it if needed.
	hash(kind LeafKind) crypto.Hash256
}

// owner identifies the one Map allowed to change a node in place. Only the
// pointer's identity matters; the byte keeps distinct owners at distinct
// addresses (zero-size allocations may share one).
type owner struct{ _ byte }

// inner is a branching node with 16 children indexed by a key nibble.
type inner struct {
	owner    *owner
	cache    hashCache
	children [16]node
}

// leaf holds one item. Leaves are immutable once linked into a tree:
// replacing a value links a new leaf, so a leaf never needs an owner.
type leaf struct {
	key   crypto.Hash256
	data  []byte
	cache hashCache
}

// Cache states. A cache moves empty → writing → ready; only the map that
// owns the node resets it to empty, and only while it has exclusive access.
const (
	cacheEmpty uint32 = iota
	cacheWriting
	cacheReady
)

// hashCache is a node's memoized hash. It is written at most once per
// mutation, by whichever reader wins the compare-and-swap, because nodes
// shared between snapshots may be hashed from several goroutines at once.
// Losers return the hash they computed, which is the same value.
type hashCache struct {
	state atomic.Uint32
	sum   crypto.Hash256
}

func (c *hashCache) load() (crypto.Hash256, bool) {
	if c.state.Load() == cacheReady {
		return c.sum, true
	}
	return crypto.Hash256{}, false
}

func (c *hashCache) store(h crypto.Hash256) {
	if c.state.CompareAndSwap(cacheEmpty, cacheWriting) {
		c.sum = h
		c.state.Store(cacheReady)
	}
}

// reset forgets the hash. Callers must own the node exclusively.
func (c *hashCache) reset() { c.state.Store(cacheEmpty) }

// nibble returns the branch a key takes below the inner node at depth.
func nibble(key *crypto.Hash256, depth int) int {
	b := key[depth>>1]
	if depth&1 == 0 {
		return int(b >> 4)
	}
	return int(b & 0x0f)
}

// fold reports whether a non-root inner node n is redundant, and what should
// take its place in its parent: its only child if that is a leaf, or nothing
// if n is empty. An empty non-root node cannot occur in a canonical tree;
// folding it anyway keeps Delete correct if one ever did. A node with a
// single inner child is not redundant: that child separates two or more
// leaves that share this node's prefix.
func (n *inner) fold() (node, bool) {
	var only node
	for _, c := range n.children {
		if c == nil {
			continue
		}
		if only != nil {
			return nil, false
		}
		only = c
	}
	if _, isInner := only.(*inner); isInner {
		return nil, false
	}
	return only, true
}

func (n *inner) hash(kind LeafKind) crypto.Hash256 {
	if h, ok := n.cache.load(); ok {
		return h
	}
	h := n.computeHash(kind)
	n.cache.store(h)
	return h
}

func (n *inner) computeHash(kind LeafKind) crypto.Hash256 {
	var children [16]crypto.Hash256
	for i, c := range n.children {
		if c != nil {
			children[i] = c.hash(kind)
		}
	}
	return hashInner(&children)
}

// hashInner is the inner node hash over its 16 child hashes, zero for an
// empty branch.
func hashInner(children *[16]crypto.Hash256) crypto.Hash256 {
	var buf [4 + 16*32]byte
	copy(buf[:4], prefixInner[:])
	for i := range children {
		copy(buf[4+32*i:], children[i][:])
	}
	return crypto.SHA512Half(buf[:])
}

func (l *leaf) hash(kind LeafKind) crypto.Hash256 {
	if h, ok := l.cache.load(); ok {
		return h
	}
	h := LeafHash(kind, l.key, l.data)
	l.cache.store(h)
	return h
}
