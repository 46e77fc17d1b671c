// Package vrf is the verifiable random function of RBFT's proposer
// selection: ECVRF-EDWARDS25519-SHA512-ELL2 (RFC 9381). A block's creator
// proves a VRF output over the previous seed; anyone can verify it, nobody
// can predict it, and the creator can only publish or withhold it.
//
// Every validator has a VRF key separate from its signing key; it is derived
// from the node seed under its own domain, so a node key file holds both.
// The package is pure: no I/O, no clock, no randomness (proofs are
// deterministic).
package vrf

import (
	"errors"
	"fmt"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519/extra/ecvrf"

	"github.com/jtchain/jtchain/host/crypto"
)

// Sizes of keys, proofs and outputs.
const (
	PublicKeySize = ed25519.PublicKeySize
	ProofSize     = ecvrf.ProofSize
	OutputSize    = ecvrf.OutputSize
)

// ErrBadProof is wrapped by every verification failure.
var ErrBadProof = errors.New("vrf: invalid proof")

// PrivateKey is a VRF secret key.
type PrivateKey struct{ sk ed25519.PrivateKey }

// KeyFromNodeSeed derives a validator's VRF key from its node seed, under a
// domain of its own so it shares nothing usable with the signing key.
func KeyFromNodeSeed(seed crypto.Seed) PrivateKey {
	s := crypto.SHA512Half([]byte("JT/vrf-key/v1"), seed[:])
	return PrivateKey{sk: ed25519.NewKeyFromSeed(s[:])}
}

// PrivateKeyFromEd25519Seed makes a key from a 32-byte ed25519 seed (tests
// and the RFC vectors use it).
func PrivateKeyFromEd25519Seed(seed []byte) (PrivateKey, error) {
	if len(seed) != ed25519.SeedSize {
		return PrivateKey{}, fmt.Errorf("vrf: seed of %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	return PrivateKey{sk: ed25519.NewKeyFromSeed(seed)}, nil
}

// Public returns the 32-byte public key.
func (k PrivateKey) Public() []byte {
	return append([]byte(nil), k.sk.Public().(ed25519.PublicKey)...)
}

// Prove returns the proof over alpha and its output (beta).
func (k PrivateKey) Prove(alpha []byte) (proof, beta []byte) {
	proof = ecvrf.Prove(k.sk, alpha)
	beta, err := ecvrf.ProofToHash(proof)
	if err != nil {
		// A proof this package just made always decodes.
		panic("vrf: own proof does not decode: " + err.Error())
	}
	return proof, beta
}

// Verify checks proof over alpha under pub and returns the output.
func Verify(pub, proof, alpha []byte) ([]byte, error) {
	if len(pub) != PublicKeySize {
		return nil, fmt.Errorf("%w: public key of %d bytes", ErrBadProof, len(pub))
	}
	if len(proof) != ProofSize {
		return nil, fmt.Errorf("%w: proof of %d bytes", ErrBadProof, len(proof))
	}
	ok, beta := ecvrf.Verify(ed25519.PublicKey(pub), proof, alpha)
	if !ok {
		return nil, ErrBadProof
	}
	return beta, nil
}

// ProofToHash returns the output (beta) of a proof without verifying it;
// use it only for proofs already verified, such as those in stored blocks.
func ProofToHash(proof []byte) ([]byte, error) {
	if len(proof) != ProofSize {
		return nil, fmt.Errorf("%w: proof of %d bytes", ErrBadProof, len(proof))
	}
	beta, err := ecvrf.ProofToHash(proof)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadProof, err)
	}
	return beta, nil
}
