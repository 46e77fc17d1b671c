package shamap

import (
	"math/rand/v2"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

// Benchmarks use a fixed seed so runs are comparable. Values are 120 bytes,
// the size of a typical AccountRoot entry.

const benchValueLen = 120

func benchKeys(n int) []crypto.Hash256 {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]crypto.Hash256, n)
	for i := range keys {
		keys[i] = randomKey(r)
	}
	return keys
}

func benchValue(seed int) []byte {
	v := make([]byte, benchValueLen)
	for i := range v {
		v[i] = byte(seed + i)
	}
	return v
}

func benchTree(b *testing.B, n int) (*Map, []crypto.Hash256) {
	b.Helper()
	keys := benchKeys(n)
	m := New(AccountState)
	for i, k := range keys {
		m.Put(k, benchValue(i))
	}
	m.Hash()
	return m, keys
}

// A ledger close: 1,000 account entries change in a 100k-entry state tree,
// then the new state root is computed. Only the changed paths are hashed.
func BenchmarkPut1000Into100kAndHash(b *testing.B) {
	m, keys := benchTree(b, 100_000)
	r := rand.New(rand.NewPCG(3, 4))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		for j := range 1000 {
			m.Put(keys[r.IntN(len(keys))], benchValue(i+j))
		}
		m.Hash()
	}
}

// Every node hashed once: 10,000 leaves plus their inner nodes, from an
// empty tree.
func BenchmarkHashFullBuild10k(b *testing.B) {
	keys := benchKeys(10_000)
	value := benchValue(0)
	for b.Loop() {
		m := New(AccountState)
		for _, k := range keys {
			m.Put(k, value)
		}
		m.Hash()
	}
}

func BenchmarkGet(b *testing.B) {
	m, keys := benchTree(b, 100_000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok := m.Get(keys[i%len(keys)]); !ok {
			b.Fatal("missing key")
		}
	}
}

// The cost of keeping the closed ledger while starting the next one: an O(1)
// snapshot, then the first write copies one path (about five inner nodes).
func BenchmarkSnapshotThenPut(b *testing.B) {
	m, keys := benchTree(b, 100_000)
	value := benchValue(1)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s := m.Snapshot()
		s.Put(keys[i%len(keys)], value)
	}
}

func BenchmarkProof(b *testing.B) {
	m, keys := benchTree(b, 100_000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := m.Proof(keys[i%len(keys)]); err != nil {
			b.Fatal(err)
		}
	}
}
