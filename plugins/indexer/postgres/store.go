package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jtchain/jtchain/sdk/indexer"
)

var (
	// errConflict is wrapped when a ledger contradicts a stored one: the
	// same seq with another hash, or a parent hash that is not the stored
	// previous ledger's. The schema holds another chain (or a fork).
	errConflict = errors.New("postgres indexer: ledger conflicts with the stored chain")
	// errGap is wrapped when a ledger does not follow the last stored one.
	errGap = errors.New("postgres indexer: ledger does not follow the last stored one")
)

// store writes l in one SQL transaction that commits with
// synchronous_commit on, so it is on disk when store returns nil. A ledger
// already stored with the same hash changes nothing.
func (d *db) store(ctx context.Context, l indexer.Ledger) error {
	if err := l.Validate(); err != nil {
		return fmt.Errorf("postgres indexer: store: %w", err)
	}
	err := d.tx(ctx, func(tx pgx.Tx) error {
		// Durability must not depend on the server's or role's default.
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = on"); err != nil {
			return err
		}
		// One writer at a time per schema (a second instance pointed at it
		// by mistake must not interleave); readers are not blocked.
		if _, err := tx.Exec(ctx, "LOCK TABLE "+d.ledgers+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		var last int64
		var lastHash []byte
		err := tx.QueryRow(ctx, "SELECT seq, hash FROM "+d.ledgers+" ORDER BY seq DESC LIMIT 1").Scan(&last, &lastHash)
		empty := errors.Is(err, pgx.ErrNoRows)
		if err != nil && !empty {
			return err
		}
		seq := int64(l.Seq)
		switch {
		case !empty && seq <= last:
			return d.checkReplay(ctx, tx, l)
		case !empty && seq > last+1:
			return fmt.Errorf("%w: ledger %d after %d; the node must resend from %d", errGap, seq, last, last+1)
		case !empty && !l.ParentHash.IsZero() && !bytes.Equal(l.ParentHash[:], lastHash):
			return fmt.Errorf("%w: ledger %d has parent %s, stored ledger %d is %X", errConflict, seq, l.ParentHash, last, lastHash)
		}
		return d.insert(ctx, tx, l)
	})
	if err != nil {
		return fmt.Errorf("postgres indexer: store ledger %d: %w", l.Seq, err)
	}
	return nil
}

// checkReplay accepts a ledger at or below the last stored one when it is
// the stored one. A ledger below the first stored one (the feed started
// later on this schema) is accepted as well: the contract is that a ledger
// at or below LastStored changes nothing.
func (d *db) checkReplay(ctx context.Context, tx pgx.Tx, l indexer.Ledger) error {
	var hash []byte
	err := tx.QueryRow(ctx, "SELECT hash FROM "+d.ledgers+" WHERE seq = $1", int64(l.Seq)).Scan(&hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	case !bytes.Equal(hash, l.Hash[:]):
		return fmt.Errorf("%w: ledger %d has hash %s, the stored one %X", errConflict, l.Seq, l.Hash, hash)
	}
	return nil
}

func (d *db) insert(ctx context.Context, tx pgx.Tx, l indexer.Ledger) error {
	var parent []byte
	if !l.ParentHash.IsZero() {
		parent = l.ParentHash[:]
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+d.ledgers+" (seq, hash, parent_hash, close_time, tx_count, record_count) VALUES ($1, $2, $3, $4, $5, $6)",
		int64(l.Seq), l.Hash[:], parent, l.CloseTime, l.TxCount, len(l.Records)); err != nil {
		return err
	}
	seq := int64(l.Seq)
	if len(l.Transactions) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{d.schemaName, "transactions"},
			[]string{"ledger_seq", "idx", "hash", "account", "type", "result"},
			pgx.CopyFromSlice(len(l.Transactions), func(i int) ([]any, error) {
				t := &l.Transactions[i]
				return []any{seq, int32(i), t.Hash[:], t.Account[:], t.Type, t.Result}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy transactions: %w", err)
		}
	}
	if len(l.Records) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{d.schemaName, "records"},
			[]string{"ledger_seq", "idx", "id", "type_tag", "account", "data_hash", "data"},
			pgx.CopyFromSlice(len(l.Records), func(i int) ([]any, error) {
				r := &l.Records[i]
				var account, data []byte
				if !r.Account.IsZero() {
					account = r.Account[:]
				}
				if len(r.Data) > 0 {
					data = r.Data
				}
				return []any{seq, int32(i), r.ID[:], r.TypeTag, account, r.DataHash[:], data}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy records: %w", err)
		}
	}
	return nil
}

// lastStored is the highest stored ledger: the primary key's last entry.
func (d *db) lastStored(ctx context.Context) (uint32, bool, error) {
	var last *int64
	err := d.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT max(seq) FROM "+d.ledgers).Scan(&last)
	})
	if err != nil {
		return 0, false, fmt.Errorf("postgres indexer: last stored ledger: %w", err)
	}
	if last == nil {
		return 0, false, nil
	}
	return uint32(*last), true, nil
}
