package gateway

import (
	"fmt"
	"strings"
)

// MaxSignificantDigits is the precision of a ledger usercoin amount
// (Jingtum's, like rippled's, is a 16-digit mantissa): an amount with more
// significant digits cannot be issued exactly, so it is refused rather than
// rounded.
const MaxSignificantDigits = 16

// maxAmountLength bounds the text of an amount; the ledger's exponents
// (-96..80) fit well within it.
const maxAmountLength = 100

// CheckAmount checks that s is a positive decimal the ledger can hold
// exactly: digits with at most one decimal point, no sign, exponent or
// leading zeros ("0.5" and "12.50" are fine, "00.5", "1e3", "-1" and "0"
// are not), at most MaxSignificantDigits significant digits.
func CheckAmount(s string) error { return checkDecimal(s, false) }

// checkDecimal is CheckAmount, accepting zero if zeroOK.
func checkDecimal(s string, zeroOK bool) error {
	if s == "" {
		return fmt.Errorf("amount is empty")
	}
	if len(s) > maxAmountLength {
		return fmt.Errorf("amount is %d characters, more than %d", len(s), maxAmountLength)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case whole == "" || (hasPoint && frac == ""):
		return fmt.Errorf("amount %q is not a decimal such as 12.50", s)
	case !allDigits(whole) || !allDigits(frac):
		return fmt.Errorf("amount %q is not a decimal such as 12.50: only digits and one decimal point", s)
	case len(whole) > 1 && whole[0] == '0':
		return fmt.Errorf("amount %q has a leading zero", s)
	}
	digits := strings.Trim(whole+frac, "0")
	if digits == "" && zeroOK {
		return nil
	}
	if digits == "" {
		return fmt.Errorf("amount %q is zero: it must be positive", s)
	}
	if len(digits) > MaxSignificantDigits {
		return fmt.Errorf("amount %q has %d significant digits, more than the %d a ledger amount holds", s, len(digits), MaxSignificantDigits)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckCurrency checks that s is a usercoin code: 3 to 6 letters and
// digits (Jingtum's codes, e.g. "CNY" or "JMOAC"), or 40 hex digits; and
// not the native coin, SWT, which no gateway issues.
func CheckCurrency(s string) error {
	switch {
	case strings.EqualFold(s, "SWT"):
		return fmt.Errorf("currency SWT is the native coin, which gateways do not issue")
	case len(s) == 40 && strings.Trim(strings.ToUpper(s), "0123456789ABCDEF") == "":
		return nil
	case len(s) >= 3 && len(s) <= 6 && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) < 0:
		return nil
	}
	return fmt.Errorf("currency %.50q is not a code of 3 to 6 letters and digits or 40 hex digits", s)
}
