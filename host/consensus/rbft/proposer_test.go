package rbft

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

func TestSeedChainIsSHA256OfDomainAndInputs(t *testing.T) {
	genesis := codec.Hash256{1, 2, 3}
	want := sha256.Sum256(append([]byte("JT/seed"), genesis[:]...))
	if got := GenesisSeed(genesis); got != codec.Hash256(want) {
		t.Fatalf("seed_1 = %x, want %x", got, want)
	}
	beta := []byte("vrf output of the block decided at h")
	seed := GenesisSeed(genesis)
	want = sha256.Sum256(append(append([]byte("JT/seed"), seed[:]...), beta...))
	if got := NextSeed(seed, beta); got != codec.Hash256(want) {
		t.Fatalf("seed_2 = %x, want %x", got, want)
	}
	id := codec.Hash256{9}
	wantBeta := sha256.Sum256(id[:])
	if !slices.Equal(FallbackBeta(id), wantBeta[:]) {
		t.Fatalf("fallback beta is not SHA-256(block id)")
	}
}

// TestPermutationFollowsTheSpecFormula recomputes perm_h with the formula of
// spec/rbft.md §2, without rejection (which never triggers for these seeds).
func TestPermutationFollowsTheSpecFormula(t *testing.T) {
	for n := 1; n <= MaxValidators; n++ {
		for k := 0; k < 20; k++ {
			seed := codec.Hash256(sha256.Sum256([]byte{byte(n), byte(k)}))
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			for i := n - 1; i >= 1; i-- {
				in := append(append(append([]byte{}, seed[:]...), "perm"...), byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
				sum := sha256.Sum256(in)
				var x uint64
				for _, b := range sum[:8] {
					x = x<<8 | uint64(b)
				}
				j := int(x % uint64(i+1))
				want[i], want[j] = want[j], want[i]
			}
			if got := Permutation(n, seed); !slices.Equal(got, want) {
				t.Fatalf("n=%d seed %x: %v, want %v", n, seed[:4], got, want)
			}
		}
	}
}

func TestPermutationProperties(t *testing.T) {
	seed := GenesisSeed(codec.Hash256{7})
	for n := 1; n <= MaxValidators; n++ {
		vals := testValidators(n)
		perm := Permutation(n, seed)
		// Deterministic.
		if !slices.Equal(perm, Permutation(n, seed)) {
			t.Fatalf("n=%d: not deterministic", n)
		}
		// A permutation: every validator once.
		sorted := slices.Clone(perm)
		slices.Sort(sorted)
		for i, v := range sorted {
			if v != i {
				t.Fatalf("n=%d: %v is not a permutation", n, perm)
			}
		}
		// Every validator proposes exactly once in any n consecutive rounds.
		for start := int32(0); start < int32(3*n); start++ {
			seen := map[codec.AccountID]int{}
			for r := start; r < start+int32(n); r++ {
				seen[Proposer(vals, seed, r)]++
			}
			if len(seen) != n {
				t.Fatalf("n=%d rounds %d..%d: %d distinct proposers", n, start, start+int32(n)-1, len(seen))
			}
		}
	}
}

func TestPermutationDependsOnTheSeed(t *testing.T) {
	const n = 7
	first := map[int]int{}
	distinct := map[string]bool{}
	const seeds = 7000
	for k := 0; k < seeds; k++ {
		seed := NextSeed(codec.Hash256{}, []byte{byte(k), byte(k >> 8)})
		perm := Permutation(n, seed)
		first[perm[0]]++
		distinct[string(rune(perm[0]))+string(rune(perm[1]))+string(rune(perm[2]))] = true
	}
	// Every validator leads about 1/7 of the time (1000 ± 150 is > 4σ).
	for v := 0; v < n; v++ {
		if c := first[v]; c < 850 || c > 1150 {
			t.Errorf("validator %d proposes round 0 for %d of %d seeds", v, c, seeds)
		}
	}
	// All 7·6·5 = 210 prefixes of length 3 occur.
	if len(distinct) != 210 {
		t.Errorf("%d distinct 3-prefixes, want 210", len(distinct))
	}
}

func TestPermutationRejectionSampling(t *testing.T) {
	seed := codec.Hash256{42}
	for _, bound := range []uint64{1, 2, 3, 4, 7, 31, 32} {
		for i := uint32(0); i < 50; i++ {
			if j := drawIndex(seed, i, bound); j < 0 || uint64(j) >= bound {
				t.Fatalf("bound %d: drew %d", bound, j)
			}
		}
	}
	// With bound 2^63+1 about half the first draws are rejected; the
	// redraws must land below the bound, and differ from the biased
	// first draw reduced mod bound.
	const bound = 1<<63 + 1
	rejected := 0
	for i := uint32(0); i < 64; i++ {
		var in [40]byte
		copy(in[:], seed[:])
		copy(in[32:], "perm")
		binary.BigEndian.PutUint32(in[36:], i)
		sum := sha256.Sum256(in[:])
		first := binary.BigEndian.Uint64(sum[:8])
		j := uint64(drawIndex(seed, i, bound))
		if j >= bound {
			t.Fatalf("drew %d ≥ bound", j)
		}
		if first >= bound {
			rejected++
		} else if j != first {
			t.Fatalf("accepted first draw %d but returned %d", first, j)
		}
	}
	if rejected == 0 {
		t.Fatal("no draw was rejected: the test does not exercise rejection")
	}
}

func TestProposerSortsAndRefusesBadSets(t *testing.T) {
	vals := testValidators(5)
	shuffled := []consensus.Validator{vals[3], vals[0], vals[4], vals[2], vals[1]}
	seed := codec.Hash256{3}
	for r := int32(0); r < 10; r++ {
		if Proposer(shuffled, seed, r) != Proposer(vals, seed, r) {
			t.Fatalf("round %d: order of the input matters", r)
		}
	}
	var zero codec.AccountID
	for name, set := range map[string][]consensus.Validator{
		"empty":     nil,
		"duplicate": {vals[0], vals[1], vals[0]},
		"too large": testValidators(MaxValidators + 1),
	} {
		if got := Proposer(set, seed, 0); got != zero {
			t.Errorf("%s: proposer %x", name, got)
		}
	}
	if got := Proposer(vals, seed, -1); got != zero {
		t.Errorf("negative round: %x", got)
	}
}

func TestThresholds(t *testing.T) {
	for _, c := range []struct{ n, f, q, w int }{
		{1, 0, 1, 1}, {2, 0, 2, 1}, {3, 0, 3, 1}, {4, 1, 3, 2}, {7, 2, 5, 3}, {10, 3, 7, 4}, {31, 10, 21, 11},
	} {
		f, q, w := thresholds(c.n)
		if f != c.f || q != c.q || w != c.w {
			t.Errorf("n=%d: f=%d q=%d w=%d, want %d %d %d", c.n, f, q, w, c.f, c.q, c.w)
		}
		if q != 2*c.n/3+1 {
			t.Errorf("n=%d: Q=%d is not ⌊2n/3⌋+1", c.n, q)
		}
	}
}
