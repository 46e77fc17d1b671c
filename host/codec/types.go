package codec

import (
	"encoding/hex"
	"fmt"

	"github.com/jtchain/jtchain/host/crypto"
)

// AccountID and Hash256 are the crypto package's types, re-exported so codec
// users need one import for the common case.
type (
	AccountID = crypto.AccountID
	Hash256   = crypto.Hash256
)

// Hash128 and Hash160 are fixed-size opaque values.
type (
	Hash128 [16]byte
	Hash160 [20]byte
)

// Vector256 is a list of 256-bit hashes (directory indexes, amendments).
type Vector256 []Hash256

// Currency is a 20-byte currency code. The zero value is SWT, the native
// currency.
type Currency [20]byte

// NativeCurrency is SWT.
var NativeCurrency Currency

// IsNative reports whether c is SWT.
func (c Currency) IsNative() bool { return c == NativeCurrency }

// Jingtum extends rippled's 3-letter ISO codes to 3-6 ASCII letters and
// digits, right-aligned so the last character sits at byte 14 (spec §5.2):
// CNY fills bytes 12..14, JJCC 11..14, JSLASH 9..14. Every other byte is zero.
const currencyEnd = 15

// ParseCurrency parses a currency as it appears in JSON: "SWT" for the
// native currency, 3-6 characters [A-Za-z0-9], or 40 hex digits.
func ParseCurrency(s string) (Currency, error) {
	var c Currency
	switch {
	case s == "SWT":
		return NativeCurrency, nil
	case len(s) == 40:
		if _, err := hex.Decode(c[:], []byte(s)); err != nil {
			return c, fmt.Errorf("codec: currency %q: %w", s, ErrBadCurrency)
		}
		return c, nil
	case len(s) >= 3 && len(s) <= 6:
		for i := 0; i < len(s); i++ {
			if !isAlnum(s[i]) {
				return c, fmt.Errorf("codec: currency %q: only letters and digits allowed: %w", s, ErrBadCurrency)
			}
		}
		copy(c[currencyEnd-len(s):currencyEnd], s)
		return c, nil
	}
	return c, fmt.Errorf("codec: currency %q: want 3-6 letters or digits, or 40 hex digits: %w", s, ErrBadCurrency)
}

func isAlnum(b byte) bool {
	return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
}

// code returns the short code if c is in the 3-6 character form.
func (c Currency) code() (string, bool) {
	for i := currencyEnd; i < 20; i++ {
		if c[i] != 0 {
			return "", false
		}
	}
	start := currencyEnd
	for start > 0 && c[start-1] != 0 {
		start--
	}
	n := currencyEnd - start
	if n < 3 || n > 6 {
		return "", false
	}
	for i := 0; i < start; i++ {
		if c[i] != 0 {
			return "", false
		}
	}
	for i := start; i < currencyEnd; i++ {
		if !isAlnum(c[i]) {
			return "", false
		}
	}
	s := string(c[start:currencyEnd])
	if s == "SWT" {
		// An issued currency spelled like the native one would read as SWT in
		// JSON; show it as hex so it cannot be mistaken.
		return "", false
	}
	return s, true
}

// String returns the JSON form: "SWT", the short code, or 40 upper-case hex digits.
func (c Currency) String() string {
	if c.IsNative() {
		return "SWT"
	}
	if s, ok := c.code(); ok {
		return s
	}
	return hexUpper(c[:])
}

// Issue is a currency and its issuer; for SWT the issuer is AccountZero.
type Issue struct {
	Currency Currency
	Issuer   AccountID
}

// IsNative reports whether the issue is SWT.
func (i Issue) IsNative() bool { return i.Currency.IsNative() }

func (i Issue) String() string {
	if i.IsNative() {
		return "SWT"
	}
	return i.Currency.String() + "/" + i.Issuer.String()
}

// PathStep is one element of a payment path. Type says which of the three
// parts are present (PathAccount, PathCurrency, PathIssuer bits).
type PathStep struct {
	Type     uint8
	Account  AccountID
	Currency Currency
	Issuer   AccountID
}

// Path step type bits, and the markers that separate and end paths.
const (
	PathAccount  = 0x01
	PathCurrency = 0x10
	PathIssuer   = 0x20
	pathBoundary = 0xFF
	pathEnd      = 0x00
)

// Path is a list of steps; PathSet is a list of alternative paths.
type (
	Path    []PathStep
	PathSet []Path
)

func hexUpper(b []byte) string {
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = upperHexDigits[c>>4], upperHexDigits[c&0xF]
	}
	return string(out)
}

// HexUpper returns b as upper-case hex, the form Jingtum's JSON uses.
func HexUpper(b []byte) string { return hexUpper(b) }
