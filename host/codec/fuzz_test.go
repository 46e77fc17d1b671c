package codec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// FuzzDecode: decoding arbitrary bytes never panics, and whatever decodes
// re-encodes to exactly the same bytes (decode accepts only canonical input)
// and survives a trip through JSON unchanged.
func FuzzDecode(f *testing.F) {
	for _, h := range []string{vector2Blob, vector7Blob, "2F231AED5F", "0112010000000000000000000000000000000000000000FF100000000000000000000000000000000000000000000000000000000000000000000000"} {
		f.Add(mustHex(f, h))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := Decode(b)
		if err != nil {
			return
		}
		if got := o.Encode(); string(got) != string(b) {
			t.Fatalf("decode/encode not identity:\n in %X\nout %X", b, got)
		}
		js, err := json.Marshal(o.JSON())
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if err := sameJSONDoc(js, o.AppendJSON(nil)); err != nil {
			t.Fatalf("AppendJSON differs from JSON(): %v", err)
		}
		back, err := ParseJSON(js)
		if err != nil {
			t.Fatalf("JSON of a decoded object does not parse: %v\n%s", err, js)
		}
		if !back.Equal(o) {
			t.Fatalf("JSON round trip changed the object:\n%s\n%X\n%X", js, o.Encode(), back.Encode())
		}
	})
}

// FuzzParseJSON: arbitrary JSON never panics, and what parses encodes and
// decodes back to the same object.
func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"TransactionType":"Payment","Amount":{"value":"1.5","currency":"CNY","issuer":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"},"Fee":10}`))
	f.Add([]byte(`{"Memos":[{"Memo":{"MemoData":"00"}}],"Paths":[[{"currency":"SWT"}]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseJSON(b)
		if err != nil {
			return
		}
		back, err := Decode(o.Encode())
		if err != nil {
			t.Fatalf("encoding of parsed JSON does not decode: %v", err)
		}
		if !back.Equal(o) {
			t.Fatalf("binary round trip changed the object")
		}
	})
}

// sameJSONDoc reports whether two JSON documents are equal as values.
func sameJSONDoc(a, b []byte) error {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return fmt.Errorf("invalid JSON %q: %w", b, err)
	}
	if !reflect.DeepEqual(x, y) {
		return fmt.Errorf("\n%s\n%s", a, b)
	}
	return nil
}
