package store

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/shamap"
)

// history builds genesis, a funding ledger and n ledgers of random payments
// between accounts, and saves them all; it returns the ledgers in order.
func history(t testing.TB, s *Store, rng *rand.Rand, accounts, n, maxTxs int) (*chain, []*ledger.Ledger) {
	t.Helper()
	c := newChain(t, accounts)
	must := mustLedger(t)
	g := c.closed
	ls := []*ledger.Ledger{g, must(c.fund(1_000_000_000))}
	for range n {
		ls = append(ls, must(c.random(rng, rng.IntN(maxTxs+1))))
	}
	for _, l := range ls {
		if err := s.SaveLedger(l, certFor(l)); err != nil {
			t.Fatalf("save ledger %d: %v", l.Seq(), err)
		}
	}
	return c, ls
}

// certFor makes a recognizable certificate; odd ledgers get none.
func certFor(l *ledger.Ledger) []byte {
	if l.Seq()%2 == 1 {
		return nil
	}
	h := l.Hash()
	return append([]byte("cert:"), h[:]...)
}

func TestSaveLedgerThenLoadLatestRebuildsTheSameLedger(t *testing.T) {
	s := openTest(t, "", testConfig())
	if _, ok, err := s.Latest(); ok || err != nil {
		t.Fatalf("empty store: Latest ok=%v err=%v", ok, err)
	}
	if _, err := s.LoadLatest(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LoadLatest on empty store: %v, want ErrNotFound", err)
	}
	_, ls := history(t, s, rand.New(rand.NewPCG(1, 1)), 20, 5, 30)
	want := ls[len(ls)-1]

	h, ok, err := s.Latest()
	if err != nil || !ok || h != want.Header() {
		t.Fatalf("Latest = %+v %v %v, want ledger %d", h, ok, err, want.Seq())
	}
	got, err := s.LoadLatest()
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != want.Hash() || got.State().Hash() != want.State().Hash() || got.TxTree().Hash() != want.TxTree().Hash() {
		t.Fatalf("LoadLatest ledger %d %X, want %d %X", got.Seq(), got.Hash(), want.Seq(), want.Hash())
	}
	if got.State().Len() != want.State().Len() || got.TxTree().Len() != want.TxTree().Len() {
		t.Fatalf("LoadLatest has %d entries and %d txs, want %d and %d",
			got.State().Len(), got.TxTree().Len(), want.State().Len(), want.TxTree().Len())
	}
	if got.Fees() != want.Fees() {
		t.Fatalf("fees %+v, want %+v", got.Fees(), want.Fees())
	}
}

func TestLookupsBySeqHashAndTxID(t *testing.T) {
	s := openTest(t, "", testConfig())
	_, ls := history(t, s, rand.New(rand.NewPCG(2, 2)), 10, 6, 25)
	for _, l := range ls {
		h, err := s.Header(l.Seq())
		if err != nil || h != l.Header() {
			t.Fatalf("Header(%d) = %+v, %v", l.Seq(), h, err)
		}
		h, err = s.HeaderByHash(l.Hash())
		if err != nil || h != l.Header() {
			t.Fatalf("HeaderByHash(%X) = %+v, %v", l.Hash(), h, err)
		}
		cert, err := s.Certificate(l.Seq())
		if err != nil || !bytes.Equal(cert, certFor(l)) {
			t.Fatalf("Certificate(%d) = %q, %v; want %q", l.Seq(), cert, err, certFor(l))
		}

		want, err := l.Transactions()
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Transactions(l.Seq())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("ledger %d: %d transactions, want %d", l.Seq(), len(got), len(want))
		}
		for i := range want {
			if got[i].Tx.ID() != want[i].Tx.ID() || got[i].Index() != uint32(i) || !got[i].Meta.Equal(want[i].Meta) {
				t.Fatalf("ledger %d tx %d: got %X index %d, want %X", l.Seq(), i, got[i].Tx.ID(), got[i].Index(), want[i].Tx.ID())
			}
			r, err := s.Tx(want[i].Tx.ID())
			if err != nil {
				t.Fatal(err)
			}
			if r.LedgerSeq != l.Seq() || r.LedgerHash != l.Hash() || r.CloseTime != l.Header().CloseTime ||
				!bytes.Equal(r.Tx.Blob(), want[i].Tx.Blob()) || !r.Meta.Equal(want[i].Meta) {
				t.Fatalf("Tx(%X) = ledger %d %X, want %d %X", want[i].Tx.ID(), r.LedgerSeq, r.LedgerHash, l.Seq(), l.Hash())
			}
		}
	}

	last := ls[len(ls)-1].Seq()
	for name, err := range map[string]error{
		"Header past the end": func() error { _, err := s.Header(last + 1); return err }(),
		"Header(0)":           func() error { _, err := s.Header(0); return err }(),
		"HeaderByHash":        func() error { _, err := s.HeaderByHash(codec.Hash256{1}); return err }(),
		"Tx":                  func() error { _, err := s.Tx(codec.Hash256{2}); return err }(),
		"Transactions":        func() error { _, err := s.Transactions(last + 1); return err }(),
		"Certificate":         func() error { _, err := s.Certificate(last + 1); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

func TestEmptyLedgerHasNoTransactions(t *testing.T) {
	s := openTest(t, "", testConfig())
	c := newChain(t, 2)
	must := mustLedger(t)
	g := c.closed
	empty := must(c.next(nil))
	for _, l := range []*ledger.Ledger{g, empty} {
		if err := s.SaveLedger(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	txs, err := s.Transactions(empty.Seq())
	if err != nil || txs == nil || len(txs) != 0 {
		t.Fatalf("Transactions of an empty ledger = %v, %v; want an empty slice", txs, err)
	}
	if l, err := s.LoadLatest(); err != nil || l.Hash() != empty.Hash() {
		t.Fatalf("LoadLatest: %v", err)
	}
}

func TestSaveLedgerRejectsAnythingButTheNextLedger(t *testing.T) {
	s := openTest(t, "", testConfig())
	c := newChain(t, 4)
	must := mustLedger(t)
	g := c.closed
	l2 := must(c.fund(100_000_000))
	l3 := must(c.random(rand.New(rand.NewPCG(3, 3)), 3))
	l4 := must(c.random(rand.New(rand.NewPCG(3, 4)), 3))
	// A fork: another ledger 3 on the same parent, and a ledger 4 on it.
	fork := newChain(t, 4)
	fork.resume(l2)
	fork.now += 5 // a different close time makes a different ledger
	f3 := must(fork.random(rand.New(rand.NewPCG(3, 5)), 2))
	f4 := must(fork.random(rand.New(rand.NewPCG(3, 6)), 2))

	for _, l := range []*ledger.Ledger{g, l2, l3} {
		if err := s.SaveLedger(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	for name, l := range map[string]*ledger.Ledger{
		"the same ledger again":  l3,
		"an older ledger":        l2,
		"genesis again":          g,
		"a gap":                  must(c.next(nil)), // ledger 5; 4 is missing
		"a fork at the same seq": f3,
		"a fork's successor":     f4,
	} {
		err := s.SaveLedger(l, nil)
		if !errors.Is(err, ErrNotSequential) {
			t.Errorf("%s (ledger %d): %v, want ErrNotSequential", name, l.Seq(), err)
		}
	}
	// A rebuilt ledger carries no change set: saving it as a successor would
	// leave the state table behind. (Rebuild the next ledger from parts.)
	next := l4
	txs := shamap.New(shamap.TransactionWithMeta)
	for id, leaf := range next.TxTree().All() {
		txs.Put(id, leaf)
	}
	parts, err := ledger.Rebuild(next.Header(), next.State(), txs)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*ledger.Ledger{g, l2, l3} {
		if err := s.SaveLedger(l, nil); !errors.Is(err, ErrAlreadyStored) {
			t.Errorf("saving stored ledger %d again: %v, want ErrAlreadyStored", l.Seq(), err)
		}
	}
	if err := s.SaveLedger(f3, nil); errors.Is(err, ErrAlreadyStored) {
		t.Errorf("a fork of a stored ledger is reported as already stored: %v", err)
	}
	if err := s.SaveLedger(parts, nil); err == nil || !contains(err, "no changed keys") {
		t.Errorf("saving a rebuilt successor: %v, want a no-changed-keys error", err)
	}

	if h, _, _ := s.Latest(); h.Seq != 3 || h.Hash() != l3.Hash() {
		t.Fatalf("latest moved to %d after rejected saves", h.Seq)
	}
	if _, err := s.HeaderByHash(f3.Hash()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fork ledger partly written: %v", err)
	}
	if err := s.SaveLedger(l4, nil); err != nil {
		t.Fatalf("the real next ledger: %v", err)
	}
	if l, err := s.LoadLatest(); err != nil || l.Hash() != l4.Hash() {
		t.Fatalf("LoadLatest after the rejections: %v", err)
	}
}

func TestRangeAndReopenAfterClose(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, testConfig(), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.Range(); ok {
		t.Fatal("Range of an empty store is ok")
	}
	c, ls := history(t, s, rand.New(rand.NewPCG(4, 4)), 8, 4, 10)
	if lo, hi, ok := s.Range(); !ok || lo != 1 || hi != ls[len(ls)-1].Seq() {
		t.Fatalf("Range = %d..%d %v", lo, hi, ok)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"SaveLedger": s.SaveLedger(ls[0], nil),
		"Latest":     func() error { _, _, err := s.Latest(); return err }(),
		"LoadLatest": func() error { _, err := s.LoadLatest(); return err }(),
		"Header":     func() error { _, err := s.Header(1); return err }(),
		"Tx":         func() error { _, err := s.Tx(codec.Hash256{}); return err }(),
		"AccountTx":  func() error { _, err := s.AccountTx(AccountTxQuery{}); return err }(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if _, _, ok := s.Range(); ok {
		t.Error("Range after Close is ok")
	}

	s = openTest(t, dir, testConfig())
	if lo, hi, ok := s.Range(); !ok || lo != 1 || hi != ls[len(ls)-1].Seq() {
		t.Fatalf("Range after reopen = %d..%d %v", lo, hi, ok)
	}
	l, err := s.LoadLatest()
	if err != nil || l.Hash() != ls[len(ls)-1].Hash() {
		t.Fatalf("LoadLatest after reopen: %v", err)
	}
	c.resume(l)
	next := mustLedger(t)(c.random(rand.New(rand.NewPCG(4, 5)), 5))
	if err := s.SaveLedger(next, nil); err != nil {
		t.Fatalf("continue after reopen: %v", err)
	}
	if _, hi, _ := s.Range(); hi != next.Seq() {
		t.Fatalf("Range max %d, want %d", hi, next.Seq())
	}
}

func TestFirstSaveMayStartAfterGenesisAndWritesTheWholeState(t *testing.T) {
	c := newChain(t, 5)
	must := mustLedger(t)
	must(c.fund(100_000_000))
	l3 := must(c.random(rand.New(rand.NewPCG(5, 5)), 4))
	l4 := must(c.random(rand.New(rand.NewPCG(5, 6)), 4))

	s := openTest(t, "", testConfig())
	if err := s.SaveLedger(l3, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLedger(l4, nil); err != nil {
		t.Fatal(err)
	}
	if lo, hi, ok := s.Range(); !ok || lo != 3 || hi != 4 {
		t.Fatalf("Range = %d..%d %v, want 3..4", lo, hi, ok)
	}
	if l, err := s.LoadLatest(); err != nil || l.Hash() != l4.Hash() {
		t.Fatalf("LoadLatest: %v", err)
	}
	if _, err := s.Header(2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Header(2): %v, want ErrNotFound", err)
	}
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	bad := Config{MemTableMB: -1, NumMemtables: 1, NumCompactors: 1, BlockCacheMB: -1, ValueLogGCRatio: 1.5}
	err := bad.Validate()
	for _, want := range []string{"MemTableMB", "NumMemtables", "NumCompactors", "BlockCacheMB", "ValueLogGCRatio"} {
		if !contains(err, want) {
			t.Errorf("Validate() = %v; does not mention %s", err, want)
		}
	}
	if err := (Config{ValueThreshold: 10 << 20}).Validate(); !contains(err, "ValueThreshold") {
		t.Errorf("a value threshold above the 64 MB memtable's 9.6 MB transaction limit: %v", err)
	}
	if _, err := Open(t.TempDir(), bad, nil); err == nil {
		t.Fatal("Open accepted an invalid config")
	}
}

func TestValueLogGCRunsAndStopsOnClose(t *testing.T) {
	cfg := testConfig()
	cfg.ValueLogGCInterval = 5 * time.Millisecond
	s := openTest(t, "", cfg)
	history(t, s, rand.New(rand.NewPCG(6, 6)), 5, 10, 10)
	deadline := time.Now().Add(5 * time.Second)
	for s.gcRuns.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("value-log GC never ran")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	runs := s.gcRuns.Load()
	time.Sleep(20 * time.Millisecond)
	if s.gcRuns.Load() != runs {
		t.Fatal("value-log GC ran after Close")
	}
	// TestMain also checks that no goroutine outlives the stores.
}
