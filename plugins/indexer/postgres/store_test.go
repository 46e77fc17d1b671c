package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

func wantLast(t *testing.T, x *idx, seq uint32, ok bool) {
	t.Helper()
	ctx, cancel := call()
	defer cancel()
	got, gotOK, err := x.LastStored(ctx)
	if err != nil || got != seq || gotOK != ok {
		t.Fatalf("LastStored = %d, %v, %v; want %d, %v", got, gotOK, err, seq, ok)
	}
}

func store(t *testing.T, x *idx, l indexer.Ledger) error {
	ctx, cancel := call()
	defer cancel()
	return x.Store(ctx, l)
}

// The feed may start anywhere on an empty schema (the node's cursor), but
// from then on a ledger that does not follow the last is refused.
func TestFirstLedgerMayBeAnyThenAGapIsRefused(t *testing.T) {
	x := configured(t, shared, "gap")
	chain := indexertest.Chain(100, 5)
	if err := store(t, x, chain[0]); err != nil {
		t.Fatalf("first ledger 100 on an empty schema: %v", err)
	}
	if err := store(t, x, chain[2]); !errors.Is(err, errGap) {
		t.Fatalf("ledger 102 after 100: %v, want errGap", err)
	}
	wantLast(t, x, 100, true)
	// Below the first stored ledger: at or below LastStored, so nothing.
	if err := store(t, x, indexertest.Chain(50, 1)[0]); err != nil {
		t.Fatalf("ledger 50 below the first stored 100: %v, want no-op", err)
	}
	wantLast(t, x, 100, true)
	if err := store(t, x, chain[1]); err != nil {
		t.Fatal(err)
	}
	wantLast(t, x, 101, true)
}

// A ledger that contradicts the stored chain is an error, not a no-op: the
// schema holds another chain or a fork, and the operator must know.
func TestConflictingLedgersAreRefused(t *testing.T) {
	x := configured(t, shared, "conflict")
	chain := indexertest.Chain(1, 4)
	for _, l := range chain[:3] {
		if err := store(t, x, l); err != nil {
			t.Fatal(err)
		}
	}
	other := chain[1]
	other.Hash = indexer.Hash256{0xee}
	if err := store(t, x, other); !errors.Is(err, errConflict) {
		t.Errorf("ledger 2 with another hash: %v, want errConflict", err)
	}
	orphan := chain[3]
	orphan.ParentHash = indexer.Hash256{0xee}
	if err := store(t, x, orphan); !errors.Is(err, errConflict) {
		t.Errorf("ledger 4 whose parent is not stored ledger 3: %v, want errConflict", err)
	}
	if err := store(t, x, chain[2]); err != nil {
		t.Errorf("ledger 3 again, the same: %v, want no-op", err)
	}
	wantLast(t, x, 3, true)
}

// A ledger is stored whole or not at all: one that fails half way (a record
// id already on the chain) leaves no ledger row and no records behind.
func TestAFailedStoreLeavesNothing(t *testing.T) {
	x := configured(t, shared, "atomic")
	chain := indexertest.Chain(1, 3)
	for _, l := range chain[:2] {
		if err := store(t, x, l); err != nil {
			t.Fatal(err)
		}
	}
	bad := chain[2]
	bad.Records = append([]indexer.Record{{ID: indexer.Hash256{0x77}, TypeTag: "fresh", DataHash: indexer.Hash256{1}}}, chain[1].Records[0])
	if err := store(t, x, bad); err == nil {
		t.Fatal("a ledger repeating a stored record id was stored")
	}
	wantLast(t, x, 2, true)
	ctx, cancel := call()
	defer cancel()
	if res, err := x.Query(ctx, indexer.Query{TypeTag: "fresh"}); err != nil || len(res.Records) != 0 {
		t.Fatalf("records of the failed ledger: %d, %v; want none", len(res.Records), err)
	}
	if err := store(t, x, chain[2]); err != nil {
		t.Fatalf("the real ledger 3 after the failed one: %v", err)
	}
}

// A schema records the chain it indexes; an instance of another chain is
// refused rather than mixing two chains' ledgers.
func TestSchemaOfAnotherChainIsRefused(t *testing.T) {
	configured(t, shared, "chains") // chain "test"
	x := &idx{}
	defer x.Close()
	ctx, cancel := call()
	defer cancel()
	_, err := x.Configure(ctx, indexer.ConfigureRequest{Config: shared.config("chains"), ChainID: "another", DataDir: t.TempDir()})
	if !errors.Is(err, errForeignSchema) || !strings.Contains(err.Error(), `"test"`) {
		t.Fatalf("Configure for chain another on chain test's schema: %v; want errForeignSchema naming both", err)
	}
}

// Config errors name the problem; connection errors never show the
// password; a server that is not there fails Configure within its context.
func TestConfigErrorsAreClear(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   string
	}{
		{``, "config is missing"},
		{`null`, "config is missing"},
		{`{"schema": "x"}`, "dsn is missing"},
		{`{"dsn": "postgres://x@h/db", "extra": 1}`, `unknown field "extra"`},
		{`{"dsn": "postgres://x@h/db", "schema": "9lives"}`, `schema "9lives"`},
		{`{"dsn": "postgres://x@h/db"} {}`, "trailing data"},
		{`{"dsn": "postgres://x@h:notaport/db"}`, "dsn: cannot parse"},
		{`{"dsn": "postgres://jt:s3cret@/db?host=/nonexistent/jtchain&connect_timeout=2"}`, "failed to connect"},
	} {
		x := &idx{}
		ctx, cancel := call()
		_, err := x.Configure(ctx, indexer.ConfigureRequest{Config: []byte(tc.config), ChainID: "test", DataDir: t.TempDir()})
		cancel()
		switch {
		case err == nil:
			t.Errorf("config %s accepted", tc.config)
		case !strings.Contains(err.Error(), tc.want):
			t.Errorf("config %s: %v; want it to say %q", tc.config, err, tc.want)
		case strings.Contains(err.Error(), "s3cret"):
			t.Errorf("config %s: the error shows the password: %v", tc.config, err)
		}
		x.Close()
	}
}

func TestCallsBeforeConfigureFail(t *testing.T) {
	x := &idx{}
	ctx := context.Background()
	if err := x.Store(ctx, indexertest.Chain(1, 1)[0]); !errors.Is(err, errNotConfigured) {
		t.Errorf("Store: %v", err)
	}
	if _, _, err := x.LastStored(ctx); !errors.Is(err, errNotConfigured) {
		t.Errorf("LastStored: %v", err)
	}
	if _, err := x.Query(ctx, indexer.Query{}); !errors.Is(err, errNotConfigured) {
		t.Errorf("Query: %v", err)
	}
}
