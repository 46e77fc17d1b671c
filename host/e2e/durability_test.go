package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/client"
)

var durabilitySeed = flag.Int64("seed", 0, "seed of TestKill9UnderLoadLosesNothingValidated (0 picks one from the clock)")

// genesisSupply is every SWT drop there is: the genesis account's balance
// in ledger 1. Fees are destroyed, so total_coins falls by each fee.
const genesisSupply = 600_000_000_000_000_000

const (
	durabilityKills = 6
	usercoin        = "CNY"
)

// killModes: when in the ledger cycle a round's SIGKILL lands.
const (
	killAnyTime       = iota // after a random time under load
	killNearNextClose        // 150-260 ms after a ledgerClosed message: about when the next ledger closes
	killAfterPublish         // 0-20 ms after a ledgerClosed message: just after a commit
	killOnBuilt              // when jtd logs "ledger built": between a ledger's close and its commit
)

// TestKill9UnderLoadLosesNothingValidated runs a payment load (SWT and a
// usercoin, from four funded accounts) against a real jtd and kills it with
// SIGKILL at seeded random moments, some aimed at ledger closes. After each
// restart nothing the clients saw validated may be missing (DESIGN.md §4):
// every validated transaction is there in the same ledger with the same
// result, every validated ledger keeps its hash, the chain of ledger hashes
// is unbroken from ledger 1, balances are exactly what the chain's
// transactions make them, SWT is conserved (balances + fees burnt = the
// genesis supply) and the node takes and validates a new payment.
func TestKill9UnderLoadLosesNothingValidated(t *testing.T) {
	seed := *durabilitySeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	// The seed picks the kill modes and delays and the payments; the
	// node's own timing still varies from run to run.
	t.Logf("seed %d (replay: go test ./host/e2e -run TestKill9UnderLoadLosesNothingValidated -v -seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6a74636861696e))

	n := newDevNode(t)
	n.env = append(n.env, "JTD_LOG_LEVEL=debug") // "ledger built" and "ledger validated" lines
	n.start()
	ctx := ctxFor(t, 100*time.Second)
	tr := newValidatedTracker()

	genesis := genesisTestAccount(t)
	issuer := newTestAccount(t, "durability-issuer")
	holders := []testAccount{newTestAccount(t, "durability-holder-1"), newTestAccount(t, "durability-holder-2"), newTestAccount(t, "durability-holder-3")}
	load := append([]testAccount{issuer}, holders...)
	accounts := append([]testAccount{genesis}, load...)
	w := &loadWorld{genesis: genesis, issuer: issuer, holders: holders, accounts: accounts}

	setupStart := time.Now()
	w.setup(ctx, t, n, tr)
	t.Logf("setup: 4 accounts funded, 3 trust lines, %s issued, in %v", usercoin, time.Since(setupStart).Round(time.Millisecond))

	// Every mode at least once, killOnBuilt twice, the rest at random.
	modes := []int{killAnyTime, killNearNextClose, killAfterPublish, killOnBuilt, killOnBuilt}
	for len(modes) < durabilityKills {
		modes = append(modes, rng.IntN(4))
	}
	rng.Shuffle(len(modes), func(i, j int) { modes[i], modes[j] = modes[j], modes[i] })
	midClose := 0
	for round := 1; round <= durabilityKills; round++ {
		roundStart := time.Now()
		stats := w.runUntilKilled(ctx, t, n, tr, rng, round, modes[round-1])
		if strings.Contains(stats, "during the close") {
			midClose++
		}
		restart := time.Now()
		n.start()
		up := time.Since(restart)
		latest := w.verify(ctx, t, n, tr)
		w.liveness(ctx, t, n, tr)
		t.Logf("round %d: %s; restarted in %v; ledgers 1-%d chain, %d validated txs present, balances and supply check; round took %v",
			round, stats, up.Round(time.Millisecond), latest, tr.count(), time.Since(roundStart).Round(time.Millisecond))
		if t.Failed() {
			t.Logf("jtd log (tail):\n%s", logTail(n.logs(), 40))
			t.FailNow()
		}
	}

	t.Logf("%d of %d kills landed between a ledger's close and its commit", midClose, durabilityKills)

	// A graceful stop keeps everything too.
	if err := n.stop(); err != nil {
		t.Errorf("SIGTERM after the crashes: %v", err)
	}
	n.start()
	latest := w.verify(ctx, t, n, tr)
	w.liveness(ctx, t, n, tr)
	t.Logf("after SIGTERM and restart: ledgers 1-%d, %d validated txs present", latest, tr.count())
	checkNoPanics(t, n)
}

// loadWorld is the accounts of the durability test.
type loadWorld struct {
	genesis  testAccount
	issuer   testAccount
	holders  []testAccount
	accounts []testAccount
}

func iouAmount(issuer testAccount, v int) map[string]any {
	return map[string]any{"currency": usercoin, "issuer": issuer.addr, "value": fmt.Sprint(v)}
}

// setup funds the load accounts, opens the holders' trust lines to the
// issuer and issues them usercoin; every transaction is tracked.
func (w *loadWorld) setup(ctx context.Context, t *testing.T, n *devNode, tr *validatedTracker) {
	c := n.dial(ctx)
	defer c.Close()
	type tx struct {
		from   testAccount
		fields map[string]any
	}
	var fund, trust, issue []tx
	for _, a := range append([]testAccount{w.issuer}, w.holders...) {
		fund = append(fund, tx{w.genesis, map[string]any{"TransactionType": "Payment", "Destination": a.addr, "Amount": "1000000000000"}})
	}
	for _, h := range w.holders {
		trust = append(trust, tx{h, map[string]any{"TransactionType": "TrustSet", "LimitAmount": iouAmount(w.issuer, 1_000_000_000_000)}})
		issue = append(issue, tx{w.issuer, map[string]any{"TransactionType": "Payment", "Destination": h.addr, "Amount": iouAmount(w.issuer, 1_000_000)}})
	}
	for _, step := range [][]tx{fund, trust, issue} {
		seqs := map[string]uint32{}
		var hashes []string
		for _, s := range step {
			seq, ok := seqs[s.from.addr]
			if !ok {
				var err error
				if seq, err = nextSequence(ctx, c, s.from.addr); err != nil {
					t.Fatal(err)
				}
			}
			seqs[s.from.addr] = seq + 1
			f := map[string]any{"Account": s.from.addr, "Sequence": seq}
			for k, v := range s.fields {
				f[k] = v
			}
			blob, hash, err := signTx(s.from.kp, f)
			if err != nil {
				t.Fatal(err)
			}
			if err := submitOK(ctx, c, blob); err != nil {
				t.Fatalf("setup %v: %v", s.fields["TransactionType"], err)
			}
			hashes = append(hashes, hash)
		}
		for _, h := range hashes {
			wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			r, err := waitValidated(wctx, c, h)
			cancel()
			if err != nil || r.Result != "tesSUCCESS" {
				t.Fatalf("setup transaction %s: %v %s", h, err, r.Result)
			}
			tr.sawTx(h, r.LedgerIndex, r.Result, "setup")
		}
	}
}

// runUntilKilled runs the load and the stream watcher against the running
// node and kills it with SIGKILL at a random moment. It returns a summary.
func (w *loadWorld) runUntilKilled(ctx context.Context, t *testing.T, n *devNode, tr *validatedTracker, rng *rand.Rand, round, mode int) string {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	res := &loadResults{counts: map[string]int{}}

	// The stream watcher: every validated transaction and ledger it sees.
	sc := n.dial(ctx)
	defer sc.Close()
	sub, err := sc.Subscribe(ctx, []string{client.StreamLedger, client.StreamTransactions}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := client.DecodeLedgerClosed(sub.Result); err == nil && ev.LedgerHash != "" {
		tr.sawLedger(ev.LedgerIndex, ev.LedgerHash)
	}
	closes := make(chan struct{}, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for msg := range sub.C {
			switch msg.Type {
			case "transaction":
				ev, err := msg.Transaction()
				if err != nil {
					res.unexpected("stream: %v", err)
					continue
				}
				if ev.Validated {
					tr.sawTx(ev.Hash, ev.LedgerIndex, ev.Result, "transactions stream")
					tr.sawLedger(ev.LedgerIndex, ev.LedgerHash)
				}
			case "ledgerClosed":
				ev, err := msg.LedgerClosed()
				if err != nil {
					res.unexpected("stream: %v", err)
					continue
				}
				tr.sawLedger(ev.LedgerIndex, ev.LedgerHash)
				select {
				case closes <- struct{}{}:
				default:
				}
			}
		}
	}()

	// The senders: one connection and one goroutine per load account.
	for i, a := range append([]testAccount{w.issuer}, w.holders...) {
		c := n.dial(ctx)
		defer c.Close()
		r := rand.New(rand.NewPCG(rng.Uint64(), uint64(i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.send(pctx, c, a, r, tr, res)
		}()
	}

	// The kill, in one of four ways (see killModes).
	var how string
	switch mode {
	case killAnyTime:
		d := time.Duration(300+rng.IntN(2200)) * time.Millisecond
		how = fmt.Sprintf("killed at a random moment, after %v of load", d)
		time.Sleep(d)
	case killNearNextClose, killAfterPublish:
		d := time.Duration(400+rng.IntN(1200)) * time.Millisecond
		time.Sleep(d)
		// Drop a close seen during the warm-up: wait for a fresh one.
		select {
		case <-closes:
		default:
		}
		select {
		case <-closes:
		case <-time.After(5 * time.Second):
			t.Errorf("round %d: no ledger closed within 5s under load", round)
		}
		var after time.Duration
		if mode == killNearNextClose {
			// Under load a ledger closes close_interval (200 ms) after
			// the last.
			after = time.Duration(150_000+rng.IntN(110_000)) * time.Microsecond
			how = fmt.Sprintf("killed %v after a ledgerClosed message (about when the next ledger closes), after %v of load", after, d)
		} else {
			after = time.Duration(rng.IntN(20_000)) * time.Microsecond
			how = fmt.Sprintf("killed %v after a ledgerClosed message, after %v of load", after, d)
		}
		time.Sleep(after)
	case killOnBuilt:
		// jtd logs "ledger built" (debug) when it has closed a ledger and
		// before it commits it: SIGKILL it from the log reader at once, or
		// a few hundred microseconds later, to land inside the commit.
		d := time.Duration(400+rng.IntN(1200)) * time.Millisecond
		time.Sleep(d)
		delay := time.Duration(rng.IntN(3)*250) * time.Microsecond
		proc := n.cmd.Process
		fired := make(chan struct{})
		var once sync.Once
		n.setLogHook(func(p []byte) {
			if bytes.Contains(p, []byte(`"@message":"ledger built"`)) {
				once.Do(func() {
					if delay > 0 {
						time.Sleep(delay)
					}
					proc.Signal(syscall.SIGKILL)
					close(fired)
				})
			}
		})
		select {
		case <-fired:
		case <-time.After(5 * time.Second):
			t.Errorf("round %d: no \"ledger built\" line within 5s under load", round)
		}
		n.setLogHook(nil)
		how = fmt.Sprintf("killed %v after jtd logged \"ledger built\", after %v of load", delay, d)
	}
	if !n.running() {
		t.Fatalf("round %d: jtd exited by itself under load:\n%s", round, logTail(n.logs(), 40))
	}
	n.kill()
	how += "; " + killMoment(n.logs())
	cancel()
	sc.Close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("round %d: the load goroutines did not stop within 20s of the kill", round)
	}
	res.mu.Lock()
	defer res.mu.Unlock()
	for _, e := range res.errs {
		t.Errorf("round %d: %s", round, e)
	}
	return fmt.Sprintf("%s; submits %s", how, res.summary())
}

// loadResults counts the senders' preliminary results.
type loadResults struct {
	mu     sync.Mutex
	counts map[string]int
	errs   []string
}

func (r *loadResults) add(result string) {
	r.mu.Lock()
	r.counts[result]++
	r.mu.Unlock()
}

func (r *loadResults) unexpected(format string, args ...any) {
	r.mu.Lock()
	if len(r.errs) < 20 {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	}
	r.mu.Unlock()
}

func (r *loadResults) summary() string {
	keys := make([]string, 0, len(r.counts))
	for k := range r.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, r.counts[k])
	}
	return strings.Join(parts, ", ")
}

// send submits random payments from a until ctx ends or the connection is
// lost, and looks up some of them to track those it finds validated.
func (w *loadWorld) send(ctx context.Context, c *client.Client, a testAccount, r *rand.Rand, tr *validatedTracker, res *loadResults) {
	gone := func(err error) bool { return ctx.Err() != nil || errors.Is(err, client.ErrClosed) }
	seq, err := nextSequence(ctx, c, a.addr)
	if err != nil {
		if !gone(err) {
			res.unexpected("%s: account_info: %v", a.name, err)
		}
		return
	}
	var pending []string // submitted, not yet seen validated by a lookup
	for i := 0; ctx.Err() == nil; i++ {
		blob, hash, err := signTx(a.kp, w.randomPayment(a, seq, r))
		if err != nil {
			res.unexpected("%s: signing: %v", a.name, err)
			return
		}
		sr, err := c.Submit(ctx, blob)
		if err != nil {
			if !gone(err) {
				res.unexpected("%s: submit: %v", a.name, err)
			}
			return
		}
		res.add(sr.EngineResult)
		resync := false
		switch {
		case sr.Class() == "tes" || sr.Class() == "tec" || sr.EngineResult == "terRETRY":
			// In the open ledger (or held for the next): the sequence is used.
			seq++
			pending = append(pending, hash)
		case sr.EngineResult == "tefPAST_SEQ" || sr.EngineResult == "terPRE_SEQ" || sr.Class() == "tel":
			resync = true
		default:
			res.unexpected("%s: submit sequence %d: %s (%s)", a.name, seq, sr.EngineResult, sr.EngineResultMessage)
			resync = true
		}
		if resync {
			if seq, err = nextSequence(ctx, c, a.addr); err != nil {
				if !gone(err) {
					res.unexpected("%s: account_info: %v", a.name, err)
				}
				return
			}
		}
		// Now and then, look up the oldest pending transaction.
		if i%4 == 3 && len(pending) > 0 {
			tx, err := c.Tx(ctx, pending[0])
			switch {
			case err == nil && tx.Validated:
				tr.sawTx(tx.Hash, tx.LedgerIndex, tx.Result, "tx lookup")
				pending = pending[1:]
			case err == nil || errors.Is(err, client.ErrNotFound):
				if len(pending) > 64 {
					pending = pending[1:]
				}
			case gone(err):
				return
			default:
				res.unexpected("%s: tx %s: %v", a.name, pending[0], err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(4+r.IntN(24)) * time.Millisecond):
		}
	}
}

// randomPayment is a Payment from a: SWT to anyone, usercoin issued by the
// issuer, passed between holders, or redeemed to the issuer.
func (w *loadWorld) randomPayment(a testAccount, seq uint32, r *rand.Rand) map[string]any {
	others := make([]testAccount, 0, len(w.accounts))
	for _, o := range w.accounts {
		if o.addr != a.addr {
			others = append(others, o)
		}
	}
	p := r.IntN(100)
	switch {
	case a.addr == w.issuer.addr && p < 35:
		return payment(a, seq, w.holders[r.IntN(len(w.holders))].addr, iouAmount(w.issuer, 1+r.IntN(100)))
	case a.addr != w.issuer.addr && p < 35:
		var to testAccount
		for to = w.holders[r.IntN(len(w.holders))]; to.addr == a.addr; to = w.holders[r.IntN(len(w.holders))] {
		}
		return payment(a, seq, to.addr, iouAmount(w.issuer, 1+r.IntN(50)))
	case a.addr != w.issuer.addr && p < 50:
		return payment(a, seq, w.issuer.addr, iouAmount(w.issuer, 1+r.IntN(20)))
	}
	return payment(a, seq, others[r.IntN(len(others))].addr, fmt.Sprint(1+r.IntN(1_000_000)))
}

// liveness has the genesis account pay a holder and waits for validation.
func (w *loadWorld) liveness(ctx context.Context, t *testing.T, n *devNode, tr *validatedTracker) {
	t.Helper()
	c := n.dial(ctx)
	defer c.Close()
	seq, err := nextSequence(ctx, c, w.genesis.addr)
	if err != nil {
		t.Fatal(err)
	}
	blob, hash, err := signTx(w.genesis.kp, payment(w.genesis, seq, w.holders[0].addr, "1000000"))
	if err != nil {
		t.Fatal(err)
	}
	if err := submitOK(ctx, c, blob); err != nil {
		t.Fatalf("a new payment after the restart: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	r, err := waitValidated(wctx, c, hash)
	if err != nil || r.Result != "tesSUCCESS" {
		t.Fatalf("a new payment after the restart was not validated: %v %s", err, r.Result)
	}
	tr.sawTx(hash, r.LedgerIndex, r.Result, "liveness")
}

// chainTx is what the replay reads of an expanded ledger transaction.
type chainTx struct {
	Hash            string          `json:"hash"`
	TransactionType string          `json:"TransactionType"`
	Account         string          `json:"Account"`
	Destination     string          `json:"Destination"`
	Fee             string          `json:"Fee"`
	Amount          json.RawMessage `json:"Amount"`
	MetaData        struct {
		TransactionResult string          `json:"TransactionResult"`
		DeliveredAmount   json.RawMessage `json:"delivered_amount"`
	} `json:"metaData"`
}

// verify checks the restarted node against everything seen before the
// kills and against its own chain, and returns the validated ledger it
// checked.
func (w *loadWorld) verify(ctx context.Context, t *testing.T, n *devNode, tr *validatedTracker) uint32 {
	t.Helper()
	e := &errCap{t: t, max: 15}
	defer e.flush()
	c := n.dial(ctx)
	defer c.Close()
	top, err := getLedger(ctx, c, "validated", false)
	if err != nil {
		t.Fatal(err)
	}
	seenTxs, seenLedgers, maxSeen, conflicts := tr.seen()
	for _, c := range conflicts {
		e.Errorf("the clients saw contradicting validated data: %s", c)
	}
	if top.Index < maxSeen {
		e.Errorf("LOST: the restarted node's validated ledger is %d, but ledger %d was seen validated before the kill", top.Index, maxSeen)
	}
	chain, err := checkLedgerChain(ctx, c, top.Index, true)
	if err != nil {
		t.Fatalf("ledger chain 1-%d: %v", top.Index, err)
	}
	for idx, h := range seenLedgers {
		if idx <= top.Index && chain[idx-1].Hash != h {
			e.Errorf("LOST: ledger %d was validated as %s, the restarted node has %s", idx, h, chain[idx-1].Hash)
		}
	}

	// Replay the chain's transactions from the genesis balances.
	swt := map[string]int64{w.genesis.addr: genesisSupply}
	iou := map[string]*big.Rat{} // holder -> usercoin balance
	where := map[string]struct {
		ledger uint32
		result string
	}{}
	var burnt int64
	if chain[0].TotalCoins != genesisSupply || len(chain[0].Txs) != 0 {
		e.Errorf("ledger 1: total_coins %d with %d transactions, want %d and none", chain[0].TotalCoins, len(chain[0].Txs), uint64(genesisSupply))
	}
	for i := 1; i < len(chain); i++ {
		l := chain[i]
		var fees int64
		for _, raw := range l.Txs {
			var tx chainTx
			if err := json.Unmarshal(raw, &tx); err != nil {
				t.Fatalf("ledger %d: transaction %.300s: %v", l.Index, raw, err)
			}
			if prev, dup := where[tx.Hash]; dup {
				e.Errorf("transaction %s is in ledger %d and in ledger %d", tx.Hash, prev.ledger, l.Index)
			}
			where[tx.Hash] = struct {
				ledger uint32
				result string
			}{l.Index, tx.MetaData.TransactionResult}
			var fee int64
			if _, err := fmt.Sscan(tx.Fee, &fee); err != nil || fee <= 0 {
				t.Fatalf("ledger %d: transaction %s has Fee %q", l.Index, tx.Hash, tx.Fee)
			}
			fees += fee
			swt[tx.Account] -= fee
			if tx.TransactionType != "Payment" || tx.MetaData.TransactionResult != "tesSUCCESS" {
				continue
			}
			var drops string
			var amt struct {
				Currency, Issuer, Value string
			}
			switch {
			case json.Unmarshal(tx.MetaData.DeliveredAmount, &drops) == nil:
				var d int64
				if _, err := fmt.Sscan(drops, &d); err != nil {
					t.Fatalf("ledger %d: %s delivered %q", l.Index, tx.Hash, drops)
				}
				swt[tx.Account] -= d
				swt[tx.Destination] += d
			case json.Unmarshal(tx.MetaData.DeliveredAmount, &amt) == nil && amt.Currency == usercoin && amt.Issuer == w.issuer.addr:
				v, ok := new(big.Rat).SetString(amt.Value)
				if !ok {
					t.Fatalf("ledger %d: %s delivered %q", l.Index, tx.Hash, amt.Value)
				}
				for _, side := range []struct {
					addr string
					sign int
				}{{tx.Account, -1}, {tx.Destination, 1}} {
					if side.addr == w.issuer.addr {
						continue // the issuer's own IOUs are not a balance
					}
					if iou[side.addr] == nil {
						iou[side.addr] = new(big.Rat)
					}
					if side.sign < 0 {
						iou[side.addr].Sub(iou[side.addr], v)
					} else {
						iou[side.addr].Add(iou[side.addr], v)
					}
				}
			default:
				t.Fatalf("ledger %d: successful payment %s without a delivered_amount I can read: %.300s", l.Index, tx.Hash, raw)
			}
		}
		burnt += fees
		if l.TotalCoins != chain[i-1].TotalCoins-uint64(fees) {
			e.Errorf("ledger %d: total_coins %d, but ledger %d had %d and ledger %d burnt %d in fees",
				l.Index, l.TotalCoins, i, chain[i-1].TotalCoins, l.Index, fees)
		}
	}
	if top.TotalCoins+uint64(burnt) != genesisSupply {
		e.Errorf("total_coins %d + %d drops of fees burnt = %d, want the genesis supply %d",
			top.TotalCoins, burnt, top.TotalCoins+uint64(burnt), uint64(genesisSupply))
	}

	// Every transaction seen validated is in the chain where it was seen,
	// and the tx command still finds it there.
	hashes := make([]string, 0, len(seenTxs))
	for h, s := range seenTxs {
		hashes = append(hashes, h)
		got, ok := where[h]
		switch {
		case !ok:
			e.Errorf("LOST: transaction %s was seen validated in ledger %d (%s, via %s) and is not in ledgers 1-%d", h, s.ledger, s.result, s.source, top.Index)
		case got.ledger != s.ledger || got.result != s.result:
			e.Errorf("transaction %s was validated in ledger %d with %s (via %s), the chain has it in ledger %d with %s",
				h, s.ledger, s.result, s.source, got.ledger, got.result)
		}
	}
	slices.Sort(hashes)
	const window = 64
	for lo := 0; lo < len(hashes); lo += window {
		batch := hashes[lo:min(lo+window, len(hashes))]
		calls := make([]*client.Call, len(batch))
		for i, h := range batch {
			calls[i] = c.Go(ctx, "tx", map[string]any{"transaction": h})
		}
		for i, call := range calls {
			raw, err := call.Wait()
			want := seenTxs[batch[i]]
			if err != nil {
				e.Errorf("LOST: tx %s (seen validated in ledger %d via %s): %v", batch[i], want.ledger, want.source, err)
				continue
			}
			var got struct {
				Hash        string `json:"hash"`
				LedgerIndex uint32 `json:"ledger_index"`
				Validated   bool   `json:"validated"`
				Meta        struct {
					TransactionResult string `json:"TransactionResult"`
				} `json:"meta"`
			}
			if err := json.Unmarshal(raw, &got); err != nil || got.Hash != batch[i] || !got.Validated ||
				got.LedgerIndex != want.ledger || got.Meta.TransactionResult != want.result {
				e.Errorf("tx %s: want validated in ledger %d with %s (seen via %s), got %.300s", batch[i], want.ledger, want.result, want.source, raw)
			}
		}
	}

	// Balances in the validated ledger are what the chain says, and with
	// the fees burnt they add up to the genesis supply.
	addrs := make([]string, 0, len(swt))
	for a := range swt {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	var sum int64
	at := fmt.Sprint(top.Index)
	for _, a := range addrs {
		ai, err := c.AccountInfo(ctx, a, at)
		if err != nil {
			t.Fatalf("account_info %s in ledger %s: %v", a, at, err)
		}
		sum += ai.Balance
		if ai.Balance != swt[a] {
			e.Errorf("account %s has %d drops in ledger %d; its transactions in ledgers 1-%d make %d", a, ai.Balance, top.Index, top.Index, swt[a])
		}
	}
	if uint64(sum+burnt) != genesisSupply || uint64(sum) != top.TotalCoins {
		e.Errorf("SWT not conserved: balances %d + fees burnt %d = %d, want %d; total_coins %d",
			sum, burnt, sum+burnt, uint64(genesisSupply), top.TotalCoins)
	}
	for _, h := range w.holders {
		lines, err := c.AccountLines(ctx, h.addr, at)
		if err != nil {
			t.Fatalf("account_lines %s: %v", h.addr, err)
		}
		want := iou[h.addr]
		if want == nil {
			want = new(big.Rat)
		}
		found := false
		for _, l := range lines {
			if l.Account != w.issuer.addr || l.Currency != usercoin {
				continue
			}
			found = true
			got, ok := new(big.Rat).SetString(l.Balance)
			if !ok || got.Cmp(want) != 0 {
				e.Errorf("holder %s has %s %s in ledger %d; its payments make %s", h.addr, l.Balance, usercoin, top.Index, want.RatString())
			}
		}
		if !found {
			e.Errorf("holder %s has no %s trust line to the issuer in ledger %d", h.addr, usercoin, top.Index)
		}
	}
	return top.Index
}

// validatedTracker is what the clients saw validated.
type validatedTracker struct {
	mu        sync.Mutex
	txs       map[string]seenTx
	ledgers   map[uint32]string
	maxLedger uint32
	conflicts []string
}

type seenTx struct {
	ledger uint32
	result string
	source string
}

func newValidatedTracker() *validatedTracker {
	return &validatedTracker{txs: map[string]seenTx{}, ledgers: map[uint32]string{}}
}

func (tr *validatedTracker) sawTx(hash string, ledger uint32, result, source string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if prev, ok := tr.txs[hash]; ok {
		if prev.ledger != ledger || prev.result != result {
			tr.conflicts = append(tr.conflicts, fmt.Sprintf("transaction %s seen validated in ledger %d with %s (via %s) and in ledger %d with %s (via %s)",
				hash, prev.ledger, prev.result, prev.source, ledger, result, source))
		}
		return
	}
	tr.txs[hash] = seenTx{ledger, result, source}
	tr.maxLedger = max(tr.maxLedger, ledger)
}

func (tr *validatedTracker) sawLedger(index uint32, hash string) {
	if index == 0 || hash == "" {
		return
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if prev, ok := tr.ledgers[index]; ok && prev != hash {
		tr.conflicts = append(tr.conflicts, fmt.Sprintf("ledger %d seen validated as %s and as %s", index, prev, hash))
		return
	}
	tr.ledgers[index] = hash
	tr.maxLedger = max(tr.maxLedger, index)
}

func (tr *validatedTracker) count() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.txs)
}

// seen copies what was seen and the conflicts found so far.
func (tr *validatedTracker) seen() (map[string]seenTx, map[uint32]string, uint32, []string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return maps.Clone(tr.txs), maps.Clone(tr.ledgers), tr.maxLedger, slices.Clone(tr.conflicts)
}

// killMoment tells from the debug log of the killed run where in the
// ledger cycle the kill landed: between a ledger's close (built) and its
// commit (validated), or between ledgers.
func killMoment(log string) string {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var l struct {
			Message string `json:"@message"`
			Ledger  uint32 `json:"ledger"`
		}
		if json.Unmarshal([]byte(lines[i]), &l) != nil {
			continue
		}
		switch l.Message {
		case "ledger built":
			return fmt.Sprintf("the kill landed during the close of ledger %d (built, not yet committed)", l.Ledger)
		case "ledger validated":
			return fmt.Sprintf("the kill landed between ledgers (%d committed, the next not yet built)", l.Ledger)
		case "node running":
			return "the kill landed before the first ledger close"
		}
	}
	return "the log shows no ledger close"
}

// errCap reports the first max errors and counts the rest, so that a
// lost ledger of a thousand transactions stays readable.
type errCap struct {
	t      *testing.T
	n, max int
}

func (e *errCap) Errorf(format string, args ...any) {
	e.t.Helper()
	if e.n++; e.n <= e.max {
		e.t.Errorf(format, args...)
	}
}

func (e *errCap) flush() {
	e.t.Helper()
	if e.n > e.max {
		e.t.Errorf("... and %d more errors like these", e.n-e.max)
	}
}

func logTail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
