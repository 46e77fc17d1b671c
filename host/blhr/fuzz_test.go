package blhr

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

// FuzzDecodeRecord: no input panics, and whatever decodes re-encodes to the
// same bytes, re-decodes to the same id, and can be verified.
func FuzzDecodeRecord(f *testing.F) {
	rec := mustRecord(f, "doc", []byte("seed"))
	f.Add(rec.Encode())
	f.Add(mustSign(f, rec, testKey(f, "a", crypto.Secp256k1)).Encode())
	f.Add(mustSign(f, rec, testKey(f, "b", crypto.Ed25519)).Encode())
	h, _ := NewHashRecord("", crypto.SHA512Half(nil))
	f.Add(h.Encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRecord(b)
		if err != nil {
			return
		}
		if enc := r.Encode(); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding\n got %X\nwant %X", enc, b)
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("decoded record fails Validate: %v", err)
		}
		_ = r.VerifySignature(testChain)
		back, err := DecodeRecord(r.Encode())
		if err != nil || back.ID() != r.ID() {
			t.Fatalf("second decode: %v", err)
		}
	})
}

// FuzzVerifyProof: no proof encoding, id or root panics Verify; what
// decodes re-encodes to the same bytes; a proof that verifies is the one
// ProofFor would give for its id in a tree with those leaves only if the
// root matches, which Verify decides, so here we check consistency only.
func FuzzVerifyProof(f *testing.F) {
	ids := []codec.Hash256{crypto.SHA512Half([]byte("a")), crypto.SHA512Half([]byte("b")), crypto.SHA512Half([]byte("c"))}
	root, _ := Root(ids)
	for _, id := range ids {
		p, _ := ProofFor(ids, id)
		f.Add(p.Encode(), id[:], root[:])
	}
	f.Add(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte{1}, 0), 1<<63), []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, b, idBytes, rootBytes []byte) {
		p, err := DecodeProof(b)
		if err != nil {
			return
		}
		if enc := p.Encode(); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding\n got %X\nwant %X", enc, b)
		}
		var id, root codec.Hash256
		copy(id[:], idBytes)
		copy(root[:], rootBytes)
		err = p.Verify(id, root)
		if err == nil && p.Count == 1 {
			// A one-leaf tree's root is fixed by its id.
			if want, _ := Root([]codec.Hash256{id}); want != root {
				t.Fatalf("verified under %X, the root of %X is %X", root, id, want)
			}
		}
	})
}

// FuzzDecodeBundle: no JSON panics the decoder, and what decodes survives
// a JSON round trip.
func FuzzDecodeBundle(f *testing.F) {
	f.Add([]byte(`{"version":1,"record":"","ledger_seq":1,"header":"","block":"","certificate":"","proof":""}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeBundle(b)
		if err != nil {
			return
		}
		js, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeBundle(js)
		if err != nil || back.LedgerSeq != d.LedgerSeq || !bytes.Equal(back.Record, d.Record) || !bytes.Equal(back.Proof, d.Proof) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
