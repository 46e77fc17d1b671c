package crypto

import (
	"errors"
	"fmt"
	"math/big"
)

// Alphabet is Jingtum's base58 alphabet: rippled's with 'r' and 'j' swapped,
// which is why Jingtum addresses start with 'j'.
const Alphabet = "jpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65rkm8oFqi1tuvAxyz"

// Version prefixes of the base58check payloads.
var (
	VersionAccountID     = []byte{0x00} // addresses, "j..."
	VersionNodePublic    = []byte{0x1C} // node public keys, "n..."
	VersionSeedSecp256k1 = []byte{0x21} // family seeds, "s..."
	VersionSeedEd25519   = []byte{0x01, 0xE1, 0x4B}
)

// Errors returned by the base58check decoders.
var (
	ErrBadBase58   = errors.New("crypto: invalid base58 character")
	ErrBadChecksum = errors.New("crypto: base58 checksum mismatch")
	ErrBadVersion  = errors.New("crypto: unexpected version prefix")
	ErrBadLength   = errors.New("crypto: unexpected payload length")
)

var alphabetIndex = func() (idx [256]int8) {
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(Alphabet); i++ {
		idx[Alphabet[i]] = int8(i)
	}
	return idx
}()

// EncodeBase58 encodes b with the Jingtum alphabet; leading zero bytes become
// leading 'j' characters. Every address in every API response goes through
// here, so it divides by 58^5 on 32-bit limbs, five digits per pass, instead
// of one digit per pass over the bytes.
func EncodeBase58(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	rest := b[zeros:]
	// Big-endian 32-bit limbs of the number, most significant first.
	var limbBuf [16]uint32
	limbs := limbBuf[:0]
	if n := (len(rest) + 3) / 4; n > len(limbBuf) {
		limbs = make([]uint32, 0, n)
	}
	if head := len(rest) % 4; head != 0 {
		var w uint32
		for _, c := range rest[:head] {
			w = w<<8 | uint32(c)
		}
		limbs = append(limbs, w)
		rest = rest[head:]
	}
	for i := 0; i < len(rest); i += 4 {
		limbs = append(limbs, uint32(rest[i])<<24|uint32(rest[i+1])<<16|uint32(rest[i+2])<<8|uint32(rest[i+3]))
	}
	const pow5 = 58 * 58 * 58 * 58 * 58
	var digitBuf [64]byte
	digits := digitBuf[:0] // least significant first
	for len(limbs) > 0 {
		var rem uint64
		for i, w := range limbs {
			cur := rem<<32 | uint64(w)
			limbs[i] = uint32(cur / pow5)
			rem = cur % pow5
		}
		for len(limbs) > 0 && limbs[0] == 0 {
			limbs = limbs[1:]
		}
		for j := 0; j < 5; j++ {
			digits = append(digits, byte(rem%58))
			rem /= 58
		}
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	out := make([]byte, zeros+len(digits))
	for i := 0; i < zeros; i++ {
		out[i] = Alphabet[0]
	}
	for i, d := range digits {
		out[len(out)-1-i] = Alphabet[d]
	}
	return string(out)
}

// DecodeBase58 is the inverse of EncodeBase58.
func DecodeBase58(s string) ([]byte, error) {
	zeros := 0
	for zeros < len(s) && s[zeros] == Alphabet[0] {
		zeros++
	}
	n := new(big.Int)
	radix := big.NewInt(58)
	for i := zeros; i < len(s); i++ {
		d := alphabetIndex[s[i]]
		if d < 0 {
			return nil, fmt.Errorf("%w %q at position %d", ErrBadBase58, s[i], i)
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(d)))
	}
	body := n.Bytes()
	out := make([]byte, zeros+len(body))
	copy(out[zeros:], body)
	return out, nil
}

// EncodeCheck returns base58(version ‖ payload ‖ checksum), where checksum is
// the first 4 bytes of SHA-256(SHA-256(version ‖ payload)).
func EncodeCheck(version, payload []byte) string {
	buf := make([]byte, 0, len(version)+len(payload)+4)
	buf = append(buf, version...)
	buf = append(buf, payload...)
	sum := doubleSHA256(buf)
	buf = append(buf, sum[:4]...)
	return EncodeBase58(buf)
}

// DecodeCheck decodes a base58check string, verifies the checksum and the
// version prefix, and returns the payload, which must be size bytes long.
func DecodeCheck(s string, version []byte, size int) ([]byte, error) {
	raw, err := DecodeBase58(s)
	if err != nil {
		return nil, err
	}
	if len(raw) != len(version)+size+4 {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBadLength, len(raw), len(version)+size+4)
	}
	body, check := raw[:len(raw)-4], raw[len(raw)-4:]
	sum := doubleSHA256(body)
	if sum[0] != check[0] || sum[1] != check[1] || sum[2] != check[2] || sum[3] != check[3] {
		return nil, ErrBadChecksum
	}
	for i := range version {
		if body[i] != version[i] {
			return nil, ErrBadVersion
		}
	}
	return body[len(version):], nil
}
