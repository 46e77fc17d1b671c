package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// schemaVersion is the layout of the tables below. A schema made by another
// version is refused rather than guessed at.
const schemaVersion = "1"

// ddl creates the tables; %[1]s is the quoted schema name. Sequence numbers
// are uint32 on the chain, so bigint here; hashes and account ids are bytea
// of their fixed sizes; a record without an account has a NULL one.
//
// records' primary key (ledger_seq, idx) is query order and the paging
// marker, and serves ledger range queries; the other indexes lead with
// their filter and end with the same order, so each filter reads one index
// range in query order and a page stops after limit+1 rows.
const ddl = `
CREATE SCHEMA IF NOT EXISTS %[1]s;
CREATE TABLE IF NOT EXISTS %[1]s.meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);
CREATE TABLE IF NOT EXISTS %[1]s.ledgers (
	seq          bigint PRIMARY KEY,
	hash         bytea NOT NULL,
	parent_hash  bytea,
	close_time   timestamptz NOT NULL,
	tx_count     integer NOT NULL,
	record_count integer NOT NULL
);
CREATE TABLE IF NOT EXISTS %[1]s.transactions (
	ledger_seq bigint NOT NULL REFERENCES %[1]s.ledgers (seq),
	idx        integer NOT NULL,
	hash       bytea NOT NULL,
	account    bytea NOT NULL,
	type       text NOT NULL,
	result     text NOT NULL,
	PRIMARY KEY (ledger_seq, idx)
);
CREATE INDEX IF NOT EXISTS transactions_account ON %[1]s.transactions (account, ledger_seq, idx);
CREATE TABLE IF NOT EXISTS %[1]s.records (
	ledger_seq bigint NOT NULL REFERENCES %[1]s.ledgers (seq),
	idx        integer NOT NULL,
	id         bytea NOT NULL,
	type_tag   text NOT NULL,
	account    bytea,
	data_hash  bytea NOT NULL,
	data       bytea,
	PRIMARY KEY (ledger_seq, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS records_id ON %[1]s.records (id);
CREATE INDEX IF NOT EXISTS records_type_tag ON %[1]s.records (type_tag, ledger_seq, idx);
CREATE INDEX IF NOT EXISTS records_account ON %[1]s.records (account, ledger_seq, idx) WHERE account IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_data_hash ON %[1]s.records (data_hash, ledger_seq, idx);
`

// poolSize bounds the connections of one instance: Store uses one at a
// time, queries the rest.
const poolSize = 4

// db is one configured instance: a pool and its schema's table names.
type db struct {
	pool       *connPool
	schemaName string // as configured
	schema     string // quoted
	// quoted, schema-qualified table names
	meta, ledgers, transactions, records string
}

func (d *db) close() { d.pool.close() }

// open connects to c.DSN, creates the schema's tables if they are missing,
// and checks that the schema belongs to this chain and this version.
func open(ctx context.Context, c config, chainID string) (*db, error) {
	cc, err := pgx.ParseConfig(c.DSN)
	if err != nil {
		return nil, fmt.Errorf("postgres indexer: config: dsn: %w", err)
	}
	if _, ok := cc.RuntimeParams["application_name"]; !ok {
		cc.RuntimeParams["application_name"] = "jtchain-indexer-postgres"
	}
	// Calls carry the node's deadlines; this bounds a connect for a caller
	// without one.
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = 10 * time.Second
	}
	pool, err := newConnPool(cc, poolSize)
	if err != nil {
		return nil, fmt.Errorf("postgres indexer: %w", err)
	}
	d := &db{pool: pool, schemaName: c.Schema, schema: pgx.Identifier{c.Schema}.Sanitize()}
	d.meta = d.schema + ".meta"
	d.ledgers = d.schema + ".ledgers"
	d.transactions = d.schema + ".transactions"
	d.records = d.schema + ".records"
	if err := d.migrate(ctx, c.Schema, chainID); err != nil {
		pool.close()
		return nil, err
	}
	return d, nil
}

// errForeignSchema is wrapped by the error of a schema that holds another
// chain's ledgers or another layout.
var errForeignSchema = errors.New("postgres indexer: the schema belongs to something else")

// migrate creates the tables in one transaction, serialized with other
// instances doing the same by an advisory lock (concurrent CREATE ... IF
// NOT EXISTS can still collide), and records or checks the chain id.
func (d *db) migrate(ctx context.Context, schema, chainID string) error {
	err := d.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "jtchain-indexer-postgres "+schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(ddl, d.schema)); err != nil {
			return err
		}
		for _, kv := range [][2]string{{"schema_version", schemaVersion}, {"chain_id", chainID}} {
			if _, err := tx.Exec(ctx, "INSERT INTO "+d.meta+" (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", kv[0], kv[1]); err != nil {
				return err
			}
			var have string
			if err := tx.QueryRow(ctx, "SELECT value FROM "+d.meta+" WHERE key = $1", kv[0]).Scan(&have); err != nil {
				return err
			}
			if have != kv[1] {
				return fmt.Errorf("%w: schema %s has %s %q, this instance %q: give this instance its own schema",
					errForeignSchema, schema, strings.ReplaceAll(kv[0], "_", " "), have, kv[1])
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres indexer: prepare schema %s: %w", schema, err)
	}
	return nil
}

// tx runs fn in a transaction on a pooled connection: committed when fn
// returns nil, rolled back otherwise.
func (d *db) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return d.pool.with(ctx, func(c *pgx.Conn) error { return pgx.BeginFunc(ctx, c, fn) })
}
