package main

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

// prompt is how long a call may take to fail while the server is down: it
// must not wait for its deadline (callTimeout) to learn that.
const (
	prompt      = 3 * time.Second
	callTimeout = 15 * time.Second
)

func call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

// While PostgreSQL is stopped, every call fails at once and LastStored
// stays where it was; once it is back, storing resumes after LastStored and
// the index holds every record once. Checked in process and over the wire
// (where the plugin must also stay alive).
func TestServerOutageFailsCallsAndStoringResumesAfterIt(t *testing.T) {
	srv := newServer(t)
	chain := indexertest.Chain(1, 40)
	inproc := configured(t, srv, "outage_inprocess")
	wire := indexertest.Launch(t, bin)
	srv.exec(t, "DROP SCHEMA IF EXISTS outage_wire CASCADE")
	ctx, cancel := call()
	if _, err := wire.Configure(ctx, indexer.ConfigureRequest{Config: srv.config("outage_wire"), ChainID: "test", DataDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	cancel()
	indexers := map[string]indexer.Indexer{"in process": inproc, "over the wire": wire}
	for name, ix := range indexers {
		storeAll(t, ix, chain[:10], name)
	}

	srv.stop()
	for name, ix := range indexers {
		timed := func(what string, err error, start time.Time) {
			t.Helper()
			switch took := time.Since(start); {
			case err == nil:
				t.Errorf("%s: %s succeeded with the server stopped", name, what)
			case took > prompt:
				t.Errorf("%s: %s took %v to fail with the server stopped: want under %v", name, what, took, prompt)
			default:
				t.Logf("%s: %s with the server stopped, after %v: %v", name, what, took.Round(time.Millisecond), err)
			}
		}
		ctx, cancel := call()
		start := time.Now()
		timed("Store", ix.Store(ctx, chain[10]), start)
		start = time.Now()
		_, err := ix.Query(ctx, indexer.Query{})
		timed("Query", err, start)
		start = time.Now()
		_, _, err = ix.LastStored(ctx)
		timed("LastStored", err, start)
		if _, err := ix.Info(ctx); err != nil {
			t.Errorf("%s: Info with the server stopped: %v (did the plugin die?)", name, err)
		}
		cancel()
	}

	time.Sleep(500 * time.Millisecond) // "for a while": the calls above are not all there is
	if err := srv.start(); err != nil {
		t.Fatal(err)
	}
	for name, ix := range indexers {
		ctx, cancel := call()
		last, ok, err := ix.LastStored(ctx)
		cancel()
		if err != nil || !ok || last != 10 {
			t.Fatalf("%s: LastStored after the outage = %d, %v, %v; want 10", name, last, ok, err)
		}
		// The node resends from its cursor, which may be behind: ledger 10
		// again, then on.
		storeAll(t, ix, chain[9:], name)
		ctx, cancel = call()
		got, err := indexertest.QueryAll(ctx, ix, indexer.Query{Limit: 7})
		cancel()
		if err != nil {
			t.Fatalf("%s: query after the outage: %v", name, err)
		}
		want := indexertest.RecordsOf(chain, indexer.Query{})
		if len(got) != len(want) {
			t.Fatalf("%s: %d records after the outage, want %d", name, len(got), len(want))
		}
		for i := range got {
			if got[i].Record.ID != want[i].Record.ID || got[i].LedgerSeq != want[i].LedgerSeq {
				t.Fatalf("%s: record %d after the outage is %s of ledger %d, want %s of ledger %d",
					name, i, got[i].Record.ID, got[i].LedgerSeq, want[i].Record.ID, want[i].LedgerSeq)
			}
		}
	}
}

// A server that hangs (here: stopped with SIGSTOP) does not hang the
// indexer: calls end with their context, and work once it continues.
func TestHungServerCallsEndWithTheirContext(t *testing.T) {
	srv := newServer(t)
	chain := indexertest.Chain(1, 6)
	x := configured(t, srv, "hung")
	storeAll(t, x, chain[:3], "before")

	if err := srv.signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			srv.signal(syscall.SIGCONT)
		}
	})
	const deadline = 500 * time.Millisecond
	for what, f := range map[string]func(context.Context) error{
		"Store":      func(ctx context.Context) error { return x.Store(ctx, chain[3]) },
		"Query":      func(ctx context.Context) error { _, err := x.Query(ctx, indexer.Query{}); return err },
		"LastStored": func(ctx context.Context) error { _, _, err := x.LastStored(ctx); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		err := f(ctx)
		took := time.Since(start)
		cancel()
		switch {
		case err == nil:
			t.Errorf("%s succeeded against a hung server", what)
		case took > deadline+prompt:
			t.Errorf("%s took %v against a hung server with a %v deadline", what, took, deadline)
		default:
			t.Logf("%s against a hung server, after %v: %v", what, took.Round(time.Millisecond), err)
		}
	}
	if err := srv.signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed = true
	storeAll(t, x, chain[3:], "after")
	ctx, cancel := call()
	defer cancel()
	if last, _, err := x.LastStored(ctx); err != nil || last != 6 {
		t.Fatalf("LastStored after the server continued = %d, %v; want 6", last, err)
	}
}

func storeAll(t *testing.T, ix indexer.Indexer, ledgers []indexer.Ledger, when string) {
	t.Helper()
	for _, l := range ledgers {
		ctx, cancel := call()
		err := ix.Store(ctx, l)
		cancel()
		if err != nil {
			t.Fatalf("%s: Store ledger %d: %v", when, l.Seq, err)
		}
	}
}
