package main

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/crypto/vrf"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/node"
)

func init() {
	// The node's blhr error tokens, for the fake node's error envelope.
	for tok, msg := range map[string]string{
		"blhrPending":      "record not sealed yet",
		"blhrNotFound":     "record not found",
		"blhrUnfunded":     "record fee cannot be paid",
		"blhrBadSignature": "bad record signature",
		"blhrSealed":       "record already sealed",
		"blhrTooLarge":     "record too large",
		"tooBusy":          "The server is too busy to help you now.",
	} {
		fakeErrors[tok] = struct {
			code int
			msg  string
		}{0, msg}
	}
}

// ---- a real RBFT chain, for bundles that verify ----

// blhrChain is a four-validator RBFT chain described by a genesis file,
// with the validators' node keys, so a test can seal records in ledgers
// and certify them the way rbft does.
type blhrChain struct {
	genesis node.Genesis
	path    string // the genesis file
	chainID string
	ids     []node.Identity
}

func newBLHRChain(t *testing.T, name string) blhrChain {
	t.Helper()
	c := blhrChain{}
	var gvs []node.GenesisValidator
	for i := range 4 {
		kt := crypto.Secp256k1
		if i%2 == 1 {
			kt = crypto.Ed25519
		}
		id, err := node.NewIdentity(crypto.SeedFromPassphrase(fmt.Sprintf("%s validator %d", name, i)), kt)
		if err != nil {
			t.Fatal(err)
		}
		c.ids = append(c.ids, id)
		gvs = append(gvs, id.GenesisValidator(fmt.Sprint("v", i)))
	}
	c.genesis = node.Genesis{
		ChainName: name, CloseTime: 800_000_000,
		Account:    crypto.GenesisKeyPair().AccountID().String(),
		TotalCoins: strconv.FormatUint(ledger.JingtumTotalCoins, 10),
		Fees: node.GenesisFees{Base: ledger.DefaultFees.Base, ReferenceUnits: ledger.DefaultFees.Units,
			ReserveBase: ledger.DefaultFees.Reserve, ReserveIncrement: ledger.DefaultFees.Increment},
		Consensus: node.GenesisConsensus{Engine: "rbft", Validators: gvs},
	}
	gl, err := c.genesis.Ledger()
	if err != nil {
		t.Fatal(err)
	}
	c.chainID = node.ChainID(name, gl.Hash())
	c.path = writeJSONFile(t, name+".genesis.json", c.genesis)
	return c
}

// certify is the certificate of block at height h by the validators with
// the given indexes: precommits over rbft.SignBytes, sorted by signer.
func (c blhrChain) certify(t *testing.T, h uint64, block []byte, signers ...int) []byte {
	t.Helper()
	cert := &rbft.Certificate{Height: h, Round: 0, BlockID: rbft.BlockID(block)}
	msg := rbft.SignBytes(c.chainID, cert.Vote().Encode())
	for _, i := range signers {
		sig, err := c.ids[i].Key.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		cert.Precommits = append(cert.Precommits, rbft.CommitSig{Signer: c.ids[i].Account(), Signature: sig})
	}
	slices.SortFunc(cert.Precommits, func(a, b rbft.CommitSig) int { return bytes.Compare(a.Signer[:], b.Signer[:]) })
	return cert.Encode()
}

// seal puts rec among 20 other records into ledger 12, commits that
// ledger with a certificate of three of the four validators, and returns
// the record's bundle.
func (c blhrChain) seal(t *testing.T, rec blhr.Record) blhr.Bundle {
	t.Helper()
	const seq = 12
	ids := []codec.Hash256{rec.ID()}
	for i := range 20 {
		ids = append(ids, crypto.SHA512Half([]byte(fmt.Sprint("another record ", i))))
	}
	slices.SortFunc(ids, func(a, b codec.Hash256) int { return bytes.Compare(a[:], b[:]) })
	root, err := blhr.Root(ids)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := blhr.ProofFor(ids, rec.ID())
	if err != nil {
		t.Fatal(err)
	}
	h := ledger.Header{
		Seq: seq, TotalCoins: ledger.JingtumTotalCoins, ParentHash: crypto.SHA512Half([]byte("ledger 11")),
		TxHash: crypto.SHA512Half([]byte("txs")), AccountHash: crypto.SHA512Half([]byte("state")),
		ParentCloseTime: 800_000_030, CloseTime: 800_000_033, CloseTimeResolution: 10, BLHRRoot: root,
	}
	blk := &node.Block{
		Height: seq, ParentHash: h.ParentHash, CloseTime: h.CloseTime, Creator: c.ids[0].Account(),
		Seed: crypto.SHA512Half([]byte("seed")), VRFProof: make([]byte, vrf.ProofSize), LedgerHash: h.Hash(),
		TxIDs: []codec.Hash256{crypto.SHA512Half([]byte("tx"))},
	}
	block := blk.Encode()
	return blhr.Bundle{
		Record: rec.Encode(), LedgerSeq: seq, Header: h.Encode(),
		Block: block, Certificate: c.certify(t, seq, block, 0, 1, 3), Proof: proof.Encode(),
	}
}

func writeJSONFile(t *testing.T, name string, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, b)
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func signedTestRecord(t *testing.T, chainID string) blhr.Record {
	t.Helper()
	kp, err := keyPairFromSecret(vector1Secret)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := blhr.NewRecord("doc/contract", []byte("the signed contract text"))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err = blhr.Sign(rec, chainID, kp); err != nil {
		t.Fatal(err)
	}
	return rec
}

func idHex(rec blhr.Record) string {
	id := rec.ID()
	return codec.HexUpper(id[:])
}

// ---- a fake node that speaks blhr_* ----

// blhrFake is the fake node answering blhr_submit, blhr_proof, blhr_query
// and server_info (with chain_id) from the test's functions, and keeping
// every request it saw.
type blhrFake struct {
	*fakeNode
	mu       sync.Mutex
	requests []map[string]any // every request, in order
}

func newBLHRFake(t *testing.T, chainID string, answer func(cmd string, req map[string]any) (any, string, bool)) *blhrFake {
	t.Helper()
	f := &blhrFake{fakeNode: newFakeNode(t, time.Hour)}
	f.setOverride(func(cmd string, req map[string]any) (any, string, bool) {
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.mu.Unlock()
		if answer != nil {
			if res, tok, ok := answer(cmd, req); ok {
				return res, tok, true
			}
		}
		if cmd == "server_info" {
			info := map[string]any{"server_state": "full", "build_version": "fake-1"}
			if chainID != "" {
				info["chain_id"] = chainID
			}
			return map[string]any{"info": info}, "", true
		}
		return nil, "", false
	})
	return f
}

// calls returns the requests of one command.
func (f *blhrFake) calls(cmd string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, r := range f.requests {
		if r["command"] == cmd {
			out = append(out, r)
		}
	}
	return out
}

// allRequests is every request as JSON text.
func (f *blhrFake) allRequests(t *testing.T) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(f.requests)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// queuedAnswer answers blhr_submit as the node does for the record it was sent.
func queuedAnswer(t *testing.T, req map[string]any) map[string]any {
	t.Helper()
	raw, err := hex.DecodeString(fmt.Sprint(req["record"]))
	if err != nil {
		t.Errorf("record param is not hex: %v", req["record"])
		return nil
	}
	rec, err := blhr.DecodeRecord(raw)
	if err != nil {
		t.Errorf("record param: %v", err)
		return nil
	}
	res := map[string]any{"record_id": idHex(rec), "queued": true, "signed": rec.Signed(), "ledger_current_index": 9}
	if rec.Signed() {
		res["account"], res["fee"] = rec.Account.String(), "1000"
	}
	return res
}

func proofAnswer(b blhr.Bundle) map[string]any {
	h, _ := ledger.DecodeHeader(b.Header)
	hash := h.Hash()
	rec, _ := blhr.DecodeRecord(b.Record)
	return map[string]any{"record_id": idHex(rec), "ledger_index": b.LedgerSeq, "ledger_hash": codec.HexUpper(hash[:]),
		"bundle": b, "record": map[string]any{"type_tag": rec.TypeTag}, "validated": true}
}

// submittedRecord decodes the record of the only blhr_submit request.
func submittedRecord(t *testing.T, f *blhrFake) blhr.Record {
	t.Helper()
	calls := f.calls("blhr_submit")
	if len(calls) != 1 {
		t.Fatalf("%d blhr_submit requests, want 1", len(calls))
	}
	req := calls[0]
	for k := range req {
		if k != "command" && k != "id" && k != "record" {
			t.Errorf("blhr_submit has parameter %q; jt sends only the record", k)
		}
	}
	raw, err := hex.DecodeString(fmt.Sprint(req["record"]))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := blhr.DecodeRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// ---- put ----

func TestBLHRPutSignsLocallyForTheNodesChainAndNeverSendsTheSecret(t *testing.T) {
	const chainID = "testchain:00112233445566778899AABBCCDDEEFF"
	f := newBLHRFake(t, chainID, func(cmd string, req map[string]any) (any, string, bool) {
		if cmd == "blhr_submit" {
			return queuedAnswer(t, req), "", true
		}
		return nil, "", false
	})
	out, errOut, code := jt(t, "", "blhr", "put", "--url", f.url(), "--type", "doc/contract",
		"--data", "the signed contract text", "--secret", vector1Secret, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rec := submittedRecord(t, f)
	if !rec.Signed() || rec.Account.String() != "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz" || rec.TypeTag != "doc/contract" ||
		string(rec.Data) != "the signed contract text" {
		t.Fatalf("submitted %+v", rec)
	}
	if err := rec.VerifySignature(chainID); err != nil {
		t.Fatalf("signature for the node's chain: %v", err)
	}
	if rec.VerifySignature("another-chain") == nil {
		t.Fatal("the signature is not bound to the chain id")
	}
	if s := f.allRequests(t); strings.Contains(s, vector1Secret) || strings.Contains(s, "secret") {
		t.Fatalf("the secret reached the node: %s", s)
	}
	m := decodeJSON(t, out)
	if m["id"] != idHex(rec) || m["status"] != "queued" || m["signed"] != true || m["account"] != rec.Account.String() ||
		m["fee"] != "1000" || m["chain_id"] != chainID || m["ledger_current_index"] != 9.0 {
		t.Fatalf("%v", m)
	}
	// The same from JT_SECRET, with the chain id given: no server_info.
	f2 := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		if cmd == "blhr_submit" {
			return queuedAnswer(t, req), "", true
		}
		return nil, "", false
	})
	t.Setenv("JT_SECRET", vector1Secret)
	out, errOut, code = jt(t, "", "blhr", "put", "--url", f2.url(), "--hash", strings.Repeat("ab", 32), "--chain-id", "other:1234")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rec = submittedRecord(t, f2)
	if rec.VerifySignature("other:1234") != nil || len(f2.calls("server_info")) != 0 {
		t.Fatalf("--chain-id ignored: %d server_info calls", len(f2.calls("server_info")))
	}
	for _, want := range []string{"id " + idHex(rec), "signed by jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz for chain other:1234, fee 1000 drops", "status queued (current ledger 9)"} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestBLHRPutBuildsTheRecordEachSourceDescribes(t *testing.T) {
	f := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		if cmd == "blhr_submit" {
			return queuedAnswer(t, req), "", true
		}
		return nil, "", false
	})
	// JT_SECRET is set, but --unsigned wins.
	t.Setenv("JT_SECRET", vector1Secret)
	big := bytes.Repeat([]byte("0123456789"), 20_000) // 200 KB: only its hash fits
	bigHash := sha512.Sum512(big)
	file := writeFile(t, "doc.txt", []byte("file contents\n"))
	bigFile := writeFile(t, "big.bin", big)
	mustRec := func(r blhr.Record, err error) blhr.Record {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  blhr.Record
	}{
		{"text", []string{"--data", "hello"}, "", mustRec(blhr.NewRecord("", []byte("hello")))},
		{"hex", []string{"--data-hex", "00FF10", "--type", "bin"}, "", mustRec(blhr.NewRecord("bin", []byte{0, 0xFF, 0x10}))},
		{"file", []string{"--data-file", file}, "", mustRec(blhr.NewRecord("", []byte("file contents\n")))},
		{"stdin", []string{"--data-file", "-", "--type", "a.b_c:d/e-f"}, "piped", mustRec(blhr.NewRecord("a.b_c:d/e-f", []byte("piped")))},
		{"hash", []string{"--hash", strings.Repeat("0A", 32)}, "", mustRec(blhr.NewHashRecord("", codec.Hash256(bytes.Repeat([]byte{0x0A}, 32))))},
		{"hash of a big file", []string{"--hash-file", bigFile, "--type", "archive"}, "", mustRec(blhr.NewHashRecord("archive", codec.Hash256(bigHash[:32])))},
	}
	for i, c := range cases {
		out, errOut, code := jt(t, c.stdin, append([]string{"blhr", "put", "--url", f.url(), "--unsigned", "--json"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, errOut)
		}
		calls := f.calls("blhr_submit")
		raw, _ := hex.DecodeString(fmt.Sprint(calls[i]["record"]))
		if !bytes.Equal(raw, c.want.Encode()) {
			t.Errorf("%s: submitted %X, want %X", c.name, raw, c.want.Encode())
		}
		if m := decodeJSON(t, out); m["id"] != idHex(c.want) || m["signed"] != false || m["account"] != nil {
			t.Errorf("%s: %v", c.name, m)
		}
	}
	if n := len(f.calls("server_info")); n != 0 {
		t.Errorf("unsigned records need no chain id, but jt asked server_info %d times", n)
	}
}

func TestBLHRPutChecksEverythingBeforeTalkingToTheNode(t *testing.T) {
	t.Setenv("JT_SECRET", "")
	f := newBLHRFake(t, "chain:1", nil)
	tooBig := writeFile(t, "big.bin", make([]byte, blhr.MaxData+1))
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, 2, "say what to record"},
		{[]string{"--data", "x", "--hash", strings.Repeat("00", 32)}, 2, "--data and --hash: give only one"},
		{[]string{"--data", "x", "--type", "no spaces"}, 2, `--type "no spaces": byte 2 is not allowed`},
		{[]string{"--data", "x", "--type", strings.Repeat("t", 65)}, 2, "at most 64"},
		{[]string{"--data", ""}, 1, "the data is empty"},
		{[]string{"--data-file", tooBig}, 1, "record its hash with --hash-file"},
		{[]string{"--data-file", "/nonexistent/file"}, 1, "--data-file"},
		{[]string{"--data-hex", "XYZ"}, 1, "--data-hex is not hex"},
		{[]string{"--hash", "abc"}, 1, "want 64 hex digits"},
		{[]string{"--hash", strings.Repeat("00", 32)}, 1, "all-zero hash"},
		{[]string{"--data", "x", "--chain-id", "c"}, 2, "--chain-id and --genesis are for signing"},
		{[]string{"--data", "x", "--secret", vector1Secret, "--unsigned"}, 2, "contradict"},
		{[]string{"--data", "x", "--secret", "sBAD"}, 1, "not a valid secret"},
		{[]string{"--data", "x", "--secret", vector1Secret, "--chain-id", strings.Repeat("c", 256)}, 2, "want 1 to 255 bytes"},
		{[]string{"--data", "x", "--secret", vector1Secret, "--genesis", "/nonexistent/genesis.json"}, 1, "--genesis"},
		{[]string{"--data", "x", "--wait", "--wait-timeout", "0s"}, 2, "--wait-timeout must be positive"},
		{[]string{"extra"}, 2, "takes no arguments"},
	}
	for _, c := range cases {
		out, errOut, code := jt(t, "", append([]string{"blhr", "put", "--url", f.url()}, c.args...)...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want %q)", c.args, code, c.code, out, errOut, c.msg)
		}
	}
	if s := f.allRequests(t); s != "null" {
		t.Errorf("jt talked to the node: %s", s)
	}
}

func TestBLHRPutTakesTheChainIDFromAGenesisFile(t *testing.T) {
	chain := newBLHRChain(t, "genesischain")
	f := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		if cmd == "blhr_submit" {
			return queuedAnswer(t, req), "", true
		}
		return nil, "", false
	})
	if _, errOut, code := jt(t, "", "blhr", "put", "--url", f.url(), "--data", "x", "--secret", vector1Secret, "--genesis", chain.path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if err := submittedRecord(t, f).VerifySignature(chain.chainID); err != nil {
		t.Fatal(err)
	}
}

func TestBLHRPutSaysHowToSignWhenTheNodeHasNoChainID(t *testing.T) {
	f := newBLHRFake(t, "", nil)
	out, errOut, code := jt(t, "", "blhr", "put", "--url", f.url(), "--data", "x", "--secret", vector1Secret)
	if code != 1 || out != "" || !strings.Contains(errOut, "does not report its chain id") || !strings.Contains(errOut, "--genesis") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
	if len(f.calls("blhr_submit")) != 0 {
		t.Fatal("submitted a record it could not sign")
	}
}

func TestBLHRPutExplainsRefusals(t *testing.T) {
	var token string
	f := newBLHRFake(t, "chain:1", func(cmd string, req map[string]any) (any, string, bool) {
		if cmd == "blhr_submit" {
			return nil, token, true
		}
		return nil, "", false
	})
	for _, c := range []struct{ token, msg string }{
		{"blhrUnfunded", "account jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz cannot pay the record fee"},
		{"blhrBadSignature", `made for chain id "chain:1"`},
		{"blhrTooLarge", "--hash-file"},
		{"slowDown", "the node is busy"},
		{"tooBusy", "the node is busy"},
		{"invalidParams", "blhr_submit: node error invalidParams"},
	} {
		token = c.token
		out, errOut, code := jt(t, "", "blhr", "put", "--url", f.url(), "--data", "x", "--secret", vector1Secret)
		if code != 1 || out != "" || !strings.Contains(errOut, c.token) || !strings.Contains(errOut, c.msg) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", c.token, code, out, errOut, c.msg)
		}
	}
}

func TestBLHRPutWaitPollsUntilAValidatedLedgerSealsTheRecord(t *testing.T) {
	chain := newBLHRChain(t, "waitchain")
	rec, err := blhr.NewRecord("note", []byte("hello, chain"))
	if err != nil {
		t.Fatal(err)
	}
	bundle := chain.seal(t, rec)
	var mu sync.Mutex
	polls := 0
	f := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		switch cmd {
		case "blhr_submit":
			return queuedAnswer(t, req), "", true
		case "blhr_proof":
			if req["record_id"] != idHex(rec) {
				t.Errorf("blhr_proof of %v, want %s", req["record_id"], idHex(rec))
			}
			mu.Lock()
			defer mu.Unlock()
			if polls++; polls == 1 {
				return nil, "blhrPending", true
			}
			return proofAnswer(bundle), "", true
		}
		return nil, "", false
	})
	out, errOut, code := jt(t, "", "blhr", "put", "--url", f.url(), "--type", "note", "--data", "hello, chain", "--wait", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	h, _ := ledger.DecodeHeader(bundle.Header)
	hash := h.Hash()
	m := decodeJSON(t, out)
	mu.Lock()
	n := polls
	mu.Unlock()
	if m["id"] != idHex(rec) || m["status"] != "sealed" || m["ledger_index"] != 12.0 || m["ledger_hash"] != codec.HexUpper(hash[:]) || n != 2 {
		t.Fatalf("%d polls: %v", n, m)
	}

	// A record that is never sealed: --wait gives up after --wait-timeout,
	// having printed the id.
	never := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		switch cmd {
		case "blhr_submit":
			return queuedAnswer(t, req), "", true
		case "blhr_proof":
			return nil, "blhrPending", true
		}
		return nil, "", false
	})
	out, errOut, code = jt(t, "", "blhr", "put", "--url", never.url(), "--data", "x", "--wait", "--wait-timeout", "300ms")
	if code != 1 || !strings.Contains(out, "id ") || !strings.Contains(errOut, "not sealed within 300ms") || !strings.Contains(errOut, "jt blhr proof") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
}

func TestBLHRPutOfAnAlreadySealedRecordReportsItsLedger(t *testing.T) {
	chain := newBLHRChain(t, "sealedchain")
	rec, _ := blhr.NewRecord("", []byte("again"))
	bundle := chain.seal(t, rec)
	f := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		switch cmd {
		case "blhr_submit":
			return nil, "blhrSealed", true
		case "blhr_proof":
			return proofAnswer(bundle), "", true
		}
		return nil, "", false
	})
	out, errOut, code := jt(t, "", "blhr", "put", "--url", f.url(), "--data", "again")
	if code != 0 || !strings.Contains(squeeze(out), "id "+idHex(rec)) || !strings.Contains(squeeze(out), "sealed in ledger 12") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
}

// ---- proof ----

func TestBLHRProofWritesTheBundleThatVerifies(t *testing.T) {
	chain := newBLHRChain(t, "proofchain")
	rec := signedTestRecord(t, chain.chainID)
	bundle := chain.seal(t, rec)
	other := chain.seal(t, signedTestRecord(t, "x"))
	var answer map[string]any
	var errTok string
	f := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		if cmd == "blhr_proof" {
			return answer, errTok, true
		}
		return nil, "", false
	})
	answer = proofAnswer(bundle)
	id := idHex(rec)

	out, errOut, code := jt(t, "", "blhr", "proof", strings.ToLower(id), "--url", f.url())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if calls := f.calls("blhr_proof"); len(calls) != 1 || calls[0]["record_id"] != id {
		t.Fatalf("requests %v", calls)
	}
	got, err := blhr.DecodeBundle([]byte(out))
	if err != nil || !bytes.Equal(got.Record, bundle.Record) || !bytes.Equal(got.Certificate, bundle.Certificate) {
		t.Fatalf("stdout is not the bundle: %v\n%s", err, out)
	}

	file := filepath.Join(t.TempDir(), "p.json")
	out, errOut, code = jt(t, "", "blhr", "proof", id, "--url", f.url(), "--out", file)
	if code != 0 || !strings.Contains(out, "wrote the proof of record "+id+" (ledger 12) to "+file) {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
	out, errOut, code = jt(t, "", "blhr", "verify", file, "--genesis", chain.path)
	if code != 0 || !strings.HasPrefix(out, "valid: record "+id+" is in ledger 12 ") {
		t.Fatalf("the written bundle does not verify: exit %d, %q, %q", code, out, errOut)
	}

	for _, c := range []struct {
		name   string
		answer map[string]any
		tok    string
		args   []string
		code   int
		msg    string
	}{
		{"pending", nil, "blhrPending", []string{id}, 1, "no validated ledger has sealed it"},
		{"unknown", nil, "blhrNotFound", []string{id}, 1, "is unknown to the node"},
		{"a bundle of another record", proofAnswer(other), "", []string{id}, 1, "the node's bundle holds record"},
		{"a malformed bundle", map[string]any{"record_id": id, "bundle": map[string]any{"version": 1}}, "", []string{id}, 1, "malformed"},
		{"no bundle", map[string]any{"record_id": id}, "", []string{id}, 1, "no bundle"},
		{"a bad id", nil, "", []string{"xyz"}, 2, "want 64 hex digits"},
		{"no id", nil, "", []string{}, 2, "one record id"},
	} {
		answer, errTok = c.answer, c.tok
		out, errOut, code := jt(t, "", append([]string{"blhr", "proof", "--url", f.url()}, c.args...)...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%s: exit %d (want %d), stdout %q, stderr %q (want %q)", c.name, code, c.code, out, errOut, c.msg)
		}
	}
}

// ---- verify ----

func TestBLHRVerifyAcceptsARealBundleAgainstTheGenesisFile(t *testing.T) {
	chain := newBLHRChain(t, "verifychain")
	rec := signedTestRecord(t, chain.chainID)
	bundle := chain.seal(t, rec)
	file := writeJSONFile(t, "bundle.json", bundle)
	h, _ := ledger.DecodeHeader(bundle.Header)
	hash := h.Hash()
	valid := fmt.Sprintf("valid: record %s is in ledger 12 %X\n", idHex(rec), hash[:])

	out, errOut, code := jt(t, "", "blhr", "verify", file, "--genesis", chain.path)
	if code != 0 || !strings.HasPrefix(out, valid) {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
	for _, want := range []string{"chain " + chain.chainID, "type doc/contract", "signed by jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz",
		"of 24 bytes of data in the record", "closed 2025-05-08T06:13:53Z"} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}

	// From standard input, as JSON, and with the data it records.
	raw, _ := os.ReadFile(file)
	data := writeFile(t, "contract.txt", []byte("the signed contract text"))
	out, errOut, code = jt(t, string(raw), "blhr", "verify", "-", "--genesis", chain.path, "--data-file", data, "--json")
	m := decodeJSON(t, out)
	if code != 0 || m["valid"] != true || m["id"] != idHex(rec) || m["ledger_index"] != 12.0 || m["account"] != rec.Account.String() || m["chain_id"] != chain.chainID {
		t.Fatalf("exit %d, %v, %q", code, m, errOut)
	}
	// Data that is not the record's.
	wrong := writeFile(t, "other.txt", []byte("another text"))
	out, errOut, code = jt(t, "", "blhr", "verify", file, "--genesis", chain.path, "--data-file", wrong)
	if code != 1 || out != "" || !strings.Contains(errOut, "the record is not of this file") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}

	// The validator set from a file: node public keys, or genesis entries.
	var keys []string
	for _, id := range chain.ids {
		keys = append(keys, id.PublicKey())
	}
	for name, list := range map[string]any{"keys": keys, "genesis entries": chain.genesis.Consensus.Validators} {
		vals := writeJSONFile(t, "validators.json", list)
		out, errOut, code = jt(t, "", "blhr", "verify", file, "--chain-id", chain.chainID, "--validators", vals)
		if code != 0 || !strings.HasPrefix(out, valid) {
			t.Fatalf("%s: exit %d, %q, %q", name, code, out, errOut)
		}
		out, errOut, code = jt(t, "", "blhr", "verify", file, "--genesis", chain.path, "--validators", vals)
		if code != 0 || !strings.HasPrefix(out, valid) {
			t.Fatalf("%s with --genesis: exit %d, %q, %q", name, code, out, errOut)
		}
	}
	// An unsigned hash record verifies on any chain's terms.
	plain, _ := blhr.NewHashRecord("archive", crypto.SHA512Half([]byte("off-chain archive")))
	out, errOut, code = jt(t, "", "blhr", "verify", writeJSONFile(t, "plain.json", chain.seal(t, plain)), "--genesis", chain.path)
	if code != 0 || !strings.Contains(squeeze(out), "signed by nobody") || !strings.Contains(out, "the data is not in the record") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
}

func TestBLHRVerifyRejectsAFlippedByteInAnyPart(t *testing.T) {
	chain := newBLHRChain(t, "tamperchain")
	good := chain.seal(t, signedTestRecord(t, chain.chainID))
	fields := []struct {
		name string
		get  func(*blhr.Bundle) *[]byte
	}{
		{"record", func(b *blhr.Bundle) *[]byte { return &b.Record }},
		{"proof", func(b *blhr.Bundle) *[]byte { return &b.Proof }},
		{"header", func(b *blhr.Bundle) *[]byte { return &b.Header }},
		{"block", func(b *blhr.Bundle) *[]byte { return &b.Block }},
		{"certificate", func(b *blhr.Bundle) *[]byte { return &b.Certificate }},
	}
	for _, f := range fields {
		n := len(*f.get(&good))
		for _, i := range []int{0, 1, n / 3, n / 2, 2 * n / 3, n - 2, n - 1} {
			b := good
			p := f.get(&b)
			*p = bytes.Clone(*p)
			(*p)[i] ^= 0x01
			out, errOut, code := jt(t, "", "blhr", "verify", writeJSONFile(t, "bundle.json", b), "--genesis", chain.path)
			if code != 1 || out != "" || !strings.HasPrefix(errOut, "jt: invalid: ") {
				t.Errorf("%s byte %d of %d flipped: exit %d, stdout %q, stderr %q", f.name, i, n, code, out, errOut)
			}
		}
	}
	// The ledger sequence, outside the hex fields.
	b := good
	b.LedgerSeq++
	if out, errOut, code := jt(t, "", "blhr", "verify", writeJSONFile(t, "bundle.json", b), "--genesis", chain.path); code != 1 || out != "" {
		t.Errorf("ledger_seq changed: exit %d, %q, %q", code, out, errOut)
	}
}

func TestBLHRVerifyRejectsAnotherChainsTrust(t *testing.T) {
	chain := newBLHRChain(t, "realchain")
	// An unsigned record, so that only the commit can fail.
	plain, err := blhr.NewRecord("note", []byte("unsigned"))
	if err != nil {
		t.Fatal(err)
	}
	file := writeJSONFile(t, "bundle.json", chain.seal(t, plain))
	signed := writeJSONFile(t, "signed.json", chain.seal(t, signedTestRecord(t, chain.chainID)))

	other := newBLHRChain(t, "otherchain")
	renamed := chain.genesis // the same validators under another chain name: another chain id
	renamed.ChainName = "realchain-fork"
	renamedPath := writeJSONFile(t, "renamed.genesis.json", renamed)
	// Validators 0, 1 and 3 signed: in this set of five only 0 and 1 are
	// members, and a quorum of five is four.
	var mixed []string
	for _, id := range []node.Identity{chain.ids[0], chain.ids[1], other.ids[0], other.ids[1], other.ids[2]} {
		mixed = append(mixed, id.PublicKey())
	}
	for _, c := range []struct {
		name   string
		bundle string
		args   []string
		msg    string
	}{
		{"another chain's genesis", file, []string{"--genesis", other.path}, "the genesis validators did not commit ledger 12 on chain otherchain:"},
		{"the same validators under another name", file, []string{"--genesis", renamedPath}, "on chain realchain-fork:"},
		{"another chain id", file, []string{"--chain-id", "realchain:00", "--validators", writeJSONFile(t, "v.json", chain.genesis.Consensus.Validators)}, "the given validator set did not commit"},
		{"a set the signers are no quorum of", file, []string{"--chain-id", chain.chainID, "--validators", writeJSONFile(t, "mixed.json", mixed)}, "need 4 of 5"},
		{"a signed record of another chain", signed, []string{"--genesis", other.path}, "the record's signature is not for chain otherchain:"},
	} {
		out, errOut, code := jt(t, "", append([]string{"blhr", "verify", c.bundle}, c.args...)...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "jt: invalid: ") || !strings.Contains(errOut, c.msg) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", c.name, code, out, errOut, c.msg)
		}
	}
	if out, errOut, code := jt(t, "", "blhr", "verify", file, "--genesis", chain.path); code != 0 {
		t.Fatalf("the unsigned bundle itself: exit %d, %q, %q", code, out, errOut)
	}
}

func TestBLHRVerifyUsageAndInputErrors(t *testing.T) {
	chain := newBLHRChain(t, "usagechain")
	file := writeJSONFile(t, "bundle.json", chain.seal(t, signedTestRecord(t, chain.chainID)))
	solo := chain.genesis
	solo.Consensus.Engine = "solo"
	soloPath := writeJSONFile(t, "solo.genesis.json", solo)
	vals := func(v any) string { return writeJSONFile(t, "validators.json", v) }
	key := chain.ids[0].PublicKey()
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{file}, 2, "say whom to trust"},
		{[]string{file, "--chain-id", chain.chainID}, 2, "say whom to trust"},
		{[]string{file, "--genesis", chain.path, "--chain-id", chain.chainID}, 2, "give one"},
		{[]string{}, 2, "one bundle file"},
		{[]string{file, "--genesis", soloPath}, 1, `engine is "solo"`},
		{[]string{file, "--genesis", "/nonexistent/genesis.json"}, 1, "--genesis"},
		{[]string{file, "--genesis", writeFile(t, "g.json", []byte(`{"chain_name": ""}`))}, 1, "chain_name is empty"},
		{[]string{writeFile(t, "b.json", []byte(`{"version": 1}`)), "--genesis", chain.path}, 1, "is not a proof bundle"},
		{[]string{"/nonexistent/bundle.json", "--genesis", chain.path}, 1, "no such file"},
		{[]string{file, "--chain-id", "c", "--validators", vals(map[string]any{})}, 1, "want a JSON list"},
		{[]string{file, "--chain-id", "c", "--validators", vals([]string{})}, 1, "1 to 31"},
		{[]string{file, "--chain-id", "c", "--validators", vals([]string{"nope"})}, 1, "entry 0 (\"nope\") is not a node public key"},
		{[]string{file, "--chain-id", "c", "--validators", vals([]any{42})}, 1, "entry 0 is neither"},
		{[]string{file, "--chain-id", "c", "--validators", vals([]string{key, key})}, 1, "entries 0 and 1 are the same validator"},
	}
	for _, c := range cases {
		out, errOut, code := jt(t, "", append([]string{"blhr", "verify"}, c.args...)...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want %q)", c.args, code, c.code, out, errOut, c.msg)
		}
	}
}

// ---- query ----

func TestBLHRQuerySendsTheFiltersAndPrintsTheRecords(t *testing.T) {
	pages := map[string]map[string]any{
		"": {"indexer": "blhr", "marker": "AB01", "records": []any{
			map[string]any{"ledger_index": 5, "id": strings.Repeat("1", 64), "type_tag": "invoice", "data_hash": strings.Repeat("2", 64),
				"account": "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", "data": hex.EncodeToString([]byte("invoice 42"))},
			map[string]any{"ledger_index": 6, "id": strings.Repeat("3", 64), "type_tag": "invoice", "data_hash": strings.Repeat("4", 64),
				"data": "00FF"},
		}},
		"AB01": {"indexer": "blhr", "records": []any{
			map[string]any{"ledger_index": 7, "id": strings.Repeat("5", 64), "type_tag": "", "data_hash": strings.Repeat("6", 64)},
		}},
	}
	f := newBLHRFake(t, "", func(cmd string, req map[string]any) (any, string, bool) {
		if cmd != "blhr_query" {
			return nil, "", false
		}
		m, _ := req["marker"].(string)
		return pages[m], "", true
	})
	file := writeFile(t, "doc.txt", []byte("doc"))
	docHash := crypto.SHA512Half([]byte("doc"))
	out, errOut, code := jt(t, "", "blhr", "query", "--url", f.url(), "--indexer", "blhr", "--type", "invoice",
		"--account", "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", "--data-file", file, "--ledger-min", "5", "--ledger-max", "9", "--limit", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	req := f.calls("blhr_query")[0]
	want := map[string]any{"indexer": "blhr", "type_tag": "invoice", "account": "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz",
		"data_hash": codec.HexUpper(docHash[:]), "ledger_index_min": 5.0, "ledger_index_max": 9.0, "limit": 2.0}
	for k, v := range want {
		if req[k] != v {
			t.Errorf("param %s = %v, want %v", k, req[k], v)
		}
	}
	if _, ok := req["marker"]; ok {
		t.Error("a first page with a marker")
	}
	for _, want := range []string{"LEDGER ID TYPE ACCOUNT DATA",
		"5 " + strings.Repeat("1", 64) + " invoice jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz \"invoice 42\"",
		"6 " + strings.Repeat("3", 64) + " invoice - 2 bytes",
		"more records: rerun with --marker AB01 (or --all)"} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}

	// --all follows the marker; --json prints every record.
	out, errOut, code = jt(t, "", "blhr", "query", "--url", f.url(), "--all", "--json")
	m := decodeJSON(t, out)
	if recs, _ := m["records"].([]any); code != 0 || len(recs) != 3 || m["marker"] != nil || m["indexer"] != "blhr" {
		t.Fatalf("exit %d, %v, %q", code, m, errOut)
	}
	if calls := f.calls("blhr_query"); len(calls) != 3 || calls[2]["marker"] != "AB01" {
		t.Fatalf("requests %v", calls)
	}
	out, _, _ = jt(t, "", "blhr", "query", "--url", f.url(), "--marker", "AB01")
	if !strings.Contains(squeeze(out), "7 "+strings.Repeat("5", 64)+" - - hash "+strings.Repeat("6", 64)) || strings.Contains(out, "more records") {
		t.Fatalf("last page:\n%s", out)
	}
}

func TestBLHRQueryRejectsBadFilters(t *testing.T) {
	f := newBLHRFake(t, "", nil)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--account", "jnope"}, "not an address"},
		{[]string{"--data-hash", "12"}, "want 64 hex digits"},
		{[]string{"--data-hash", strings.Repeat("0", 64), "--data-file", "x"}, "give one"},
		{[]string{"--ledger-min", "0"}, "want a ledger sequence"},
		{[]string{"--ledger-min", "9", "--ledger-max", "5"}, "is after"},
		{[]string{"--limit", "0"}, "want at least 1"},
		{[]string{"--marker", "not hex"}, "marker"},
	} {
		out, errOut, code := jt(t, "", append([]string{"blhr", "query", "--url", f.url()}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", c.args, code, out, errOut, c.msg)
		}
	}
	if s := f.allRequests(t); s != "null" {
		t.Errorf("jt talked to the node: %s", s)
	}
	// The node's refusal is passed on.
	g := newBLHRFake(t, "", func(cmd string, _ map[string]any) (any, string, bool) {
		return nil, "invalidParams", cmd == "blhr_query"
	})
	if _, errOut, code := jt(t, "", "blhr", "query", "--url", g.url()); code != 1 || !strings.Contains(errOut, "blhr_query: node error invalidParams") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestBLHRHelpDescribesEveryCommand(t *testing.T) {
	out, _, code := jt(t, "", "blhr", "--help")
	for _, want := range []string{"put", "proof", "verify", "query"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("jt blhr --help lacks %q", want)
		}
	}
	out, _, _ = jt(t, "", "blhr", "verify", "--help")
	for _, want := range []string{"--genesis", "--validators", "--chain-id", `["n9KAa2zV...", "n9LbM7..."]`, "exits 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("jt blhr verify --help lacks %q", want)
		}
	}
}
