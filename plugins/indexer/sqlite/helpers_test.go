package main

import (
	"context"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

// openIdx returns an indexer configured on dir with the default config.
func openIdx(t testing.TB, dir string) *idx {
	t.Helper()
	x := &idx{}
	if _, err := x.Configure(context.Background(), indexer.ConfigureRequest{DataDir: dir, ChainID: "sqlite-test"}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func storeAll(t testing.TB, ix indexer.Indexer, ledgers []indexer.Ledger) {
	t.Helper()
	for _, l := range ledgers {
		if err := ix.Store(context.Background(), l); err != nil {
			t.Fatalf("Store ledger %d: %v", l.Seq, err)
		}
	}
}

func wantLast(t testing.TB, ix indexer.Indexer, want uint32) {
	t.Helper()
	last, ok, err := ix.LastStored(context.Background())
	if err != nil || !ok || last != want {
		t.Fatalf("LastStored = %d, %v, %v; want %d, true, nil", last, ok, err, want)
	}
}

// wantExactly checks that following every page of q gives exactly the
// records of ledgers that q selects, each once, in order.
func wantExactly(t testing.TB, ix indexertest.Querier, ledgers []indexer.Ledger, q indexer.Query) {
	t.Helper()
	got, err := indexertest.QueryAll(context.Background(), ix, q)
	if err != nil {
		t.Fatalf("query %+v: %v", q, err)
	}
	want := indexertest.RecordsOf(ledgers, q)
	if len(got) != len(want) {
		t.Fatalf("query %+v: %d records, want %d", q, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.LedgerSeq != w.LedgerSeq || g.Record.ID != w.Record.ID || g.Record.TypeTag != w.Record.TypeTag ||
			g.Record.Account != w.Record.Account || g.Record.DataHash != w.Record.DataHash || string(g.Record.Data) != string(w.Record.Data) {
			t.Fatalf("query %+v: record %d is %+v, want %+v", q, i, g, w)
		}
	}
}
