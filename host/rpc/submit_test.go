package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

const tesMessage = "The transaction was applied. Only final in a validated ledger."

func TestSubmitSignedBlob(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	tx := c.tx("alice", pay(c.addr("bob"), "5000000"))
	blob := fmt.Sprintf("%X", tx.Blob())
	r := cl.result(map[string]any{"command": "submit", "tx_blob": blob})
	if r["engine_result"] != "tesSUCCESS" || num(r["engine_result_code"]) != 0 || r["engine_result_message"] != tesMessage ||
		r["tx_blob"] != blob || field(r, "tx_json", "hash") != fmt.Sprintf("%X", tx.ID()) || field(r, "tx_json", "Amount") != "5000000" {
		t.Fatalf("%v", r)
	}
	if len(c.submitted) != 1 || c.submitted[0].ID() != tx.ID() {
		t.Fatal("the backend did not get the transaction")
	}
}

// A real Jingtum payment (spec/jingtum-wire.md §9 vector 2) decodes with
// its on-chain hash; on this chain its account does not exist, and a non-tes
// result is still a successful response.
func TestSubmitRealJingtumBlobNonTesIsStillSuccess(t *testing.T) {
	c := newChain(t)
	s := testServer(t, c, nil)
	blob := "120000220000000024000000016140000017428107006840000000000027107321029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E1574473045022100EC761F10DDA2371C77437EE2C7A71379B4214CF77E1C4058C46236B3E446ACE90220456CFB5ACDEE1EB7DEAC4819B5CD19C09911518BD38810A77EF20863C776FC8081141359AA928F4D98FDB3D93E8B690C80D37DED11C38314054FADDC8595E2950FA43F673F65C2009F58C7F1F9EA7D09E7BB99E694AFE4BB98E1F1"
	r := dial(t, s).call(map[string]any{"command": "submit", "tx_blob": blob})
	if r["status"] != "success" || field(r, "result", "engine_result") != "terNO_ACCOUNT" ||
		field(r, "result", "tx_json", "hash") != "EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2" {
		t.Fatalf("%v", r)
	}
}

func TestSubmitUndecodableBlobIsTxBlobInvalid(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	for _, blob := range []any{"zz", "", "1200", 5} {
		r := cl.call(map[string]any{"command": "submit", "tx_blob": blob})
		if r["error"] != "txBlobInvalid" || num(r["error_code"]) != 63 ||
			r["error_message"] != "The tx_blob is an invalid parameter, parsing failure." {
			t.Fatalf("%v: %v", blob, r)
		}
	}
}

func TestSubmitBadSignatureIsInvalidTransaction(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	tx := c.tx("alice", pay(c.addr("bob"), "5000000"))
	obj := tx.Object().Clone()
	sig := append([]byte(nil), obj.Blob(sf.TxnSignature)...)
	sig[len(sig)-1] ^= 1
	obj.Set(sf.TxnSignature, sig)
	r := dial(t, s).call(map[string]any{"command": "submit", "tx_blob": fmt.Sprintf("%X", obj.Encode())})
	if r["status"] != "error" || r["error"] != "invalidTransaction" || r["error_exception"] != "fails local checks: Invalid signature." ||
		r["error_message"] != r["error_exception"] {
		t.Fatalf("%v", r)
	}
	if len(c.submitted) != 0 {
		t.Fatal("a badly signed transaction was applied")
	}
}

// jingtum-lib's default (local_sign unset): the secret travels with a
// tx_json whose Fee is a JSON number and which has no Sequence.
func TestSubmitWithSecretAutofillsSequenceFromTheOpenLedger(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	c.apply(ter.TesSUCCESS, "alice", pay(c.addr("bob"), "1")) // open ledger: alice is at 6
	raw := fmt.Sprintf(`{"id":1,"command":"submit","secret":%q,"tx_json":{"Flags":0,"Fee":10000,"TransactionType":"Payment","Account":%q,`+
		`"Amount":{"value":"1.5","currency":"CNY","issuer":%q},"Destination":%q,"Memos":[{"Memo":{"MemoData":"e7bb99e694afe4bb98"}}]}}`,
		c.secret("alice"), c.addr("alice"), c.addr("gw"), c.addr("bob"))
	cl.send([]byte(raw))
	r := decode(t, cl.waitID(1))
	res, _ := r["result"].(map[string]any)
	if r["status"] != "success" || res["engine_result"] != "tesSUCCESS" || num(field(res, "tx_json", "Sequence")) != 6 ||
		field(res, "tx_json", "Fee") != "10000" || field(res, "tx_json", "hash") == nil || field(res, "tx_json", "SigningPubKey") != c.key("alice").PublicKeyHex() {
		t.Fatalf("%v", r)
	}
	tx, err := ledger.DecodeTx(mustHex(res["tx_blob"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifySignatures(tx, crypto.Verify); err != nil {
		t.Fatalf("server signature: %v", err)
	}
	// Fee missing too: the base fee from the fee status.
	r = cl.call(map[string]any{"command": "submit", "secret": c.secret("bob"), "tx_json": map[string]any{
		"TransactionType": "Payment", "Account": c.addr("bob"), "Amount": "1000", "Destination": c.addr("alice")}})
	if field(r, "result", "engine_result") != "tesSUCCESS" || field(r, "result", "tx_json", "Fee") != "10" ||
		num(field(r, "result", "tx_json", "Flags")) != tfFullyCanonicalSig {
		t.Fatalf("fee autofill: %v", r)
	}
}

func TestServerSigningErrors(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	txj := func(from string) map[string]any {
		return map[string]any{"TransactionType": "Payment", "Account": c.addr(from), "Amount": "1000", "Destination": c.addr("bob")}
	}
	cases := []struct {
		name  string
		req   map[string]any
		token string
		code  int
	}{
		{"secret of another account", map[string]any{"secret": c.secret("carol"), "tx_json": txj("alice")}, "badSecret", 40},
		{"unknown source", map[string]any{"secret": c.secret("nobody"), "tx_json": txj("nobody")}, "srcActNotFound", 58},
		{"no secret", map[string]any{"tx_json": txj("alice")}, "invalidParams", 29},
		{"no tx_json", map[string]any{"secret": c.secret("alice")}, "invalidParams", 29},
		{"no account", map[string]any{"secret": c.secret("alice"), "tx_json": map[string]any{"TransactionType": "Payment"}}, "srcActMissing", 57},
		{"bad field", map[string]any{"secret": c.secret("alice"), "tx_json": merge(txj("alice"), map[string]any{"Amount": "1.5"})}, "invalidParams", 29},
		{"bad key type", map[string]any{"secret": c.secret("alice"), "key_type": "rsa", "tx_json": txj("alice")}, "badSeed", 41},
	}
	for _, tc := range cases {
		tc.req["command"] = "submit"
		r := cl.call(tc.req)
		if r["error"] != tc.token || num(r["error_code"]) != tc.code || r["error_message"] == nil {
			t.Errorf("%s: %v", tc.name, r)
		}
	}
}

func TestSignReturnsASignedBlobWithoutSubmitting(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	r := dial(t, s).result(map[string]any{"command": "sign", "secret": c.secret("alice"), "tx_json": map[string]any{
		"TransactionType": "Payment", "Account": c.addr("alice"), "Amount": "1000", "Destination": c.addr("bob"), "Fee": 10000}})
	tx, err := ledger.DecodeTx(mustHex(r["tx_blob"].(string)))
	if err != nil || ledger.VerifySignatures(tx, crypto.Verify) != nil {
		t.Fatalf("blob: %v", err)
	}
	if field(r, "tx_json", "hash") != fmt.Sprintf("%X", tx.ID()) || tx.Sequence() != 5 || r["engine_result"] != nil {
		t.Fatalf("%v", r)
	}
	if len(c.submitted) != 0 {
		t.Fatal("sign submitted")
	}
}

func TestServerSigningOnlyOnAllowedListeners(t *testing.T) {
	c := newWorld(t)
	public := testServer(t, c, func(cfg *Config) { cfg.WSListen, cfg.HTTPListen = "0.0.0.0:0", "0.0.0.0:0" })
	cl := dialAddr(t, loopbackOf(public.WSAddr()))
	for _, cmd := range []map[string]any{
		{"command": "submit", "secret": c.secret("alice"), "tx_json": map[string]any{"TransactionType": "Payment", "Account": c.addr("alice"), "Amount": "1000", "Destination": c.addr("bob")}},
		{"command": "sign", "secret": c.secret("alice"), "tx_json": map[string]any{"TransactionType": "Payment", "Account": c.addr("alice"), "Amount": "1000", "Destination": c.addr("bob")}},
		{"command": "sign_for", "account": c.addr("bob"), "secret": c.secret("bob"), "tx_json": map[string]any{"TransactionType": "Payment", "Account": c.addr("alice"), "Amount": "1000", "Destination": c.addr("bob")}},
	} {
		r := cl.call(cmd)
		if r["error"] != "notSupported" || !strings.Contains(r["error_message"].(string), "local_sign") {
			t.Errorf("%s on a public listener: %v", cmd["command"], r)
		}
	}
	// Signed blobs are fine everywhere.
	tx := c.tx("alice", pay(c.addr("bob"), "1000"))
	if r := cl.result(map[string]any{"command": "submit", "tx_blob": fmt.Sprintf("%X", tx.Blob())}); r["engine_result"] != "tesSUCCESS" {
		t.Fatalf("%v", r)
	}
	code, body := httpCallAddr(t, loopbackOf(public.HTTPAddr()), `{"method":"sign","params":[{"secret":"`+c.secret("bob")+`","tx_json":{"TransactionType":"Payment","Account":"`+c.addr("bob")+`","Amount":"1","Destination":"`+c.addr("alice")+`"}}]}`)
	if code != 200 || !bytes.Contains(body, []byte(`"error":"notSupported"`)) {
		t.Fatalf("HTTP on a public listener: %d %s", code, body)
	}

	on := testServer(t, c, func(cfg *Config) { cfg.WSListen, cfg.ServerSigning = "0.0.0.0:0", SigningOn })
	r := dialAddr(t, loopbackOf(on.WSAddr())).call(map[string]any{"command": "sign", "secret": c.secret("alice"),
		"tx_json": map[string]any{"TransactionType": "Payment", "Account": c.addr("alice"), "Amount": "1000", "Destination": c.addr("bob")}})
	if r["status"] != "success" {
		t.Fatalf("server_signing on: %v", r)
	}
	off := testServer(t, c, func(cfg *Config) { cfg.ServerSigning = SigningOff })
	r = dial(t, off).call(map[string]any{"command": "sign", "secret": c.secret("alice"),
		"tx_json": map[string]any{"TransactionType": "Payment", "Account": c.addr("alice"), "Amount": "1000", "Destination": c.addr("bob")}})
	if r["error"] != "notSupported" {
		t.Fatalf("server_signing off on loopback: %v", r)
	}
}

func TestSignForThenSubmitMultisigned(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	payment := map[string]any{"TransactionType": "Payment", "Account": c.addr("alice"), "Amount": "2000000", "Destination": c.addr("gw")}
	signFor := func(signer string, txj map[string]any) map[string]any {
		t.Helper()
		return cl.result(map[string]any{"command": "sign_for", "account": c.addr(signer), "secret": c.secret(signer), "tx_json": txj})
	}
	// carol signs first, bob adds his signature to carol's result.
	one := signFor("carol", copyMap(payment))
	if field(one, "tx_json", "SigningPubKey") != "" || num(field(one, "tx_json", "Sequence")) != 5 || field(one, "tx_json", "Fee") != "30" {
		t.Fatalf("first signature: %v", one)
	}
	two := signFor("bob", one["tx_json"].(map[string]any))
	signers := field(two, "tx_json", "Signers").([]any)
	if len(signers) != 2 {
		t.Fatalf("signers %v", signers)
	}
	a0 := field(signers[0].(map[string]any), "Signer", "Account").(string)
	a1 := field(signers[1].(map[string]any), "Signer", "Account").(string)
	id0, _ := codec.ParseAccount(a0)
	id1, _ := codec.ParseAccount(a1)
	if bytes.Compare(id0[:], id1[:]) >= 0 {
		t.Fatalf("signers not sorted by account: %s %s", a0, a1)
	}
	// The other order gives the same transaction.
	alt := signFor("carol", signFor("bob", copyMap(payment))["tx_json"].(map[string]any))
	if alt["tx_blob"] != two["tx_blob"] {
		t.Fatal("signing order changed the transaction")
	}
	tx, err := ledger.DecodeTx(mustHex(two["tx_blob"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifySignatures(tx, crypto.Verify); err != nil {
		t.Fatalf("multi-signatures: %v", err)
	}
	// swtc-lib sends the fee as a float with noise.
	txj := two["tx_json"].(map[string]any)
	txj["Fee"] = json.Number("29.999999999999996")
	r := cl.result(map[string]any{"command": "submit_multisigned", "tx_json": txj})
	if r["engine_result"] != "tesSUCCESS" || field(r, "tx_json", "hash") != fmt.Sprintf("%X", tx.ID()) || r["tx_blob"] != two["tx_blob"] {
		t.Fatalf("submit_multisigned: %v", r)
	}
	// A forged signer is caught before it reaches the ledger.
	bad := copyMap(two["tx_json"].(map[string]any))
	sig := field(bad["Signers"].([]any)[0].(map[string]any), "Signer").(map[string]any)
	ts := sig["TxnSignature"].(string)
	sig["TxnSignature"] = ts[:len(ts)-2] + "00"
	if r := cl.call(map[string]any{"command": "submit_multisigned", "tx_json": bad}); r["error"] != "invalidTransaction" {
		t.Fatalf("forged: %v", r)
	}
}

func TestRoundDropsOnlyForgivesFloatNoise(t *testing.T) {
	for in, want := range map[string]any{
		"4163027.9999999995": "4163028", "10000": json.Number("10000"), "1e4": "10000", "10.5": json.Number("10.5"),
	} {
		m := map[string]any{"Fee": json.Number(in), "Sequence": json.Number("1.0")}
		roundDrops(m)
		if m["Fee"] != want || m["Sequence"] != json.Number("1.0") {
			t.Errorf("%s: %v", in, m)
		}
	}
	// swtc-lib also sends string amounts with the noise (seen on the wire).
	for in, want := range map[string]any{
		"16000001.999999998": "16000002", "556043639954664.94": "556043639954665", "7": "7", "10.5": "10.5",
	} {
		m := map[string]any{"Amount": in}
		roundDrops(m)
		if m["Amount"] != want {
			t.Errorf("string %s: %v, want %v", in, m["Amount"], want)
		}
	}
	iou := map[string]any{"value": "1.5", "currency": "CNY", "issuer": "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"}
	m := map[string]any{"Amount": iou}
	roundDrops(m)
	if _, ok := m["Amount"].(map[string]any); !ok {
		t.Error("an issued amount was touched")
	}
}

func copyMap(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

func loopbackOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return net.JoinHostPort("127.0.0.1", port)
}
