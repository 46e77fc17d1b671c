// Package indexer is the SDK for indexer plugins: they consume the chain's
// committed ledgers and their block-level hash records (BLHR) in order,
// store what they need in their own data directory, and answer queries the
// node routes to them.
//
// A plugin author implements Indexer (embedding UnimplementedIndexer) and
// writes main as one call:
//
//	func main() { indexer.Serve(&myIndexer{}) }
//
// The contract, which indexertest checks:
//
//   - Store is called in ledger order, one ledger at a time, and returns
//     only once the ledger is durable: the node acknowledges it then and
//     moves its cursor past it. It must be idempotent: after a crash of the
//     plugin or the node the ledger after min(node cursor, LastStored) is
//     sent again, so the plugin sees again at most the ledger it was
//     storing when it died (or, when the node died, up to a window of
//     ledgers whose acknowledgements it lost).
//   - LastStored reports the highest ledger stored durably, across
//     restarts.
//   - Query answers filters on ledger range, type tag, account and data
//     hash, a page of at most MaxQueryLimit records at a time, with a
//     marker for the next page; malformed queries fail with ErrBadQuery.
//     Query and LastStored may run concurrently with Store.
//
// On the wire (jt.indexer.v1) the node feeds ledgers over one Consume
// stream with a bounded window of unacknowledged ledgers; the SDK runs both
// sides of it: the plugin's in Serve, which also checks that ledgers come
// in order without gaps, and the node's in Client.Feed. The node uses
// Protocol and Dispense to launch a plugin and gets a *Client.
//
// This package imports nothing from host: it is part of the SDK third
// parties build against.
package indexer
