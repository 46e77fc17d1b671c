package store

import (
	"bytes"
	"fmt"
	"math"

	"github.com/dgraph-io/badger/v4"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// AccountTx page limits, as rippled's account_tx.
const (
	AccountTxDefaultLimit = 200
	AccountTxMaxLimit     = 400
)

// Marker is a position in an account's transaction history: the next
// transaction a page starts with.
type Marker struct {
	Ledger uint32 // ledger sequence
	Seq    uint32 // transaction index in that ledger
}

// AccountTxQuery selects a page of an account's transactions.
type AccountTxQuery struct {
	Account codec.AccountID
	// MinSeq and MaxSeq bound the ledgers searched, inclusive; 0 means
	// unbounded on that side.
	MinSeq, MaxSeq uint32
	// Forward returns the oldest transactions first; the default is newest
	// first, as rippled.
	Forward bool
	// Limit is the page size: 0 means AccountTxDefaultLimit, larger than
	// AccountTxMaxLimit means AccountTxMaxLimit.
	Limit int
	// Marker resumes where the previous page's Marker points; nil starts at
	// the first (Forward) or last transaction within the bounds.
	Marker *Marker
}

// AccountTxPage is one page of AccountTx.
type AccountTxPage struct {
	Transactions []TxRecord // in the query's direction
	// Marker is where the next page starts; nil when this page is the last.
	Marker *Marker
	// LedgerMin and LedgerMax are the ledgers searched: the query bounds
	// clamped to the stored range (both 0 when nothing is stored).
	LedgerMin, LedgerMax uint32
}

// AccountTx returns a page of the transactions that affected an account
// (see affectedAccounts), ordered by (ledger, index). Paging with the
// returned Marker visits every such transaction exactly once.
func (s *Store) AccountTx(q AccountTxQuery) (AccountTxPage, error) {
	limit := q.Limit
	switch {
	case limit < 0:
		return AccountTxPage{}, fmt.Errorf("store: account_tx limit %d is negative", limit)
	case limit == 0:
		limit = AccountTxDefaultLimit
	case limit > AccountTxMaxLimit:
		limit = AccountTxMaxLimit
	}
	lo, hi := q.MinSeq, q.MaxSeq
	if hi == 0 {
		hi = math.MaxUint32
	}
	if lo > hi {
		return AccountTxPage{}, fmt.Errorf("store: account_tx ledger_index_min %d is above ledger_index_max %d", lo, hi)
	}
	minStored, maxStored, ok := s.Range()
	if !ok {
		if err := s.acquire(); err != nil {
			return AccountTxPage{}, err
		}
		s.release()
		return AccountTxPage{Transactions: []TxRecord{}}, nil
	}
	lo, hi = max(lo, minStored), min(hi, maxStored)
	page := AccountTxPage{Transactions: []TxRecord{}, LedgerMin: lo, LedgerMax: hi}
	if lo > hi {
		page.LedgerMin, page.LedgerMax = 0, 0
		return page, nil
	}

	first := accountTxKey(q.Account, lo, 0)
	last := accountTxKey(q.Account, hi, math.MaxUint32)
	start := first
	if !q.Forward {
		start = last
	}
	if q.Marker != nil {
		m := accountTxKey(q.Account, q.Marker.Ledger, q.Marker.Seq)
		if q.Forward && bytes.Compare(m, first) > 0 || !q.Forward && bytes.Compare(m, last) < 0 {
			start = m
		}
	}

	err := s.view(func(txn *badger.Txn) error {
		opts := badger.IteratorOptions{Prefix: accountPrefix(q.Account), Reverse: !q.Forward}
		it := txn.NewIterator(opts)
		defer it.Close()
		type header struct {
			ledger.Header
			hash codec.Hash256
		}
		headers := map[uint32]header{}
		// In reverse, badger's Seek finds the largest key <= start.
		for it.Seek(start); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != accountTxKeyLen {
				return fmt.Errorf("%w: account transaction key of %d bytes", ErrCorrupt, len(k))
			}
			if q.Forward && bytes.Compare(k, last) > 0 || !q.Forward && bytes.Compare(k, first) < 0 {
				break
			}
			seq, index := parseSeqIndex(k)
			if len(page.Transactions) == limit {
				page.Marker = &Marker{Ledger: seq, Seq: index}
				break
			}
			h, ok := headers[seq]
			if !ok {
				hd, err := indexedHeader(txn, seq)
				if err != nil {
					return err
				}
				h = header{hd, hd.Hash()}
				headers[seq] = h
			}
			t, err := readTx(txn, seq, index)
			if err != nil {
				return err
			}
			page.Transactions = append(page.Transactions, TxRecord{TxWithMeta: t, LedgerSeq: seq, LedgerHash: h.hash, CloseTime: h.CloseTime})
		}
		return nil
	})
	if err != nil {
		return AccountTxPage{}, fmt.Errorf("account_tx %s: %w", q.Account, err)
	}
	return page, nil
}
