package store

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// BenchmarkSaveLedger1000Txs saves one ledger of 1000 signed payments
// between random accounts of 2000 per op, with the default config (one
// fsync per ledger), and with SyncWrites off (an explicit db.Sync instead).
// Building the ledgers is not timed.
func BenchmarkSaveLedger1000Txs(b *testing.B) {
	for _, syncWrites := range []bool{true, false} {
		b.Run(fmt.Sprintf("syncwrites=%v", syncWrites), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.SyncWrites = syncWrites
			cfg.ValueLogGCInterval = -1
			s := openTest(b, "", cfg)
			c := newChain(b, 2000)
			must := mustLedger(b)
			g := c.closed
			for _, l := range []*ledger.Ledger{g, must(c.fund(1_000_000_000))} {
				if err := s.SaveLedger(l, nil); err != nil {
					b.Fatal(err)
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			cert := make([]byte, 300) // about a 4-validator commit certificate
			var txnBytes int64
			b.Run("save", func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					l := must(c.random(rng, 1000))
					bt, err := s.buildBatch(l, cert, false)
					if err != nil {
						b.Fatal(err)
					}
					txnBytes = bt.size
					b.StartTimer()
					if err := s.SaveLedger(l, cert); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(txnBytes), "txn-bytes/op")
			})
		})
	}
}

// txFixture is a store of 50 ledgers of 200 payments among 50 accounts
// (10,000 transactions, ~400 per account), closed and reopened so reads go
// through badger's tables and value log rather than the memtable.
type txFixture struct {
	s        *Store
	ids      []codec.Hash256
	accounts []codec.AccountID
}

func newTxFixture(b *testing.B) *txFixture {
	b.Helper()
	dir := b.TempDir()
	cfg := DefaultConfig()
	cfg.ValueLogGCInterval = -1
	s, err := Open(dir, cfg, testLogger())
	if err != nil {
		b.Fatal(err)
	}
	c := newChain(b, 50)
	must := mustLedger(b)
	rng := rand.New(rand.NewPCG(3, 4))
	f := &txFixture{}
	g := c.closed
	ls := []*ledger.Ledger{g, must(c.fund(1_000_000_000))}
	for range 50 {
		ls = append(ls, must(c.random(rng, 200)))
	}
	for _, l := range ls {
		if err := s.SaveLedger(l, nil); err != nil {
			b.Fatal(err)
		}
		for id := range l.TxTree().All() {
			f.ids = append(f.ids, id)
		}
	}
	for _, a := range c.accounts {
		f.accounts = append(f.accounts, a.AccountID())
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	f.s = openTest(b, dir, cfg)
	return f
}

func BenchmarkTxLookup(b *testing.B) {
	f := newTxFixture(b)
	b.Run(fmt.Sprintf("txs=%d", len(f.ids)), func(b *testing.B) {
		rng := rand.New(rand.NewPCG(5, 6))
		for b.Loop() {
			if _, err := f.s.Tx(f.ids[rng.IntN(len(f.ids))]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAccountTxPage(b *testing.B) {
	f := newTxFixture(b)
	for _, limit := range []int{20, 200} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			for b.Loop() {
				p, err := f.s.AccountTx(AccountTxQuery{Account: f.accounts[rng.IntN(len(f.accounts))], Limit: limit})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Transactions) != limit {
					b.Fatalf("page of %d", len(p.Transactions))
				}
			}
		})
	}
}
