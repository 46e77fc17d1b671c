package crypto

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// AccountID is the 20-byte identifier of an account: RIPEMD-160(SHA-256(public key)).
type AccountID [20]byte

// ErrBadAddress is wrapped by every address parsing error.
var ErrBadAddress = errors.New("crypto: invalid address")

// Well-known account ids.
var (
	AccountZero AccountID          // jjjjjjjjjjjjjjjjjjjjjhoLvTp: the issuer of SWT in amounts
	AccountOne  = AccountID{19: 1} // jjjjjjjjjjjjjjjjjjjjBZbvri: "no account" placeholder
)

// AccountIDFromPublicKey derives the account id of a 33-byte public key
// (compressed secp256k1, or 0xED followed by an ed25519 key).
func AccountIDFromPublicKey(pub []byte) AccountID {
	return AccountID(Hash160(pub))
}

// String returns the Jingtum address ("j...").
func (a AccountID) String() string { return EncodeCheck(VersionAccountID, a[:]) }

// Hex returns the upper-case hex form of the 20 bytes.
func (a AccountID) Hex() string { return strings.ToUpper(hex.EncodeToString(a[:])) }

// IsZero reports whether a is AccountZero.
func (a AccountID) IsZero() bool { return a == AccountZero }

// ParseAddress decodes a Jingtum address ("j...").
func ParseAddress(s string) (AccountID, error) {
	var id AccountID
	if len(s) < 25 || len(s) > 35 {
		return id, fmt.Errorf("%w %q: wrong length", ErrBadAddress, s)
	}
	p, err := DecodeCheck(s, VersionAccountID, 20)
	if err != nil {
		return id, fmt.Errorf("%w %q: %w", ErrBadAddress, s, err)
	}
	copy(id[:], p)
	return id, nil
}

// MarshalText implements encoding.TextMarshaler with the address form.
func (a AccountID) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with the address form.
func (a *AccountID) UnmarshalText(b []byte) error {
	id, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = id
	return nil
}
