package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// idx is the indexer. Configure sets db; Store, LastStored and Query read
// it and may run concurrently (the pool is safe for that).
type idx struct {
	indexer.UnimplementedIndexer
	mu sync.RWMutex
	db *db // nil until a successful Configure
}

var (
	_ indexer.Indexer              = (*idx)(nil)
	_ indexer.ConfigSchemaProvider = (*idx)(nil)
)

// errNotConfigured is returned by every call before a successful Configure.
var errNotConfigured = errors.New("postgres indexer: not configured (Configure failed or was not called)")

func (x *idx) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "postgres", Version: "0.1.0"}, nil
}

func (x *idx) ConfigSchema(context.Context) ([]byte, error) { return configSchema, nil }

// Configure checks the config, connects and creates or checks the schema's
// tables. The server must be reachable: an operator learns of a wrong DSN
// at start, not at the first ledger.
func (x *idx) Configure(ctx context.Context, req indexer.ConfigureRequest) (indexer.ConfigureResponse, error) {
	c, err := parseConfig(req.Config)
	if err != nil {
		return indexer.ConfigureResponse{}, err
	}
	d, err := open(ctx, c, req.ChainID)
	if err != nil {
		return indexer.ConfigureResponse{}, err
	}
	x.mu.Lock()
	old := x.db
	x.db = d
	x.mu.Unlock()
	if old != nil {
		old.close()
	}
	return indexer.ConfigureResponse{}, nil
}

func (x *idx) get() (*db, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.db == nil {
		return nil, errNotConfigured
	}
	return x.db, nil
}

func (x *idx) Store(ctx context.Context, l indexer.Ledger) error {
	d, err := x.get()
	if err != nil {
		return err
	}
	return d.store(ctx, l)
}

func (x *idx) LastStored(ctx context.Context) (uint32, bool, error) {
	d, err := x.get()
	if err != nil {
		return 0, false, err
	}
	return d.lastStored(ctx)
}

func (x *idx) Query(ctx context.Context, q indexer.Query) (indexer.QueryResult, error) {
	d, err := x.get()
	if err != nil {
		return indexer.QueryResult{}, err
	}
	return d.query(ctx, q)
}

// Close releases the connections; the indexer is unconfigured after it.
func (x *idx) Close() error {
	x.mu.Lock()
	d := x.db
	x.db = nil
	x.mu.Unlock()
	if d != nil {
		d.close()
	}
	return nil
}

// config is the operator's config for one instance.
type config struct {
	// DSN is a libpq connection string or postgres:// URL.
	DSN string `json:"dsn"`
	// Schema holds the instance's tables; one schema per instance.
	Schema string `json:"schema"`
}

const defaultSchema = "jtchain_blhr"

var configSchema = []byte(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "postgres indexer",
  "type": "object",
  "properties": {
    "dsn": {
      "type": "string",
      "minLength": 1,
      "description": "libpq connection string or postgres:// URL of the PostgreSQL server, e.g. postgres://jtchain@db.example:5432/jtchain?sslmode=verify-full"
    },
    "schema": {
      "type": "string",
      "pattern": "^[a-z_][a-z0-9_]{0,62}$",
      "default": "jtchain_blhr",
      "description": "schema that holds this instance's tables (created if missing); give each indexer instance its own"
    }
  },
  "required": ["dsn"],
  "additionalProperties": false
}`)

// parseConfig checks what the node already validated against configSchema
// again, since a plugin may be called without the node (tests, tools).
func parseConfig(raw json.RawMessage) (config, error) {
	var c config
	if len(raw) == 0 || string(raw) == "null" {
		return c, errors.New(`postgres indexer: config is missing: it needs at least {"dsn": "postgres://user@host:5432/db"}`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("postgres indexer: config: %w (want a JSON object with dsn and optionally schema)", err)
	}
	if dec.More() {
		return c, errors.New("postgres indexer: config: trailing data after the JSON object")
	}
	if c.DSN == "" {
		return c, errors.New(`postgres indexer: config: dsn is missing or empty: set it to the server's connection string, e.g. "postgres://jtchain@localhost:5432/jtchain"`)
	}
	if c.Schema == "" {
		c.Schema = defaultSchema
	}
	if !validSchemaName(c.Schema) {
		return c, fmt.Errorf("postgres indexer: config: schema %q: use 1 to 63 lower-case letters, digits and _, not starting with a digit or pg_ (reserved by PostgreSQL)", c.Schema)
	}
	if _, err := pgx.ParseConfig(c.DSN); err != nil {
		return c, fmt.Errorf("postgres indexer: config: dsn: %w", err)
	}
	return c, nil
}

func validSchemaName(s string) bool {
	if len(s) == 0 || len(s) > 63 || (s[0] >= '0' && s[0] <= '9') || len(s) > 2 && s[:3] == "pg_" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func main() { indexer.Serve(&idx{}) }
