package blhr

import (
	"encoding/binary"
	"flag"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomized blhr tests (0: derive one from the clock)")

// testRand returns a deterministic generator for a randomized test and logs
// its seed, so a failure can be replayed with -seed.
func testRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("random seed %d (rerun with -seed %d)", seed, seed)
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return rand.New(rand.NewChaCha8(key))
}

const testChain = "jtchain-test"

func testKey(t testing.TB, name string, kt crypto.KeyType) crypto.KeyPair {
	t.Helper()
	kp, err := crypto.DeriveKeyPair(crypto.SeedFromPassphrase(name), kt)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func randomIDs(r *rand.Rand, n int) []codec.Hash256 {
	ids := make([]codec.Hash256, n)
	for i := range ids {
		for j := 0; j < 32; j += 8 {
			binary.LittleEndian.PutUint64(ids[i][j:], r.Uint64())
		}
	}
	return ids
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func mustRecord(t testing.TB, tag string, data []byte) Record {
	t.Helper()
	r, err := NewRecord(tag, data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustSign(t testing.TB, r Record, kp crypto.KeyPair) Record {
	t.Helper()
	s, err := Sign(r, testChain, kp)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
