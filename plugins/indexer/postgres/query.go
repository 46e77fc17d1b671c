package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jtchain/jtchain/sdk/indexer"
)

// query answers q from the records table in (ledger_seq, idx) order, with
// indexer.Position markers: the position of a page's last record. It asks
// for one row more than the page to learn whether a marker is needed, so
// the last page has none.
func (d *db) query(ctx context.Context, q indexer.Query) (indexer.QueryResult, error) {
	if err := q.Validate(); err != nil {
		return indexer.QueryResult{}, err
	}
	after, err := indexer.ParseMarker(q.Marker)
	if err != nil {
		return indexer.QueryResult{}, err
	}
	limit := q.EffectiveLimit()

	// Only fixed text goes into the SQL; every value is a parameter.
	where := []string{"(ledger_seq, idx) > ($1, $2)"}
	args := []any{int64(after.Seq), int64(after.Index)}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.FromSeq != 0 {
		add("ledger_seq >= $%d", int64(q.FromSeq))
	}
	if q.ToSeq != 0 {
		add("ledger_seq <= $%d", int64(q.ToSeq))
	}
	if q.TypeTag != "" {
		add("type_tag = $%d", q.TypeTag)
	}
	if !q.Account.IsZero() {
		add("account = $%d", q.Account[:])
	}
	if !q.DataHash.IsZero() {
		add("data_hash = $%d", q.DataHash[:])
	}
	args = append(args, limit+1)
	sql := fmt.Sprintf("SELECT ledger_seq, idx, id, type_tag, account, data_hash, data FROM %s WHERE %s ORDER BY ledger_seq, idx LIMIT $%d",
		d.records, strings.Join(where, " AND "), len(args))

	var res indexer.QueryResult
	err = d.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var last indexer.Position
		for rows.Next() {
			if len(res.Records) == limit {
				res.Marker = last.Marker()
				break
			}
			var (
				seq                     int64
				i                       int32
				id, account, hash, data []byte
				lr                      indexer.LedgerRecord
			)
			if err := rows.Scan(&seq, &i, &id, &lr.Record.TypeTag, &account, &hash, &data); err != nil {
				return err
			}
			lr.LedgerSeq = uint32(seq)
			copy(lr.Record.ID[:], id)
			copy(lr.Record.Account[:], account)
			copy(lr.Record.DataHash[:], hash)
			lr.Record.Data = data
			res.Records = append(res.Records, lr)
			last = indexer.Position{Seq: uint32(seq), Index: uint32(i)}
		}
		return rows.Err()
	})
	if err != nil {
		return indexer.QueryResult{}, fmt.Errorf("postgres indexer: query: %w", err)
	}
	return res, nil
}
