package blhr

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkRoot20000(b *testing.B) {
	ids := randomIDs(rand.New(rand.NewPCG(1, 2)), 20000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Root(ids); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProofFor(b *testing.B) {
	ids := randomIDs(rand.New(rand.NewPCG(1, 2)), 20000)
	id := ids[12345]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ProofFor(ids, id); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProofVerify(b *testing.B) {
	ids := randomIDs(rand.New(rand.NewPCG(1, 2)), 20000)
	root, _ := Root(ids)
	p, _ := ProofFor(ids, ids[12345])
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Verify(ids[12345], root); err != nil {
			b.Fatal(err)
		}
	}
}
