// Command sqlite is the default, embedded BLHR indexer plugin: it keeps the
// chain's ledgers, transactions and block-level hash records in one SQLite
// database (modernc.org/sqlite, pure Go, no cgo) in the instance's data
// directory, and answers the node's queries from its indexes.
//
// Config (JSON Schema from ConfigSchema, unknown keys refused):
//
//	{"file": "blhr.db"}   the database's plain file name in DataDir (default blhr.db)
//
// # Schema
//
// Versioned by PRAGMA user_version, one migration per version, applied at
// Configure in a transaction each (see migrations); a file of a newer
// version is refused. meta holds the chain id the file was made for: a
// file of another chain is refused rather than mixed.
//
//	ledgers      seq (primary key), hash, parent_hash, close_time (Unix ms), tx_count
//	transactions pos, ledger_seq, hash, account, type, result
//	records      pos, ledger_seq, id, type_tag ('': none), account (NULL: none), data_hash, data (NULL: none)
//	indexes      records (type_tag), (account) where set, (data_hash)
//
// pos, the rowid, is ledger_seq<<24 | the row's index in its ledger: a
// record's query position as one integer. The records table is stored in
// query order, a ledger range is a rowid range, and each secondary index
// (which SQLite orders by its column, then the rowid) serves its filter
// combined with the ledger range and the marker, in order, without a sort.
// The marker is the SDK's Position marker of a page's last record.
//
// # Durability
//
// The file is in WAL mode with synchronous=FULL: Store's commit fsyncs the
// WAL before Store returns, so an acknowledged ledger survives a crash of
// the process or the machine. A ledger is one SQL transaction (ledger row,
// transactions, records): a crash mid-Store leaves all of it or none, and
// LastStored (max(seq)) is always a ledger whose records are all there.
// foreign_keys is on; a busy timeout covers a reader meeting a checkpoint.
//
// # Idempotence and order
//
// Store of a seq already stored with the same hash is a no-op (the node's
// replay after a crash); with another hash it is an error, never an
// overwrite. Otherwise the ledger must be the first stored (any seq: an
// indexer added to a running node starts where the node's cursor is) or
// the next one, with the last stored ledger's hash as its parent hash;
// anything else (a gap, a seq before the first stored) is an error. Query
// and LastStored run concurrently with Store on other connections and see
// the last committed ledger.
//
// # Limits
//
// Ledgers are checked with Ledger.Validate (so data is at most
// MaxRecordDataSize, tags at most MaxNameSize) and may hold at most 2^24-1
// records and as many transactions (a ledger of MaxLedgerSize holds under
// 500,000). Queries are checked with Query.Validate and ParseMarker (errors
// wrap indexer.ErrBadQuery), return at most EffectiveLimit records, and
// run under the caller's context. The pool holds at most 8 connections.
//
// Like every plugin it imports only sdk/..., the standard library and its
// database driver, never host.
package main
