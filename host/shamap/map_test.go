package shamap

import (
	"bytes"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

func TestGetReturnsWhatPutStored(t *testing.T) {
	m := New(AccountState)
	a, b := crypto.Hash256{0x10}, crypto.Hash256{0x20}
	m.Put(a, []byte("alpha"))
	m.Put(b, []byte("beta"))
	if v, ok := m.Get(a); !ok || string(v) != "alpha" {
		t.Fatalf("Get(a) = %q, %v", v, ok)
	}
	if v, ok := m.Get(crypto.Hash256{0x30}); ok || v != nil {
		t.Fatalf("Get(absent) = %q, %v; want nil, false", v, ok)
	}
	if !m.Has(b) || m.Has(crypto.Hash256{0x11}) {
		t.Fatal("Has disagrees with contents")
	}
	if m.Len() != 2 {
		t.Fatalf("Len() = %d, want 2", m.Len())
	}
}

func TestPutReplacesValueWithoutChangingLen(t *testing.T) {
	m := New(AccountState)
	k := crypto.Hash256{0xab}
	m.Put(k, []byte("old"))
	before := m.Hash()
	m.Put(k, []byte("new"))
	if v, _ := m.Get(k); string(v) != "new" {
		t.Fatalf("Get after replace = %q", v)
	}
	if m.Len() != 1 {
		t.Fatalf("Len() = %d after replace, want 1", m.Len())
	}
	if m.Hash() == before {
		t.Fatal("root hash did not change when the value did")
	}
	m.Put(k, []byte("old"))
	if m.Hash() != before {
		t.Fatal("restoring the old value did not restore the old root hash")
	}
}

func TestPutCopiesCallerBuffer(t *testing.T) {
	m := New(AccountState)
	buf := []byte("value")
	m.Put(crypto.Hash256{1}, buf)
	h := m.Hash()
	buf[0] = 'X'
	if v, _ := m.Get(crypto.Hash256{1}); string(v) != "value" {
		t.Fatalf("stored data changed with the caller's buffer: %q", v)
	}
	if m.Hash() != h {
		t.Fatal("root hash changed with the caller's buffer")
	}
}

func TestDeleteOfAbsentKeyChangesNothing(t *testing.T) {
	m := New(AccountState)
	m.Put(mustHash(t, "b92891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8"), []byte{1})
	m.Put(mustHash(t, "b92881fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8"), []byte{2})
	h := m.Hash()
	s := m.Snapshot()
	absent := []crypto.Hash256{
		{},           // empty branch at the root
		{0xb9, 0x28}, // branch holds an inner node, then a mismatch below
		mustHash(t, "b92891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca9"), // same leaf slot, different key
	}
	for _, k := range absent {
		if m.Delete(k) {
			t.Fatalf("Delete(%X) = true for an absent key", k[:])
		}
	}
	if m.Hash() != h || m.Len() != 2 {
		t.Fatal("a missed Delete changed the tree")
	}
	if m.root != s.root {
		t.Fatal("a missed Delete copied the root: misses must not copy-on-write")
	}
}

func TestInsertionOrderDoesNotChangeTheTree(t *testing.T) {
	r := testRand(t)
	var md model
	for range 2000 {
		md.put(randomKey(r), randomData(r))
	}
	// Keys sharing long prefixes make the deep shapes order-sensitive if
	// anything is wrong.
	base := md[0].key
	for i := range 40 {
		k := base
		k[31-i%32] ^= byte(1 + i)
		md.put(k, []byte{byte(i)})
	}
	want := referenceHash(AccountState, md)
	for round := range 5 {
		m := New(AccountState)
		for _, i := range r.Perm(len(md)) {
			m.Put(md[i].key, md[i].data)
		}
		if got := m.Hash(); got != want {
			t.Fatalf("round %d: root %X, want %X", round, got[:], want[:])
		}
		checkInvariants(t, m)
	}
}

func TestDeleteRestoresPreviousRootHash(t *testing.T) {
	r := testRand(t)
	m := New(AccountState)
	for range 1000 {
		m.Put(randomKey(r), randomData(r))
	}
	for range 200 {
		before := m.Hash()
		k := randomKey(r)
		// Half the time the new key shares a long prefix with an existing
		// leaf, forcing a split several levels deep.
		if r.IntN(2) == 0 {
			for existing := range m.After(k) {
				k = existing
				k[20+r.IntN(12)] ^= byte(1 + r.IntN(255))
				break
			}
		}
		if m.Has(k) {
			continue
		}
		m.Put(k, randomData(r))
		if m.Hash() == before {
			t.Fatal("insert did not change the root hash")
		}
		if !m.Delete(k) {
			t.Fatalf("Delete(%X) = false after Put", k[:])
		}
		if got := m.Hash(); got != before {
			t.Fatalf("root after insert+delete of %X is %X, was %X", k[:], got[:], before[:])
		}
	}
	checkInvariants(t, m)
}

func TestRandomPutsAndDeletesMatchModel(t *testing.T) {
	r := testRand(t)
	m, md := New(TransactionWithMeta), model{}
	keys := make([]crypto.Hash256, 300) // a small pool, so deletes and replaces hit
	for i := range keys {
		keys[i] = randomKey(r)
		if i > 0 && r.IntN(3) == 0 { // a near neighbour of the previous key
			keys[i] = keys[i-1]
			keys[i][r.IntN(32)] ^= byte(1 + r.IntN(255))
		}
	}
	for step := range 5000 {
		k := keys[r.IntN(len(keys))]
		if r.IntN(3) == 0 {
			if got, want := m.Delete(k), md.del(k); got != want {
				t.Fatalf("step %d: Delete = %v, model says %v", step, got, want)
			}
		} else {
			d := randomData(r)
			m.Put(k, d)
			md.put(k, d)
		}
		if step%500 == 0 {
			checkAgainstModel(t, m, md)
		}
	}
	checkAgainstModel(t, m, md)
}

func TestKeysDifferingOnlyInLastNibble(t *testing.T) {
	a := mustHash(t, "3333333333333333333333333333333333333333333333333333333333333330")
	b := mustHash(t, "3333333333333333333333333333333333333333333333333333333333333331")
	c := mustHash(t, "333333333333333333333333333333333333333333333333333333333333333f")
	m := New(AccountState)
	m.Put(a, []byte("a"))
	m.Put(b, []byte("b"))
	m.Put(c, []byte("c"))
	checkAgainstModel(t, m, model{{a, []byte("a")}, {b, []byte("b")}, {c, []byte("c")}})
	if depth := leafDepth(m, b); depth != maxDepth {
		t.Fatalf("leaf depth %d, want %d: keys sharing 63 nibbles must hang from a 63-deep chain", depth, maxDepth)
	}
	p, err := m.Proof(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyProof(m.Hash(), AccountState, b, []byte("b"), p); err != nil {
		t.Fatalf("proof of a depth-64 leaf: %v", err)
	}

	m.Delete(a)
	m.Delete(c)
	// The whole chain folds away; b moves up to the root.
	if depth := leafDepth(m, b); depth != 1 {
		t.Fatalf("after deleting its neighbours the leaf sits at depth %d, want 1", depth)
	}
	checkAgainstModel(t, m, model{{b, []byte("b")}})
}

func TestChainCollapsesOnlyUpToTheNextBranching(t *testing.T) {
	// x and y share 10 nibbles, z shares 3 with them: deleting y folds x up
	// to depth 4, directly below the node where z branches off.
	x := mustHash(t, "1234567890a00000000000000000000000000000000000000000000000000000")
	y := mustHash(t, "1234567890b00000000000000000000000000000000000000000000000000000")
	z := mustHash(t, "123f000000000000000000000000000000000000000000000000000000000000")
	m := New(AccountState)
	for _, k := range []crypto.Hash256{x, y, z} {
		m.Put(k, k[:])
	}
	if d := leafDepth(m, x); d != 11 {
		t.Fatalf("x at depth %d, want 11", d)
	}
	m.Delete(y)
	if d := leafDepth(m, x); d != 4 {
		t.Fatalf("after deleting y, x at depth %d, want 4", d)
	}
	checkAgainstModel(t, m, model{{x, x[:]}, {z, z[:]}})
}

// leafDepth returns the depth of key's leaf, or -1.
func leafDepth(m *Map, key crypto.Hash256) int {
	n := m.root
	for depth := 0; ; depth++ {
		switch c := n.children[nibble(&key, depth)].(type) {
		case *leaf:
			if c.key == key {
				return depth + 1
			}
			return -1
		case *inner:
			n = c
		default:
			return -1
		}
	}
}

// Hash must re-hash only what changed. After changing a few leaves of a large
// hashed tree, the nodes without a valid cache must be exactly the new
// leaves and the inner nodes on their paths; everything else keeps its
// cached hash, so Hash does work proportional to the change.
func TestHashRehashesOnlyChangedPaths(t *testing.T) {
	r := testRand(t)
	m := New(AccountState)
	var keys []crypto.Hash256
	for range 20000 {
		k := randomKey(r)
		keys = append(keys, k)
		m.Put(k, randomData(r))
	}
	m.Hash()
	if n := countUncached(m.root); n != 0 {
		t.Fatalf("%d nodes uncached after Hash", n)
	}

	onPath := map[*inner]bool{}
	changed := map[crypto.Hash256]bool{}
	for range 100 {
		k := keys[r.IntN(len(keys))]
		m.Put(k, randomData(r))
		changed[k] = true
	}
	for k := range changed {
		n := m.root
		for depth := 0; n != nil; depth++ {
			onPath[n] = true
			n, _ = n.children[nibble(&k, depth)].(*inner)
		}
	}
	if got, want := countUncached(m.root), len(onPath)+len(changed); got != want {
		t.Fatalf("%d nodes need hashing after changing %d leaves, want %d (%d path inner nodes + the leaves)", got, len(changed), want, len(onPath))
	}
	m.Hash()
	if n := countUncached(m.root); n != 0 {
		t.Fatalf("%d nodes uncached after the second Hash", n)
	}
}

func countUncached(n *inner) int {
	count := 0
	if _, ok := n.cache.load(); !ok {
		count++
	}
	for _, c := range n.children {
		switch c := c.(type) {
		case *leaf:
			if _, ok := c.cache.load(); !ok {
				count++
			}
		case *inner:
			count += countUncached(c)
		}
	}
	return count
}

func TestEmptyValueIsStoredAndHashed(t *testing.T) {
	m := New(AccountState)
	m.Put(crypto.Hash256{7}, nil)
	v, ok := m.Get(crypto.Hash256{7})
	if !ok || len(v) != 0 {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	checkAgainstModel(t, m, model{{crypto.Hash256{7}, nil}})
}

func TestDeletingEverythingLeavesAnEmptyUsableTree(t *testing.T) {
	r := testRand(t)
	m := New(AccountState)
	var keys []crypto.Hash256
	for range 500 {
		k := randomKey(r)
		keys = append(keys, k)
		m.Put(k, k[:])
	}
	for _, i := range r.Perm(len(keys)) {
		m.Delete(keys[i])
	}
	if m.Len() != 0 || m.Hash() != (crypto.Hash256{}) || m.root.children != [16]node{} {
		t.Fatalf("after deleting all: Len %d, Hash %X", m.Len(), m.Hash())
	}
	m.Put(keys[0], []byte("again"))
	if v, _ := m.Get(keys[0]); !bytes.Equal(v, []byte("again")) {
		t.Fatal("tree unusable after being emptied")
	}
	checkAgainstModel(t, m, model{{keys[0], []byte("again")}})
}
