package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/skl"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/shamap"
)

// SaveLedger stores a closed ledger, its sealed BLHR records and its
// certificate (opaque; may be nil) and returns only once they are durable:
// everything goes into ONE badger transaction, committed with fsync
// (Config.SyncWrites) or followed by db.Sync. A crash at any instant leaves
// either the whole ledger, records included, or none of it.
//
// The ledger must extend the latest stored one: Seq is latest+1 and
// ParentHash is the latest header's hash. The first ledger saved into an
// empty store may have any sequence (genesis, or a trusted snapshot); its
// whole state is written. Later ledgers write only their ChangedKeys.
//
// A ledger that would exceed badger's transaction limit (15% of the
// memtable) fails with ErrLedgerTooLarge before anything is written. Each
// record costs two entries; see TestRecordCapacity for what fits.
func (s *Store) SaveLedger(l *ledger.Ledger, certificate []byte) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	s.save.Lock()
	defer s.save.Unlock()

	s.mu.RLock()
	latest, first, hasAny, failed := s.latest, s.min, s.hasAny, s.failed
	s.mu.RUnlock()
	if failed != nil {
		return fmt.Errorf("store: refusing to save after an earlier durability failure (restart the node): %w", failed)
	}
	h := l.Header()
	if h.BLHRRoot != (codec.Hash256{}) && len(l.Records()) == 0 {
		// A ledger rebuilt from parts keeps no records; saving it would
		// store a header whose records can never be read or proven.
		return fmt.Errorf("store: ledger %d has a BLHRRoot but carries no records (a rebuilt ledger cannot be saved)", h.Seq)
	}
	if hasAny {
		if h.Seq <= latest.Seq && h.Seq >= first {
			if stored, err := s.header(h.Seq); err == nil && stored.Hash() == l.Hash() {
				return fmt.Errorf("%w: %w: ledger %d %X", ErrNotSequential, ErrAlreadyStored, h.Seq, l.Hash())
			}
		}
		if h.Seq != latest.Seq+1 {
			return fmt.Errorf("%w: got ledger %d, latest stored is %d", ErrNotSequential, h.Seq, latest.Seq)
		}
		if h.ParentHash != latest.Hash() {
			return fmt.Errorf("%w: ledger %d has parent %X, latest stored ledger %d is %X",
				ErrNotSequential, h.Seq, h.ParentHash, latest.Seq, latest.Hash())
		}
		if len(l.ChangedKeys()) == 0 && h.AccountHash != latest.AccountHash {
			// A ledger rebuilt from parts has no change set; saving it would
			// silently leave the state table behind its header.
			return fmt.Errorf("store: ledger %d changes the state but carries no changed keys (a rebuilt ledger cannot be saved as a successor)", h.Seq)
		}
	}

	b, err := s.buildBatch(l, certificate, !hasAny)
	if err != nil {
		return err
	}
	if err := s.checkBudget(h.Seq, b); err != nil {
		return err
	}

	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	for _, e := range b.entries {
		if e.del {
			err = txn.Delete(e.key)
		} else {
			err = txn.Set(e.key, e.value)
		}
		if err != nil {
			if errors.Is(err, badger.ErrTxnTooBig) {
				return fmt.Errorf("%w: ledger %d: badger refused it (%v) although the estimate was %d bytes, %d entries",
					ErrLedgerTooLarge, h.Seq, err, b.size, b.count())
			}
			return fmt.Errorf("store: save ledger %d: %w", h.Seq, err)
		}
	}
	if err := txn.Commit(); err != nil {
		// badger discards a transaction whose commit record did not reach
		// its log, so nothing is visible; the caller may retry.
		return fmt.Errorf("store: save ledger %d: commit: %w", h.Seq, err)
	}
	// From here the ledger is visible to readers.
	var syncErr error
	if !s.cfg.SyncWrites {
		syncErr = s.db.Sync()
	}
	s.mu.Lock()
	s.latest = h
	if !s.hasAny {
		s.min, s.hasAny = h.Seq, true
	}
	if syncErr != nil {
		s.failed = syncErr
	}
	s.mu.Unlock()
	if syncErr != nil {
		s.log.Error("ledger saved but not durable", "seq", h.Seq, "error", syncErr)
		return fmt.Errorf("store: ledger %d written but fsync failed, it may not survive a crash: %w", h.Seq, syncErr)
	}
	return nil
}

// batch is one ledger's writes, built before the transaction so its badger
// size is known before anything is written.
type batch struct {
	entries []entry
	size    int64 // badger's estimate of the transaction's size
}

// badger's Txn starts at count 1 and size len("!badger!txn")+10, for the
// commit marker it appends (newTransaction, txn.go).
const (
	txnBaseCount = 1
	txnBaseSize  = int64(len("!badger!txn") + 10)
)

// count is badger's entry count for the transaction.
func (b *batch) count() int64 { return txnBaseCount + int64(len(b.entries)) }

type entry struct {
	key, value []byte
	del        bool
}

// add appends a write and accounts for it exactly as badger's
// Txn.checkSize (txn.go) and Entry.estimateSizeAndSetThreshold (structs.go)
// do in v4.9.6: key + value (or a 12-byte value pointer from the
// threshold on) + 2 meta bytes + 10 for the key's version.
func (b *batch) add(threshold int64, e entry) {
	v := int64(len(e.value))
	if v >= threshold {
		v = 12
	}
	b.size += int64(len(e.key)) + v + 2 + 10
	b.entries = append(b.entries, e)
}

func (s *Store) buildBatch(l *ledger.Ledger, certificate []byte, first bool) (*batch, error) {
	h := l.Header()
	thr := s.cfg.ValueThreshold
	state := l.State()
	b := &batch{size: txnBaseSize, entries: make([]entry, 0, 8+4*l.TxTree().Len()+2*len(l.Records())+len(l.ChangedKeys()))}

	b.add(thr, entry{key: headerKey(h.Seq), value: h.Encode()})
	b.add(thr, entry{key: hashKey(l.Hash()), value: encodeSeq(h.Seq)})
	if len(certificate) > 0 {
		b.add(thr, entry{key: certKey(h.Seq), value: append([]byte(nil), certificate...)})
	}

	// Transactions in tree order; each carries its index in the ledger.
	var accounts []codec.AccountID
	seen := make(map[uint32]codec.Hash256, l.TxTree().Len())
	for id, leaf := range l.TxTree().All() {
		// Only the metadata (index, affected entries) and the accounts the
		// transaction names are needed: decoding the raw objects skips
		// ledger.DecodeTx's id and signer hashing.
		txb, metab, err := shamap.SplitTxWithMetaData(leaf)
		if err != nil {
			return nil, fmt.Errorf("store: ledger %d: transaction %X: %w", h.Seq, id, err)
		}
		tx, err := codec.Decode(txb)
		if err != nil {
			return nil, fmt.Errorf("store: ledger %d: transaction %X: %w", h.Seq, id, err)
		}
		meta, err := codec.Decode(metab)
		if err != nil {
			return nil, fmt.Errorf("store: ledger %d: metadata of %X: %w", h.Seq, id, err)
		}
		idx, ok := meta.LookupUInt32(sf.TransactionIndex)
		if !ok {
			return nil, fmt.Errorf("store: ledger %d: metadata of %X has no TransactionIndex", h.Seq, id)
		}
		if prev, dup := seen[idx]; dup {
			return nil, fmt.Errorf("store: ledger %d: transactions %X and %X both have index %d", h.Seq, prev, id, idx)
		}
		seen[idx] = id
		b.add(thr, entry{key: txKey(h.Seq, idx), value: encodeTxValue(leaf, thr)})
		b.add(thr, entry{key: txIDKey(id), value: encodeLocation(h.Seq, idx)})
		accounts = affectedAccounts(tx, meta, accounts[:0])
		for _, a := range accounts {
			b.add(thr, entry{key: accountTxKey(a, h.Seq, idx), value: []byte{}})
		}
	}

	if err := s.addRecords(b, h.Seq, l.Records()); err != nil {
		return nil, err
	}

	if first {
		for k, v := range state.All() {
			b.add(thr, entry{key: stateKey(k), value: v})
		}
	} else {
		for _, k := range l.ChangedKeys() {
			if v, ok := state.Get(k); ok {
				b.add(thr, entry{key: stateKey(k), value: v})
			} else {
				b.add(thr, entry{key: stateKey(k), del: true})
			}
		}
	}

	b.add(thr, entry{key: keyLatest, value: encodeSeq(h.Seq)})
	return b, nil
}

// checkBudget fails, before anything is written, when b exceeds badger's
// transaction limits: MaxBatchSize bytes (15% of the memtable) and
// MaxBatchCount entries (that size over the skiplist's 96-byte node).
func (s *Store) checkBudget(seq uint32, b *batch) error {
	maxSize, maxCount := s.db.MaxBatchSize(), s.db.MaxBatchCount()
	// badger rejects when the running total reaches the limit (>=).
	if b.size < maxSize && b.count() < maxCount {
		return nil
	}
	return fmt.Errorf("%w: ledger %d needs %d bytes in %d entries, the limit is %d bytes and %d entries (15%% of MemTableMB %d): raise MemTableMB to at least %d",
		ErrLedgerTooLarge, seq, b.size, b.count(), maxSize, maxCount, s.cfg.MemTableMB, memTableMBFor(b.size, b.count()))
}

// memTableMBFor returns the smallest memtable, in MB rounded up to a
// multiple of 16, whose transaction limits admit size bytes in count
// entries.
func memTableMBFor(size, count int64) int64 {
	mb := int64(16)
	for {
		// db.go: maxBatchSize = 15% of MemTableSize; maxBatchCount = that / node size.
		maxSize := 15 * (mb << 20) / 100
		if size < maxSize && count < maxSize/int64(skl.MaxNodeSize) {
			return mb
		}
		mb += 16
	}
}
