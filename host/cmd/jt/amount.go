package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

// dropsPerSWT: SWT has 6 decimals (spec/jingtum-wire.md §1).
const dropsPerSWT = 1_000_000

// parseAmountArg parses an amount as jt's commands take it:
//
//	1.5/SWT                       SWT, at most 6 decimals (1.5 SWT = 1,500,000 drops)
//	10/CNY/jBciDE8Q3uJjf111...    an issued currency: value/currency/issuer
//
// The value must be positive, or zero when allowZero (a trust limit of 0
// removes the line).
func parseAmountArg(s string, allowZero bool) (codec.Amount, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return codec.Amount{}, fmt.Errorf("amount %q: want VALUE/SWT or VALUE/CURRENCY/ISSUER (e.g. 1.5/SWT, 10/CNY/j...)", s)
	}
	value, cur := parts[0], parts[1]
	if strings.EqualFold(cur, "SWT") {
		if len(parts) == 3 {
			return codec.Amount{}, fmt.Errorf("amount %q: SWT has no issuer", s)
		}
		drops, err := parseSWT(value)
		if err != nil {
			return codec.Amount{}, fmt.Errorf("amount %q: %w", s, err)
		}
		if drops == 0 && !allowZero {
			return codec.Amount{}, fmt.Errorf("amount %q must be positive", s)
		}
		return codec.NewNative(drops), nil
	}
	if len(parts) != 3 {
		return codec.Amount{}, fmt.Errorf("amount %q: %s is not SWT, so it needs an issuer: VALUE/%s/ISSUER", s, cur, cur)
	}
	currency, err := codec.ParseCurrency(cur)
	if err != nil {
		return codec.Amount{}, fmt.Errorf("amount %q: currency %q: want 3-6 letters or digits, or 40 hex digits", s, cur)
	}
	issuer, err := crypto.ParseAddress(parts[2])
	if err != nil {
		return codec.Amount{}, fmt.Errorf("amount %q: issuer %q is not an address (j...)", s, parts[2])
	}
	v, err := codec.ParseValue(value)
	if err != nil {
		return codec.Amount{}, fmt.Errorf("amount %q: value %q is not a decimal number", s, value)
	}
	if v.Negative() || (v.IsZero() && !allowZero) {
		return codec.Amount{}, fmt.Errorf("amount %q must be positive", s)
	}
	return codec.NewIssued(v, currency, issuer), nil
}

// parseSWT parses a non-negative decimal number of SWT into drops.
func parseSWT(s string) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" || !digitsOnly(whole) || !digitsOnly(frac) || (hasDot && frac == "") {
		return 0, fmt.Errorf("%q is not a decimal number of SWT", s)
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("SWT has 6 decimals; %q has %d", s, len(frac))
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > codec.MaxNativeDrops/dropsPerSWT {
		return 0, fmt.Errorf("%s SWT is more than can exist", s)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	drops := w*dropsPerSWT + f
	if drops > codec.MaxNativeDrops {
		return 0, fmt.Errorf("%s SWT is more than can exist", s)
	}
	return drops, nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatSWT renders drops as SWT without trailing zeros: 1500000 -> "1.5".
func formatSWT(drops int64) string {
	sign := ""
	u := uint64(drops)
	if drops < 0 {
		sign, u = "-", uint64(-drops)
	}
	whole, frac := u/dropsPerSWT, u%dropsPerSWT
	if frac == 0 {
		return fmt.Sprintf("%s%d", sign, whole)
	}
	return strings.TrimRight(fmt.Sprintf("%s%d.%06d", sign, whole, frac), "0")
}
