// Package store is the node's durable storage, on badger v4: closed ledgers
// (headers, transactions with metadata, sealed BLHR records, commit
// certificates), the state of the latest ledger, and the indexes the API
// serves (ledger by hash, transaction by id, record by id, account_tx). It is the only package that imports
// badger; the node (host/node) owns the one Store, and other host packages
// reach storage through it. sdk and plugins never import it.
//
// Invariants:
//
//   - One closed ledger is one badger transaction. SaveLedger writes the
//     header, the hash index, every transaction with its metadata and id and
//     account index entries, every sealed record with its id index entry,
//     the state changes, the certificate and the "latest" pointer together,
//     and returns only after they are fsynced. A process killed at any
//     instant restarts with the last acknowledged ledger whole and nothing
//     of a later one (crash_test.go proves it with SIGKILLed child
//     processes).
//   - Ledgers are stored contiguously: each saved ledger extends the latest
//     by one and names its hash as parent. Range is therefore an interval.
//   - The state table holds the latest ledger's state only; LoadLatest
//     rebuilds both trees and ledger.Rebuild checks them against the header,
//     so damaged storage is an error (ErrCorrupt), never a wrong ledger.
//     Records are opaque to the store, which cannot hash them: their
//     framing and order are checked, their BLHRRoot is the reader's to check.
//   - A ledger must fit badger's transaction limit, 15% of the memtable
//     (Config.MemTableMB). SaveLedger computes the transaction's size with
//     badger's own arithmetic first and fails with ErrLedgerTooLarge, having
//     written nothing, when it does not fit. At the default 64 MB that is
//     about 17,000 payments between distinct accounts or 14,000 new trust
//     lines; 20,000 transactions of those kinds need MemTableMB 80 and 96.
//     A BLHR record costs two entries and at most 329 bytes
//     (encodeRecordValue, TestRecordCapacity): 30,000 records of any size
//     fit a ledger without transactions, and 20,000 leave room for about
//     8,000 such payments.
//   - Nothing read from disk can panic the node: every decode is checked.
//
// The key layout is in keys.go. Reads are safe for concurrent use and see
// a consistent snapshot; SaveLedger calls are serialized. Open starts one
// goroutine (value-log garbage collection), which Close stops.
package store
