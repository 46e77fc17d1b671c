package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func jt(t *testing.T, stdin string, args ...string) (out, errOut string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, strings.NewReader(stdin), &o, &e)
	return o.String(), e.String(), code
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return m
}

const (
	vector2Blob = "120000220000000024000000016140000017428107006840000000000027107321029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E1574473045022100EC761F10DDA2371C77437EE2C7A71379B4214CF77E1C4058C46236B3E446ACE90220456CFB5ACDEE1EB7DEAC4819B5CD19C09911518BD38810A77EF20863C776FC8081141359AA928F4D98FDB3D93E8B690C80D37DED11C38314054FADDC8595E2950FA43F673F65C2009F58C7F1F9EA7D09E7BB99E694AFE4BB98E1F1"
	vector2Hash = "EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2"
	vector2JSON = `{"TransactionType":"Payment","Flags":0,"Sequence":1,"Fee":"10000","Destination":"jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D","Amount":"99900000000","Memos":[{"Memo":{"MemoData":"e7bb99e694afe4bb98"}}]}`
)

func TestWalletShowPrintsTheGenesisAccount(t *testing.T) {
	out, _, code := jt(t, "", "wallet", "show", "snoPBjXtMeMyMHUVTgbuqAfg1SUTb")
	m := decodeJSON(t, out)
	if code != 0 || m["address"] != "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh" || m["key_type"] != "secp256k1" ||
		m["public_key"] != "0330E7FC9D56BB25D6893BA3F317AE5BCF33B3291BD63DB32654A313222F7FD020" {
		t.Fatalf("code %d: %v", code, m)
	}
	out, _, _ = jt(t, "", "wallet", "show", "sEdTJSpen5J8ZA7H4cVGDF6oSSLLW2Y")
	if m := decodeJSON(t, out); m["address"] != "jfqiMxoT228vp3dMrXKnJXo6V9iYEx94pt" || m["key_type"] != "ed25519" {
		t.Fatalf("%v", m)
	}
}

func TestWalletNewRoundTripsThroughShow(t *testing.T) {
	for _, kt := range []string{"secp256k1", "ed25519"} {
		out, _, code := jt(t, "", "wallet", "new", "--type", kt)
		w := decodeJSON(t, out)
		if code != 0 || w["key_type"] != kt {
			t.Fatalf("%s: %v", kt, w)
		}
		again, _, _ := jt(t, "", "wallet", "show", w["secret"].(string))
		if decodeJSON(t, again)["address"] != w["address"] {
			t.Fatalf("show disagrees with new for %s", kt)
		}
	}
}

func TestTxSignReproducesARealTransaction(t *testing.T) {
	out, errOut, code := jt(t, "", "tx", "sign", "--secret", "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C", vector2JSON)
	m := decodeJSON(t, out)
	if code != 0 || m["tx_blob"] != vector2Blob || m["hash"] != vector2Hash {
		t.Fatalf("code %d %s: %v", code, errOut, m)
	}
	// The same from stdin and from a file.
	out, _, _ = jt(t, vector2JSON, "tx", "sign", "--secret", "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C", "-")
	if decodeJSON(t, out)["hash"] != vector2Hash {
		t.Fatal("stdin form differs")
	}
	f := filepath.Join(t.TempDir(), "tx.json")
	os.WriteFile(f, []byte(vector2JSON), 0o600)
	out, _, _ = jt(t, "", "tx", "sign", "--secret", "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C", "@"+f)
	if decodeJSON(t, out)["hash"] != vector2Hash {
		t.Fatal("file form differs")
	}
}

func TestTxDecodeAndHash(t *testing.T) {
	out, _, code := jt(t, "", "tx", "decode", vector2Blob)
	m := decodeJSON(t, out)
	if code != 0 || m["TransactionType"] != "Payment" || m["Amount"] != "99900000000" || m["hash"] != vector2Hash {
		t.Fatalf("%v", m)
	}
	out, _, code = jt(t, "", "tx", "hash", strings.ToLower(vector2Blob))
	if code != 0 || strings.TrimSpace(out) != vector2Hash {
		t.Fatalf("hash %q", out)
	}
}

func TestErrorsGoToStderrWithNonZeroExit(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"tx", "decode", "zz"}, 1, "not hex"},
		{[]string{"tx", "decode", vector2Blob[:40]}, 1, "offset"},
		{[]string{"tx", "hash", vector2Blob + "00"}, 1, "codec"},
		{[]string{"tx", "sign", vector2JSON}, 2, "--secret is required"},
		{[]string{"tx", "sign", "--secret", "sBAD", vector2JSON}, 1, "secret"},
		{[]string{"tx", "sign", "--secret", "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C", `{"TransactionType":"Payment"}`}, 1, "Sequence"},
		{[]string{"tx", "sign", "--secret", "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C", `{"Sequence":1,"TransactionType":"Payment","Amount":"1.5"}`}, 1, "Amount"},
		{[]string{"tx", "sign", "--secret", "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C", `not json`}, 1, "JSON"},
		{[]string{"wallet", "new", "--type", "dsa"}, 2, "secp256k1 or ed25519"},
		{[]string{"wallet", "show"}, 2, "one secret"},
		{[]string{"wallet", "new", "--bogus"}, 2, "unknown flag"},
		{[]string{"frobnicate"}, 1, "unknown command"},
	}
	for _, c := range cases {
		out, errOut, code := jt(t, "", c.args...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: code %d (want %d), stdout %q, stderr %q (want %q)", c.args, code, c.code, out, errOut, c.msg)
		}
	}
}
