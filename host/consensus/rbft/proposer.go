package rbft

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// seedDomain prefixes every step of the seed chain (spec/rbft.md §2).
const seedDomain = "JT/seed"

// GenesisSeed is seed_1 = SHA-256("JT/seed" ‖ genesis_hash).
func GenesisSeed(genesisHash codec.Hash256) codec.Hash256 {
	h := sha256.New()
	h.Write([]byte(seedDomain))
	h.Write(genesisHash[:])
	return codec.Hash256(h.Sum(nil))
}

// NextSeed is seed_{h+1} = SHA-256("JT/seed" ‖ seed_h ‖ beta_h), where
// beta_h is the VRF output (ECVRF_proof_to_hash) of the proof in the block
// decided at h.
func NextSeed(seed codec.Hash256, beta []byte) codec.Hash256 {
	h := sha256.New()
	h.Write([]byte(seedDomain))
	h.Write(seed[:])
	h.Write(beta)
	return codec.Hash256(h.Sum(nil))
}

// FallbackBeta is the phase-1 beta_h = SHA-256(block_id_h), for chains
// without VRF proofs yet. Known weakness (spec/rbft.md §2): the creator of
// a block can grind the next height's proposer order by reordering its
// transactions.
func FallbackBeta(blockID codec.Hash256) []byte {
	s := sha256.Sum256(blockID[:])
	return s[:]
}

// Permutation returns perm_h for n validators and seed_h: a Fisher–Yates
// shuffle of 0..n−1 in which step i (from n−1 down to 1) swaps position i
// with j = U64(SHA-256(seed ‖ "perm" ‖ u32(i))[0:8]) mod (i+1), integers
// big-endian. It is exact: a draw at or above the largest multiple of i+1
// that fits in 64 bits is rejected and redrawn from
// SHA-256(seed ‖ "perm" ‖ u32(i) ‖ u32(k)) for k = 1, 2, … (for n ≤ 31 that
// happens with probability below 2⁻⁵⁹, so the result is the spec's
// formula in practice).
func Permutation(n int, seed codec.Hash256) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := n - 1; i >= 1; i-- {
		j := drawIndex(seed, uint32(i), uint64(i)+1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}

func drawIndex(seed codec.Hash256, i uint32, bound uint64) int {
	// limit is the largest multiple of bound not above 2^64; draws at or
	// above it would bias the result.
	limit := -(-bound % bound) // (2^64 − 2^64 mod bound) mod 2^64
	var buf [32 + 4 + 4 + 4]byte
	copy(buf[:], seed[:])
	copy(buf[32:], "perm")
	binary.BigEndian.PutUint32(buf[36:], i)
	in := buf[:40]
	for k := uint32(0); ; k++ {
		if k > 0 {
			binary.BigEndian.PutUint32(buf[40:], k)
			in = buf[:44]
		}
		sum := sha256.Sum256(in)
		x := binary.BigEndian.Uint64(sum[:8])
		if limit == 0 || x < limit {
			return int(x % bound)
		}
	}
}

// Proposer returns proposer(h, r) = perm_h[r mod n] for the validators of h
// and seed_h, as the engine computes it. Validators are taken in address
// order (the order StartHeight gives them in). It returns the zero account
// for a negative round or a set the engine would refuse: empty, larger than
// MaxValidators, or repeating an address.
func Proposer(validators []consensus.Validator, seed codec.Hash256, round int32) codec.AccountID {
	vals, ok := normalizeValidators(validators)
	if !ok || round < 0 {
		return codec.AccountID{}
	}
	perm := Permutation(len(vals), seed)
	return vals[perm[int(round)%len(vals)]].Address
}

// normalizeValidators returns the validators sorted by address, and false
// when the set is empty, larger than MaxValidators or repeats an address.
func normalizeValidators(in []consensus.Validator) ([]consensus.Validator, bool) {
	vals := slices.Clone(in)
	slices.SortFunc(vals, func(a, b consensus.Validator) int { return bytes.Compare(a.Address[:], b.Address[:]) })
	for i := 1; i < len(vals); i++ {
		if vals[i].Address == vals[i-1].Address {
			return nil, false
		}
	}
	return vals, len(vals) >= 1 && len(vals) <= MaxValidators
}

// thresholds returns f, Q and W for n equal-power validators.
func thresholds(n int) (f, q, w int) {
	f = (n - 1) / 3
	return f, n - f, f + 1
}
