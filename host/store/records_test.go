package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// recordSizes straddle the default 512-byte threshold's cases: inline
// (< 252), padded to the threshold (252..507), in the value log as is
// (>= 508), and the largest record the protocol allows.
var recordSizes = []int{0, 1, 150, 251, 252, 300, 507, 508, 600, blhr.MaxRecordSize}

// checkRecords asserts that Records(l.Seq()) is l's records in order.
func checkRecords(t *testing.T, s *Store, l *ledger.Ledger) {
	t.Helper()
	got, err := s.Records(l.Seq())
	if err != nil {
		t.Fatalf("Records(%d): %v", l.Seq(), err)
	}
	if got == nil {
		t.Fatalf("Records(%d) is nil, want an empty slice", l.Seq())
	}
	want := l.Records()
	if len(got) != len(want) {
		t.Fatalf("Records(%d): %d records, want %d", l.Seq(), len(got), len(want))
	}
	for i, r := range want {
		if !bytes.Equal(got[i], r.Encoding) {
			t.Fatalf("Records(%d)[%d]: %d bytes %.16x, want record %X (%d bytes %.16x)",
				l.Seq(), i, len(got[i]), got[i], r.ID, len(r.Encoding), r.Encoding)
		}
	}
}

// checkRecordFound asserts Record and RecordLocation find id at seq/index
// with encoding enc.
func checkRecordFound(t *testing.T, s *Store, id codec.Hash256, enc []byte, seq, index uint32) {
	t.Helper()
	gotEnc, gotSeq, gotIndex, err := s.Record(id)
	if err != nil || gotSeq != seq || gotIndex != index || !bytes.Equal(gotEnc, enc) {
		t.Fatalf("Record(%X) = %d bytes at ledger %d record %d, %v; want %d bytes at %d/%d",
			id, len(gotEnc), gotSeq, gotIndex, err, len(enc), seq, index)
	}
	gotSeq, gotIndex, err = s.RecordLocation(id)
	if err != nil || gotSeq != seq || gotIndex != index {
		t.Fatalf("RecordLocation(%X) = %d/%d, %v; want %d/%d", id, gotSeq, gotIndex, err, seq, index)
	}
}

func TestRecordsAreSavedWithTheirLedgerAndFoundByID(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, testConfig(), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	c := newChain(t, 10)
	must := mustLedger(t)
	var many []ledger.SealedRecord
	for i := range 300 {
		many = append(many, unsignedRecord(fmt.Sprintf("many-%d", i), recordSizes[i%len(recordSizes)]))
	}
	signed := unsignedRecord("signed", 200)
	signed.Signed, signed.Signer = true, c.accounts[3].AccountID()
	g := c.closed
	ls := []*ledger.Ledger{g, must(c.fund(1_000_000_000))}
	ls = append(ls,
		must(c.withRecords(nil, nil)),
		must(c.withRecords(nil, []ledger.SealedRecord{unsignedRecord("one", 150)})),
		must(c.withRecords(nil, many)),
	)
	// Payments, a signed record (which changes state) and unsigned ones in
	// one ledger.
	pays := []payment{{from: c.accounts[0], to: c.accounts[1].AccountID(), drops: 5}, {from: c.accounts[2], to: c.accounts[0].AccountID(), drops: 7}}
	ls = append(ls, must(c.withRecords(pays, []ledger.SealedRecord{signed, unsignedRecord("with-txs", 40)})))
	for _, l := range ls {
		if err := s.SaveLedger(l, certFor(l)); err != nil {
			t.Fatalf("save ledger %d: %v", l.Seq(), err)
		}
	}
	last := ls[len(ls)-1]
	if n := len(last.Records()); n != 2 {
		t.Fatalf("the last ledger sealed %d records, want 2", n)
	}

	check := func(s *Store) {
		t.Helper()
		for _, l := range ls {
			checkRecords(t, s, l)
			for i, r := range l.Records() {
				checkRecordFound(t, s, r.ID, r.Encoding, l.Seq(), uint32(i))
			}
		}
		got, err := s.LoadLatest()
		if err != nil || got.Hash() != last.Hash() {
			t.Fatalf("LoadLatest: %v", err)
		}
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, testConfig(), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	check(s)
	// A ledger built on the reloaded one saves, records and all.
	loaded, err := s.LoadLatest()
	if err != nil {
		t.Fatal(err)
	}
	c.resume(loaded)
	next := must(c.withRecords(nil, []ledger.SealedRecord{unsignedRecord("after-reopen", 10)}))
	if err := s.SaveLedger(next, nil); err != nil {
		t.Fatal(err)
	}
	checkRecords(t, s, next)
}

func TestARecordSealedAgainKeepsItsFirstLocation(t *testing.T) {
	s := openTest(t, "", testConfig())
	c := newChain(t, 0)
	must := mustLedger(t)
	a, b, x := unsignedRecord("a", 100), unsignedRecord("b", 600), unsignedRecord("x", 30)
	g := c.closed
	first := must(c.withRecords(nil, []ledger.SealedRecord{a, b}))
	between := must(c.next(nil))
	again := must(c.withRecords(nil, []ledger.SealedRecord{b, x, a}))
	for _, l := range []*ledger.Ledger{g, first, between, again} {
		if err := s.SaveLedger(l, nil); err != nil {
			t.Fatalf("save ledger %d: %v", l.Seq(), err)
		}
	}
	// Both ledgers hold all their records: a proof against either ledger's
	// BLHRRoot needs every one of them.
	checkRecords(t, s, first)
	checkRecords(t, s, again)
	indexIn := func(l *ledger.Ledger, id codec.Hash256) uint32 {
		for i, r := range l.Records() {
			if r.ID == id {
				return uint32(i)
			}
		}
		t.Fatalf("ledger %d does not hold %X", l.Seq(), id)
		return 0
	}
	checkRecordFound(t, s, a.ID, a.Encoding, first.Seq(), indexIn(first, a.ID))
	checkRecordFound(t, s, b.ID, b.Encoding, first.Seq(), indexIn(first, b.ID))
	checkRecordFound(t, s, x.ID, x.Encoding, again.Seq(), indexIn(again, x.ID))
}

func TestRecordLookupsOfMissingThingsAreNotFound(t *testing.T) {
	s := openTest(t, "", testConfig())
	absent := unsignedRecord("never sealed", 10).ID
	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: %v, want ErrNotFound", what, err)
		}
	}
	lookups := func(seq uint32) {
		t.Helper()
		_, err := s.Records(seq)
		notFound(fmt.Sprintf("Records(%d)", seq), err)
		_, _, _, err = s.Record(absent)
		notFound("Record of an unsealed id", err)
		_, _, err = s.RecordLocation(absent)
		notFound("RecordLocation of an unsealed id", err)
	}
	lookups(1) // empty store

	c := newChain(t, 0)
	g := c.closed
	one := mustLedger(t)(c.withRecords(nil, []ledger.SealedRecord{unsignedRecord("one", 20)}))
	for _, l := range []*ledger.Ledger{g, one} {
		if err := s.SaveLedger(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	checkRecords(t, s, g) // stored, no records: empty
	lookups(one.Seq() + 1)
	lookups(0)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Records(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Records after Close: %v", err)
	}
	if _, _, _, err := s.Record(one.Records()[0].ID); !errors.Is(err, ErrClosed) {
		t.Fatalf("Record after Close: %v", err)
	}
	if _, _, err := s.RecordLocation(one.Records()[0].ID); !errors.Is(err, ErrClosed) {
		t.Fatalf("RecordLocation after Close: %v", err)
	}
}

// countRecordKeys counts the 'b' and 'B' keys in the store.
func countRecordKeys(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		for _, p := range []byte{prefixRecord, prefixRecordID} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{p}})
			for it.Rewind(); it.Valid(); it.Next() {
				n++
			}
			it.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLedgerWithTooManyRecordsFailsBeforeWritingAnything(t *testing.T) {
	for _, tc := range []struct {
		name      string
		threshold int64
		n, size   int
	}{
		// 1 MB memtable: 157,286 bytes and 1,638 entries.
		{"entry count", 512, 1000, 300}, // 2,000 entries of ~43 bytes
		{"bytes", 100_000, 10, 20_000},  // 200 KB inline in 21 entries
		{"bytes of large records", 100_000, 3, blhr.MaxRecordSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig()
			cfg.MemTableMB = 1
			cfg.ValueThreshold = tc.threshold
			s, err := Open(dir, cfg, testLogger())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { s.Close() }()
			c := newChain(t, 0)
			if err := s.SaveLedger(c.closed, nil); err != nil {
				t.Fatal(err)
			}
			recs := make([]ledger.SealedRecord, tc.n)
			for i := range recs {
				recs[i] = unsignedRecord(fmt.Sprintf("%s-%d", tc.name, i), tc.size)
			}
			big := mustLedger(t)(c.withRecords(nil, recs))
			err = s.SaveLedger(big, nil)
			if !errors.Is(err, ErrLedgerTooLarge) || !contains(err, "raise MemTableMB") {
				t.Fatalf("SaveLedger of %d records of %d bytes: %v", tc.n, tc.size, err)
			}
			t.Log(err)

			check := func(s *Store) {
				t.Helper()
				if h, _, _ := s.Latest(); h.Seq != 1 {
					t.Fatalf("latest is %d after a refused save", h.Seq)
				}
				if _, err := s.Records(big.Seq()); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Records of the refused ledger: %v", err)
				}
				for _, r := range big.Records() {
					if _, _, _, err := s.Record(r.ID); !errors.Is(err, ErrNotFound) {
						t.Fatalf("Record %X of the refused ledger: %v", r.ID, err)
					}
				}
				if n := countRecordKeys(t, s); n != 0 {
					t.Fatalf("%d record keys written by a refused save", n)
				}
			}
			check(s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			cfg.MemTableMB = 16 // what the error asks for
			if s, err = Open(dir, cfg, testLogger()); err != nil {
				t.Fatal(err)
			}
			check(s)
			if err := s.SaveLedger(big, nil); err != nil {
				t.Fatalf("with a larger memtable: %v", err)
			}
			checkRecords(t, s, big)
		})
	}
}

// recordCost is one record's cost in badger's transaction budget, from
// the store's own arithmetic: its 'b' and 'B' entries.
func recordCost(size int, threshold int64) int64 {
	b := &batch{}
	b.add(threshold, entry{key: recordKey(0, 0), value: encodeRecordValue(make([]byte, size), threshold)})
	b.add(threshold, entry{key: recordIDKey(codec.Hash256{}), value: encodeLocation(0, 0)})
	return b.size
}

// TestRecordCapacity finds how many records one ledger may hold with the
// default config, whatever their sizes, and proves it with badger: that
// many of the costliest size save, one more fails with ErrLedgerTooLarge.
// Every record costs two entries; its bytes depend on its size only below
// the padding cutoff, so the worst size is the largest record kept inline.
func TestRecordCapacity(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ValueLogGCInterval = -1
	thr := cfg.ValueThreshold
	worstSize, worst := 0, int64(0)
	for size := 0; size <= blhr.MaxRecordSize; size++ {
		if c := recordCost(size, thr); c > worst {
			worstSize, worst = size, c
		}
	}
	for _, size := range []int{150, worstSize, worstSize + 1, blhr.MaxRecordSize} {
		t.Logf("a %d-byte record costs %d budget bytes and 2 entries", size, recordCost(size, thr))
	}

	s := openTest(t, "", cfg)
	maxSize, maxCount := s.db.MaxBatchSize(), s.db.MaxBatchCount()
	cert := make([]byte, 300) // about a 4-validator commit certificate
	c := newChain(t, 0)
	if err := s.SaveLedger(c.closed, nil); err != nil {
		t.Fatal(err)
	}
	empty, err := s.buildBatch(mustLedger(t)(newChain(t, 0).next(nil)), cert, false)
	if err != nil {
		t.Fatal(err)
	}
	// badger refuses when a total reaches its limit.
	fit := min((maxSize-1-empty.size)/worst, (maxCount-1-empty.count())/2)
	t.Logf("default config (MemTableMB %d, ValueThreshold %d): %d bytes and %d entries per ledger; an empty ledger uses %d bytes, %d entries",
		cfg.MemTableMB, thr, maxSize, maxCount, empty.size, empty.count())
	t.Logf("a ledger without transactions fits %d records of any size (bytes bind at %d-byte records; %d of 150-byte records; %d by entry count)",
		fit, worstSize, min((maxSize-1-empty.size)/recordCost(150, thr), (maxCount-1-empty.count())/2), (maxCount-1-empty.count())/2)
	const nodeCap = 20_000
	t.Logf("%d worst-size records leave %d bytes and %d entries for transactions",
		nodeCap, maxSize-empty.size-nodeCap*worst, maxCount-empty.count()-2*nodeCap)
	if fit < nodeCap {
		t.Fatalf("only %d worst-size records fit, want at least %d", fit, nodeCap)
	}
	recs := make([]ledger.SealedRecord, fit+1)
	for i := range recs {
		recs[i] = unsignedRecord(fmt.Sprintf("capacity-%d", i), worstSize)
	}
	base := c.closed
	over := mustLedger(t)(c.withRecords(nil, recs))
	if err := s.SaveLedger(over, cert); !errors.Is(err, ErrLedgerTooLarge) {
		t.Fatalf("%d worst-size records: %v, want ErrLedgerTooLarge", fit+1, err)
	}
	c.resume(base)
	full := mustLedger(t)(c.withRecords(nil, recs[:fit]))
	b, err := s.buildBatch(full, cert, false)
	if err != nil {
		t.Fatal(err)
	}
	if per := (b.size - empty.size) / fit; per != worst || b.count()-empty.count() != 2*fit {
		t.Fatalf("the batch costs %d bytes and %.2f entries per record, want %d and 2", per, float64(b.count()-empty.count())/float64(fit), worst)
	}
	if err := s.SaveLedger(full, cert); err != nil {
		t.Fatalf("%d worst-size records: %v", fit, err)
	}
	if got, err := s.Records(full.Seq()); err != nil || int64(len(got)) != fit {
		t.Fatalf("Records: %d, %v", len(got), err)
	}
}

// BenchmarkSaveLedgerRecords saves one ledger of 20,000 unsigned 150-byte
// records (no transactions) per op, with the default config: "new" records
// are all indexed by id, "resealed" ones were all sealed by an earlier
// ledger, so only their 'b' entries are written. Building the ledgers is
// not timed.
func BenchmarkSaveLedgerRecords(b *testing.B) {
	const n, size = 20_000, 150
	for _, resealed := range []bool{false, true} {
		b.Run(map[bool]string{false: "new", true: "resealed"}[resealed], func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.ValueLogGCInterval = -1
			s := openTest(b, "", cfg)
			c := newChain(b, 0)
			must := mustLedger(b)
			if err := s.SaveLedger(c.closed, nil); err != nil {
				b.Fatal(err)
			}
			batchOf := func(k int) []ledger.SealedRecord {
				recs := make([]ledger.SealedRecord, n)
				for i := range recs {
					recs[i] = unsignedRecord(fmt.Sprintf("bench-%d-%d", k, i), size)
				}
				return recs
			}
			var sealed []ledger.SealedRecord
			if resealed {
				sealed = batchOf(-1)
				if err := s.SaveLedger(must(c.withRecords(nil, sealed)), nil); err != nil {
					b.Fatal(err)
				}
			}
			var txnBytes int64
			for i := range b.N {
				b.StopTimer()
				recs := sealed
				if !resealed {
					recs = batchOf(i)
				}
				l := must(c.withRecords(nil, recs))
				bt, err := s.buildBatch(l, nil, false)
				if err != nil {
					b.Fatal(err)
				}
				txnBytes = bt.size
				b.StartTimer()
				if err := s.SaveLedger(l, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(txnBytes), "txn-bytes/op")
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// A ledger rebuilt from storage has no records; saving it, here as the first
// ledger of another store, would keep a header whose records are lost.
func TestARebuiltLedgerWithRecordsIsNotSaved(t *testing.T) {
	s := openTest(t, "", testConfig())
	c := newChain(t, 0)
	g := c.closed
	l := mustLedger(t)(c.withRecords(nil, []ledger.SealedRecord{unsignedRecord("rebuilt", 10)}))
	for _, l := range []*ledger.Ledger{g, l} {
		if err := s.SaveLedger(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	rebuilt, err := s.LoadLatest()
	if err != nil {
		t.Fatal(err)
	}
	other := openTest(t, "", testConfig())
	err = other.SaveLedger(rebuilt, nil)
	if err == nil || !contains(err, "carries no records") {
		t.Fatalf("SaveLedger of a rebuilt ledger with records: %v", err)
	}
	if _, ok, _ := other.Latest(); ok {
		t.Fatal("the refused ledger was stored")
	}
}
