package crypto

import (
	"crypto/sha256"
	"crypto/sha512"

	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // RIPEMD-160 is part of the Jingtum address format.
)

// Hash256 is a 32-byte digest: SHA-512Half results, transaction ids, ledger
// indexes and tree hashes all have this shape.
type Hash256 [32]byte

// SHA512Half returns the first 32 bytes of SHA-512 over the concatenation of
// parts. It is the hash Jingtum (like rippled) uses for ids, trees and signing.
// Note it is not SHA-512/256, which uses a different initial value.
func SHA512Half(parts ...[]byte) Hash256 {
	h := sha512.New()
	for _, p := range parts {
		h.Write(p)
	}
	var sum [64]byte
	h.Sum(sum[:0])
	var out Hash256
	copy(out[:], sum[:32])
	return out
}

// Hash160 is RIPEMD-160(SHA-256(data)), the account id of a public key.
func Hash160(data []byte) [20]byte {
	s := sha256.Sum256(data)
	r := ripemd160.New()
	r.Write(s[:])
	var out [20]byte
	copy(out[:], r.Sum(nil))
	return out
}

func doubleSHA256(data []byte) [32]byte {
	a := sha256.Sum256(data)
	return sha256.Sum256(a[:])
}
