// Command postgres is the indexer plugin that keeps a chain's block-level
// hash records (BLHR) in a PostgreSQL server (tested with Debian 12's
// PostgreSQL 15), for operators who want them in their own database. It is launched by the node (bin/plugins/indexer-postgres) and
// speaks jt.indexer.v1 through sdk/indexer.
//
// # Config
//
//	{"dsn": "postgres://jtchain@db.example:5432/jtchain?sslmode=verify-full", "schema": "jtchain_blhr"}
//
// dsn is a libpq connection string or URL (required); schema (default
// jtchain_blhr) holds this instance's tables and is created if missing:
// give each indexer instance its own. Unknown keys are refused. Configure
// connects and creates or checks the tables, so a wrong DSN or an
// unreachable server fails the start with an error naming it (never the
// password). The data directory the node gives the plugin is not used.
//
// # Schema
//
//	meta(key, value)        schema_version and chain_id: a schema made by
//	                        another layout or holding another chain's
//	                        ledgers is refused at Configure
//	ledgers(seq PK, hash, parent_hash, close_time, tx_count, record_count)
//	transactions(ledger_seq, idx) PK, hash, account, type, result
//	records(ledger_seq, idx) PK, id UNIQUE, type_tag ('': none),
//	                        account (NULL: none), data_hash,
//	                        data (NULL: only the hash recorded)
//
// records is indexed by its primary key (ledger range and query order), and
// by (type_tag | account | data_hash, ledger_seq, idx), so each filter reads
// one index range already in query order. Queries page with
// indexer.Position markers (the last record's ledger and index): following
// them returns every match exactly once, however the table grows meanwhile.
// Sequence numbers are bigint, hashes and account ids bytea.
//
// # Durability and idempotence
//
// Store writes a ledger, its transactions and its records in one SQL
// transaction (COPY for the rows) and commits it with synchronous_commit
// on, whatever the server's default: when Store returns nil the ledger is
// in the server's flushed WAL, and the node may acknowledge it. A crash at
// any point leaves the whole ledger or none of it. Writers of one schema
// are serialized by a table lock, readers are not blocked.
//
//   - a ledger at or below the last stored one is a no-op when its hash is
//     the stored one (the node's replay after a crash), and an error
//     wrapping errConflict when it differs (another chain, or a fork);
//   - the next ledger must name the last stored one as its parent
//     (errConflict otherwise);
//   - a ledger beyond the next is refused (errGap), except on an empty
//     schema, where the feed may start anywhere (the node's cursor).
//
// LastStored is max(seq) of ledgers, so it survives restarts of the plugin
// and of the server.
//
// # When the server is down
//
// Nothing is buffered in the plugin: while the server is unreachable every
// Store, Query and LastStored returns an error at once (connection
// refused), or when its context ends if the server hangs, and never
// panics. The node keeps its cursor and retries; nothing is lost because
// nothing was acknowledged. Connections come from pgxpool (up to 4), which
// pings one that sat idle before reuse, so when the server comes back the
// next call reconnects and storing resumes after LastStored.
//
// This package imports sdk/..., the standard library and jackc/pgx/v5
// (with its pgxpool).
//
// Tests need the server `make postgres` installs into .cache/postgres; they
// fail without it.
package main
