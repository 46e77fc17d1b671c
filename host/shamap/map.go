package shamap

import (
	"fmt"
	"slices"

	"github.com/jtchain/jtchain/host/crypto"
)

// Map is a SHAMap: a set of (key, data) items with a Merkle root hash. The
// zero value is not usable; call New. See the package documentation for the
// concurrency rules.
type Map struct {
	kind  LeafKind
	root  *inner // never nil; an empty tree is a root with no children
	count int
	owner *owner // nodes carrying this token may be changed in place
}

// New returns an empty tree whose leaves are hashed as kind. It panics on an
// undefined kind: the kind is always a constant chosen by the programmer.
func New(kind LeafKind) *Map {
	if !kind.Valid() {
		panic(fmt.Sprintf("shamap: New with undefined %v", kind))
	}
	o := new(owner)
	return &Map{kind: kind, root: &inner{owner: o}, owner: o}
}

// Kind returns how the tree hashes its leaves.
func (m *Map) Kind() LeafKind { return m.kind }

// Len returns the number of items.
func (m *Map) Len() int { return m.count }

// Hash returns the root hash: 32 zero bytes for an empty tree, otherwise the
// hash of the root inner node. Only nodes changed since they were last
// hashed are hashed again.
func (m *Map) Hash() crypto.Hash256 {
	if m.count == 0 {
		return crypto.Hash256{}
	}
	return m.root.hash(m.kind)
}

// Get returns the data stored under key. The slice aliases the tree (and any
// snapshots sharing it) and must not be modified.
func (m *Map) Get(key crypto.Hash256) ([]byte, bool) {
	if l := m.find(&key); l != nil {
		return l.data, true
	}
	return nil, false
}

// Has reports whether key is present.
func (m *Map) Has(key crypto.Hash256) bool { return m.find(&key) != nil }

func (m *Map) find(key *crypto.Hash256) *leaf {
	n := m.root
	for depth := 0; ; depth++ {
		switch c := n.children[nibble(key, depth)].(type) {
		case nil:
			return nil
		case *leaf:
			if c.key == *key {
				return c
			}
			return nil
		case *inner:
			n = c
		}
	}
}

// Put stores a copy of data under key, replacing any previous value. The
// caller keeps ownership of data and may reuse the buffer.
func (m *Map) Put(key crypto.Hash256, data []byte) {
	m.PutOwned(key, slices.Clip(slices.Clone(data)))
}

// PutOwned is Put without the copy: the map takes ownership of data, and the
// caller must never modify it afterwards. The ledger uses it for bytes it has
// just encoded, saving a copy of every written entry and transaction.
func (m *Map) PutOwned(key crypto.Hash256, data []byte) {
	lf := &leaf{key: key, data: data}
	n := m.writable(m.root)
	m.root = n
	for depth := 0; ; depth++ {
		b := nibble(&key, depth)
		switch c := n.children[b].(type) {
		case nil:
			n.children[b] = lf
			m.count++
			return
		case *leaf:
			if c.key == key {
				n.children[b] = lf
				return
			}
			m.split(n, b, depth+1, c, lf)
			m.count++
			return
		case *inner:
			w := m.writable(c)
			n.children[b] = w
			n = w
		}
	}
}

// split replaces the leaf old in parent.children[slot] by a chain of new inner
// nodes, starting at depth, that ends where old's key and lf's key take
// different branches. This is what keeps a leaf at the shallowest depth that
// tells it apart from its neighbours.
func (m *Map) split(parent *inner, slot, depth int, old, lf *leaf) {
	for {
		n := &inner{owner: m.owner}
		parent.children[slot] = n
		a, b := nibble(&old.key, depth), nibble(&lf.key, depth)
		if a != b {
			n.children[a] = old
			n.children[b] = lf
			return
		}
		parent, slot = n, a
		depth++
	}
}

// Delete removes key and reports whether it was present. Inner nodes left
// holding a single leaf are folded away, bottom up, so the tree is the one
// Put would have built from the remaining keys.
func (m *Map) Delete(key crypto.Hash256) bool {
	// Find the leaf first so a miss copies and invalidates nothing.
	n, depth := m.root, 0
	for {
		c := n.children[nibble(&key, depth)]
		if l, ok := c.(*leaf); ok && l.key == key {
			break
		}
		next, ok := c.(*inner)
		if !ok {
			return false
		}
		n = next
		depth++
	}

	// path[d] is the writable inner node at depth d on the way to the leaf.
	var path [maxDepth]*inner
	path[0] = m.writable(m.root)
	m.root = path[0]
	for d := 0; d < depth; d++ {
		b := nibble(&key, d)
		w := m.writable(path[d].children[b].(*inner))
		path[d].children[b] = w
		path[d+1] = w
	}
	path[depth].children[nibble(&key, depth)] = nil
	m.count--

	for d := depth; d > 0; d-- {
		replacement, ok := path[d].fold()
		if !ok {
			break
		}
		path[d-1].children[nibble(&key, d-1)] = replacement
	}
	return true
}

// writable returns n if this map owns it, with its hash cache cleared since
// the caller is about to change it, or else an owned copy of n.
func (m *Map) writable(n *inner) *inner {
	if n.owner == m.owner {
		n.cache.reset()
		return n
	}
	return &inner{owner: m.owner, children: n.children}
}

// Snapshot returns an independent copy of the tree in O(1). The two maps
// share all nodes until one of them changes a node, which it then copies
// first; neither ever sees the other's changes. Snapshot takes a new owner
// token for m as well, so it counts as a write to m's bookkeeping: it must
// not run concurrently with a mutation of m or another Snapshot of m.
//
// Hash caches live in the shared nodes, so a hash computed through either
// map is reused by the other.
func (m *Map) Snapshot() *Map {
	m.owner = new(owner)
	return &Map{kind: m.kind, root: m.root, count: m.count, owner: new(owner)}
}
