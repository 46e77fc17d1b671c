package crypto

import (
	"encoding/binary"
	"errors"
	"sync"
	"testing"
)

func TestVerifyCacheVerifiesOnceThenAnswersFromMemory(t *testing.T) {
	pub, msg, sig := secpVector(t)
	txID := SHA512Half([]byte("TXN\x00"), mustHex(t, txVectors[0].blobHex))
	c := NewVerifyCache(100)

	for i := range 3 {
		if err := c.Verify(txID, pub, msg, sig); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if c.Misses() != 1 || c.Hits() != 2 || c.Len() != 1 {
		t.Errorf("after 3 calls: misses %d, hits %d, len %d; want 1, 2, 1", c.Misses(), c.Hits(), c.Len())
	}
}

func TestVerifyCacheDoesNotRememberFailures(t *testing.T) {
	pub, msg, sig := secpVector(t)
	bad := append([]byte{}, sig...)
	bad[len(bad)-1] ^= 1
	c := NewVerifyCache(100)
	var h Hash256

	for range 2 {
		if err := c.Verify(h, pub, msg, bad); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify(bad) = %v, want %v", err, ErrBadSignature)
		}
	}
	if c.Len() != 0 || c.Misses() != 2 || c.Hits() != 0 {
		t.Errorf("after 2 failures: len %d, misses %d, hits %d; want 0, 2, 0", c.Len(), c.Misses(), c.Hits())
	}
	// The same hash verifies once a good signature is presented.
	if err := c.Verify(h, pub, msg, sig); err != nil || c.Len() != 1 {
		t.Errorf("Verify(good) = %v, len %d", err, c.Len())
	}
}

func TestVerifyCacheStaysWithinCapacity(t *testing.T) {
	pub, msg, sig := edVector(t) // the fastest valid signature to check
	for _, capacity := range []int{0, 1, 2, 3, 10} {
		c := NewVerifyCache(capacity)
		limit := max(capacity, 2)
		for i := range 25 {
			if err := c.Verify(hashOf(i), pub, msg, sig); err != nil {
				t.Fatal(err)
			}
			if c.Len() > limit {
				t.Fatalf("capacity %d: Len %d after %d inserts", capacity, c.Len(), i+1)
			}
		}
		if c.Len() < limit/2 {
			t.Errorf("capacity %d: only %d entries kept", capacity, c.Len())
		}
	}
}

func TestVerifyCacheKeepsEntriesThatAreStillBeingSeen(t *testing.T) {
	pub, msg, sig := edVector(t)
	c := NewVerifyCache(4) // generations of 2
	hot := hashOf(-1)
	mustVerify(t, c, hot, pub, msg, sig)
	// Each round adds a new hash and touches the hot one; two rounds fill a
	// generation, so without promotion the hot entry would be dropped.
	for i := range 10 {
		mustVerify(t, c, hashOf(i), pub, msg, sig)
		misses := c.Misses()
		mustVerify(t, c, hot, pub, msg, sig)
		if c.Misses() != misses {
			t.Fatalf("round %d: the hot entry was evicted", i)
		}
	}
	// A cold entry does age out.
	misses := c.Misses()
	mustVerify(t, c, hashOf(0), pub, msg, sig)
	if c.Misses() != misses+1 {
		t.Errorf("an entry untouched for 9 rounds is still cached")
	}
}

func TestVerifyCacheIsSafeForConcurrentUse(t *testing.T) {
	pub, msg, sig := edVector(t)
	c := NewVerifyCache(64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if err := c.Verify(hashOf((g*7+i)%100), pub, msg, sig); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if c.Hits()+c.Misses() != 8*200 || c.Len() > 64 {
		t.Errorf("hits %d + misses %d, len %d", c.Hits(), c.Misses(), c.Len())
	}
}

func hashOf(i int) Hash256 {
	var h Hash256
	binary.BigEndian.PutUint64(h[:], uint64(i))
	return h
}

func mustVerify(t *testing.T, c *VerifyCache, h Hash256, pub, msg, sig []byte) {
	t.Helper()
	if err := c.Verify(h, pub, msg, sig); err != nil {
		t.Fatal(err)
	}
}
