package main

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

const vector1Secret = "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C" // jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz

func TestStatusPrintsServerInfo(t *testing.T) {
	f := newFakeNode(t, 20*time.Millisecond)
	out, errOut, code := jt(t, "", "status", "--url", f.url())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"server state full", "build version fake-1", "validated ledger", "base fee 10 drops",
		"reserve 10 SWT + 1 SWT per owned object", "uptime 1h2m5s", "host id FAKE"} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	out, _, code = jt(t, "", "status", "--url", f.url(), "--json")
	if m := decodeJSON(t, out); code != 0 || m["server_state"] != "full" || m["validated_ledger"] == nil {
		t.Fatalf("%v", m)
	}
	// JT_URL is the default.
	t.Setenv("JT_URL", f.url())
	if _, errOut, code := jt(t, "", "status"); code != 0 {
		t.Fatalf("JT_URL ignored: %s", errOut)
	}
}

func TestNodeCommandsFailClearlyWithoutANode(t *testing.T) {
	f := newFakeNode(t, time.Hour)
	url := f.url()
	f.shutdown()
	for _, args := range [][]string{
		{"status"}, {"account", "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh"}, {"tx", strings.Repeat("AB", 32)},
		{"pay", "--secret", vector1Secret, "--to", "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh", "--amount", "1/SWT"},
		{"bench", "payments", "--duration", "1s"},
	} {
		start := time.Now()
		out, errOut, code := jt(t, "", append(args, "--url", url, "--timeout", "2s")...)
		if code != 1 || out != "" || !strings.Contains(errOut, "cannot reach a node at "+url) || !strings.Contains(errOut, "JT_URL") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v took %v", args, d)
		}
	}
}

func TestAccountShowsBalanceSequenceAndLines(t *testing.T) {
	f := newFakeNode(t, 20*time.Millisecond)
	const addr = "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"
	f.fund(addr, 1_500_000_000)
	f.setOverride(func(cmd string, req map[string]any) (any, string, bool) {
		if cmd != "account_lines" {
			return nil, "", false
		}
		return map[string]any{"account": addr, "lines": []any{map[string]any{"account": "jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS",
			"balance": "100", "currency": "CNY", "limit": "1000", "limit_peer": "0", "no_skywell": true, "quality_in": 0, "quality_out": 0}}}, "", true
	})
	out, errOut, code := jt(t, "", "account", addr, "--url", f.url())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"balance 1500 SWT", "sequence 1", "owner count 0", "flags 0 (none)", "(validated)",
		"trust lines (1):", "CNY jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS 100 1000 0 no_skywell"} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	out, _, code = jt(t, "", "account", addr, "--url", f.url(), "--json")
	m := decodeJSON(t, out)
	if code != 0 || m["account_info"].(map[string]any)["account_data"].(map[string]any)["Balance"] != "1500000000" || len(m["lines"].([]any)) != 1 {
		t.Fatalf("%v", m)
	}
	// Unknown and malformed accounts.
	_, errOut, code = jt(t, "", "account", "jU6K7V3Po4snVhBBaU29sesqs2qTQJWDw1", "--url", f.url())
	if code != 1 || !strings.Contains(errOut, "does not exist on the chain yet") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, errOut, code = jt(t, "", "account", "jnope", "--url", f.url())
	if code != 1 || !strings.Contains(errOut, "not an address") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// account_lines failing is reported after the account.
	f.setOverride(func(cmd string, _ map[string]any) (any, string, bool) {
		return nil, "unknownCmd", cmd == "account_lines"
	})
	out, errOut, code = jt(t, "", "account", addr, "--url", f.url())
	if code != 1 || !strings.Contains(out, "1500 SWT") || !strings.Contains(errOut, "account_lines") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
}

func TestAccountFlagsAreNamed(t *testing.T) {
	if got := describeAccountFlags(ledger.LsfDisableMaster | ledger.LsfRequireDestTag | 0x1); got != "0x00120001 (RequireDestTag, DisableMaster, 0x00000001)" {
		t.Fatal(got)
	}
}

// The payment of spec/jingtum-wire.md vector 2, built by jt pay, must be the
// very blob jingtum-lib produced on the real network.
func TestPayBuildsTheExactBlobAndSubmitsIt(t *testing.T) {
	f := newFakeNode(t, 20*time.Millisecond)
	f.fund("jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", 100_000*dropsPerSWT)
	out, errOut, code := jt(t, "", "pay", "--url", f.url(), "--secret", vector1Secret,
		"--to", "jVnqw7H46sjpgNFzYvYWS4TAp13NKQA1D", "--amount", "99900/SWT", "--memo", "给支付")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	blobs := f.submittedBlobs()
	if len(blobs) != 1 || blobs[0] != vector2Blob {
		t.Fatalf("submitted %v", blobs)
	}
	if !strings.Contains(out, "hash           "+vector2Hash) || !strings.Contains(out, "engine_result  tesSUCCESS") {
		t.Fatalf("output:\n%s", out)
	}
	// The node-side checks the fake made, again by hand: it decodes and its
	// signature verifies.
	blob, _ := hex.DecodeString(blobs[0])
	tx, err := ledger.DecodeTx(blob)
	if err != nil || ledger.VerifySignatures(tx, crypto.Verify) != nil || tx.Sequence() != 1 || tx.Fee().Drops() != defaultFee {
		t.Fatalf("%v", err)
	}
}

func TestPayWaitsForValidation(t *testing.T) {
	f := newFakeNode(t, 20*time.Millisecond)
	const from = "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"
	f.fund(from, 1000*dropsPerSWT)
	t.Setenv("JT_SECRET", vector1Secret)
	out, errOut, code := jt(t, "", "pay", "--url", f.url(), "--to", crypto.GenesisAddress, "--amount", "1.5/SWT", "--wait", "--json", "--fee", "12")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := decodeJSON(t, out)
	if m["validated"] != true || m["result"] != "tesSUCCESS" || m["engine_result"] != "tesSUCCESS" || m["sequence"] != float64(1) {
		t.Fatalf("%v", m)
	}
	blob, _ := hex.DecodeString(m["tx_blob"].(string))
	obj, err := codec.Decode(blob)
	if err != nil {
		t.Fatal(err)
	}
	amt, _ := obj.Amount(sf.Amount)
	fee, _ := obj.Amount(sf.Fee)
	if amt.Drops() != 1_500_000 || fee.Drops() != 12 || obj.Account(sf.Destination).String() != crypto.GenesisAddress {
		t.Fatalf("%v", obj.JSON())
	}
	// The sequence comes from the current ledger: a second payment right
	// away uses the next one.
	out, errOut, code = jt(t, "", "pay", "--url", f.url(), "--to", crypto.GenesisAddress, "--amount", "1/SWT", "--json")
	if m := decodeJSON(t, out); code != 0 || m["sequence"] != float64(2) {
		t.Fatalf("exit %d %s: %v", code, errOut, m)
	}
	// The tx command finds the validated payment.
	hash := m["hash"].(string)
	out, errOut, code = jt(t, "", "tx", "--url", f.url(), hash)
	if tx := decodeJSON(t, out); code != 0 || tx["hash"] != hash || tx["validated"] != true {
		t.Fatalf("exit %d %s: %v", code, errOut, tx)
	}
}

// squeeze collapses runs of spaces, so tests do not depend on column widths.
func squeeze(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }), " ")
}

func TestPayAndTrustRejections(t *testing.T) {
	f := newFakeNode(t, 20*time.Millisecond)
	const from = "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"
	f.fund(from, 20*dropsPerSWT)
	url := f.url()
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		// More than the balance: the node refuses.
		{[]string{"pay", "--secret", vector1Secret, "--to", crypto.GenesisAddress, "--amount", "50/SWT"}, 1, "did not accept the transaction: tecUNFUNDED_PAYMENT"},
		// An account that does not exist cannot send.
		{[]string{"pay", "--secret", "sp5fghtJtpUojTwvof1NpDXAzNwf5", "--to", from, "--amount", "1/SWT"}, 1, "does not exist on the chain yet"},
		{[]string{"pay", "--secret", vector1Secret, "--to", "jbad", "--amount", "1/SWT"}, 1, "--to"},
		{[]string{"pay", "--secret", vector1Secret, "--to", from, "--amount", "1.1234567/SWT"}, 1, "6 decimals"},
		{[]string{"pay", "--secret", vector1Secret, "--to", from}, 2, "--to and --amount are required"},
		{[]string{"pay", "--to", from, "--amount", "1/SWT"}, 2, "--secret is required"},
		{[]string{"pay", "--secret", "sBAD", "--to", from, "--amount", "1/SWT"}, 1, "not a valid secret"},
		{[]string{"pay", "--secret", vector1Secret, "--to", from, "--amount", "1/SWT", "--fee", "0"}, 2, "--fee"},
		{[]string{"trust", "--secret", vector1Secret}, 2, "--limit is required"},
		{[]string{"trust", "--secret", vector1Secret, "--limit", "5/SWT"}, 1, "not SWT"},
	}
	for _, c := range cases {
		out, errOut, code := jt(t, "", append(c.args, "--url", url)...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want %q)", c.args, code, c.code, out, errOut, c.msg)
		}
	}
}

func TestTrustSubmitsATrustSet(t *testing.T) {
	f := newFakeNode(t, 20*time.Millisecond)
	f.fund("jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", 100*dropsPerSWT)
	f.fund("jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS", 100*dropsPerSWT)
	out, errOut, code := jt(t, "", "trust", "--url", f.url(), "--secret", vector1Secret,
		"--limit", "1000/CNY/jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS", "--wait")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "validated      tesSUCCESS in ledger") {
		t.Fatalf("%s", out)
	}
	blobs := f.submittedBlobs()
	blob, _ := hex.DecodeString(blobs[len(blobs)-1])
	tx, err := ledger.DecodeTx(blob)
	if err != nil || tx.Type() != codec.TxTrustSet {
		t.Fatal(err)
	}
	lim, _ := tx.Object().Amount(sf.LimitAmount)
	if lim.String() != "1000/CNY/jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS" {
		t.Fatalf("limit %s", lim)
	}
}

func TestTxLooksUpByHash(t *testing.T) {
	f := newFakeNode(t, 20*time.Millisecond)
	f.fund("jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", 100*dropsPerSWT)
	var hash string
	f.mu.Lock()
	for h := range f.txs {
		hash = strings.ToUpper(hex.EncodeToString(h[:]))
	}
	f.mu.Unlock()
	out, errOut, code := jt(t, "", "tx", hash, "--url", f.url())
	m := decodeJSON(t, out)
	if code != 0 || m["hash"] != hash || m["validated"] != true || m["meta"].(map[string]any)["TransactionResult"] != "tesSUCCESS" {
		t.Fatalf("exit %d %s: %v", code, errOut, m)
	}
	_, errOut, code = jt(t, "", "tx", strings.Repeat("0", 64), "--url", f.url())
	if code != 1 || !strings.Contains(errOut, "not found") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, errOut, code = jt(t, "", "tx", "xyz", "--url", f.url())
	if code != 2 || !strings.Contains(errOut, "neither a transaction hash") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	out, _, code = jt(t, "", "tx")
	if code != 0 || !strings.Contains(out, "decode") {
		t.Fatalf("jt tx without arguments should print help: %d %q", code, out)
	}
}
