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

// jtchain's extension fields sit at 200 and up in their types, clear of
// Jingtum's table, the jingtum-core variant and the alternative codes of the
// swtclib docs (spec/jingtum-wire.md §4.3, §11), and of rippled's.
func TestExtensionFieldsUseFreeCodes(t *testing.T) {
	for name, want := range map[string]string{
		"ValidatorAction": "20C8", "EffectiveLedger": "20C9",
		"NodePublicKey": "70C8", "VRFPublicKey": "70C9",
		"Validator": "E0C8", "ValidatorChange": "E0C9", "Approval": "E0CA",
		"Validators": "F0C8", "ValidatorChanges": "F0C9", "Approvals": "F0CA",
		"Offender": "80C8", "EvidenceData": "70CA",
		"RecordFee": "30C8", "RecordID": "50C8",
	} {
		f := ByName(name)
		if f == nil {
			t.Errorf("%s is missing", name)
			continue
		}
		if f.Nth < 200 {
			t.Errorf("%s uses %d/%d, below the extension range", name, f.Type, f.Nth)
		}
		if got := hexOf(f.Header()); got != want {
			t.Errorf("%s header %s, want %s", name, got, want)
		}
	}
	for _, f := range All() {
		if f.Nth >= 40 && f.Nth < 200 {
			t.Errorf("%s uses %d/%d: Jingtum fields stay below 40, extensions start at 200", f.Name, f.Type, f.Nth)
		}
	}
}
