// Package shamap implements rippled's SHAMap: a Merkle radix-16 tree over
// 256-bit keys. Jingtum (a rippled 0.29 derivative) uses it for the account
// state tree and the per-ledger transaction tree, so the hashes produced here
// must match rippled's bit for bit; ledger headers commit to them.
//
// # Shape and hashes
//
// Every tree has an inner node at the root. Below it, the branch taken at
// depth d is nibble d of the key, high nibble first. The shape is canonical:
// a leaf sits at the shallowest depth where its branch holds nothing else, a
// non-root inner node always holds at least two leaves below it, and the
// tree after any sequence of Put and Delete calls equals the tree built by
// inserting only the remaining keys. Hashes (spec/jingtum-wire.md §6):
//
//	inner node:                    SHA512Half("MIN\0" ‖ 16 child hashes, zero for an empty branch)
//	AccountState leaf:             SHA512Half("MLN\0" ‖ data ‖ key)
//	TransactionWithMeta leaf:      SHA512Half("SND\0" ‖ data ‖ key)   data = TxWithMetaData(tx, meta)
//	TransactionNoMeta leaf:        SHA512Half("TXN\0" ‖ data)         (the transaction id; no key)
//	empty tree:                    32 zero bytes
//
// Node hashes are cached. A mutation clears the cache only on the path from
// the root to the changed leaf, so Hash re-hashes only those paths: after
// changing 1,000 random leaves of a 100k-leaf tree, Hash computes the 1,000
// leaf hashes and about 2,000 of the tree's 38,800 inner-node hashes.
//
// # Snapshots and concurrency
//
// Snapshot returns an independent Map in O(1): both maps share every node,
// and whichever map mutates a shared node first copies it (copy-on-write).
// Each Map carries an owner token; a node may be changed in place only by
// the map whose token it carries, and Snapshot gives the source map a new
// token too, so after a snapshot no map owns the shared nodes and they are
// never written again except for their hash caches.
//
// The rules for callers:
//
//   - A Map is not safe for concurrent mutation. Put and Delete need
//     exclusive access to that Map.
//   - Reads (Get, Has, Len, Kind, Hash, All, After, Proof) may run
//     concurrently with each other on the same Map, and on any maps that
//     share nodes, including while another of those maps is being mutated.
//     Hash and Proof fill hash caches in shared nodes; the cache is written
//     once per node through an atomic compare-and-swap, so concurrent
//     hashing is race-free and every reader sees the same value.
//   - Snapshot writes the source map's owner token: it may run concurrently
//     with reads of the source, but not with its mutation or with another
//     Snapshot of it.
//   - Data passed to Put is copied. Data returned by Get and the iterators
//     aliases the tree and must not be modified.
//
// The package is pure: no I/O, no clock, no randomness, no map iteration.
// Anything may import it; it imports only the standard library and
// host/crypto.
package shamap
