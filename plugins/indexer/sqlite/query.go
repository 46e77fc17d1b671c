package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jtchain/jtchain/sdk/indexer"
)

// Query answers q from the indexes: the rows with pos in the ledger range
// and after the marker, filtered, in pos order, one more than the page so
// that the marker (the SDK's Position marker of the page's last record) is
// set only when another match exists.
func (x *idx) Query(ctx context.Context, q indexer.Query) (indexer.QueryResult, error) {
	db, err := x.conn()
	if err != nil {
		return indexer.QueryResult{}, err
	}
	if err := q.Validate(); err != nil {
		return indexer.QueryResult{}, err
	}
	after, err := indexer.ParseMarker(q.Marker)
	if err != nil {
		return indexer.QueryResult{}, err
	}
	limit := q.EffectiveLimit()

	from := pos(q.FromSeq, 0)
	if len(q.Marker) > 0 {
		// A marker's index above any a ledger can hold (only a marker
		// made by hand) means "after all of that ledger".
		next := pos(after.Seq, int(min(after.Index, maxLedgerRows))) + 1
		from = max(from, next)
	}
	where := []string{"pos >= ?"}
	args := []any{from}
	if q.ToSeq != 0 {
		where, args = append(where, "pos <= ?"), append(args, pos(q.ToSeq, maxLedgerRows))
	}
	if q.TypeTag != "" {
		where, args = append(where, "type_tag = ?"), append(args, q.TypeTag)
	}
	if !q.Account.IsZero() {
		where, args = append(where, "account = ?"), append(args, q.Account[:])
	}
	if !q.DataHash.IsZero() {
		where, args = append(where, "data_hash = ?"), append(args, q.DataHash[:])
	}
	args = append(args, limit+1)
	rows, err := db.QueryContext(ctx, "SELECT pos, id, type_tag, account, data_hash, data FROM records WHERE "+
		strings.Join(where, " AND ")+" ORDER BY pos LIMIT ?", args...)
	if err != nil {
		return indexer.QueryResult{}, fmt.Errorf("sqlite indexer: query: %w", err)
	}
	defer rows.Close()

	var res indexer.QueryResult
	var last int64
	for rows.Next() {
		if len(res.Records) == limit {
			res.Marker = position(last).Marker()
			break
		}
		var p int64
		var id, account, dataHash, data []byte
		var r indexer.Record
		if err := rows.Scan(&p, &id, &r.TypeTag, &account, &dataHash, &data); err != nil {
			return indexer.QueryResult{}, fmt.Errorf("sqlite indexer: query: %w", err)
		}
		// The schema's CHECKs keep these lengths; checking them again
		// turns a file edited behind the indexer's back into an error.
		if len(id) != len(r.ID) || len(dataHash) != len(r.DataHash) || (account != nil && len(account) != len(r.Account)) {
			return indexer.QueryResult{}, fmt.Errorf("sqlite indexer: query: the record at %v is malformed in the database", position(p))
		}
		copy(r.ID[:], id)
		copy(r.DataHash[:], dataHash)
		copy(r.Account[:], account)
		if len(data) > 0 {
			r.Data = data
		}
		res.Records = append(res.Records, indexer.LedgerRecord{LedgerSeq: position(p).Seq, Record: r})
		last = p
	}
	if err := rows.Err(); err != nil {
		return indexer.QueryResult{}, fmt.Errorf("sqlite indexer: query: %w", err)
	}
	return res, nil
}
