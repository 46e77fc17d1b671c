package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

var (
	// bin is this plugin, built by TestMain.
	bin string
	// shared is the server the tests that do not stop it use.
	shared *pgServer
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "indexer-postgres-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "indexer-postgres")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build the postgres indexer plugin: %v\n%s", err, out)
			return 1
		}
		shared, err = startServer()
		if err != nil {
			fmt.Fprintf(os.Stderr, "postgres indexer tests need a PostgreSQL server: %v\n", err)
			return 1
		}
		defer shared.close()
		return m.Run()
	}())
}

// perCheck gives the conformance suite a fresh index for each check, as a
// fresh data directory is for an embedded indexer: every check uses the
// same config, so the first indexer a check asks for finds its schema
// dropped; the restarts within a check (the same t again) find it as the
// check left it.
func perCheck(srv *pgServer, schema string, newIndexer indexertest.NewIndexer) indexertest.NewIndexer {
	seen := map[*testing.T]bool{}
	return func(t *testing.T) indexer.Indexer {
		if !seen[t] {
			seen[t] = true
			srv.exec(t, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		}
		return newIndexer(t)
	}
}

// suite is the conformance suite with this plugin's config on srv and the
// configs it must refuse besides the suite's own.
func suite(srv *pgServer, schema string) indexertest.Suite {
	return indexertest.Suite{
		Config: srv.config(schema),
		Invalid: []json.RawMessage{
			json.RawMessage(`{}`),
			json.RawMessage(`{"dsn": ""}`),
			json.RawMessage(`{"dsn": 5432}`),
			fmt.Appendf(nil, `{"dsn": %q, "schema": "Not-A-Name"}`, srv.dsn()),
			fmt.Appendf(nil, `{"dsn": %q, "schema": "pg_catalog"}`, srv.dsn()),
			json.RawMessage(`{"dsn": "postgres://%zz"}`),
			// A server that is not there: Configure connects.
			json.RawMessage(`{"dsn": "host=/nonexistent/jtchain port=1 user=x dbname=x connect_timeout=2"}`),
		},
	}
}

func newInProcess(t *testing.T) indexer.Indexer {
	x := &idx{}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestConformsInProcess(t *testing.T) {
	const schema = "conformance_inprocess"
	suite(shared, schema).Run(t, perCheck(shared, schema, newInProcess))
}

func TestBinaryConforms(t *testing.T) {
	const schema = "conformance_binary"
	suite(shared, schema).Run(t, perCheck(shared, schema, func(t *testing.T) indexer.Indexer {
		return indexertest.Launch(t, bin)
	}))
}

// configured returns an in-process indexer configured for schema on srv,
// with a fresh schema.
func configured(t testing.TB, srv *pgServer, schema string) *idx {
	t.Helper()
	srv.exec(t, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	x := &idx{}
	t.Cleanup(func() { x.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := x.Configure(ctx, indexer.ConfigureRequest{Config: srv.config(schema), ChainID: "test", DataDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return x
}
