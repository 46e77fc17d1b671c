package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/sdk/indexer"
)

const (
	// indexBits is how many low bits of a pos hold the row's index in its
	// ledger (see migrations).
	indexBits = 24
	// maxLedgerRows is the most records, and the most transactions, one
	// ledger may hold here.
	maxLedgerRows = 1<<indexBits - 1
)

// pos is the rowid of row i of ledger seq: its place in query order.
func pos(seq uint32, i int) int64 { return int64(seq)<<indexBits | int64(i) }

// position is the inverse of pos.
func position(p int64) indexer.Position {
	return indexer.Position{Seq: uint32(p >> indexBits), Index: uint32(p & maxLedgerRows)}
}

var (
	// errConflict: a ledger already stored with another hash. The index
	// never overwrites: the node's chain and this database disagree.
	errConflict = errors.New("ledger conflicts with the stored one")
	// errGap: a ledger that does not follow the last stored one.
	errGap = errors.New("ledger does not follow the stored ledgers")
)

// Store writes l, its transactions and its records in one SQL transaction,
// committed (and so, with synchronous=FULL, fsynced) before it returns. A
// ledger already stored with the same hash is a no-op; any other ledger
// must be the first one stored or follow the last stored one by seq and
// parent hash.
func (x *idx) Store(ctx context.Context, l indexer.Ledger) error {
	db, err := x.conn()
	if err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return fmt.Errorf("sqlite indexer: %w", err)
	}
	if len(l.Records) > maxLedgerRows || len(l.Transactions) > maxLedgerRows {
		return fmt.Errorf("sqlite indexer: ledger %d has %d records and %d transactions: at most %d of each fit", l.Seq, len(l.Records), len(l.Transactions), maxLedgerRows)
	}
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: see dsn
	if err != nil {
		return fmt.Errorf("sqlite indexer: store ledger %d: %w", l.Seq, err)
	}
	defer tx.Rollback()
	switch stored, err := checkFollows(ctx, tx, l); {
	case err != nil:
		return fmt.Errorf("sqlite indexer: store ledger %d: %w", l.Seq, err)
	case stored:
		return nil // a replay
	}
	if err := insert(ctx, tx, l); err != nil {
		return fmt.Errorf("sqlite indexer: store ledger %d: %w", l.Seq, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite indexer: store ledger %d: commit: %w", l.Seq, err)
	}
	return nil
}

// checkFollows reports whether l is stored already (with the same hash)
// and fails when it can be neither that nor the next ledger.
func checkFollows(ctx context.Context, tx *sql.Tx, l indexer.Ledger) (stored bool, err error) {
	var hash []byte
	switch err := tx.QueryRowContext(ctx, "SELECT hash FROM ledgers WHERE seq = ?", l.Seq).Scan(&hash); {
	case err == nil:
		if !bytes.Equal(hash, l.Hash[:]) {
			return false, fmt.Errorf("%w: hash %s, but ledger %d is stored with hash %X: the node's chain differs from the one indexed here; give the instance a new data directory", errConflict, l.Hash, l.Seq, hash)
		}
		return true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	var last sql.Null[int64]
	if err := tx.QueryRowContext(ctx, "SELECT max(seq) FROM ledgers").Scan(&last); err != nil {
		return false, err
	}
	switch {
	case !last.Valid:
		return false, nil // the first ledger may be any
	case int64(l.Seq) < last.V:
		return false, fmt.Errorf("%w: ledger %d is before the first stored ledger (the last is %d)", errGap, l.Seq, last.V)
	case int64(l.Seq) > last.V+1:
		return false, fmt.Errorf("%w: the last stored ledger is %d, so ledgers %d to %d are missing", errGap, last.V, last.V+1, l.Seq-1)
	}
	if err := tx.QueryRowContext(ctx, "SELECT hash FROM ledgers WHERE seq = ?", last.V).Scan(&hash); err != nil {
		return false, err
	}
	if !bytes.Equal(hash, l.ParentHash[:]) {
		return false, fmt.Errorf("%w: parent hash %s is not the hash %X of the stored ledger %d", errConflict, l.ParentHash, hash, last.V)
	}
	return false, nil
}

func insert(ctx context.Context, tx *sql.Tx, l indexer.Ledger) error {
	var parent, closeTime any // NULL when unset
	if !l.ParentHash.IsZero() {
		parent = l.ParentHash[:]
	}
	if !l.CloseTime.IsZero() {
		closeTime = l.CloseTime.UnixMilli()
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO ledgers (seq, hash, parent_hash, close_time, tx_count) VALUES (?, ?, ?, ?, ?)",
		l.Seq, l.Hash[:], parent, closeTime, l.TxCount); err != nil {
		return fmt.Errorf("insert the ledger: %w", err)
	}
	if len(l.Transactions) > 0 {
		ins, err := tx.PrepareContext(ctx, "INSERT INTO transactions (pos, ledger_seq, hash, account, type, result) VALUES (?, ?, ?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, t := range l.Transactions {
			if _, err := ins.ExecContext(ctx, pos(l.Seq, i), l.Seq, t.Hash[:], t.Account[:], t.Type, t.Result); err != nil {
				return fmt.Errorf("insert transaction %d: %w", i, err)
			}
		}
	}
	if len(l.Records) > 0 {
		ins, err := tx.PrepareContext(ctx, "INSERT INTO records (pos, ledger_seq, id, type_tag, account, data_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, r := range l.Records {
			var account, data any // NULL when none
			if !r.Account.IsZero() {
				account = r.Account[:]
			}
			if len(r.Data) > 0 {
				data = r.Data
			}
			if _, err := ins.ExecContext(ctx, pos(l.Seq, i), l.Seq, r.ID[:], r.TypeTag, account, r.DataHash[:], data); err != nil {
				return fmt.Errorf("insert record %d: %w", i, err)
			}
		}
	}
	return nil
}

// LastStored is the highest ledger committed to the database.
func (x *idx) LastStored(ctx context.Context) (uint32, bool, error) {
	db, err := x.conn()
	if err != nil {
		return 0, false, err
	}
	var last sql.Null[int64]
	if err := db.QueryRowContext(ctx, "SELECT max(seq) FROM ledgers").Scan(&last); err != nil {
		return 0, false, fmt.Errorf("sqlite indexer: last stored: %w", err)
	}
	if !last.Valid {
		return 0, false, nil
	}
	return uint32(last.V), true, nil
}
