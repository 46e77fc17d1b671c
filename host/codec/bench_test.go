package codec

import "testing"

// BenchmarkDecodeAndHashPayment measures what admission does first with a
// submitted blob: parse it and compute its id.
func BenchmarkDecodeAndHashPayment(b *testing.B) {
	blob := mustHex(b, vector2Blob)
	b.SetBytes(int64(len(blob)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(blob); err != nil {
			b.Fatal(err)
		}
		_ = TxID(blob)
	}
}

func BenchmarkEncodePayment(b *testing.B) {
	tx, err := Decode(mustHex(b, vector2Blob))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	buf := make([]byte, 0, 512)
	for b.Loop() {
		buf = tx.AppendTo(buf[:0])
	}
}

func BenchmarkParseJSONPayment(b *testing.B) {
	js := []byte(`{"TransactionType":"Payment","Flags":0,"Sequence":1,"Fee":"10000","Account":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz","Destination":"jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D","Amount":{"value":"1.5","currency":"CNY","issuer":"jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJSON(js); err != nil {
			b.Fatal(err)
		}
	}
}
