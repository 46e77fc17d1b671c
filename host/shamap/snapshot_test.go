package shamap

import (
	"slices"
	"sync"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

func buildRandom(t testing.TB, n int) (*Map, model) {
	t.Helper()
	r := testRand(t)
	m, md := New(AccountState), model{}
	for range n {
		k, d := randomKey(r), randomData(r)
		m.Put(k, d)
		md.put(k, d)
	}
	return m, md
}

// mutate applies a mix of replaces, inserts and deletes to m and md alike.
func mutate(m *Map, md *model, salt byte) {
	for i := 0; i < len(*md); i += 7 {
		k := (*md)[i].key
		m.Put(k, []byte{salt, byte(i)})
		md.put(k, []byte{salt, byte(i)})
	}
	for i := 3; i < len(*md); i += 11 {
		k := (*md)[i].key
		m.Delete(k)
		md.del(k)
	}
	for i := range 50 {
		k := crypto.SHA512Half([]byte{salt, byte(i)})
		m.Put(k, k[:4])
		md.put(k, k[:4])
	}
}

func TestSnapshotIsIsolatedFromLaterChangesToTheOriginal(t *testing.T) {
	m, md := buildRandom(t, 1000)
	h := m.Hash()
	s := m.Snapshot()
	frozen := slices.Clone(md)

	mutate(m, &md, 1)
	checkAgainstModel(t, m, md)
	checkAgainstModel(t, s, frozen)
	if s.Hash() != h {
		t.Fatal("snapshot hash changed when the original was mutated")
	}
}

func TestOriginalIsIsolatedFromChangesToTheSnapshot(t *testing.T) {
	m, md := buildRandom(t, 1000)
	h := m.Hash()
	s := m.Snapshot()
	smd := slices.Clone(md)

	mutate(s, &smd, 2)
	checkAgainstModel(t, s, smd)
	checkAgainstModel(t, m, md)
	if m.Hash() != h {
		t.Fatal("original hash changed when the snapshot was mutated")
	}
}

// Snapshots of a tree whose hashes are not yet computed still diverge
// correctly: the shared dirty nodes are hashed once, by whichever map asks
// first, and copies made afterwards are hashed separately.
func TestSnapshotOfUnhashedTree(t *testing.T) {
	m, md := buildRandom(t, 500)
	s := m.Snapshot()
	smd := slices.Clone(md)
	mutate(m, &md, 3)
	mutate(s, &smd, 4)
	checkAgainstModel(t, s, smd)
	checkAgainstModel(t, m, md)
}

// The ledger pattern: each closed ledger keeps a snapshot while the next one
// is built from it. Every generation must keep its own contents and hash.
func TestChainOfSnapshotsKeepsEveryGeneration(t *testing.T) {
	m, md := buildRandom(t, 300)
	type generation struct {
		m    *Map
		md   model
		hash crypto.Hash256
	}
	var closed []generation
	for g := range 20 {
		h := m.Hash()
		closed = append(closed, generation{m.Snapshot(), slices.Clone(md), h})
		mutate(m, &md, byte(10+g))
	}
	for i, g := range closed {
		if g.m.Hash() != g.hash {
			t.Fatalf("generation %d: hash changed", i)
		}
		checkAgainstModel(t, g.m, g.md)
	}
	checkAgainstModel(t, m, md)
}

func TestSnapshotSharesNodesUntilWritten(t *testing.T) {
	m, _ := buildRandom(t, 1000)
	s := m.Snapshot()
	if s.root != m.root {
		t.Fatal("Snapshot copied the root; it must share it")
	}
	var k crypto.Hash256
	for key := range m.All() {
		k = key
		break
	}
	m.Put(k, []byte("changed"))
	if m.root == s.root {
		t.Fatal("writing through the original changed the shared root in place")
	}
	// Untouched subtrees stay shared.
	shared := 0
	for i := range m.root.children {
		if m.root.children[i] == s.root.children[i] {
			shared++
		}
	}
	if shared != 15 {
		t.Fatalf("%d of 15 untouched root branches still shared", shared)
	}
}

// Run with -race. Snapshots of one unhashed tree are read (Hash, Get, All,
// Proof) from several goroutines while other snapshots of it are mutated;
// the hash caches of the shared nodes are filled concurrently.
func TestConcurrentReadersOfSharedNodes(t *testing.T) {
	base, md := buildRandom(t, 2000)
	want := referenceHash(AccountState, md)
	readers := make([]*Map, 4)
	for i := range readers {
		readers[i] = base.Snapshot()
	}
	writers := make([]*Map, 2)
	for i := range writers {
		writers[i] = base.Snapshot()
	}

	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for _, r := range readers {
		for range 2 { // two goroutines per snapshot: concurrent reads of one map
			wg.Go(func() {
				if r.Hash() != want {
					errs <- "reader saw a wrong root hash"
				}
				for _, it := range md[:200] {
					p, err := r.Proof(it.key)
					if err != nil || VerifyProof(want, AccountState, it.key, it.data, p) != nil {
						errs <- "reader got a bad proof"
						return
					}
				}
				n := 0
				for range r.All() {
					n++
				}
				if n != len(md) {
					errs <- "reader iterated a wrong number of items"
				}
			})
		}
	}
	wmodels := make([]model, len(writers))
	for i, w := range writers {
		wmodels[i] = slices.Clone(md)
		wg.Go(func() {
			mutate(w, &wmodels[i], byte(100+i))
			w.Hash()
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i, w := range writers {
		checkAgainstModel(t, w, wmodels[i])
	}
	checkAgainstModel(t, base, md)
}
