package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

func TestReplayedLedgersChangeNothing(t *testing.T) {
	x := openIdx(t, t.TempDir())
	chain := indexertest.Chain(1, 10)
	storeAll(t, x, chain)
	before := counts(t, x)
	storeAll(t, x, chain)      // the whole chain again
	storeAll(t, x, chain[9:])  // the last one
	storeAll(t, x, chain[4:7]) // a window in the middle
	wantLast(t, x, 10)
	if after := counts(t, x); after != before {
		t.Fatalf("rows after the replays %v, before %v", after, before)
	}
	wantExactly(t, x, chain, indexer.Query{})
}

func TestLedgerWithAnotherHashIsRefused(t *testing.T) {
	x := openIdx(t, t.TempDir())
	chain := indexertest.Chain(1, 5)
	storeAll(t, x, chain)
	before := counts(t, x)

	forged := chain[2]
	forged.Hash = indexer.Hash256{0xf0}
	forged.Records = nil
	err := x.Store(context.Background(), forged)
	if !errors.Is(err, errConflict) {
		t.Fatalf("Store of ledger 3 with another hash: %v, want errConflict", err)
	}
	t.Log(err)

	fork := indexertest.Chain(6, 1)[0]
	fork.ParentHash = indexer.Hash256{0xf1}
	if err := x.Store(context.Background(), fork); !errors.Is(err, errConflict) {
		t.Fatalf("Store of ledger 6 with a parent hash not ledger 5's: %v, want errConflict", err)
	}
	if after := counts(t, x); after != before {
		t.Fatalf("rows after the refusals %v, before %v", after, before)
	}
	wantLast(t, x, 5)
	wantExactly(t, x, chain, indexer.Query{})
}

func TestGapIsRefusedButTheFirstLedgerMayBeAny(t *testing.T) {
	x := openIdx(t, t.TempDir())
	chain := indexertest.Chain(100, 5) // a node that enables the indexer late
	storeAll(t, x, chain[:2])
	for _, l := range []indexer.Ledger{chain[3], chain[4], indexertest.Chain(99, 1)[0], indexertest.Chain(50, 1)[0]} {
		err := x.Store(context.Background(), l)
		if !errors.Is(err, errGap) {
			t.Fatalf("Store of ledger %d after 100 and 101: %v, want errGap", l.Seq, err)
		}
		t.Log(err)
	}
	wantLast(t, x, 101)
	storeAll(t, x, chain[2:])
	wantLast(t, x, 104)
	wantExactly(t, x, chain, indexer.Query{})
}

func TestMalformedLedgersAreRefused(t *testing.T) {
	x := openIdx(t, t.TempDir())
	good := indexertest.Chain(1, 1)[0]
	for _, c := range []struct {
		what string
		edit func(*indexer.Ledger)
	}{
		{"seq 0", func(l *indexer.Ledger) { l.Seq = 0 }},
		{"a zero hash", func(l *indexer.Ledger) { l.Hash = indexer.Hash256{} }},
		{"a wrong tx count", func(l *indexer.Ledger) { l.TxCount = 9 }},
		{"a record with an overlong type tag", func(l *indexer.Ledger) {
			l.Records = []indexer.Record{{ID: indexer.Hash256{1}, DataHash: indexer.Hash256{2}, TypeTag: strings.Repeat("t", indexer.MaxNameSize+1)}}
		}},
		{"oversized data", func(l *indexer.Ledger) {
			l.Records = []indexer.Record{{ID: indexer.Hash256{1}, DataHash: indexer.Hash256{2}, TypeTag: "x", Data: make([]byte, indexer.MaxRecordDataSize+1)}}
		}},
		{"a repeated record id", func(l *indexer.Ledger) {
			r := indexer.Record{ID: indexer.Hash256{1}, DataHash: indexer.Hash256{2}, TypeTag: "x"}
			l.Records = []indexer.Record{r, r}
		}},
	} {
		l := good
		c.edit(&l)
		if err := x.Store(context.Background(), l); err == nil {
			t.Errorf("Store of a ledger with %s succeeded", c.what)
		}
	}
	if _, ok, err := x.LastStored(context.Background()); ok || err != nil {
		t.Fatalf("LastStored after refusals = %v, %v; want none", ok, err)
	}
}

func TestCallsBeforeConfigureAndAfterCloseFail(t *testing.T) {
	x := &idx{}
	l := indexertest.Chain(1, 1)[0]
	check := func(when string) {
		if err := x.Store(context.Background(), l); !errors.Is(err, errNotConfigured) {
			t.Errorf("Store %s: %v", when, err)
		}
		if _, _, err := x.LastStored(context.Background()); !errors.Is(err, errNotConfigured) {
			t.Errorf("LastStored %s: %v", when, err)
		}
		if _, err := x.Query(context.Background(), indexer.Query{}); !errors.Is(err, errNotConfigured) {
			t.Errorf("Query %s: %v", when, err)
		}
	}
	check("before Configure")
	if _, err := x.Configure(context.Background(), indexer.ConfigureRequest{DataDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Configure(context.Background(), indexer.ConfigureRequest{DataDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "already configured") {
		t.Errorf("a second Configure: %v, want already configured", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	check("after Close")
}

type rowCounts struct{ ledgers, transactions, records int }

func counts(t testing.TB, x *idx) rowCounts {
	t.Helper()
	db, err := x.conn()
	if err != nil {
		t.Fatal(err)
	}
	var c rowCounts
	err = db.QueryRow("SELECT (SELECT count(*) FROM ledgers), (SELECT count(*) FROM transactions), (SELECT count(*) FROM records)").
		Scan(&c.ledgers, &c.transactions, &c.records)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
