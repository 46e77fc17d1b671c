package mempool

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

// concurrentWorkload signs perAccount payments for each of senders accounts,
// each paying its own recipient, so the final state does not depend on the
// order in which accounts interleave.
func concurrentWorkload(t *testing.T, senders, perAccount int) (names []string, txs [][]*ledger.Tx) {
	t.Helper()
	for i := range senders {
		s := fmt.Sprintf("conc-%d", i)
		if i%2 == 1 {
			s = "ed-" + s
		}
		names = append(names, s, fmt.Sprintf("conc-dest-%d", i))
	}
	txs = make([][]*ledger.Tx, senders)
	for i := range senders {
		for s := 1; s <= perAccount; s++ {
			txs[i] = append(txs[i], payment(t, names[2*i], uint32(s), names[2*i+1], amount(int64(1000*s))))
		}
	}
	return names, txs
}

// Many goroutines submit every account's transactions at once, each
// account's in a different random order and each transaction several
// times. The result must be what submitting them one by one in sequence
// order gives: everything applied exactly once, in sequence order, and the
// same state.
func TestConcurrentSubmitMatchesSequentialSemanticsPerAccount(t *testing.T) {
	const senders, perAccount, copies = 8, 40, 3
	names, txs := concurrentWorkload(t, senders, perAccount)
	base := fundedLedger(t, names...)

	seqPool := New(Config{}, base, nil)
	for _, acct := range txs {
		for _, tx := range acct {
			if r := seqPool.Submit(tx); r.Code != ter.TesSUCCESS || !r.Applied {
				t.Fatalf("sequential: %+v", r)
			}
		}
	}

	seed := testSeed(t)
	pool := New(Config{}, base, nil)
	var wg sync.WaitGroup
	for i, acct := range txs {
		for c := range copies {
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(i*copies+c)))
			order := rng.Perm(len(acct))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, k := range order {
					r := pool.Submit(acct[k])
					if r.Err != nil || !(r.Applied || r.Queued) {
						t.Errorf("seq %d: %+v", acct[k].Sequence(), r)
					}
				}
			}()
		}
	}
	wg.Wait()
	if err := pool.checkInvariants(); err != nil {
		t.Fatal(err)
	}
	if pool.Pending() != senders*perAccount || pool.TxsAvailable() != senders*perAccount {
		t.Fatalf("pending %d, open %d, want %d", pool.Pending(), pool.TxsAvailable(), senders*perAccount)
	}
	ci := ledger.CloseInfo{CloseTime: 2000, Resolution: 10}
	want, _ := seqPool.CloseOpen(ci)
	got, _ := pool.CloseOpen(ci)
	if got.State().Hash() != want.State().Hash() || got.Header().TotalCoins != want.Header().TotalCoins {
		t.Fatal("concurrent submission gave a different state than sequential submission")
	}
	checkSequenceOrder(t, got)
}

// checkSequenceOrder requires each account's transactions in l to appear in
// increasing sequence order.
func checkSequenceOrder(t *testing.T, ls ...*ledger.Ledger) {
	t.Helper()
	last := map[string]uint32{}
	seen := map[string]bool{}
	for _, l := range ls {
		txs, err := l.Transactions()
		if err != nil {
			t.Fatal(err)
		}
		for _, tw := range txs {
			h := fmt.Sprintf("%X", tw.Tx.ID())
			if seen[h] {
				t.Fatalf("transaction %s applied twice", h)
			}
			seen[h] = true
			a := tw.Tx.Account().String()
			if s, ok := last[a]; ok && tw.Tx.Sequence() != s+1 {
				t.Fatalf("%s: sequence %d after %d", a, tw.Tx.Sequence(), s)
			}
			last[a] = tw.Tx.Sequence()
		}
	}
}

// The same, while the consensus side closes and validates ledgers
// concurrently.
func TestConcurrentSubmitWhileLedgersCloseAppliesEverythingOnceInOrder(t *testing.T) {
	const senders, perAccount, copies = 6, 30, 2
	names, txs := concurrentWorkload(t, senders, perAccount)
	base := fundedLedger(t, names...)
	// The closer below runs ledgers back to back, far faster than the
	// submitters: with the default Retries a transaction waiting for an
	// earlier sequence would be dropped after ten of them, a few
	// milliseconds. That is the intended policy, but not what this test is
	// about.
	pool := New(Config{Retries: 1 << 30}, base, nil)
	seed := testSeed(t)

	var wg sync.WaitGroup
	for i, acct := range txs {
		for c := range copies {
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(i*copies+c)))
			order := rng.Perm(len(acct))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, k := range order {
					pool.Submit(acct[k])
				}
			}()
		}
	}
	done := make(chan struct{})
	var chain []*ledger.Ledger
	var closer sync.WaitGroup
	closer.Add(1)
	go func() {
		defer closer.Done()
		now := uint32(2000)
		for {
			select {
			case <-done:
				return
			default:
			}
			now += 10
			l, _ := pool.CloseOpen(ledger.CloseInfo{CloseTime: now, Resolution: 10})
			_ = pool.Fees()
			pool.Accept(l)
			chain = append(chain, l)
		}
	}()
	wg.Wait()
	close(done)
	closer.Wait()
	// Whatever still waits (the tail of a window) applies now; nothing can
	// be waiting for a sequence nobody submitted.
	now := uint32(100_000)
	for i := 0; pool.Pending() > 0; i++ {
		if i > 10 {
			t.Fatalf("%d transactions never applied", pool.Pending())
		}
		now += 10
		l, _ := pool.CloseOpen(ledger.CloseInfo{CloseTime: now, Resolution: 10})
		pool.Accept(l)
		chain = append(chain, l)
	}
	if err := pool.checkInvariants(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, l := range chain {
		total += l.TxTree().Len()
	}
	if total != senders*perAccount {
		t.Fatalf("%d transactions validated, want %d", total, senders*perAccount)
	}
	checkSequenceOrder(t, chain...)
}
