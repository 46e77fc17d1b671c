package codec

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeRejectsNonCanonicalAndTruncatedInput(t *testing.T) {
	const cny = "000000000000000000000000434E590000000000"
	cases := []struct {
		name   string
		hex    string
		err    error
		field  string
		offset int
	}{
		{"truncated UInt32", "2200", ErrTruncated, "Flags", 1},
		{"fields out of order", "24000000012200000000", ErrFieldOrder, "Flags", 5},
		{"repeated field", "22000000002200000000", ErrFieldOrder, "Flags", 5},
		{"unknown field", "2F0000000020FF00000000", ErrUnknownField, "", 5},
		{"long header for a short code", "20020000000", ErrNonCanonical, "", 0},
		{"native negative zero", "6800000000000000000", ErrNonCanonical, "Fee", 1},
		{"issued mantissa below range", "61D4838D7EA4C67FFF" + cny + strings.Repeat("00", 20), ErrNonCanonical, "Amount", 1},
		{"issued zero with exponent bits", "61C000000000000000" + cny + strings.Repeat("00", 20), ErrNonCanonical, "Amount", 1},
		{"issued native currency", "61D4838D7EA4C68000" + strings.Repeat("00", 40), ErrBadCurrency, "Amount", 1},
		{"account of 19 bytes", "8113" + strings.Repeat("00", 19), ErrNonCanonical, "Account", 1},
		{"VL cut short", "7305AABB", ErrTruncated, "SigningPubKey", 1},
		{"VL prefix 0xFF", "73FF", ErrNonCanonical, "SigningPubKey", 1},
		{"end of object at top level", "E1", ErrNonCanonical, "", 0},
		{"inner object never closed", "EA7D01AA", ErrTruncated, "", 4},
		{"array element not an object", "F92200000000F1", ErrNonCanonical, "Flags", 1},
		{"array never closed", "F9EA7D01AAE1", ErrTruncated, "Memos", 6},
		{"empty path", "0112FF00", ErrNonCanonical, "Paths", 2},
		{"path step with unknown bits", "011202" + strings.Repeat("00", 20) + "00", ErrNonCanonical, "Paths", 2},
		{"vector not multiple of 32", "0113" + "05" + "0102030405", ErrNonCanonical, "Indexes", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := mustHex(t, evenHex(c.hex))
			_, err := Decode(b)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			if de.Field != c.field || de.Offset != c.offset {
				t.Errorf("reported field %q offset %d, want %q at %d (%v)", de.Field, de.Offset, c.field, c.offset, err)
			}
		})
	}
}

// evenHex pads test inputs written with an odd digit count to make a point
// about truncation inside a byte we never reach.
func evenHex(s string) string {
	if len(s)%2 == 1 {
		return s + "0"
	}
	return s
}

func TestDecodeEveryPrefixOfAValidBlobFails(t *testing.T) {
	blob := mustHex(t, vector2Blob)
	for n := 1; n < len(blob); n++ {
		if _, err := Decode(blob[:n]); err == nil {
			// A prefix that ends exactly on a field boundary is a valid,
			// smaller object; only check that it re-encodes to itself.
			o, _ := Decode(blob[:n])
			if got := o.Encode(); string(got) != string(blob[:n]) {
				t.Fatalf("prefix %d decodes to a different encoding", n)
			}
		}
	}
}

func TestParseJSONNamesTheBadField(t *testing.T) {
	cases := []struct {
		json, path string
	}{
		{`{"Fee":"1.5"}`, "Fee"},
		{`{"Sequence":-1}`, "Sequence"},
		{`{"Sequence":4294967296}`, "Sequence"},
		{`{"TransactionType":"Teleport"}`, "TransactionType"},
		{`{"Memos":[{"Memo":{"MemoData":"zz"}}]}`, "Memos[0].Memo.MemoData"},
		{`{"Memos":[{"Nope":{}}]}`, "Memos[0].Nope"},
		{`{"Account":"jNotAnAddress"}`, "Account"},
		{`{"Amount":{"value":"1","currency":"CNY"}}`, "Amount"},
		{`{"Amount":{"value":"01","currency":"CNY","issuer":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"}}`, "Amount"},
		{`{"Amount":{"value":"1e200","currency":"CNY","issuer":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"}}`, "Amount"},
		{`{"InvoiceID":"00"}`, "InvoiceID"},
		{`{"Frobnicate":1}`, "Frobnicate"},
		{`{"Paths":[]}`, "Paths"},
		{`{"Paths":[[]]}`, "Paths[0]"},
	}
	for _, c := range cases {
		_, err := ParseJSON([]byte(c.json))
		var je *JSONError
		if !errors.As(err, &je) {
			t.Errorf("%s: error %v is not a *JSONError", c.json, err)
			continue
		}
		if je.Path != c.path {
			t.Errorf("%s: path %q, want %q", c.json, je.Path, c.path)
		}
	}
}

func TestParseJSONSkipsLowerCaseKeysAndAcceptsClientForms(t *testing.T) {
	// jingtum-lib's server-signing mode sends Fee as a JSON number and
	// lower-case memo hex; tx_json from a node carries "hash".
	o, err := ParseJSON([]byte(`{"Fee":10000,"hash":"ABC","Flags":"0","Memos":[{"Memo":{"MemoData":"6869"}}],"OfferFeeRateDen":"00000000000003E8"}`))
	if err != nil {
		t.Fatal(err)
	}
	if fee, _ := o.Amount(feeField()); fee.Drops() != 10000 {
		t.Errorf("Fee = %v", fee)
	}
	j := o.JSON()
	if j["OfferFeeRateDen"] != "00000000000003E8" {
		t.Errorf("UInt64 renders as %v", j["OfferFeeRateDen"])
	}
	if _, ok := j["hash"]; ok {
		t.Error("lower-case key became a field")
	}
}
