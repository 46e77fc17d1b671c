package codec

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
)

// Vectors from spec/jingtum-wire.md §9: real network transactions and blobs
// reproduced with jingtum-lib and swtc-lib.

const (
	vector2Blob   = "120000220000000024000000016140000017428107006840000000000027107321029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E1574473045022100EC761F10DDA2371C77437EE2C7A71379B4214CF77E1C4058C46236B3E446ACE90220456CFB5ACDEE1EB7DEAC4819B5CD19C09911518BD38810A77EF20863C776FC8081141359AA928F4D98FDB3D93E8B690C80D37DED11C38314054FADDC8595E2950FA43F673F65C2009F58C7F1F9EA7D09E7BB99E694AFE4BB98E1F1"
	vector2Hash   = "EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2"
	vector7Blob   = "1200002200000000240000000E6140000000000186A06840000000000027107321ED68635043BC70DE82272BF5990642400CF79089B2ABCF8EF9D10FFFB96A6587637440FC0A0CD28AB6A18E14D990324E27AA39795FF5FA5FBEE8D055AEB3647BEC7E9DCF46401E9978B09B5F5836FFF82DFA9F3B8EA36C2E057F3FF23681E428B1630A81144B0DECFADE9D4170260CD5BA9EC1CF065CA8894683141359AA928F4D98FDB3D93E8B690C80D37DED11C3"
	vector7Hash   = "0473C8FFF375E06EE763B5D63F351B231EC90F6BEE0170BB9158803F9DBCD267"
	vector1Secret = "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func keyPair(t testing.TB, secret string) crypto.KeyPair {
	t.Helper()
	seed, kt, err := crypto.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := crypto.DeriveKeyPair(seed, kt)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func TestVector2PaymentDecodesReencodesAndHashes(t *testing.T) {
	blob := mustHex(t, vector2Blob)
	tx, err := Decode(blob)
	if err != nil {
		t.Fatal(err)
	}
	if got := hexUpper(tx.Encode()); got != vector2Blob {
		t.Fatalf("re-encode differs:\n got %s\nwant %s", got, vector2Blob)
	}
	if got := TxID(blob); hexUpper(got[:]) != vector2Hash {
		t.Fatalf("hash %X, want %s", got, vector2Hash)
	}
	j := tx.JSON()
	want := map[string]any{
		"TransactionType": "Payment",
		"Flags":           uint32(0),
		"Sequence":        uint32(1),
		"Amount":          "99900000000",
		"Fee":             "10000",
		"Account":         "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz",
		"Destination":     "jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D",
		"SigningPubKey":   "029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E15",
	}
	for k, v := range want {
		if j[k] != v {
			t.Errorf("%s = %#v, want %#v", k, j[k], v)
		}
	}
	js, _ := json.Marshal(j)
	if err := sameJSONDoc(js, tx.AppendJSON(nil, []byte(`"hash":"X"`))); err == nil {
		t.Fatal("extra member not appended")
	}
	if err := sameJSONDoc(js, tx.AppendJSON(nil)); err != nil {
		t.Fatal(err)
	}
	memo := j["Memos"].([]any)[0].(map[string]any)["Memo"].(map[string]any)
	if data := mustHex(t, memo["MemoData"].(string)); string(data) != "给支付" {
		t.Errorf("memo = %q", data)
	}
}

func TestVector2IsReproducedFromJSONBySigning(t *testing.T) {
	tx, err := ParseJSON([]byte(`{"TransactionType":"Payment","Flags":0,"Sequence":1,"Fee":"10000",
		"Account":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz","Destination":"jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D",
		"Amount":"99900000000","Memos":[{"Memo":{"MemoData":"e7bb99e694afe4bb98"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	blob, id, err := Sign(tx, keyPair(t, vector1Secret))
	if err != nil {
		t.Fatal(err)
	}
	if hexUpper(blob) != vector2Blob || hexUpper(id[:]) != vector2Hash {
		t.Fatalf("got %X / %X", blob, id)
	}
}

func TestVector7Ed25519PaymentIsReproduced(t *testing.T) {
	tx, err := ParseJSON([]byte(`{"TransactionType":"Payment","Flags":0,"Fee":"10000","Amount":"100000","Sequence":14,
		"Account":"jfqiMxoT228vp3dMrXKnJXo6V9iYEx94pt","Destination":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"}`))
	if err != nil {
		t.Fatal(err)
	}
	blob, id, err := Sign(tx, keyPair(t, "sEdTJSpen5J8ZA7H4cVGDF6oSSLLW2Y"))
	if err != nil {
		t.Fatal(err)
	}
	if hexUpper(blob) != vector7Blob || hexUpper(id[:]) != vector7Hash {
		t.Fatalf("got %X / %X", blob, id)
	}
	back, err := Decode(blob)
	if err != nil || !back.Equal(tx) {
		t.Fatalf("decode: %v", err)
	}
}

// Vectors 3 and 4: a Lua contract deploy and call (swtclib docs 4.19-4.20).
func TestVectors3And4ContractTransactionsAreReproduced(t *testing.T) {
	const payload = "726573756C743D7B7D3B2066756E6374696F6E20496E697428742920726573756C743D73634765744163636F756E7442616C616E63652874292072657475726E20726573756C7420656E643B2066756E6374696F6E20666F6F28742920726573756C743D73634765744163636F756E7442616C616E63652874292072657475726E20726573756C7420656E643B"
	const arg = `[{"Arg":{"Parameter":"6A706D4B456D32735565766670466A533751486454385378375A476F4558544A417A"}}]`
	cases := []struct {
		name, json, sig, hash string
	}{
		{"deploy",
			`{"TransactionType":"ConfigContract","Account":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz","Amount":"10000000","Fee":"10000","Flags":0,"Method":0,"Sequence":5,"Payload":"` + payload + `","Args":` + arg + `}`,
			"3045022100EDC511C9AD68BEBD47F00CF7271E7DD6BF608E6C7A1ACC3B1D471B057B5E2C0C02203292629E4E6905C222BF99BE8023356B3040355D446DE2FAE6D1099DA6AE426B",
			"71C1AAEAAB9D2F9CC4C65D9A9DB733EB80DF6037BDC6D4A6F1445BFDBDE25A02"},
		{"call",
			`{"TransactionType":"ConfigContract","Account":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz","ContractMethod":"666F6F","Destination":"jNdpxLQbmMMf4ZVXjn3nb98xPYQ7EpEpTN","Fee":"10000","Flags":0,"Method":1,"Sequence":6,"Args":` + arg + `}`,
			"3045022100DCB940C040EC1FE8BCC12E6BC2B4F980249048A29BDE21819851A794267E3CF9022033589643344130F1B8DA29C437B411875BA98C84056228AC1CC758FE8E98DB4F",
			"060E534F8274A25EF4D48C5A6DC49F4200173BF6E61F287854821F598829BEBC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := ParseJSON([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			_, id, err := Sign(tx, keyPair(t, vector1Secret))
			if err != nil {
				t.Fatal(err)
			}
			if got := hexUpper(tx.Blob(sf.TxnSignature)); got != c.sig {
				t.Errorf("signature %s, want %s", got, c.sig)
			}
			if hexUpper(id[:]) != c.hash {
				t.Errorf("hash %X, want %s", id, c.hash)
			}
		})
	}
}

// Vector 13: individual field encodings.
func TestVector13FieldEncodings(t *testing.T) {
	cases := []struct {
		name string
		json string
		want string
	}{
		{"empty SigningPubKey", `{"SigningPubKey":""}`, "7300"},
		{"Timestamp", `{"Timestamp":588967263}`, "2F231AED5F"},
		{"LastLedgerSequence", `{"LastLedgerSequence":10}`, "201B0000000A"},
		{"1.5 CNY", `{"Amount":{"value":"1.5","currency":"CNY","issuer":"jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS"}}`,
			"61D485543DF729C000000000000000000000000000434E5900000000007478E561645059399B334448F7544F2EF308ED32"},
		{"3 CNY", `{"Amount":{"value":"3","currency":"CNY","issuer":"jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS"}}`,
			"61D48AA87BEE538000000000000000000000000000434E5900000000007478E561645059399B334448F7544F2EF308ED32"},
		{"2 JJCC", `{"Amount":{"value":"2","currency":"JJCC","issuer":"jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS"}}`,
			"61D4871AFD498D000000000000000000000000004A4A434300000000007478E561645059399B334448F7544F2EF308ED32"},
		{"JSLASH currency", `{"Amount":{"value":"1","currency":"JSLASH","issuer":"jjjjjjjjjjjjjjjjjjjjBZbvri"}}`,
			"61D4838D7EA4C680000000000000000000004A534C41534800000000000000000000000000000000000000000000000001"},
		{"ContractParamsType", `{"ContractParamsType":0}`, "041000"},
		{"TransactionResult", `{"TransactionResult":"tecNO_DST"}`, "03107C"},
		{"issued zero", `{"Balance":{"value":"0","currency":"USD","issuer":"jjjjjjjjjjjjjjjjjjjjBZbvri"}}`,
			"62800000000000000000000000000000000000000055534400000000000000000000000000000000000000000000000001"},
		{"negative drops", `{"Balance":"-1"}`, "620000000000000001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := ParseJSON([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			if got := hexUpper(o.Encode()); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			back, err := Decode(mustHex(t, c.want))
			if err != nil {
				t.Fatal(err)
			}
			if !back.Equal(o) {
				t.Fatalf("decode mismatch: %v vs %v", back.JSON(), o.JSON())
			}
		})
	}
}

func TestCurrencyJSONForms(t *testing.T) {
	for _, s := range []string{"SWT", "CNY", "JJCC", "JMOAC", "JSLASH", "usd", "0158415500000000C1F76FF6ECB0BAC600000000"} {
		c, err := ParseCurrency(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := c.String(); got != s {
			t.Errorf("%s renders as %s", s, got)
		}
	}
	for _, s := range []string{"", "AB", "TOOLONG", "C-Y", "0158415500000000C1F76FF6ECB0BAC60000000G", "人民币"} {
		if _, err := ParseCurrency(s); err == nil {
			t.Errorf("ParseCurrency(%q) accepted", s)
		}
	}
	// A 20-byte code that only looks like "SWT" stays hex so it cannot be
	// mistaken for the native currency.
	var c Currency
	copy(c[12:], "SWT")
	if s := c.String(); !strings.HasPrefix(s, "000000") || len(s) != 40 {
		t.Errorf("issued SWT-lookalike renders as %q", s)
	}
}
