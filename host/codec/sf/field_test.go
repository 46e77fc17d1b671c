package sf

import "testing"

func TestHeadersRoundTripAndAreMinimal(t *testing.T) {
	for _, f := range All() {
		h := f.Header()
		typ, nth, n, err := DecodeHeader(h)
		if err != nil || typ != f.Type || nth != f.Nth || n != len(h) {
			t.Errorf("%s: header %X decodes to %d/%d (%d bytes), %v", f.Name, h, typ, nth, n, err)
		}
		if ByCode(f.Type, f.Nth) != f || ByName(f.Name) != f {
			t.Errorf("%s: lookup does not return the field", f.Name)
		}
	}
	// Spec §4.3 header bytes.
	for name, want := range map[string]string{
		"Timestamp": "2F", "RelationType": "2023", "SignerQuorum": "2026", "OfferFeeRateNum": "39",
		"TokenID": "5015", "Payload": "7F", "ContractMethod": "7011", "FeeAccountID": "89",
		"SignerEntry": "EC", "Signer": "ED", "Signers": "FC", "SignerEntries": "FB",
		"TransactionResult": "0310", "ContractParamsType": "0410", "TakerPaysCurrency": "0111",
	} {
		if got := hexOf(ByName(name).Header()); got != want {
			t.Errorf("%s header %s, want %s", name, got, want)
		}
	}
}

func hexOf(b []byte) string {
	const d = "0123456789ABCDEF"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, d[x>>4], d[x&15])
	}
	return string(out)
}

func TestDecodeHeaderRejectsLongForms(t *testing.T) {
	for _, b := range [][]byte{
		{0x20, 0x02},       // UInt32/2 in two bytes
		{0x02, 0x01},       // type 1 in the long form
		{0x00, 0x02, 0x10}, // both long, type < 16
		{0x00, 0x10, 0x05}, // both long, field < 16
	} {
		if _, _, _, err := DecodeHeader(b); err == nil {
			t.Errorf("%X accepted", b)
		}
	}
	for _, b := range [][]byte{{}, {0x20}, {0x01}, {0x00, 0x10}} {
		if _, _, _, err := DecodeHeader(b); err == nil || !IsTruncated(err) {
			t.Errorf("%X: want a truncation error, got %v", b, err)
		}
	}
}

func TestSigningFieldsExcludeSignatures(t *testing.T) {
	for _, f := range []*Field{TxnSignature, Signers, Signature} {
		if f.Signing() {
			t.Errorf("%s is part of signing data", f.Name)
		}
	}
	for _, f := range []*Field{SigningPubKey, Account, Fee, Memos} {
		if !f.Signing() {
			t.Errorf("%s is left out of signing data", f.Name)
		}
	}
}
