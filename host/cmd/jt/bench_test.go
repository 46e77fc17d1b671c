package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestPercentileIsNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, ms(float64(i)))
	}
	for p, want := range map[float64]time.Duration{50: ms(50), 95: ms(95), 99: ms(99), 100: ms(100), 0.1: ms(1), 99.9: ms(100)} {
		if got := percentile(s, p); got != want {
			t.Errorf("p%g = %v, want %v", p, got, want)
		}
	}
	if percentile(nil, 50) != 0 || percentile(s[:1], 99) != ms(1) {
		t.Fatal("edge cases")
	}
	// p50 of an even count is the lower middle; of 3 samples the second.
	if percentile([]time.Duration{1, 2, 3, 4}, 50) != 2 || percentile([]time.Duration{1, 2, 3}, 50) != 2 {
		t.Fatal("small samples")
	}
	l := summarizeLatency([]time.Duration{ms(30), ms(10), ms(20), ms(1000.5)})
	if l.Samples != 4 || l.P50ms != 20 || l.P95ms != 1000.5 || l.MaxMs != 1000.5 {
		t.Fatalf("%+v", l)
	}
	if rate(150, 30*time.Second) != 5 || rate(10, 0) != 0 || rate(1, 3*time.Second) != 0.3 {
		t.Fatal("rate")
	}
}

// fakeClock advances only when slept on, so pacing is exact and instant.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) bool {
	c.advance(d)
	return ctx.Err() == nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestPaceSendsEachTransactionAtItsDueTime(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	clk := &fakeClock{now: t0}
	var at []time.Duration
	res := pace(context.Background(), clk, t0, 10, 20, func(k int64, _ time.Time) bool {
		at = append(at, clk.Now().Sub(t0))
		return true
	})
	if res.Emitted != 20 || res.Stopped || res.MaxLag != 0 || len(at) != 20 {
		t.Fatalf("%+v", res)
	}
	for k, d := range at {
		if d != time.Duration(k)*100*time.Millisecond {
			t.Fatalf("tx %d sent at %v", k, d)
		}
	}
}

func TestPaceCatchesUpAfterAStallAndReportsTheLag(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	clk := &fakeClock{now: t0}
	var at []time.Duration
	res := pace(context.Background(), clk, t0, 10, 20, func(k int64, _ time.Time) bool {
		at = append(at, clk.Now().Sub(t0))
		if k == 5 {
			clk.advance(550 * time.Millisecond) // the sender blocked
		}
		return true
	})
	// Transactions 6..10 were overdue at 1050ms and went out at once; the
	// schedule resumes at 11 (due at 1100ms).
	if res.Emitted != 20 || res.MaxLag != 450*time.Millisecond {
		t.Fatalf("%+v", res)
	}
	for k := 6; k <= 10; k++ {
		if at[k] != 1050*time.Millisecond {
			t.Fatalf("tx %d at %v", k, at[k])
		}
	}
	if at[11] != 1100*time.Millisecond || at[19] != 1900*time.Millisecond {
		t.Fatalf("schedule drifted: %v", at)
	}
}

func TestPaceAtHighRatesBatchesWithoutDrifting(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	clk := &fakeClock{now: t0}
	const r = 5000 // 200µs apart: below minSleep, so several go per wake-up
	res := pace(context.Background(), clk, t0, r, 5000, func(k int64, _ time.Time) bool {
		due := time.Duration(k) * time.Second / r
		if now := clk.Now().Sub(t0); now < due-minSleep || now > due+minSleep {
			t.Fatalf("tx %d sent at %v, due %v", k, now, due)
		}
		return true
	})
	if res.Emitted != 5000 {
		t.Fatalf("%+v", res)
	}
	if end := clk.Now().Sub(t0); end < 999*time.Millisecond || end > time.Second {
		t.Fatalf("5000 at 5000/s took %v", end)
	}
}

func TestPaceStops(t *testing.T) {
	clk := &fakeClock{now: time.Unix(0, 0)}
	res := pace(context.Background(), clk, clk.Now(), 100, 50, func(k int64, _ time.Time) bool { return k < 3 })
	if res.Emitted != 3 || !res.Stopped {
		t.Fatalf("%+v", res)
	}
	ctx, cancel := context.WithCancel(context.Background())
	res = pace(ctx, clk, clk.Now(), 100, 50, func(k int64, _ time.Time) bool {
		if k == 7 {
			cancel()
		}
		return true
	})
	if res.Emitted != 8 || !res.Stopped {
		t.Fatalf("%+v", res)
	}
	if totalTxs(100, 30*time.Second) != 3000 || totalTxs(0.5, time.Second) != 0 || totalTxs(3, 1500*time.Millisecond) != 4 {
		t.Fatal("totalTxs")
	}
}

func TestPresignerSignsInOrderWithConsecutiveSequences(t *testing.T) {
	accounts, err := newBenchAccounts(3, crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	accounts[1].kp, _ = crypto.DeriveKeyPair(crypto.SeedFromPassphrase("secp"), crypto.Secp256k1)
	accounts[1].id = accounts[1].kp.AccountID()
	for i, s := range []uint32{5, 10, 20} {
		accounts[i].seq = s
	}
	dest := func(i int) codec.AccountID { return accounts[(i+1)%3].id }
	const total = 3*chunkSize + 7
	ctx, cancel := context.WithCancel(context.Background())
	ps := startPresigner(ctx, accounts, dest, paymentSpec{fee: 10, amount: 1}, total, 4, 2)
	defer func() { cancel(); ps.stop() }()
	for k := 0; k < total; k++ {
		tx, ok, err := ps.next(ctx)
		if !ok || err != nil {
			t.Fatalf("tx %d: %v %v", k, ok, err)
		}
		a := k % 3
		if tx.account != a || tx.seq != accounts[a].seq+uint32(k/3) {
			t.Fatalf("tx %d: account %d seq %d", k, tx.account, tx.seq)
		}
		if k%97 == 0 || k == total-1 {
			var p struct {
				TxBlob string `json:"tx_blob"`
			}
			if err := json.Unmarshal(tx.params, &p); err != nil {
				t.Fatal(err)
			}
			blob, _ := hex.DecodeString(p.TxBlob)
			ltx, err := ledger.DecodeTx(blob)
			if err != nil || ledger.VerifySignatures(ltx, crypto.Verify) != nil || ltx.ID() != tx.hash ||
				ltx.Account() != accounts[a].id || ltx.Sequence() != tx.seq || ltx.Object().Account(sf.Destination) != dest(a) {
				t.Fatalf("tx %d does not verify: %v", k, err)
			}
		}
	}
	if _, ok, _ := ps.next(ctx); ok {
		t.Fatal("more transactions than total")
	}
}

func TestTrackerAccountsForEveryTransaction(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	tr := newTracker(3)
	h := func(i byte) codec.Hash256 { return codec.Hash256{i} }
	send := func(i byte, account int, seq uint32, at time.Duration) {
		tr.sent(signedTx{account: account, seq: seq, hash: h(i)}, t0.Add(at))
	}
	send(1, 0, 1, 0)
	send(2, 1, 1, 0)
	send(3, 2, 1, 0)
	send(4, 0, 2, ms(10))
	send(5, 1, 2, ms(10))
	send(6, 2, 2, ms(10))
	send(7, 0, 3, ms(20))
	tr.submitResult(h(1), "tesSUCCESS")
	tr.submitResult(h(2), "tesSUCCESS")
	tr.submitResult(h(3), "telINSUF_FEE_P") // breaks account 2
	tr.submitResult(h(4), "terPRE_SEQ")     // held by jtd's queue
	tr.submitResult(h(5), "tesSUCCESS")
	tr.submitResult(h(6), "temBAD_FEE") // breaks account 2 again: counted once
	// 7: no response
	if b, all := tr.isBroken(2); !b || all {
		t.Fatal("account 2 should be broken, not all")
	}
	if s := tr.snapshot(); s.outstanding != 5 { // 3 (tel) and 6 (tem) left the set; 4 (ter) is held
		t.Fatalf("outstanding %d", s.outstanding)
	}
	tr.validated(h(1), "tesSUCCESS", t0.Add(ms(1000)))
	tr.validated(h(1), "tesSUCCESS", t0.Add(ms(5000))) // twice: ignored
	tr.validated(h(4), "tesSUCCESS", t0.Add(ms(2010)))
	tr.validated(h(9), "tesSUCCESS", t0.Add(ms(3000))) // not ours
	tr.validated(h(5), "tecUNFUNDED_PAYMENT", t0.Add(ms(1500)))

	var r benchReport
	// Account 1's validated sequence is 3: tx 2 (seq 1) is committed though
	// the stream never showed it. Account 0 is at 3: tx 7 (seq 3) is not.
	tr.finish(&r, t0, []uint32{3, 3, 1})
	if r.Submitted != 7 || r.Accepted != 3 || r.Queued != 1 || r.Committed != 3 || r.CommittedUnobserved != 1 || r.Lost != 0 || r.StalledAccounts != 1 {
		t.Fatalf("%+v", r)
	}
	if r.FailedInLedger["tecUNFUNDED_PAYMENT"] != 1 || r.Rejected["telINSUF_FEE_P"] != 1 || r.Rejected["temBAD_FEE"] != 1 || r.Rejected["error: no response"] != 1 {
		t.Fatalf("rejected %v failed %v", r.Rejected, r.FailedInLedger)
	}
	if r.Latency.Samples != 2 || r.Latency.MaxMs != 2000 || r.Latency.P50ms != 1000 || r.CommitTime != 2.01 {
		t.Fatalf("%+v %v", r.Latency, r.CommitTime)
	}
	// Without the account check, the unobserved accepted one is lost.
	var r2 benchReport
	tr.finish(&r2, t0, nil)
	if r2.Committed != 2 || r2.Lost != 1 {
		t.Fatalf("%+v", r2)
	}
	if got := classifySubmit(nil, context.DeadlineExceeded); got != "error: timeout" {
		t.Fatal(got)
	}
	if got := classifySubmit([]byte(`{"engine_result":"tesSUCCESS"}`), nil); got != "tesSUCCESS" {
		t.Fatal(got)
	}
}

func TestBenchConfigValidation(t *testing.T) {
	_, errOut, code := jt(t, "", "bench", "payments", "--accounts", "0", "--rate", "-1", "--conns", "0", "--duration", "0s", "--key-type", "ed25519")
	for _, want := range []string{"--accounts 0", "--rate -1", "--conns 0", "--duration 0s"} {
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("exit %d, missing %q in %s", code, want, errOut)
		}
	}
	_, errOut, code = jt(t, "", "bench", "payments", "--key-type", "rsa")
	if code != 2 || !strings.Contains(errOut, "ed25519 or secp256k1") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, errOut, code = jt(t, "", "bench", "payments", "--funder", "nope")
	if code != 1 || !strings.Contains(errOut, "--funder") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// benchAgainst runs jt bench payments on a fake node and returns the JSON
// report, the exit code and stderr.
func benchAgainst(t *testing.T, ctx context.Context, f *fakeNode, args ...string) (map[string]any, int, string) {
	t.Helper()
	var o, e bytes.Buffer
	code := runContext(ctx, append([]string{"bench", "payments", "--url", f.url(), "--json", "--timeout", "5s", "--fund-timeout", "20s"}, args...), strings.NewReader(""), &o, &e)
	var m map[string]any
	if o.Len() > 0 {
		if err := json.Unmarshal(o.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %v\n%s\nstderr: %s", err, o.String(), e.String())
		}
	}
	return m, code, e.String()
}

func TestBenchPaymentsCommitsEverythingOnAHealthyNode(t *testing.T) {
	f := newFakeNode(t, 30*time.Millisecond)
	start := time.Now()
	m, code, errOut := benchAgainst(t, context.Background(), f, "--accounts", "5", "--rate", "100", "--duration", "1s", "--conns", "2", "--grace", "5s")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%v", code, errOut, m)
	}
	// On a loaded test machine a few may miss the end of the run; every
	// one sent must commit.
	sub := m["submitted"].(float64)
	if sub < 90 || sub+m["unsent"].(float64) != 100 || m["accepted"] != sub || m["committed"] != sub || m["lost"] != float64(0) ||
		len(m["rejected"].(map[string]any)) != 0 || m["latency"].(map[string]any)["samples"] != sub {
		t.Fatalf("%v", m)
	}
	if tps := m["submitted_tps"].(float64); tps < 85 || tps > 101 {
		t.Fatalf("submitted %g tx/s, want ~100", tps)
	}
	if m["signing_tps"].(float64) <= 0 || m["key_type"] != "ed25519" {
		t.Fatalf("%v", m)
	}
	if !strings.Contains(errOut, "funding 5 new ed25519 accounts") {
		t.Fatalf("stderr: %s", errOut)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("took %v", d)
	}
	// Every bench payment is a 1-drop SWT payment between bench accounts,
	// signed by its sender; the funding ones come from genesis.
	blobs := f.submittedBlobs()
	if len(blobs) != 5+int(sub) {
		t.Fatalf("%d blobs", len(blobs))
	}
	for _, b := range blobs[5:] {
		raw, _ := hex.DecodeString(b)
		tx, err := ledger.DecodeTx(raw)
		if err != nil || tx.Type() != codec.TxPayment || tx.Account() == crypto.GenesisKeyPair().AccountID() {
			t.Fatal(err)
		}
	}
}

func TestBenchPaymentsTableOutput(t *testing.T) {
	f := newFakeNode(t, 30*time.Millisecond)
	out, errOut, code := jt(t, "", "bench", "payments", "--url", f.url(), "--accounts", "2", "--rate", "20", "--duration", "500ms", "--key-type", "secp256k1", "--conns", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"2 accounts (secp256k1), target 20 tx/s", "submitted ", "accepted (tes) ", "committed (validated) ", "lost (accepted or queued, never validated) 0", "samples): p50"} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestBenchReportsRejectionsAndStopsTheStalledAccount(t *testing.T) {
	f := newFakeNode(t, 30*time.Millisecond)
	genesis := crypto.GenesisKeyPair().AccountID()
	var victim codec.AccountID
	n := 0
	f.setBeforeApply(func(tx *ledger.Tx) (string, bool) {
		if tx.Account() == genesis {
			return "", false
		}
		n++
		if n == 10 {
			victim = tx.Account()
		}
		if n >= 10 && tx.Account() == victim {
			return "telINSUF_FEE_P", true
		}
		return "", false
	})
	m, code, errOut := benchAgainst(t, context.Background(), f, "--accounts", "4", "--rate", "100", "--duration", "1s", "--grace", "3s")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%v", code, errOut, m)
	}
	rej := m["rejected"].(map[string]any)
	if rej["telINSUF_FEE_P"].(float64) < 1 || m["stalled_accounts"] != float64(1) || m["skipped"].(float64) < 10 || m["lost"] != float64(0) {
		t.Fatalf("%v", m)
	}
	// Everything else committed: submitted = committed + rejected.
	var rejected float64
	for _, v := range rej {
		rejected += v.(float64)
	}
	if m["committed"].(float64)+rejected != m["submitted"].(float64) {
		t.Fatalf("%v", m)
	}
}

func TestBenchStopsWhenTheNodeGoesAway(t *testing.T) {
	f := newFakeNode(t, 30*time.Millisecond)
	genesis := crypto.GenesisKeyPair().AccountID()
	n := 0
	f.setBeforeApply(func(tx *ledger.Tx) (string, bool) {
		if tx.Account() != genesis {
			if n++; n == 20 {
				go f.dropConnections()
			}
		}
		return "", false
	})
	start := time.Now()
	m, code, errOut := benchAgainst(t, context.Background(), f, "--accounts", "3", "--rate", "100", "--duration", "5s", "--grace", "10s")
	if code != 1 || !strings.Contains(errOut, "stopped early") || !strings.Contains(m["aborted"].(string), "lost") {
		t.Fatalf("exit %d: %s\n%v", code, errOut, m)
	}
	if s := m["submitted"].(float64); s < 20 || s > 200 {
		t.Fatalf("submitted %v", s)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("took %v: the run should stop at once", d)
	}
}

func TestBenchInterruptPrintsPartialResults(t *testing.T) {
	f := newFakeNode(t, 30*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	genesis := crypto.GenesisKeyPair().AccountID()
	n := 0
	f.setBeforeApply(func(tx *ledger.Tx) (string, bool) {
		if tx.Account() != genesis {
			if n++; n == 30 {
				cancel() // Ctrl-C
			}
		}
		return "", false
	})
	start := time.Now()
	m, code, errOut := benchAgainst(t, ctx, f, "--accounts", "3", "--rate", "100", "--duration", "20s")
	if code != 1 || m["interrupted"] != true || !strings.Contains(errOut, "interrupted") {
		t.Fatalf("exit %d: %s\n%v", code, errOut, m)
	}
	// What was sent is still followed to validation.
	if s := m["submitted"].(float64); s < 30 || s > 40 || m["committed"] != s || m["lost"] != float64(0) {
		t.Fatalf("%v", m)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestBenchRefusesAnUnderfundedFunder(t *testing.T) {
	f := newFakeNode(t, 30*time.Millisecond)
	f.fund("jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", 20*dropsPerSWT)
	_, code, errOut := benchAgainst(t, context.Background(), f, "--funder", vector1Secret, "--accounts", "10")
	if code != 1 || !strings.Contains(errOut, "funder jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz has 20 SWT") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, code, errOut = benchAgainst(t, context.Background(), f, "--funder", "sp5fghtJtpUojTwvof1NpDXAzNwf5")
	if code != 1 || !strings.Contains(errOut, "does not exist on the chain yet") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestProgressBarRendersAndStops(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	})
	tr := newTracker(1)
	for i := byte(0); i < 5; i++ {
		tr.sent(signedTx{hash: codec.Hash256{i}}, time.Now())
	}
	p := newBenchProgress(&benchConfig{progress: true, stderr: w}, 10)
	stop := p.follow(tr, func() string { return "ledger 7" })
	time.Sleep(600 * time.Millisecond)
	stop()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "ledger 7") || !strings.Contains(buf.String(), "5/10") {
		t.Fatalf("%q", buf.String())
	}
	// Without a terminal there is no bar, and follow is a no-op.
	newBenchProgress(&benchConfig{}, 10).follow(tr, nil)()
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestIsLoopback(t *testing.T) {
	for u, want := range map[string]bool{"ws://127.0.0.1:5020": true, "ws://localhost:5020": true, "ws://[::1]:5020": true,
		"wss://node.example.com": false, "ws://10.0.0.5:5020": false, "::bad": false} {
		if isLoopback(u) != want {
			t.Errorf("isLoopback(%q) != %v", u, want)
		}
	}
}
