package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Connection settings, applied by the driver to every connection of the
// pool (they are per connection in SQLite, except journal_mode, which the
// file keeps).
const (
	// busyTimeout is how long a statement waits for a lock another
	// connection holds (a reader waits out the writer's checkpoint, say)
	// before it fails with SQLITE_BUSY.
	busyTimeout = 10 * time.Second
	// maxConns bounds the pool: one writer (Store is never called
	// concurrently) and a few readers for Query and LastStored.
	maxConns = 8
)

// dsn is the modernc.org/sqlite data source name for the file at path: a
// file: URI, so a path holding '?' or '%' is escaped rather than misread.
// _txlock=immediate makes BeginTx take the write lock at once, so Store's
// read-then-write cannot race another writer into SQLITE_BUSY mid-way.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL: a commit fsyncs the WAL, so Store's ledger survives a power
	// loss once Store returns (NORMAL, WAL's usual setting, would not).
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// open opens (creating) the database at path, checks its settings,
// migrates its schema and binds it to chainID.
func open(ctx context.Context, path, chainID string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite indexer: database path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite indexer: data directory: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("sqlite indexer: open %s: %w", abs, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := prepare(ctx, db, chainID); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite indexer: %s: %w", abs, err)
	}
	return db, nil
}

func prepare(ctx context.Context, db *sql.DB, chainID string) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("open the database: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not WAL (is the file on a file system without shared memory?)", mode)
	}
	var sync int
	if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return err
	}
	if sync < 2 {
		return fmt.Errorf("synchronous is %d, want FULL (2): stores would not be durable", sync)
	}
	if err := migrate(ctx, db); err != nil {
		return err
	}
	return bindChain(ctx, db, chainID)
}

// migrations[i] takes the schema from version i to i+1 (PRAGMA
// user_version). Never edit one that has shipped: append another.
//
// records.pos and transactions.pos are the rowids, ledger_seq<<24 | the
// row's index in its ledger: a record's query position as one integer, so
// the table is stored in query order, a ledger range is a rowid range, and
// every secondary index, which in SQLite ends with the rowid, is already
// ordered for paging. 24 bits hold any ledger: one of MaxLedgerSize (32
// MiB) holds under 500,000 records (each encodes to over 64 bytes), and
// Store refuses more than maxLedgerRows.
var migrations = []string{
	`CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) WITHOUT ROWID;

	CREATE TABLE ledgers (
		seq         INTEGER PRIMARY KEY CHECK (seq BETWEEN 1 AND 4294967295),
		hash        BLOB    NOT NULL CHECK (length(hash) = 32),
		parent_hash BLOB    CHECK (length(parent_hash) = 32), -- NULL: none
		close_time  INTEGER,                                  -- Unix ms; NULL: unset
		tx_count    INTEGER NOT NULL CHECK (tx_count >= 0)
	);

	CREATE TABLE transactions (
		pos        INTEGER PRIMARY KEY,
		ledger_seq INTEGER NOT NULL REFERENCES ledgers (seq),
		hash       BLOB    NOT NULL CHECK (length(hash) = 32),
		account    BLOB    NOT NULL CHECK (length(account) = 20),
		type       TEXT    NOT NULL,
		result     TEXT    NOT NULL,
		CHECK (pos >> 24 = ledger_seq)
	);

	CREATE TABLE records (
		pos        INTEGER PRIMARY KEY,
		ledger_seq INTEGER NOT NULL REFERENCES ledgers (seq),
		id         BLOB    NOT NULL CHECK (length(id) = 32),
		type_tag   TEXT    NOT NULL CHECK (length(type_tag) >= 1),
		account    BLOB    CHECK (length(account) = 20), -- NULL: none
		data_hash  BLOB    NOT NULL CHECK (length(data_hash) = 32),
		data       BLOB,                                 -- NULL: hash only
		CHECK (pos >> 24 = ledger_seq)
	);
	CREATE INDEX records_type_tag  ON records (type_tag);
	CREATE INDEX records_account   ON records (account) WHERE account IS NOT NULL;
	CREATE INDEX records_data_hash ON records (data_hash);`,

	// Version 2: a record's type tag may be empty (the chain allows 0 to
	// 64 bytes; the submitter need not give one), which version 1's CHECK
	// refused. SQLite cannot drop a CHECK, so the table is rebuilt as its
	// documentation describes (lang_altertable.html#otheralter), in the
	// step's transaction: nothing references records, so foreign keys
	// need not be switched off, and rows are copied in rowid order, which
	// keeps pos and so query order. The indexes go with the old table and
	// are made again. A new database takes this step too, so every file
	// has the same schema however it got there.
	`CREATE TABLE records_v2 (
		pos        INTEGER PRIMARY KEY,
		ledger_seq INTEGER NOT NULL REFERENCES ledgers (seq),
		id         BLOB    NOT NULL CHECK (length(id) = 32),
		type_tag   TEXT    NOT NULL,                     -- '': none
		account    BLOB    CHECK (length(account) = 20), -- NULL: none
		data_hash  BLOB    NOT NULL CHECK (length(data_hash) = 32),
		data       BLOB,                                 -- NULL: hash only
		CHECK (pos >> 24 = ledger_seq)
	);
	INSERT INTO records_v2 (pos, ledger_seq, id, type_tag, account, data_hash, data)
		SELECT pos, ledger_seq, id, type_tag, account, data_hash, data FROM records ORDER BY pos;
	DROP TABLE records;
	ALTER TABLE records_v2 RENAME TO records;
	CREATE INDEX records_type_tag  ON records (type_tag);
	CREATE INDEX records_account   ON records (account) WHERE account IS NOT NULL;
	CREATE INDEX records_data_hash ON records (data_hash);`,
}

// migrate brings the schema to len(migrations), one transaction per step;
// the write lock taken at BEGIN keeps two processes from migrating at once.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		done, err := migrateStep(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

func migrateStep(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("migrate: read user_version: %w", err)
	}
	switch {
	case v > len(migrations):
		return false, fmt.Errorf("schema version %d is newer than this plugin's (%d): run a newer sqlite indexer, or give this one a new data directory", v, len(migrations))
	case v == len(migrations):
		return true, nil
	case v < 0:
		return false, fmt.Errorf("schema version %d is negative: the file is not this indexer's", v)
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
	}
	return false, nil
}

// errOtherChain is returned by Configure for a database of another chain.
var errOtherChain = errors.New("the database holds another chain's ledgers")

// bindChain records chainID in a new database and refuses one that holds
// another chain's ledgers.
func bindChain(ctx context.Context, db *sql.DB, chainID string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var have string
	switch err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'chain_id'").Scan(&have); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('chain_id', ?)", chainID); err != nil {
			return fmt.Errorf("record the chain id: %w", err)
		}
		return tx.Commit()
	case err != nil:
		return fmt.Errorf("read the chain id: %w", err)
	case have != chainID:
		return fmt.Errorf("%w: it was made for chain %q, the node runs %q: give this instance a new data directory (or file)", errOtherChain, have, chainID)
	}
	return nil
}
