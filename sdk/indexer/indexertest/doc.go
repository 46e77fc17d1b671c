// Package indexertest is the conformance suite for indexer plugins: a
// plugin author runs it from go test, in process and against the built
// binary, to learn before a node does whether the indexer keeps the
// contract of sdk/indexer.
//
//	func TestConforms(t *testing.T)       { indexertest.Run(t, func(*testing.T) indexer.Indexer { return &myIndexer{} }) }
//	func TestBinaryConforms(t *testing.T) { indexertest.RunBinary(t, binPath) } // built in TestMain
//
// The checks:
//
//   - Info names the indexer (name, semver version) and, over the wire,
//     reports kind indexer and the SDK's API major;
//   - Configure accepts the Suite's valid config and refuses invalid ones
//     (not a JSON object, an unknown key, any the Suite adds) with an
//     error, not a panic or a dead plugin; Store, LastStored and Query
//     after a refused Configure fail;
//   - a new data directory holds nothing; after ledgers are stored in
//     order, LastStored reports the highest and queries by ledger range,
//     type tag, account, data hash and combinations find exactly the
//     records they select, in ledger order;
//   - storing a ledger again (the last one, or the last few) duplicates
//     nothing, and LastStored and every record survive a restart on the
//     same data directory: RunBinary kills the plugin with SIGKILL, in
//     process a new indexer replaces the old one;
//   - following markers with small limits returns every record exactly
//     once; a limit above indexer.MaxQueryLimit is capped or refused with
//     indexer.ErrBadQuery; malformed queries (inverted range, negative
//     limit, foreign or overlong marker, bad type tag) are refused with
//     indexer.ErrBadQuery, never a panic;
//   - queries and LastStored answer while ledgers are being stored, and
//     LastStored never goes back;
//   - over the wire, the node's Feed delivers ledgers through the windowed
//     stream and resumes from the right ledger, with every acknowledgement
//     once and in order.
//
// Chain makes the deterministic ledgers the checks store; plugin authors
// and the node's tests can use it, RecordsOf and QueryAll for their own.
//
// Imports: sdk/... and go-plugin only, never host (this package is part of
// the SDK third parties build against).
package indexertest
