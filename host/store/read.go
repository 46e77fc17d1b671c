package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/shamap"
)

// TxRecord is a stored transaction with where it was applied.
type TxRecord struct {
	ledger.TxWithMeta
	LedgerSeq  uint32
	LedgerHash codec.Hash256
	CloseTime  uint32 // the ledger's close time, Ripple-epoch seconds
}

// view runs fn in a read-only snapshot of the store.
func (s *Store) view(fn func(txn *badger.Txn) error) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	return s.db.View(fn)
}

// Header returns the header of ledger seq.
func (s *Store) Header(seq uint32) (ledger.Header, error) {
	if err := s.acquire(); err != nil {
		return ledger.Header{}, err
	}
	defer s.release()
	return s.header(seq)
}

// header is Header for callers that already hold the store open.
func (s *Store) header(seq uint32) (ledger.Header, error) {
	var h ledger.Header
	err := s.db.View(func(txn *badger.Txn) (err error) {
		h, err = readHeader(txn, seq)
		return err
	})
	return h, err
}

// HeaderByHash returns the header of the ledger with hash hash.
func (s *Store) HeaderByHash(hash codec.Hash256) (ledger.Header, error) {
	var h ledger.Header
	err := s.view(func(txn *badger.Txn) error {
		v, err := getValue(txn, hashKey(hash))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("ledger %X: %w", hash, ErrNotFound)
		}
		if err != nil {
			return err
		}
		seq, err := decodeSeq("ledger hash index", v)
		if err != nil {
			return err
		}
		if h, err = readHeader(txn, seq); err != nil {
			return err
		}
		if h.Hash() != hash {
			return fmt.Errorf("%w: hash index points %X at ledger %d, whose hash is %X", ErrCorrupt, hash, seq, h.Hash())
		}
		return nil
	})
	return h, err
}

func readHeader(txn *badger.Txn, seq uint32) (ledger.Header, error) {
	v, err := getValue(txn, headerKey(seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ledger.Header{}, fmt.Errorf("ledger %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return ledger.Header{}, err
	}
	h, err := ledger.DecodeHeader(v)
	if err != nil {
		return ledger.Header{}, fmt.Errorf("%w: ledger %d header: %v", ErrCorrupt, seq, err)
	}
	if h.Seq != seq {
		return ledger.Header{}, fmt.Errorf("%w: header stored as ledger %d says %d", ErrCorrupt, seq, h.Seq)
	}
	return h, nil
}

// indexedHeader reads a header that an index or pointer says exists; its
// absence is corruption, not a miss.
func indexedHeader(txn *badger.Txn, seq uint32) (ledger.Header, error) {
	h, err := readHeader(txn, seq)
	if errors.Is(err, ErrNotFound) {
		return h, fmt.Errorf("%w: ledger %d is referenced but not stored", ErrCorrupt, seq)
	}
	return h, err
}

// Transactions returns ledger seq's transactions in application order.
func (s *Store) Transactions(seq uint32) ([]ledger.TxWithMeta, error) {
	var out []ledger.TxWithMeta
	err := s.view(func(txn *badger.Txn) error {
		if _, err := readHeader(txn, seq); err != nil {
			return err
		}
		out = []ledger.TxWithMeta{}
		return scanLedgerTxs(txn, seq, func(index uint32, leaf []byte) error {
			t, err := decodeLeaf(seq, index, leaf)
			if err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanLedgerTxs calls fn with each of ledger seq's transaction leaves in
// index order. leaf is only valid during the call.
func scanLedgerTxs(txn *badger.Txn, seq uint32, fn func(index uint32, leaf []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = seqKey(prefixTx, seq)
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if len(k) != 9 {
			return fmt.Errorf("%w: transaction key of %d bytes in ledger %d", ErrCorrupt, len(k), seq)
		}
		_, index := parseSeqIndex(k)
		err := item.Value(func(v []byte) error {
			leaf, err := decodeTxValue(v)
			if err != nil {
				return fmt.Errorf("ledger %d transaction %d: %w", seq, index, err)
			}
			return fn(index, leaf)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// decodeLeaf decodes a stored leaf and checks it is where it was stored.
func decodeLeaf(seq, index uint32, leaf []byte) (ledger.TxWithMeta, error) {
	t, err := ledger.DecodeTxWithMeta(leaf)
	if err != nil {
		return ledger.TxWithMeta{}, fmt.Errorf("%w: ledger %d transaction %d: %v", ErrCorrupt, seq, index, err)
	}
	if t.Index() != index {
		return ledger.TxWithMeta{}, fmt.Errorf("%w: ledger %d transaction stored at index %d has TransactionIndex %d", ErrCorrupt, seq, index, t.Index())
	}
	return t, nil
}

// readTx loads the transaction at (seq, index).
func readTx(txn *badger.Txn, seq, index uint32) (ledger.TxWithMeta, error) {
	item, err := txn.Get(txKey(seq, index))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ledger.TxWithMeta{}, fmt.Errorf("%w: ledger %d transaction %d is indexed but missing", ErrCorrupt, seq, index)
	}
	if err != nil {
		return ledger.TxWithMeta{}, err
	}
	var t ledger.TxWithMeta
	err = item.Value(func(v []byte) error {
		leaf, err := decodeTxValue(v)
		if err != nil {
			return err
		}
		// DecodeTxWithMeta copies the transaction blob and decodes the
		// metadata into fresh objects, so nothing aliases badger's buffer.
		t, err = decodeLeaf(seq, index, leaf)
		return err
	})
	return t, err
}

// Tx looks a transaction up by id.
func (s *Store) Tx(id codec.Hash256) (TxRecord, error) {
	var r TxRecord
	err := s.view(func(txn *badger.Txn) error {
		v, err := getValue(txn, txIDKey(id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("transaction %X: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		seq, index, err := decodeLocation("transaction location", v)
		if err != nil {
			return err
		}
		h, err := indexedHeader(txn, seq)
		if err != nil {
			return fmt.Errorf("transaction %X: %w", id, err)
		}
		t, err := readTx(txn, seq, index)
		if err != nil {
			return err
		}
		if t.Tx.ID() != id {
			return fmt.Errorf("%w: id index points %X at ledger %d transaction %d, which is %X", ErrCorrupt, id, seq, index, t.Tx.ID())
		}
		r = TxRecord{TxWithMeta: t, LedgerSeq: seq, LedgerHash: h.Hash(), CloseTime: h.CloseTime}
		return nil
	})
	return r, err
}

// Certificate returns the certificate saved with ledger seq; nil when it was
// saved without one.
func (s *Store) Certificate(seq uint32) ([]byte, error) {
	var c []byte
	err := s.view(func(txn *badger.Txn) error {
		v, err := getValue(txn, certKey(seq))
		if errors.Is(err, badger.ErrKeyNotFound) {
			_, err := readHeader(txn, seq)
			return err
		}
		c = v
		return err
	})
	return c, err
}

// LoadLatest rebuilds the latest ledger: the state tree from the state
// table, the transaction tree from its stored transactions. Rebuild checks
// both roots against the header, so a damaged or half-written store is an
// error here, never a wrong ledger.
func (s *Store) LoadLatest() (*ledger.Ledger, error) {
	var l *ledger.Ledger
	err := s.view(func(txn *badger.Txn) error {
		v, err := getValue(txn, keyLatest)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("the store is empty: %w", ErrNotFound)
		}
		if err != nil {
			return err
		}
		seq, err := decodeSeq("latest pointer", v)
		if err != nil {
			return err
		}
		h, err := indexedHeader(txn, seq)
		if err != nil {
			return fmt.Errorf("latest pointer: %w", err)
		}
		state, err := loadState(txn)
		if err != nil {
			return err
		}
		txs := shamap.New(shamap.TransactionWithMeta)
		err = scanLedgerTxs(txn, seq, func(index uint32, leaf []byte) error {
			t, err := decodeLeaf(seq, index, leaf)
			if err != nil {
				return err
			}
			txs.Put(t.Tx.ID(), leaf) // Put copies leaf out of badger's buffer
			return nil
		})
		if err != nil {
			return err
		}
		l, err = ledger.Rebuild(h, state, txs)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load latest ledger: %w", err)
	}
	return l, nil
}

func loadState(txn *badger.Txn) (*shamap.Map, error) {
	state := shamap.New(shamap.AccountState)
	opts := badger.DefaultIteratorOptions
	opts.Prefix = []byte{prefixState}
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if len(k) != 33 {
			return nil, fmt.Errorf("%w: state key of %d bytes", ErrCorrupt, len(k))
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		state.PutOwned(codec.Hash256(k[1:]), v)
	}
	return state, nil
}
