package e2e

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/blhr/rbftcheck"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// submittedRecord is a record a node accepted, with the ledger it was
// building when it did.
type submittedRecord struct {
	id      string
	node    int
	current uint32
	signed  bool
}

// proofAnswer is the part of blhr_proof's answer the tests read.
type proofAnswer struct {
	ID          string          `json:"record_id"`
	LedgerIndex uint32          `json:"ledger_index"`
	LedgerHash  string          `json:"ledger_hash"`
	Bundle      json.RawMessage `json:"bundle"`
}

// TestBLHRRecordsSealedOnEveryValidator submits records, unsigned and
// signed, to all four validators of an RBFT network while ledgers close,
// and checks the sealing promise: every record a node accepted while
// building ledger C is in ledger C, C+1 or C+2 (in the ledger that closed
// after it was accepted, or the next) on every node, in the same ledger
// with the same header; and every node's proof bundle verifies offline
// against the genesis validator set, while a tampered one does not.
func TestBLHRRecordsSealedOnEveryValidator(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ctx := ctxFor(t, 4*time.Minute)
	c := newCluster(t, 4, 0, false)
	c.start()
	c.waitHeights(ctx, c.all(), 3, 60*time.Second)
	gen := genesisTestAccount(t)

	raw, err := c.rpc(ctx, 0, "server_info", nil)
	if err != nil {
		t.Fatal(err)
	}
	var si struct {
		Info struct {
			ChainID string `json:"chain_id"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &si); err != nil || si.Info.ChainID != c.chainID {
		t.Fatalf("server_info chain_id %q (%v), want %q", si.Info.ChainID, err, c.chainID)
	}

	// Four submitters, one per validator, over a few seconds (several
	// ledgers), each on its own connection.
	var mu sync.Mutex
	var recs []submittedRecord
	var wg sync.WaitGroup
	const perNode = 60
	for i := range c.nodes {
		seeds := make([]uint64, perNode)
		for k := range seeds {
			seeds[k] = rng.Uint64()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := c.nodes[i].dial(ctx)
			defer cl.Close()
			for k, s := range seeds {
				data := fmt.Sprintf("node %d record %d %x", i, k, s)
				var params map[string]any
				signed := k%5 == 0
				switch {
				case signed:
					r, err := blhr.NewRecord("e2e:signed", []byte(data))
					if err == nil {
						r, err = blhr.Sign(r, c.chainID, gen.kp)
					}
					if err != nil {
						t.Error(err)
						return
					}
					params = map[string]any{"record": hex.EncodeToString(r.Encode())}
				case k%5 == 1:
					h := crypto.SHA512Half([]byte(data))
					params = map[string]any{"data_hash": hex.EncodeToString(h[:])}
				default:
					params = map[string]any{"data": data, "type_tag": "e2e"}
				}
				raw, err := cl.Request(ctx, "blhr_submit", params)
				if err != nil {
					t.Errorf("node %d record %d: %v", i, k, err)
					return
				}
				var res struct {
					ID      string `json:"record_id"`
					Current uint32 `json:"ledger_current_index"`
					Queued  bool   `json:"queued"`
				}
				if err := json.Unmarshal(raw, &res); err != nil || !res.Queued || len(res.ID) != 64 {
					t.Errorf("blhr_submit answered %s (%v)", raw, err)
					return
				}
				mu.Lock()
				recs = append(recs, submittedRecord{id: res.ID, node: i, current: res.Current, signed: signed})
				mu.Unlock()
				time.Sleep(time.Duration(20+rng2(s)%60) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var last uint32
	for _, r := range recs {
		last = max(last, r.current)
	}
	c.waitHeights(ctx, c.all(), last+3, 60*time.Second)

	checker := rbftcheck.Checker(c.chainID, c.vals)
	ledgers := map[uint32]bool{}
	for _, r := range recs {
		var where proofAnswer
		for i := range c.nodes {
			raw, err := c.rpc(ctx, i, "blhr_proof", map[string]any{"record_id": r.id})
			if err != nil {
				t.Fatalf("record %s accepted by node %d while it built ledger %d: proof from node %d: %v", r.id, r.node, r.current, i, err)
			}
			var p proofAnswer
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			b, err := blhr.DecodeBundle(p.Bundle)
			if err != nil {
				t.Fatalf("node %d bundle of %s: %v", i, r.id, err)
			}
			if err := blhr.VerifyBundle(b, c.chainID, checker); err != nil {
				t.Fatalf("node %d bundle of %s does not verify: %v", i, r.id, err)
			}
			if i == 0 {
				where = p
				if p.LedgerIndex < r.current || p.LedgerIndex > r.current+2 {
					t.Errorf("record %s accepted by node %d while it built ledger %d is in ledger %d, want %d..%d",
						r.id, r.node, r.current, p.LedgerIndex, r.current, r.current+2)
				}
				ledgers[p.LedgerIndex] = true
				continue
			}
			if p.LedgerIndex != where.LedgerIndex || p.LedgerHash != where.LedgerHash {
				t.Errorf("record %s: node 0 has it in ledger %d %s, node %d in %d %s", r.id,
					where.LedgerIndex, where.LedgerHash, i, p.LedgerIndex, p.LedgerHash)
			}
		}
	}
	// Tampering with the header a proof names breaks it.
	raw, err = c.rpc(ctx, 1, "blhr_proof", map[string]any{"record_id": recs[0].id})
	if err != nil {
		t.Fatal(err)
	}
	var p proofAnswer
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	b, _ := blhr.DecodeBundle(p.Bundle)
	h, err := ledger.DecodeHeader(b.Header)
	if err != nil || h.BLHRRoot == ([32]byte{}) {
		t.Fatalf("bundle header %+v (%v) has no BLHR root", h, err)
	}
	b.Header[len(b.Header)-40] ^= 1
	if err := blhr.VerifyBundle(b, c.chainID, checker); err == nil {
		t.Fatal("a bundle with a flipped header byte verifies")
	}
	// The command-line client against the network: put (signed locally,
	// waiting for the seal), proof, and verify offline against the genesis.
	out, err := exec.CommandContext(ctx, jtBin, "blhr", "put", "--url", c.nodes[2].url(), "--data", "from the cli",
		"--type", "cli", "--secret", crypto.GenesisSecret, "--wait", "--json").CombinedOutput()
	if err != nil {
		t.Fatalf("jt blhr put: %v\n%s", err, out)
	}
	var put struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		LedgerIndex uint32 `json:"ledger_index"`
	}
	if err := json.Unmarshal(out, &put); err != nil || put.Status != "sealed" || put.LedgerIndex == 0 {
		t.Fatalf("jt blhr put printed %s (%v)", out, err)
	}
	bundleFile := filepath.Join(t.TempDir(), "bundle.json")
	if out, err := exec.CommandContext(ctx, jtBin, "blhr", "proof", put.ID, "--url", c.nodes[3].url(), "--out", bundleFile).CombinedOutput(); err != nil {
		t.Fatalf("jt blhr proof: %v\n%s", err, out)
	}
	genesisFile := filepath.Join(c.dir, "net", "genesis.json")
	out, err = exec.CommandContext(ctx, jtBin, "blhr", "verify", bundleFile, "--genesis", genesisFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "valid") || !strings.Contains(string(out), fmt.Sprint(put.LedgerIndex)) {
		t.Fatalf("jt blhr verify of a node's bundle: %v\n%s", err, out)
	}
	raw2, err := os.ReadFile(bundleFile)
	if err != nil {
		t.Fatal(err)
	}
	var bj map[string]any
	if err := json.Unmarshal(raw2, &bj); err != nil {
		t.Fatal(err)
	}
	cert := bj["certificate"].(string)
	bj["certificate"] = cert[:len(cert)-2] + map[bool]string{true: "00", false: "01"}[strings.HasSuffix(cert, "01")]
	tampered, _ := json.Marshal(bj)
	if err := os.WriteFile(bundleFile, tampered, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.CommandContext(ctx, jtBin, "blhr", "verify", bundleFile, "--genesis", genesisFile).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "invalid") {
		t.Fatalf("jt blhr verify accepted a bundle with a changed certificate byte: %v\n%s", err, out)
	}
	if _, err := c.checkAgreement(ctx, c.all()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records (%d signed) sealed in %d ledgers, identically on 4 validators", len(recs), countSigned(recs), len(ledgers))
}

func countSigned(recs []submittedRecord) int {
	n := 0
	for _, r := range recs {
		if r.signed {
			n++
		}
	}
	return n
}

// rng2 spreads a submitter's pauses without sharing the test's generator
// across goroutines.
func rng2(s uint64) uint64 { return s>>7 ^ s }

// TestBLHRBadInputIsRefusedAndChangesNothing sends a dev node records it
// must refuse (too large, a bad signature, a signer who cannot pay,
// malformed parameters, a flood of unsigned records from one address) and
// checks each gets its clear error and that nothing refused is sealed.
func TestBLHRBadInputIsRefusedAndChangesNothing(t *testing.T) {
	ctx := ctxFor(t, 2*time.Minute)
	// No admin addresses, so the test's client is rate-limited; a small
	// data limit.
	n := newDevNode(t, "admin_ips = []", "[blhr]", "max_data = 1024", "unsigned_per_second = 5", "unsigned_burst = 10")
	n.start()
	c := n.dial(ctx)
	gen := genesisTestAccount(t)
	raw, err := c.Request(ctx, "server_info", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	var si struct {
		Info struct {
			ChainID string `json:"chain_id"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &si); err != nil || si.Info.ChainID == "" {
		t.Fatalf("server_info: %s", raw)
	}
	chainID := si.Info.ChainID
	sign := func(r blhr.Record, err error) blhr.Record {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		s, err := blhr.Sign(r, chainID, gen.kp)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	submit := func(params map[string]any) error {
		_, err := c.Request(ctx, "blhr_submit", params)
		return err
	}
	var refused []string
	expect := func(what string, params map[string]any, wantErr, wantMsg string) {
		t.Helper()
		err := submit(params)
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("%s: got %v, want %s mentioning %q", what, err, wantErr, wantMsg)
		}
		if rec, ok := params["record"].(string); ok {
			b, _ := hex.DecodeString(rec)
			refused = append(refused, fmt.Sprintf("%X", blhr.EncodingID(b)))
		}
	}

	big := sign(blhr.NewRecord("big", make([]byte, 2000)))
	expect("data above max_data", map[string]any{"record": hex.EncodeToString(big.Encode())}, "blhrTooLarge", "at most 1024")
	expect("data above the protocol limit", map[string]any{"data": strings.Repeat("x", blhr.MaxData+1)}, "blhrTooLarge", "data_hash")
	bad := sign(blhr.NewRecord("forged", []byte("hello")))
	bad.Signature[len(bad.Signature)-3] ^= 0x40
	expect("bad signature", map[string]any{"record": hex.EncodeToString(bad.Encode())}, "blhr", "signature")
	other := sign(blhr.NewRecord("other-chain", []byte("hello")))
	if other, err = blhr.Sign(other, "another-chain", gen.kp); err != nil {
		t.Fatal(err)
	}
	expect("signature for another chain", map[string]any{"record": hex.EncodeToString(other.Encode())}, "blhrBadSignature", "signature")
	pauper := newTestAccount(t, "blhr-pauper")
	poor, err := blhr.NewRecord("poor", []byte("no funds"))
	if err != nil {
		t.Fatal(err)
	}
	if poor, err = blhr.Sign(poor, chainID, pauper.kp); err != nil {
		t.Fatal(err)
	}
	expect("signer without an account", map[string]any{"record": hex.EncodeToString(poor.Encode())}, "blhrUnfunded", "does not exist")
	expect("not hex", map[string]any{"record": "zz"}, "blhrMalformed", "not hex")
	expect("truncated", map[string]any{"record": hex.EncodeToString(big.Encode()[:40])}, "blhrMalformed", "truncated")
	expect("two data fields", map[string]any{"data": "a", "data_hash": strings.Repeat("00", 32)}, "blhrMalformed", "exactly one")
	expect("zero hash", map[string]any{"data_hash": strings.Repeat("00", 32)}, "blhrMalformed", "all-zero")
	expect("bad tag", map[string]any{"data": "a", "type_tag": "no spaces"}, "blhrMalformed", "type tag")
	if _, err := c.Request(ctx, "blhr_proof", map[string]any{"record_id": strings.Repeat("AB", 32)}); err == nil || !strings.Contains(err.Error(), "blhrNotFound") {
		t.Errorf("blhr_proof of an unknown id: %v", err)
	}

	// A flood of unsigned records from one address: the burst passes, then
	// slowDown; a signed record still goes through.
	var accepted, limited int
	for i := range 40 {
		err := submit(map[string]any{"data": fmt.Sprintf("flood %d", i)})
		switch {
		case err == nil:
			accepted++
		case strings.Contains(err.Error(), "slowDown") && strings.Contains(err.Error(), "sign your records"):
			limited++
		default:
			t.Fatalf("flood record %d: %v", i, err)
		}
	}
	if accepted < 10 || accepted > 15 || limited == 0 {
		t.Errorf("flood of 40: %d accepted, %d limited; want the burst of 10 (plus refill) then slowDown", accepted, limited)
	}
	good := sign(blhr.NewRecord("paid", []byte("paid record")))
	if err := submit(map[string]any{"record": hex.EncodeToString(good.Encode())}); err != nil {
		t.Fatalf("a signed record during the flood: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := c.Request(ctx, "blhr_proof", map[string]any{"record_id": fmt.Sprintf("%X", good.ID())})
		if err == nil {
			break
		}
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "blhrPending") {
			t.Fatalf("the signed record was not sealed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Nothing refused was sealed, and a second submission of a sealed
	// record is refused.
	for _, id := range refused {
		if _, err := c.Request(ctx, "blhr_proof", map[string]any{"record_id": id}); err == nil || !strings.Contains(err.Error(), "blhrNotFound") {
			t.Errorf("refused record %s: blhr_proof says %v", id, err)
		}
	}
	if err := submit(map[string]any{"record": hex.EncodeToString(good.Encode())}); err == nil || !strings.Contains(err.Error(), "blhrSealed") {
		t.Errorf("resubmitting a sealed signed record: %v", err)
	}
}
