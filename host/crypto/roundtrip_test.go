package crypto

import (
	"bytes"
	"encoding/binary"
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomized tests (0: derive one from the clock)")

// testRand returns a deterministic byte source for a randomized test and
// logs its seed, so a failure can be replayed with -seed.
func testRand(t *testing.T) *rand.ChaCha8 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("random seed %d (rerun with -seed %d)", seed, seed)
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return rand.NewChaCha8(key)
}

func TestRandomKeysSignAndVerifyOnBothCurves(t *testing.T) {
	rng := testRand(t)
	r := rand.New(rng)
	for i := range 50 {
		for _, kt := range []KeyType{Secp256k1, Ed25519} {
			seed, err := NewSeed(rng)
			if err != nil {
				t.Fatal(err)
			}
			back, backType, err := ParseSecret(EncodeSecret(seed, kt))
			if err != nil || back != seed || backType != kt {
				t.Fatalf("#%d %v: secret round trip = %X %v %v, want %X", i, kt, back, backType, err, seed)
			}
			kp, err := DeriveKeyPair(seed, kt)
			if err != nil {
				t.Fatal(err)
			}
			msg := make([]byte, r.IntN(300))
			rng.Read(msg)

			sig, err := kp.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(kp.PublicKey(), msg, sig); err != nil {
				t.Fatalf("#%d %v seed %X: own signature rejected: %v", i, kt, seed, err)
			}
			again, _ := kp.Sign(msg)
			if !bytes.Equal(sig, again) {
				t.Fatalf("#%d %v seed %X: signing is not deterministic", i, kt, seed)
			}

			bit := r.IntN(8 * len(sig))
			flipped := append([]byte{}, sig...)
			flipped[bit/8] ^= 1 << (bit % 8)
			if Verify(kp.PublicKey(), msg, flipped) == nil {
				t.Fatalf("#%d %v seed %X: signature with bit %d flipped verifies", i, kt, seed, bit)
			}
			longer := append(append([]byte{}, msg...), byte(r.Uint32()))
			if Verify(kp.PublicKey(), longer, sig) == nil {
				t.Fatalf("#%d %v seed %X: signature verifies a different message", i, kt, seed)
			}
		}
	}
}
