package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// corruptFixture is a store with a short history and handles to poke at it.
type corruptFixture struct {
	s      *Store
	dir    string
	ls     []*ledger.Ledger
	last   *ledger.Ledger
	lastTx []ledger.TxWithMeta
	acct   codec.AccountID
	// lastRecs are the last ledger's records: inline, padded, value log.
	lastRecs []ledger.SealedRecord
}

func newCorruptFixture(t *testing.T) *corruptFixture {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir, testConfig(), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, ls := history(t, s, rand.New(rand.NewPCG(9, 9)), 5, 4, 6)
	// Make sure the last ledger has at least two transactions, and records.
	c.records = func(uint32) []ledger.SealedRecord {
		return []ledger.SealedRecord{unsignedRecord("corrupt-0", 100), unsignedRecord("corrupt-1", 300), unsignedRecord("corrupt-2", 700)}
	}
	last := mustLedger(t)(c.random(rand.New(rand.NewPCG(9, 10)), 3))
	if err := s.SaveLedger(last, nil); err != nil {
		t.Fatal(err)
	}
	ls = append(ls, last)
	txs, err := last.Transactions()
	if err != nil {
		t.Fatal(err)
	}
	return &corruptFixture{s: s, dir: dir, ls: ls, last: last, lastTx: txs, acct: txs[0].Tx.Account(), lastRecs: last.Records()}
}

// recordOfSize returns the last ledger's record of size bytes.
func (f *corruptFixture) recordOfSize(size int) ledger.SealedRecord {
	return f.lastRecs[f.recordIndexOfSize(size)]
}

func (f *corruptFixture) recordKeyOfSize(size int) []byte {
	return recordKey(f.last.Seq(), uint32(f.recordIndexOfSize(size)))
}

func (f *corruptFixture) recordIndexOfSize(size int) int {
	for i, r := range f.lastRecs {
		if len(r.Encoding) == size {
			return i
		}
	}
	panic(fmt.Sprintf("the fixture has no %d-byte record", size))
}

func (f *corruptFixture) update(t *testing.T, fn func(txn *badger.Txn) error) {
	t.Helper()
	if err := f.s.db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func set(k, v []byte) func(*badger.Txn) error {
	return func(txn *badger.Txn) error { return txn.Set(k, v) }
}
func del(k []byte) func(*badger.Txn) error {
	return func(txn *badger.Txn) error { return txn.Delete(k) }
}

func TestCorruptOrMissingDataIsAnErrorNotAPanic(t *testing.T) {
	type probe func(f *corruptFixture) error
	loadLatest := func(f *corruptFixture) error { _, err := f.s.LoadLatest(); return err }
	lastTxs := func(f *corruptFixture) error { _, err := f.s.Transactions(f.last.Seq()); return err }
	firstTx := func(f *corruptFixture) error { _, err := f.s.Tx(f.lastTx[0].Tx.ID()); return err }
	accountTx := func(f *corruptFixture) error { _, err := f.s.AccountTx(AccountTxQuery{Account: f.acct}); return err }
	header := func(f *corruptFixture) error { _, err := f.s.Header(f.last.Seq()); return err }
	lastRecords := func(f *corruptFixture) error { _, err := f.s.Records(f.last.Seq()); return err }
	// Records are stored in id order; the cases name them by size.
	record := func(size int) probe {
		return func(f *corruptFixture) error { _, _, _, err := f.s.Record(f.recordOfSize(size).ID); return err }
	}
	recordLocation := func(size int) probe {
		return func(f *corruptFixture) error { _, _, err := f.s.RecordLocation(f.recordOfSize(size).ID); return err }
	}
	byHash := func(f *corruptFixture) error { _, err := f.s.HeaderByHash(f.last.Hash()); return err }
	reopen := func(f *corruptFixture) error {
		if err := f.s.Close(); err != nil {
			return fmt.Errorf("close: %v", err)
		}
		s, err := Open(f.dir, testConfig(), testLogger())
		if err == nil {
			s.Close()
		}
		return err
	}

	cases := []struct {
		name   string
		mutate func(f *corruptFixture) func(*badger.Txn) error
		probes []probe
	}{
		{"header bytes are junk",
			func(f *corruptFixture) func(*badger.Txn) error { return set(headerKey(f.last.Seq()), []byte("junk")) },
			[]probe{header, byHash, firstTx, accountTx, loadLatest, lastTxs}},
		{"header of another ledger under this seq",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(headerKey(f.last.Seq()), f.ls[2].Header().Encode())
			},
			[]probe{header, byHash, firstTx, loadLatest}},
		{"state entry deleted",
			func(f *corruptFixture) func(*badger.Txn) error { return del(stateKey(f.last.ChangedKeys()[0])) },
			[]probe{loadLatest}},
		{"state entry altered",
			func(f *corruptFixture) func(*badger.Txn) error {
				v, _ := f.last.State().Get(f.last.ChangedKeys()[0])
				v = append([]byte(nil), v...)
				v[len(v)-1] ^= 1
				return set(stateKey(f.last.ChangedKeys()[0]), v)
			},
			[]probe{loadLatest}},
		{"state entry added",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(stateKey(codec.Hash256{7}), []byte{1, 2, 3})
			},
			[]probe{loadLatest}},
		{"state key of the wrong length",
			func(f *corruptFixture) func(*badger.Txn) error { return set([]byte{prefixState, 1}, []byte{1}) },
			[]probe{loadLatest}},
		{"transaction bytes are junk",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(txKey(f.last.Seq(), 0), encodeTxValue([]byte("junk"), 0))
			},
			[]probe{lastTxs, firstTx, accountTx, loadLatest}},
		{"transaction value claims more than it holds",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(txKey(f.last.Seq(), 0), []byte{0, 0, 9, 9, 1})
			},
			[]probe{lastTxs, firstTx, accountTx, loadLatest}},
		{"transaction stored at the wrong index",
			func(f *corruptFixture) func(*badger.Txn) error {
				leaf, _ := f.last.TxTree().Get(f.lastTx[1].Tx.ID())
				return set(txKey(f.last.Seq(), 0), encodeTxValue(leaf, 512))
			},
			[]probe{lastTxs, firstTx, loadLatest}},
		{"transaction missing",
			func(f *corruptFixture) func(*badger.Txn) error { return del(txKey(f.last.Seq(), 0)) },
			[]probe{firstTx, accountTx, loadLatest}},
		{"id index points at another transaction",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(txIDKey(f.lastTx[0].Tx.ID()), encodeLocation(f.last.Seq(), 1))
			},
			[]probe{firstTx}},
		{"id index value of the wrong length",
			func(f *corruptFixture) func(*badger.Txn) error { return set(txIDKey(f.lastTx[0].Tx.ID()), []byte{1}) },
			[]probe{firstTx}},
		{"id index points at a ledger that is not stored",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(txIDKey(f.lastTx[0].Tx.ID()), encodeLocation(9999, 0))
			},
			[]probe{firstTx}},
		{"account index points at a missing transaction",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(accountTxKey(f.acct, f.last.Seq(), 77), []byte{})
			},
			[]probe{accountTx}},
		{"record value claims more than it holds",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(f.recordKeyOfSize(100), []byte{0, 0, 9, 9, 1})
			},
			[]probe{lastRecords, record(100)}},
		{"record value shorter than its length",
			func(f *corruptFixture) func(*badger.Txn) error { return set(f.recordKeyOfSize(700), []byte{1}) },
			[]probe{lastRecords, record(700)}},
		{"record padding is not zero",
			func(f *corruptFixture) func(*badger.Txn) error {
				v := encodeRecordValue(f.recordOfSize(300).Encoding, 512)
				if len(v) != 512 {
					panic("a 300-byte record is not padded")
				}
				v[len(v)-1] = 1
				return set(f.recordKeyOfSize(300), v)
			},
			[]probe{lastRecords, record(300)}},
		{"record missing",
			func(f *corruptFixture) func(*badger.Txn) error { return del(recordKey(f.last.Seq(), 1)) },
			[]probe{lastRecords, func(f *corruptFixture) error { _, _, _, err := f.s.Record(f.lastRecs[1].ID); return err }}},
		{"record key of the wrong length",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(append(seqKey(prefixRecord, f.last.Seq()), 0), encodeRecordValue(nil, 0))
			},
			[]probe{lastRecords}},
		{"record id index value of the wrong length",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(recordIDKey(f.recordOfSize(100).ID), []byte{1})
			},
			[]probe{record(100), recordLocation(100)}},
		{"record id index points at a missing record",
			func(f *corruptFixture) func(*badger.Txn) error {
				return set(recordIDKey(f.recordOfSize(100).ID), encodeLocation(f.last.Seq(), 77))
			},
			[]probe{record(100)}},
		{"hash index value of the wrong length",
			func(f *corruptFixture) func(*badger.Txn) error { return set(hashKey(f.last.Hash()), []byte{1, 2}) },
			[]probe{byHash}},
		{"hash index points at another ledger",
			func(f *corruptFixture) func(*badger.Txn) error { return set(hashKey(f.last.Hash()), encodeSeq(2)) },
			[]probe{byHash}},
		{"latest pointer is junk",
			func(f *corruptFixture) func(*badger.Txn) error { return set(keyLatest, []byte{1}) },
			[]probe{loadLatest, reopen}},
		{"latest pointer names a missing ledger",
			func(f *corruptFixture) func(*badger.Txn) error { return set(keyLatest, encodeSeq(9999)) },
			[]probe{loadLatest, reopen}},
		{"latest pointer missing",
			func(f *corruptFixture) func(*badger.Txn) error { return del(keyLatest) },
			[]probe{reopen}},
		{"schema version from the future",
			func(f *corruptFixture) func(*badger.Txn) error { return set(keyVersion, []byte{0, 0, 0, 2}) },
			[]probe{reopen}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newCorruptFixture(t)
			f.update(t, tc.mutate(f))
			for i, p := range tc.probes {
				err := p(f)
				t.Logf("probe %d: %v", i, err)
				if err == nil {
					t.Errorf("probe %d: no error", i)
					continue
				}
				if !errors.Is(err, ErrCorrupt) && !contains(err, "schema version") {
					t.Errorf("probe %d: %v, want ErrCorrupt", i, err)
				}
			}
		})
	}
}

// Random damage to any stored value must never panic a reader or Open.
func TestRandomCorruptionNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	f := newCorruptFixture(t)
	var keys [][]byte
	err := f.s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		k := keys[rng.IntN(len(keys))]
		var v []byte
		switch rng.IntN(3) {
		case 0: // truncated to random length
			v = make([]byte, rng.IntN(8))
		case 1: // random bytes of a plausible length
			v = make([]byte, rng.IntN(600))
			for i := range v {
				v[i] = byte(rng.Uint32())
			}
		case 2: // one flipped bit in the real value
			err := f.s.db.View(func(txn *badger.Txn) error {
				var err error
				v, err = getValue(txn, k)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(v) > 0 {
				v[rng.IntN(len(v))] ^= 1 << rng.IntN(8)
			}
		}
		f.update(t, set(k, v))
		// Errors are expected; a panic fails the test.
		f.s.LoadLatest()
		for _, l := range f.ls {
			f.s.Header(l.Seq())
			f.s.HeaderByHash(l.Hash())
			f.s.Transactions(l.Seq())
			f.s.Certificate(l.Seq())
		}
		for _, tx := range f.lastTx {
			f.s.Tx(tx.Tx.ID())
		}
		f.s.Records(f.last.Seq())
		for _, r := range f.lastRecs {
			f.s.Record(r.ID)
			f.s.RecordLocation(r.ID)
		}
		f.s.AccountTx(AccountTxQuery{Account: f.acct})
		f.s.AccountTx(AccountTxQuery{Account: f.acct, Forward: true, Limit: 1})
	}
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(f.dir, testConfig(), testLogger()); err == nil {
		s.LoadLatest()
		s.Close()
	}
}
