package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// A ledger's BLHR records are stored with it, in the same badger
// transaction: each record's encoding at 'b' seq index, where index is its
// position in the ledger's records (id order), and its id at 'B' -> seq
// index. The store treats an encoding as opaque bytes (package blhr decodes
// it), so it cannot recompute an id: Record trusts the 'B' index, which
// only SaveLedger writes.
//
// An unsigned record may be sealed again in a later ledger. Both ledgers
// keep it in their 'b' entries, because each ledger's records must all be
// there to prove any of them against its BLHRRoot; the 'B' index keeps the
// first sealing, which is where the record first became part of the chain.

// addRecords adds the writes for ledger seq's records to b. It reads the
// 'B' index to leave an id already sealed by an earlier ledger pointing
// there.
func (s *Store) addRecords(b *batch, seq uint32, recs []ledger.SealedRecord) error {
	if len(recs) == 0 {
		return nil
	}
	for i := 1; i < len(recs); i++ {
		if bytes.Compare(recs[i-1].ID[:], recs[i].ID[:]) >= 0 {
			// ledger.SealRecords sorts and dedups; anything else would make
			// the stored order, which proofs rely on, not the id order.
			return fmt.Errorf("store: ledger %d: records %d and %d (%X, %X) are not in strictly increasing id order",
				seq, i-1, i, recs[i-1].ID, recs[i].ID)
		}
	}
	thr := s.cfg.ValueThreshold
	return s.db.View(func(txn *badger.Txn) error {
		for i, r := range recs {
			index := uint32(i)
			b.add(thr, entry{key: recordKey(seq, index), value: encodeRecordValue(r.Encoding, thr)})
			k := recordIDKey(r.ID)
			switch _, err := txn.Get(k); {
			case err == nil:
				// Sealed before: keep the first sealing.
			case errors.Is(err, badger.ErrKeyNotFound):
				b.add(thr, entry{key: k, value: encodeLocation(seq, index)})
			default:
				return fmt.Errorf("store: ledger %d: record %X: %w", seq, r.ID, err)
			}
		}
		return nil
	})
}

// Records returns the encodings of ledger seq's BLHR records in stored
// order, which is id order, the order of the ledger's BLHRRoot tree. It is
// empty for a ledger without records, and for one saved before the store
// kept records.
func (s *Store) Records(seq uint32) ([][]byte, error) {
	var out [][]byte
	err := s.view(func(txn *badger.Txn) error {
		if _, err := readHeader(txn, seq); err != nil {
			return err
		}
		out = [][]byte{}
		opts := badger.DefaultIteratorOptions
		opts.Prefix = seqKey(prefixRecord, seq)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			if len(k) != 9 {
				return fmt.Errorf("%w: record key of %d bytes in ledger %d", ErrCorrupt, len(k), seq)
			}
			// A gap would shift every later record's position in the tree.
			if _, index := parseSeqIndex(k); index != uint32(len(out)) {
				return fmt.Errorf("%w: ledger %d has record %d where record %d should be", ErrCorrupt, seq, index, len(out))
			}
			err := item.Value(func(v []byte) error {
				enc, err := decodeRecordValue(v)
				if err != nil {
					return fmt.Errorf("ledger %d record %d: %w", seq, len(out), err)
				}
				out = append(out, bytes.Clone(enc))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordLocation returns where record id was first sealed: the ledger and
// the record's index among that ledger's Records.
func (s *Store) RecordLocation(id codec.Hash256) (seq, index uint32, err error) {
	err = s.view(func(txn *badger.Txn) error {
		var err error
		seq, index, err = recordLocation(txn, id)
		return err
	})
	return seq, index, err
}

func recordLocation(txn *badger.Txn, id codec.Hash256) (seq, index uint32, err error) {
	v, err := getValue(txn, recordIDKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, 0, fmt.Errorf("record %X: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, 0, err
	}
	seq, index, err = decodeLocation("record location", v)
	if err != nil {
		return 0, 0, fmt.Errorf("record %X: %w", id, err)
	}
	return seq, index, nil
}

// Record returns record id's encoding and where it was first sealed, as
// RecordLocation.
func (s *Store) Record(id codec.Hash256) (encoding []byte, seq, index uint32, err error) {
	err = s.view(func(txn *badger.Txn) error {
		sq, ix, err := recordLocation(txn, id)
		if err != nil {
			return err
		}
		item, err := txn.Get(recordKey(sq, ix))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%w: record %X is indexed at ledger %d record %d, which is missing", ErrCorrupt, id, sq, ix)
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			enc, err := decodeRecordValue(v)
			if err != nil {
				return fmt.Errorf("ledger %d record %d: %w", sq, ix, err)
			}
			encoding, seq, index = bytes.Clone(enc), sq, ix
			return nil
		})
	})
	if err != nil {
		return nil, 0, 0, err
	}
	return encoding, seq, index, nil
}
