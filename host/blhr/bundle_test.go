package blhr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// testBundle seals rec among other records in ledger 7 and returns its
// bundle and a commit checker that trusts exactly that ledger's hash
// (package rbftcheck's tests use real certificates).
func testBundle(t *testing.T, rec Record) (Bundle, func([]byte, []byte, uint32) (codec.Hash256, error)) {
	t.Helper()
	ids := []codec.Hash256{rec.ID()}
	for i := range 9 {
		ids = append(ids, crypto.SHA512Half([]byte{byte(i)}))
	}
	root, err := Root(ids)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := ProofFor(ids, rec.ID())
	if err != nil {
		t.Fatal(err)
	}
	h := ledger.Header{Seq: 7, TotalCoins: 1e17, ParentHash: codec.Hash256{1}, CloseTime: 100, BLHRRoot: root}
	committed := h.Hash()
	check := func(block, cert []byte, seq uint32) (codec.Hash256, error) {
		if string(block) != "block" || string(cert) != "cert" || seq != 7 {
			return codec.Hash256{}, errors.New("unknown commit")
		}
		return committed, nil
	}
	return Bundle{Record: rec.Encode(), LedgerSeq: 7, Header: h.Encode(), Block: []byte("block"), Certificate: []byte("cert"), Proof: proof.Encode()}, check
}

func TestVerifyBundleAcceptsAValidBundleAndRejectsEachFlaw(t *testing.T) {
	rec := mustSign(t, mustRecord(t, "doc", []byte("hello")), testKey(t, "a", crypto.Ed25519))
	good, check := testBundle(t, rec)
	if err := VerifyBundle(good, testChain, check); err != nil {
		t.Fatalf("valid bundle: %v", err)
	}
	otherRecord := mustRecord(t, "doc", []byte("other"))
	wrongSeqHeader, _ := ledger.DecodeHeader(good.Header)
	wrongSeqHeader.Seq = 8
	cases := []struct {
		name   string
		mutate func(*Bundle)
		chain  string
		check  func([]byte, []byte, uint32) (codec.Hash256, error)
		is     error
	}{
		{"another chain's signature", nil, "other-chain", check, ErrBadSignature},
		{"a record not in the ledger", func(b *Bundle) { b.Record = otherRecord.Encode() }, testChain, check, ErrInvalid},
		{"an undecodable record", func(b *Bundle) { b.Record = b.Record[1:] }, testChain, check, ErrMalformed},
		{"an undecodable proof", func(b *Bundle) { b.Proof = nil }, testChain, check, ErrMalformed},
		{"an undecodable header", func(b *Bundle) { b.Header = b.Header[1:] }, testChain, check, ledger.ErrBadHeader},
		{"a header of another ledger", func(b *Bundle) { b.Header = wrongSeqHeader.Encode() }, testChain, check, ErrInvalid},
		{"another sequence", func(b *Bundle) { b.LedgerSeq = 8 }, testChain, check, ErrInvalid},
		{"a refused commit", func(b *Bundle) { b.Certificate = []byte("forged") }, testChain, check, ErrInvalid},
		{"a commit of another ledger hash", nil, testChain, func([]byte, []byte, uint32) (codec.Hash256, error) { return codec.Hash256{9}, nil }, ErrInvalid},
	}
	for _, c := range cases {
		b := good
		if c.mutate != nil {
			c.mutate(&b)
		}
		if err := VerifyBundle(b, c.chain, c.check); !errors.Is(err, c.is) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.is)
		}
	}
	if err := VerifyBundle(good, testChain, nil); err == nil {
		t.Error("no checker: verified")
	}
	// An unsigned record needs no signature, on any chain.
	plain, plainCheck := testBundle(t, mustRecord(t, "", []byte("x")))
	if err := VerifyBundle(plain, "any-chain", plainCheck); err != nil {
		t.Fatalf("unsigned record: %v", err)
	}
}

func TestBundleFlipsInRecordProofAndHeaderAreRejected(t *testing.T) {
	good, check := testBundle(t, mustSign(t, mustRecord(t, "doc", []byte("hello")), testKey(t, "a", crypto.Secp256k1)))
	for _, f := range []struct {
		name string
		get  func(*Bundle) *[]byte
	}{
		{"record", func(b *Bundle) *[]byte { return &b.Record }},
		{"proof", func(b *Bundle) *[]byte { return &b.Proof }},
		{"header", func(b *Bundle) *[]byte { return &b.Header }},
	} {
		n := len(*f.get(&good))
		for i := range n {
			b := good
			p := f.get(&b)
			*p = bytes.Clone(*p)
			(*p)[i] ^= 0x01
			if err := VerifyBundle(b, testChain, check); err == nil {
				t.Fatalf("flipping byte %d of %d of the %s still verifies", i, n, f.name)
			}
		}
	}
}

func TestBundleJSONRoundTrip(t *testing.T) {
	good, check := testBundle(t, mustRecord(t, "doc", []byte("hello")))
	js, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeBundle(js)
	if err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if !reflect.DeepEqual(back, good) {
		t.Fatalf("round trip\n got %+v\nwant %+v", back, good)
	}
	if err := VerifyBundle(back, testChain, check); err != nil {
		t.Fatal(err)
	}
	// Inside a larger API result, through encoding/json, lower-case hex.
	var wrapped struct{ Proof Bundle }
	if err := json.Unmarshal([]byte(`{"Proof":`+strings.ToLower(string(js))+`}`), &wrapped); err != nil || !reflect.DeepEqual(wrapped.Proof, good) {
		t.Fatalf("embedded: %v", err)
	}
}

func TestDecodeBundleRejectsEachMalformedForm(t *testing.T) {
	good, _ := testBundle(t, mustRecord(t, "doc", []byte("hello")))
	js, _ := json.Marshal(good)
	var fields map[string]any
	if err := json.Unmarshal(js, &fields); err != nil {
		t.Fatal(err)
	}
	// with returns the good bundle's JSON with one field replaced (raw JSON)
	// or, for "", removed.
	with := func(name, raw string) []byte {
		var parts []string
		for _, f := range bundleFields {
			v, _ := json.Marshal(fields[f.name])
			if f.name == name {
				if raw == "" {
					continue
				}
				v = []byte(raw)
			}
			parts = append(parts, fmt.Sprintf("%q:%s", f.name, v))
		}
		return []byte("{" + strings.Join(parts, ",") + "}")
	}
	if _, err := DecodeBundle(with("version", "1")); err != nil {
		t.Fatalf("the test's JSON builder: %v", err)
	}
	cases := []struct {
		name, want string
		b          []byte
	}{
		{"not JSON", "not a JSON object", []byte("nope")},
		{"an array", "not a JSON object", []byte("[]")},
		{"unknown field", `unknown field "extra"`, append(with("version", "1")[:len(with("version", "1"))-1], []byte(`,"extra":1}`)...)},
		{"duplicate field", `"ledger_seq" appears twice`, append(with("version", "1")[:len(with("version", "1"))-1], []byte(`,"ledger_seq":7}`)...)},
		{"missing field", `"certificate" is missing`, with("certificate", "")},
		{"version 2", "bundle version 2", with("version", "2")},
		{"seq as string", `"ledger_seq" must be a number`, with("ledger_seq", `"7"`)},
		{"seq negative", "want a decimal integer", with("ledger_seq", "-7")},
		{"seq fraction", "want a decimal integer", with("ledger_seq", "7.0")},
		{"seq exponent", "want a decimal integer", with("ledger_seq", "7e0")},
		{"seq over uint32", "want a decimal integer", with("ledger_seq", "4294967296")},
		{"record as number", `"record" must be a hex string`, with("record", "12")},
		{"record as object", `"record" must be a hex string`, with("record", "{}")},
		{"odd hex", `"proof" is not hex`, with("proof", `"ABC"`)},
		{"non-hex", `"header" is not hex`, with("header", `"ZZ"`)},
		{"0x prefix", "without a 0x prefix", with("block", `"0x00"`)},
		{"certificate over limit", `"certificate" of 32770 hex digits exceeds`, with("certificate", `"`+strings.Repeat("00", MaxBundleCertificate+1)+`"`)},
		{"trailing data", "data after its JSON object", append(with("version", "1"), []byte(" {}")...)},
		{"unclosed", "", with("version", "1")[:40]},
		{"oversized", "exceeds", make([]byte, MaxBundleJSON+1)},
	}
	for _, c := range cases {
		_, err := DecodeBundle(c.b)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an ErrMalformed containing %q", c.name, err, c.want)
		}
		var b Bundle
		if err := json.Unmarshal(c.b, &b); err == nil {
			t.Errorf("%s: json.Unmarshal accepted it", c.name)
		}
	}
}
