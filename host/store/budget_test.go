package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

func TestLedgerTooLargeFailsBeforeWritingAnything(t *testing.T) {
	dir := t.TempDir()
	small := testConfig()
	small.MemTableMB = 1 // limit: 157,286 bytes and 1,638 entries
	s, err := Open(dir, small, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	c := newChain(t, 500)
	if err := s.SaveLedger(c.closed, nil); err != nil {
		t.Fatal(err)
	}
	big := mustLedger(t)(c.fund(1_000_000_000)) // 500 payments, ~2,500 entries
	err = s.SaveLedger(big, []byte("cert"))
	if !errors.Is(err, ErrLedgerTooLarge) || !contains(err, "raise MemTableMB to at least 16") {
		t.Fatalf("SaveLedger of a ledger over the limit: %v", err)
	}
	t.Log(err)

	check := func(s *Store) {
		t.Helper()
		if h, _, _ := s.Latest(); h.Seq != 1 {
			t.Fatalf("latest is %d after a refused save", h.Seq)
		}
		if _, err := s.Header(2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Header(2) after a refused save: %v", err)
		}
		txs, _ := big.Transactions()
		if _, err := s.Tx(txs[0].Tx.ID()); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a refused ledger's transaction: %v", err)
		}
		if p, err := s.AccountTx(AccountTxQuery{Account: c.genesis.AccountID()}); err != nil || len(p.Transactions) != 0 {
			t.Fatalf("a refused ledger's account index: %d records, %v", len(p.Transactions), err)
		}
		if l, err := s.LoadLatest(); err != nil || l.Seq() != 1 {
			t.Fatalf("LoadLatest after a refused save: %v", err)
		}
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, testConfig(), testLogger()) // 16 MB, as the error said
	if err != nil {
		t.Fatal(err)
	}
	check(s)
	if err := s.SaveLedger(big, []byte("cert")); err != nil {
		t.Fatalf("with the suggested MemTableMB: %v", err)
	}
}

// TestLedgerCapacity measures what one ledger costs in badger's transaction
// budget and how large a ledger of payments the default 64 MB memtable
// admits. Payments between distinct accounts are the expensive case: each
// changes two AccountRoots and indexes two accounts.
func TestLedgerCapacity(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1000-payment ledger")
	}
	const n = 1000
	c := newChain(t, 2*n)
	must := mustLedger(t)
	must(c.fund(1_000_000_000))
	pays := make([]payment, n)
	for i := range pays {
		pays[i] = payment{from: c.accounts[2*i], to: c.accounts[2*i+1].AccountID(), drops: 1000}
	}
	distinct := must(c.next(pays))
	// The same number of payments among 10 accounts.
	rng := rand.New(rand.NewPCG(1, 1))
	pays = pays[:0]
	for range n {
		from, to := rng.IntN(10), 1+rng.IntN(9)
		pays = append(pays, payment{from: c.accounts[from], to: c.accounts[(from+to)%10].AccountID(), drops: 1000})
	}
	few := must(c.next(pays))
	// Trust lines: each TrustSet creates a SkywellState and owner-directory
	// entries as well as changing AccountRoots.
	cny, err := codec.ParseCurrency("CNY")
	if err != nil {
		t.Fatal(err)
	}
	issuer := c.accounts[2*n-1].AccountID()
	lines := must(c.build(func(o *ledger.OpenLedger) error {
		for i := range n {
			err := submit(o, c.accounts[i], func(obj *codec.STObject) {
				obj.Set(sf.TransactionType, uint16(codec.TxTrustSet))
				obj.Set(sf.LimitAmount, codec.NewIssued(codec.MustValue(1000, 0, false), cny, issuer))
			})
			if err != nil {
				return err
			}
		}
		return nil
	}))

	s := openTest(t, "", DefaultConfig())
	maxSize, maxCount := s.db.MaxBatchSize(), s.db.MaxBatchCount()
	empty, err := s.buildBatch(must(newChain(t, 0).next(nil)), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		l    *ledger.Ledger
		min  int64 // payments that must fit at 64 MB
	}{
		{"payments between distinct accounts", distinct, 17_000},
		{"payments among 10 accounts", few, 25_000},
		{"TrustSets creating lines to one issuer", lines, 14_000},
	} {
		b, err := s.buildBatch(tc.l, make([]byte, 200), false)
		if err != nil {
			t.Fatal(err)
		}
		perTxBytes := float64(b.size-empty.size) / n
		perTxEntries := float64(b.count()-empty.count()) / n
		fit := min(float64(maxSize-empty.size-300)/perTxBytes, float64(maxCount-empty.count()-1)/perTxEntries)
		t.Logf("%s: %.0f bytes and %.2f entries per transaction; a 64 MB memtable (%d bytes, %d entries) fits %.0f; 20,000 need MemTableMB %d",
			tc.name, perTxBytes, perTxEntries, maxSize, maxCount, fit,
			memTableMBFor(empty.size+int64(20_000*perTxBytes), empty.count()+int64(20_000*perTxEntries)))
		if int64(fit) < tc.min {
			t.Errorf("%s: only %.0f fit in one badger transaction, want at least %d", tc.name, fit, tc.min)
		}
	}
}

// The estimate must be badger's own arithmetic: for a ledger over the limit,
// badger's Txn.Set must refuse exactly the entry at which the estimate first
// reaches a limit, whether the byte or the entry count limit binds first,
// for transactions and for BLHR records.
func TestBudgetEstimateMatchesBadgersAccounting(t *testing.T) {
	c := newChain(t, 500)
	payments := mustLedger(t)(c.fund(1_000_000_000))
	recs := make([]ledger.SealedRecord, 1000)
	for i := range recs {
		recs[i] = unsignedRecord(fmt.Sprintf("budget-%d", i), 300) // padded at 512, inline at 100,000
	}
	records := mustLedger(t)(c.withRecords(nil, recs))
	for _, l := range []struct {
		name string
		l    *ledger.Ledger
	}{{"payments", payments}, {"records", records}} {
		t.Run(l.name, func(t *testing.T) { checkEstimateMatchesBadger(t, l.l) })
	}
}

func checkEstimateMatchesBadger(t *testing.T, big *ledger.Ledger) {
	t.Helper()
	for _, tc := range []struct {
		name      string
		threshold int64 // 512: values in the vlog, the entry count binds; large: inline, bytes bind
		binding   string
	}{
		{"entry count binds", 512, "entries"},
		{"bytes bind", 100_000, "bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MemTableMB = 1
			cfg.ValueThreshold = tc.threshold
			s := openTest(t, "", cfg)
			b, err := s.buildBatch(big, []byte("certificate"), false)
			if err != nil {
				t.Fatal(err)
			}
			maxSize, maxCount := s.db.MaxBatchSize(), s.db.MaxBatchCount()
			// Replay the estimate to find the first entry that reaches a limit.
			size := txnBaseSize
			want, binding := -1, ""
			for i, e := range b.entries {
				one := &batch{}
				one.add(tc.threshold, e)
				size += one.size
				if txnBaseCount+int64(i+1) >= maxCount {
					want, binding = i, "entries"
					break
				}
				if size >= maxSize {
					want, binding = i, "bytes"
					break
				}
			}
			if binding != tc.binding {
				t.Fatalf("the %s limit binds, want %s", binding, tc.binding)
			}
			txn := s.db.NewTransaction(true)
			defer txn.Discard()
			got := -1
			for i, e := range b.entries {
				if err := txn.Set(e.key, e.value); err != nil {
					if !errors.Is(err, badger.ErrTxnTooBig) {
						t.Fatal(err)
					}
					got = i
					break
				}
			}
			if got != want {
				t.Fatalf("badger refused entry %d, the estimate predicts %d", got, want)
			}
		})
	}
}
