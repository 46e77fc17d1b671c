package shamap

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"flag"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/crypto"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomized shamap tests (0 picks one from the clock)")

// testRand returns a generator for a randomized test and logs its seed so a
// failure can be replayed with -seed.
func testRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with: go test ./host/shamap -run '^%s$' -seed %d)", seed, t.Name(), seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

func mustHash(t testing.TB, s string) crypto.Hash256 {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad 32-byte hex %q: %v", s, err)
	}
	return crypto.Hash256(b)
}

type item struct {
	key  crypto.Hash256
	data []byte
}

// model is the obvious implementation the tree is checked against: a slice
// sorted by key.
type model []item

func (md model) index(k crypto.Hash256) (int, bool) {
	return slices.BinarySearchFunc(md, k, func(it item, k crypto.Hash256) int { return bytes.Compare(it.key[:], k[:]) })
}

func (md *model) put(k crypto.Hash256, data []byte) {
	i, ok := md.index(k)
	if ok {
		(*md)[i].data = slices.Clone(data)
		return
	}
	*md = slices.Insert(*md, i, item{k, slices.Clone(data)})
}

func (md *model) del(k crypto.Hash256) bool {
	i, ok := md.index(k)
	if ok {
		*md = slices.Delete(*md, i, i+1)
	}
	return ok
}

// referenceHash computes a root hash without the package's tree: it splits a
// sorted item list by nibble, recursively, and hashes with crypto/sha512 and
// literal prefixes. It shares no code with the implementation, so an error in
// either shows up as a mismatch.
func referenceHash(kind LeafKind, items []item) crypto.Hash256 {
	if len(items) == 0 {
		return crypto.Hash256{}
	}
	return referenceInner(kind, items, 0)
}

func referenceInner(kind LeafKind, items []item, depth int) crypto.Hash256 {
	buf := []byte("MIN\x00")
	for branch := range 16 {
		var group []item
		for _, it := range items {
			if refNibble(it.key, depth) == branch {
				group = append(group, it)
			}
		}
		var h crypto.Hash256
		switch len(group) {
		case 0:
		case 1:
			h = referenceLeaf(kind, group[0])
		default:
			h = referenceInner(kind, group, depth+1)
		}
		buf = append(buf, h[:]...)
	}
	return sha512Half(buf)
}

func referenceLeaf(kind LeafKind, it item) crypto.Hash256 {
	switch kind {
	case AccountState:
		return sha512Half(slices.Concat([]byte("MLN\x00"), it.data, it.key[:]))
	case TransactionWithMeta:
		return sha512Half(slices.Concat([]byte("SND\x00"), it.data, it.key[:]))
	case TransactionNoMeta:
		return sha512Half(slices.Concat([]byte("TXN\x00"), it.data))
	}
	panic("bad kind")
}

func refNibble(k crypto.Hash256, depth int) int {
	return int(k[depth/2]>>(4*(1-depth%2))) & 0xf
}

func sha512Half(b []byte) crypto.Hash256 {
	sum := sha512.Sum512(b)
	return crypto.Hash256(sum[:32])
}

// checkInvariants verifies the tree's structure: every leaf lies on its
// key's path, non-root inner nodes are not redundant (the canonical shape),
// Len is right, and every cached hash equals a fresh computation.
func checkInvariants(t testing.TB, m *Map) {
	t.Helper()
	if m.root == nil {
		t.Fatal("root is nil")
	}
	var leaves int
	var visit func(n *inner, depth int, prefix crypto.Hash256)
	visit = func(n *inner, depth int, prefix crypto.Hash256) {
		if depth > 0 {
			if _, redundant := n.fold(); redundant {
				t.Fatalf("non-canonical: inner node at depth %d, prefix %X, has no inner child and fewer than two leaves", depth, prefix[:(depth+1)/2])
			}
		}
		if h, ok := n.cache.load(); ok && h != n.computeHash(m.kind) {
			t.Fatalf("stale cached hash in inner node at depth %d", depth)
		}
		for b, c := range n.children {
			switch c := c.(type) {
			case *leaf:
				leaves++
				if !samePrefix(c.key, prefix, depth) || refNibble(c.key, depth) != b {
					t.Fatalf("leaf %X is misplaced at depth %d branch %d", c.key[:], depth, b)
				}
				if h, ok := c.cache.load(); ok && h != LeafHash(m.kind, c.key, c.data) {
					t.Fatalf("stale cached hash in leaf %X", c.key[:])
				}
			case *inner:
				if depth+1 >= maxDepth {
					t.Fatalf("inner node below depth %d", maxDepth-1)
				}
				p := prefix
				setNibble(&p, depth, b)
				visit(c, depth+1, p)
			}
		}
	}
	visit(m.root, 0, crypto.Hash256{})
	if leaves != m.Len() {
		t.Fatalf("Len() = %d but the tree holds %d leaves", m.Len(), leaves)
	}
}

func samePrefix(k, prefix crypto.Hash256, depth int) bool {
	for d := range depth {
		if refNibble(k, d) != refNibble(prefix, d) {
			return false
		}
	}
	return true
}

func setNibble(k *crypto.Hash256, depth, v int) {
	if depth%2 == 0 {
		k[depth/2] = k[depth/2]&0x0f | byte(v<<4)
	} else {
		k[depth/2] = k[depth/2]&0xf0 | byte(v)
	}
}

// checkAgainstModel verifies contents, order and root hash against a model.
func checkAgainstModel(t testing.TB, m *Map, md model) {
	t.Helper()
	checkInvariants(t, m)
	if m.Len() != len(md) {
		t.Fatalf("Len() = %d, want %d", m.Len(), len(md))
	}
	i := 0
	for k, v := range m.All() {
		if i >= len(md) || k != md[i].key || !bytes.Equal(v, md[i].data) {
			t.Fatalf("All() item %d = %X, does not match the model", i, k[:])
		}
		i++
	}
	if i != len(md) {
		t.Fatalf("All() yielded %d items, want %d", i, len(md))
	}
	for _, it := range md {
		if v, ok := m.Get(it.key); !ok || !bytes.Equal(v, it.data) {
			t.Fatalf("Get(%X) = %x, %v; want %x", it.key[:], v, ok, it.data)
		}
	}
	if got, want := m.Hash(), referenceHash(m.Kind(), md); got != want {
		t.Fatalf("Hash() = %X, reference implementation gives %X", got[:], want[:])
	}
}

func randomKey(r *rand.Rand) crypto.Hash256 {
	var k crypto.Hash256
	for i := 0; i < 32; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			k[i+j] = byte(v >> (8 * j))
		}
	}
	return k
}

func randomData(r *rand.Rand) []byte {
	d := make([]byte, 1+r.IntN(40))
	for i := range d {
		d[i] = byte(r.Uint32())
	}
	return d
}
