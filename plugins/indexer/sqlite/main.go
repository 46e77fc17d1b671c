package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"sync/atomic"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

func main() { indexer.Serve(&idx{}) }

// idx is the sqlite indexer. Configure opens db; Store, LastStored and
// Query share it through database/sql's pool, which lets queries read
// while a ledger is written (WAL readers see the last committed ledger).
type idx struct {
	indexer.UnimplementedIndexer
	db atomic.Pointer[sql.DB] // nil until a successful Configure, and after Close
}

var (
	_ indexer.Indexer              = (*idx)(nil)
	_ indexer.ConfigSchemaProvider = (*idx)(nil)
	_ io.Closer                    = (*idx)(nil)
)

// errNotConfigured is returned by calls before a successful Configure (or
// after Close).
var errNotConfigured = errors.New("sqlite indexer: not configured (Configure must succeed first)")

func (x *idx) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "sqlite", Version: "0.2.0"}, nil
}

// conn returns the open database or errNotConfigured.
func (x *idx) conn() (*sql.DB, error) {
	if db := x.db.Load(); db != nil {
		return db, nil
	}
	return nil, errNotConfigured
}

// Close closes the database; later calls fail with errNotConfigured. The
// plugin process never needs it (a crash is as safe as a close); tests use
// it to reopen the same file in process.
func (x *idx) Close() error {
	if db := x.db.Swap(nil); db != nil {
		return db.Close()
	}
	return nil
}
