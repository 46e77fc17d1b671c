package crypto

import (
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
)

// Seed is the 16 bytes of entropy every key pair is derived from. A secret
// ("s…" or "sEd…") is a seed in base58check form, tagged with a key type.
type Seed [16]byte

// KeyType names a signature scheme. The zero value is Secp256k1, the scheme
// of every Jingtum account created by jingtum-lib.
type KeyType uint8

// Key types. Their numbering matches rippled's KeyType enum.
const (
	Secp256k1 KeyType = iota
	Ed25519
)

// Errors of the seed and key parsers.
var (
	ErrBadSecret  = errors.New("crypto: invalid secret")
	ErrBadKeyType = errors.New("crypto: unknown key type")
)

// String returns the name the JS libraries and rippled's JSON use.
func (kt KeyType) String() string {
	switch kt {
	case Secp256k1:
		return "secp256k1"
	case Ed25519:
		return "ed25519"
	}
	return fmt.Sprintf("KeyType(%d)", uint8(kt))
}

// ParseKeyType is the inverse of KeyType.String.
func ParseKeyType(s string) (KeyType, error) {
	switch s {
	case "secp256k1":
		return Secp256k1, nil
	case "ed25519":
		return Ed25519, nil
	}
	return 0, fmt.Errorf("%w %q: want secp256k1 or ed25519", ErrBadKeyType, s)
}

// SeedFromPassphrase returns the first 16 bytes of SHA-512(p), as rippled's
// createSeedGeneric does for a passphrase. The genesis account's seed is
// SeedFromPassphrase(GenesisPassphrase).
func SeedFromPassphrase(p string) Seed {
	sum := sha512.Sum512([]byte(p))
	return Seed(sum[:16])
}

// NewSeed reads a fresh seed from r, or from crypto/rand.Reader if r is nil.
func NewSeed(r io.Reader) (Seed, error) {
	if r == nil {
		r = rand.Reader
	}
	var s Seed
	if _, err := io.ReadFull(r, s[:]); err != nil {
		return Seed{}, fmt.Errorf("crypto: read seed entropy: %w", err)
	}
	return s, nil
}

// EncodeSecret returns the secret form of seed for key type kt: "s…" (version
// 0x21) for secp256k1 and "sEd…" (version 01 E1 4B) for ed25519. It panics on
// an unknown key type, which is a programming error.
func EncodeSecret(seed Seed, kt KeyType) string {
	return EncodeCheck(seedVersion(kt), seed[:])
}

func seedVersion(kt KeyType) []byte {
	switch kt {
	case Secp256k1:
		return VersionSeedSecp256k1
	case Ed25519:
		return VersionSeedEd25519
	}
	panic(fmt.Sprintf("crypto: no secret encoding for %v", kt))
}

// Text lengths of the two secret forms: base58 of 1+16+4 and 3+16+4 bytes
// whose leading version bytes fix the number of digits.
const (
	secretLenSecp256k1 = 29
	secretLenEd25519   = 31
)

// ParseSecret decodes a secret in either form and reports which key type it
// is for. Errors wrap ErrBadSecret and, where there is one, the base58
// sentinel naming the problem (ErrBadBase58, ErrBadChecksum, ErrBadLength).
// The secret is never quoted in the error text.
func ParseSecret(s string) (Seed, KeyType, error) {
	// Every secp256k1 secret is 29 characters and every ed25519 one 31.
	// Checking first also keeps the quadratic base58 decoder away from long
	// input, which matters because secrets arrive over the RPC API.
	if len(s) != secretLenSecp256k1 && len(s) != secretLenEd25519 {
		return Seed{}, 0, fmt.Errorf("%w: %w: %d characters, want %d (secp256k1) or %d (ed25519)",
			ErrBadSecret, ErrBadLength, len(s), secretLenSecp256k1, secretLenEd25519)
	}
	raw, err := DecodeBase58(s)
	if err != nil {
		return Seed{}, 0, fmt.Errorf("%w: %w", ErrBadSecret, err)
	}
	// The decoded length tells the two forms apart: a 1-byte and a 3-byte
	// version prefix. The "sEd" text prefix alone would not, because some
	// secp256k1 secrets also start with it.
	var kt KeyType
	switch len(raw) {
	case len(VersionSeedSecp256k1) + len(Seed{}) + 4:
		kt = Secp256k1
	case len(VersionSeedEd25519) + len(Seed{}) + 4:
		kt = Ed25519
	default:
		return Seed{}, 0, fmt.Errorf("%w: %w: %d bytes decoded, want 21 (secp256k1) or 23 (ed25519)",
			ErrBadSecret, ErrBadLength, len(raw))
	}
	payload, err := DecodeCheck(s, seedVersion(kt), len(Seed{}))
	if err != nil {
		return Seed{}, 0, fmt.Errorf("%w: %w", ErrBadSecret, err)
	}
	return Seed(payload), kt, nil
}
