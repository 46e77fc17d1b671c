package main

import (
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
)

func TestParseSWTCountsDrops(t *testing.T) {
	good := map[string]int64{
		"1.5": 1_500_000, "1": 1_000_000, "0.000001": 1, ".5": 500_000, "100000000000": 100_000_000_000_000_000,
		"0": 0, "99900": 99_900_000_000, "1.123456": 1_123_456,
	}
	for s, want := range good {
		if got, err := parseSWT(s); err != nil || got != want {
			t.Errorf("parseSWT(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	bad := map[string]string{
		"1.1234567": "6 decimals", "": "not a decimal", "1.": "not a decimal", "-1": "not a decimal", "1e3": "not a decimal",
		"abc": "not a decimal", "1.2.3": "not a decimal", "99999999999999": "more than can exist", " 1": "not a decimal",
	}
	for s, msg := range bad {
		if _, err := parseSWT(s); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("parseSWT(%q): %v, want %q", s, err, msg)
		}
	}
}

func TestParseAmountArg(t *testing.T) {
	const issuer = "jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS"
	a, err := parseAmountArg("1.5/SWT", false)
	if err != nil || !a.IsNative() || a.Drops() != 1_500_000 {
		t.Fatalf("%v %v", a, err)
	}
	if a, err = parseAmountArg("2/swt", false); err != nil || a.Drops() != 2_000_000 {
		t.Fatalf("lower-case swt: %v %v", a, err)
	}
	a, err = parseAmountArg("1.5/CNY/"+issuer, false)
	if err != nil || a.IsNative() {
		t.Fatal(a, err)
	}
	// The same amount as spec/jingtum-wire.md vector 13: 1.5 CNY.
	if got := codec.AmountJSON(a).(map[string]any); got["value"] != "1.5" || got["currency"] != "CNY" || got["issuer"] != issuer {
		t.Fatalf("%v", got)
	}
	if _, err := parseAmountArg("0/CNY/"+issuer, true); err != nil {
		t.Fatalf("a zero trust limit: %v", err)
	}
	bad := map[string]string{
		"1.5":                      "VALUE/SWT",
		"1/SWT/" + issuer:          "no issuer",
		"1.0000001/SWT":            "6 decimals",
		"0/SWT":                    "positive",
		"10/CNY":                   "needs an issuer",
		"10/CNY/jNOTANADDRESS":     "not an address",
		"10/C!Y/" + issuer:         "currency",
		"-1/CNY/" + issuer:         "positive",
		"0/CNY/" + issuer:          "positive",
		"x/CNY/" + issuer:          "not a decimal",
		"1/SWT/a/b":                "VALUE/SWT",
		"10/TOOLONGCODE/" + issuer: "currency",
	}
	for s, msg := range bad {
		if _, err := parseAmountArg(s, false); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("parseAmountArg(%q): %v, want %q", s, err, msg)
		}
	}
}

func TestFormatSWT(t *testing.T) {
	for drops, want := range map[int64]string{0: "0", 1: "0.000001", 1_500_000: "1.5", 10_000_000: "10", -2_500_000: "-2.5", 599_999_999_999_990_000: "599999999999.99"} {
		if got := formatSWT(drops); got != want {
			t.Errorf("formatSWT(%d) = %q, want %q", drops, got, want)
		}
	}
}
