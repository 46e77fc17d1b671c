package crypto

import (
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// parseDERSignature decodes an ECDSA signature in strict DER,
//
//	30 len 02 lenR R 02 lenS S
//
// the only form rippled's isCanonicalECDSASig (and BIP 66) accept: every
// length in short form and exact, nothing after S, and R and S minimal
// positive integers in [1, n-1]. The low-S rule is the caller's.
//
// We parse by hand instead of using ecdsa.ParseDERSignature because that
// parser's notion of strictness is the library's to change, while this one is
// part of the protocol: a signature one node accepts and another rejects
// forks the ledger. Errors wrap ErrNonCanonical for a valid value in a
// non-unique encoding (long-form lengths, padding) and ErrBadSignature for
// the rest.
func parseDERSignature(sig []byte) (r, s secp256k1.ModNScalar, err error) {
	if len(sig) < 2 || sig[0] != 0x30 {
		return r, s, fmt.Errorf("%w: not a DER sequence", ErrBadSignature)
	}
	switch n := int(sig[1]); {
	case n >= 0x80:
		return r, s, fmt.Errorf("%w: long-form DER sequence length", ErrNonCanonical)
	case n != len(sig)-2:
		return r, s, fmt.Errorf("%w: DER sequence length %d, but %d bytes follow", ErrBadSignature, n, len(sig)-2)
	}
	rest := sig[2:]
	if r, rest, err = parseDERScalar(rest, "R"); err != nil {
		return r, s, err
	}
	if s, rest, err = parseDERScalar(rest, "S"); err != nil {
		return r, s, err
	}
	if len(rest) != 0 {
		return r, s, fmt.Errorf("%w: %d bytes after S", ErrBadSignature, len(rest))
	}
	return r, s, nil
}

// parseDERScalar decodes a DER INTEGER at the start of b that must hold a
// value in [1, n-1], and returns it with the bytes after it.
func parseDERScalar(b []byte, name string) (v secp256k1.ModNScalar, rest []byte, err error) {
	if len(b) < 2 || b[0] != 0x02 {
		return v, nil, fmt.Errorf("%w: %s is not a DER INTEGER", ErrBadSignature, name)
	}
	n := int(b[1])
	switch {
	case n >= 0x80:
		return v, nil, fmt.Errorf("%w: long-form length of %s", ErrNonCanonical, name)
	case n == 0:
		return v, nil, fmt.Errorf("%w: %s is empty", ErrBadSignature, name)
	case n > len(b)-2:
		return v, nil, fmt.Errorf("%w: %s is truncated", ErrBadSignature, name)
	}
	num, rest := b[2:2+n], b[2+n:]
	if num[0]&0x80 != 0 {
		return v, nil, fmt.Errorf("%w: %s is negative", ErrBadSignature, name)
	}
	if num[0] == 0 {
		if n == 1 {
			return v, nil, fmt.Errorf("%w: %s is zero", ErrBadSignature, name)
		}
		// A leading zero is needed only to keep a high first bit positive.
		if num[1]&0x80 == 0 {
			return v, nil, fmt.Errorf("%w: %s has a superfluous leading zero", ErrNonCanonical, name)
		}
		num = num[1:]
	}
	// Anything longer than 32 bytes is at least 2^256 > n; SetByteSlice
	// reports overflow for values in [n, 2^256).
	if len(num) > 32 || v.SetByteSlice(num) {
		return v, nil, fmt.Errorf("%w: %s is not below the curve order", ErrBadSignature, name)
	}
	return v, rest, nil
}
