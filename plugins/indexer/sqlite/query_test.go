package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

// TestPagingOverThousandsOfRecordsWithEveryFilter follows the markers of
// every filter and combination over 400 ledgers (some holding hundreds of
// records), at page sizes from 1 to above the maximum, and wants exactly
// the records RecordsOf selects, each once, in order.
func TestPagingOverThousandsOfRecordsWithEveryFilter(t *testing.T) {
	x := openIdx(t, t.TempDir())
	chain := indexertest.Chain(1, 400)
	for _, s := range []int{49, 199, 349} { // big ledgers among small ones
		big := chain[s]
		for j := range 300 + s {
			big.Records = append(big.Records, indexer.Record{
				ID:       indexer.Hash256{0xb1, byte(s), byte(j >> 8), byte(j)},
				TypeTag:  indexertest.Tags[j%len(indexertest.Tags)],
				Account:  indexertest.Accounts[j%len(indexertest.Accounts)],
				DataHash: indexertest.DataHashes[j%len(indexertest.DataHashes)],
			})
		}
		chain[s] = big
	}
	storeAll(t, x, chain)
	total := len(indexertest.RecordsOf(chain, indexer.Query{}))
	if total < 2000 {
		t.Fatalf("only %d records: the test wants thousands", total)
	}
	qs := []indexer.Query{
		{},
		{FromSeq: 50, ToSeq: 50},
		{FromSeq: 40, ToSeq: 210},
		{FromSeq: 351},
		{ToSeq: 200},
		{TypeTag: indexertest.Tags[2]},
		{Account: indexertest.Accounts[3]},
		{DataHash: indexertest.DataHashes[1]},
		{TypeTag: indexertest.Tags[0], Account: indexertest.Accounts[1]},
		{TypeTag: indexertest.Tags[1], DataHash: indexertest.DataHashes[4], FromSeq: 100, ToSeq: 380},
		{TypeTag: indexertest.Tags[1], Account: indexertest.Accounts[2], DataHash: indexertest.DataHashes[5], FromSeq: 10},
		{FromSeq: 401},
	}
	for _, q := range qs {
		for _, limit := range []int{1, 7, 100, 0, indexer.MaxQueryLimit, 5 * indexer.MaxQueryLimit} {
			if limit == 1 && len(indexertest.RecordsOf(chain, q)) > 1500 {
				continue // a page per record: slow, and checked on the smaller queries
			}
			q.Limit = limit
			wantExactly(t, x, chain, q)
		}
	}
	t.Logf("%d records in %d ledgers, %d queries at up to 6 page sizes", total, len(chain), len(qs))
}

// A marker from one query continues another with a narrower range or
// more filters: it is a position, so a client changing filters between
// pages still sees nothing twice.
func TestMarkerIsAPosition(t *testing.T) {
	x := openIdx(t, t.TempDir())
	chain := indexertest.Chain(1, 20)
	storeAll(t, x, chain)
	res, err := x.Query(context.Background(), indexer.Query{Limit: 5})
	if err != nil || len(res.Marker) == 0 {
		t.Fatalf("first page: %v, marker %x", err, res.Marker)
	}
	last := res.Records[4]
	rest, err := indexertest.QueryAll(context.Background(), x, indexer.Query{Marker: res.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest)+5 != len(indexertest.RecordsOf(chain, indexer.Query{})) || rest[0].LedgerSeq < last.LedgerSeq {
		t.Fatalf("after the first page: %d records from ledger %d", len(rest), rest[0].LedgerSeq)
	}
	// A marker far past the end, and one with an index no ledger holds.
	for _, p := range []indexer.Position{{Seq: 1 << 31}, {Seq: 3, Index: 1<<32 - 1}, {Seq: 1<<32 - 1, Index: 1<<32 - 1}} {
		res, err := x.Query(context.Background(), indexer.Query{Marker: p.Marker()})
		if err != nil {
			t.Fatalf("marker %+v: %v", p, err)
		}
		for _, r := range res.Records {
			if r.LedgerSeq <= p.Seq {
				t.Fatalf("marker %+v: got a record of ledger %d", p, r.LedgerSeq)
			}
		}
	}
}

func TestBadQueriesAreErrBadQuery(t *testing.T) {
	x := openIdx(t, t.TempDir())
	storeAll(t, x, indexertest.Chain(1, 3))
	for _, q := range []indexer.Query{
		{FromSeq: 3, ToSeq: 2},
		{Limit: -5},
		{Marker: []byte{0x02, 0, 0, 0, 1, 0, 0, 0, 0}},
		{Marker: []byte{0x01, 0}},
		{TypeTag: strings.Repeat("x", indexer.MaxNameSize+1)},
		{TypeTag: "\xc3"},
	} {
		if _, err := x.Query(context.Background(), q); !errors.Is(err, indexer.ErrBadQuery) {
			t.Errorf("query %+v: %v, want ErrBadQuery", q, err)
		}
	}
	// Extreme but valid: a range at the top of the seq space.
	if res, err := x.Query(context.Background(), indexer.Query{FromSeq: 1<<32 - 1, ToSeq: 1<<32 - 1}); err != nil || len(res.Records) > 0 {
		t.Errorf("query of ledger 2^32-1: %d records, %v", len(res.Records), err)
	}
}

// TestQueriesUseTheIndexesInOrder reads SQLite's plan for each filter: a
// search of an index (or the rowid range), and no sort of the matches,
// which would make a page cost as much as the whole result.
func TestQueriesUseTheIndexesInOrder(t *testing.T) {
	x := openIdx(t, t.TempDir())
	db, _ := x.conn()
	for _, c := range []struct {
		where string
		args  []any
		index string
	}{
		{"pos >= ? AND pos <= ?", []any{1, 2}, "INTEGER PRIMARY KEY"},
		{"pos >= ? AND type_tag = ?", []any{1, "t"}, "records_type_tag"},
		{"pos >= ? AND account = ?", []any{1, []byte{1}}, "records_account"},
		{"pos >= ? AND data_hash = ?", []any{1, []byte{1}}, "records_data_hash"},
	} {
		plan := explain(t, db, "SELECT pos, id, type_tag, account, data_hash, data FROM records WHERE "+c.where+" ORDER BY pos LIMIT 10", c.args...)
		if !strings.Contains(plan, c.index) || strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, "SEARCH") {
			t.Errorf("WHERE %s: plan %q, want a SEARCH using %s without a temp b-tree", c.where, plan, c.index)
		}
	}
}

func explain(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return fmt.Sprint(out)
}
