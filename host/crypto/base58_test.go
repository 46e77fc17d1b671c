package crypto

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// referenceBase58 is the textbook big-integer encoding, written differently
// from EncodeBase58 on purpose.
func referenceBase58(b []byte) string {
	n := new(big.Int).SetBytes(b)
	var out []byte
	for n.Sign() > 0 {
		m := new(big.Int)
		n.DivMod(n, big.NewInt(58), m)
		out = append([]byte{Alphabet[m.Int64()]}, out...)
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append([]byte{Alphabet[0]}, out...)
	}
	return string(out)
}

func TestEncodeBase58MatchesTheBigIntegerDefinition(t *testing.T) {
	rng := testRand(t)
	r := rand.New(rng)
	for i := 0; i < 5000; i++ {
		b := make([]byte, r.IntN(70))
		rng.Read(b)
		for j := 0; j < r.IntN(4) && j < len(b); j++ {
			b[j] = 0 // leading zeros
		}
		got := EncodeBase58(b)
		if want := referenceBase58(b); got != want {
			t.Fatalf("EncodeBase58(%X) = %s, want %s", b, got, want)
		}
		back, err := DecodeBase58(got)
		if err != nil || string(back) != string(b) {
			t.Fatalf("round trip of %X: %X, %v", b, back, err)
		}
	}
}

func BenchmarkEncodeAddress(b *testing.B) {
	id := AccountID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	b.ReportAllocs()
	for b.Loop() {
		_ = id.String()
	}
}
