// Package sf is Jingtum's serialized-field table: every field a transaction,
// ledger entry or metadata object may carry, with its type code, field number,
// whether it is part of signing data, and how it appears in metadata.
//
// The table follows the JavaScript client libraries (jingtum-lib, swtc-lib),
// not the public skywelld 0.29 snapshot, where the two disagree: the client
// table is what unmodified wallets put on the wire and it reproduces real
// network hashes (spec/jingtum-wire.md §4.3). Fields jtchain adds must use
// codes the Jingtum table leaves free, and are listed at the end of
// fields.go, each with a comment (DESIGN.md §5).
//
// The table is immutable after package initialisation; any package may import
// sf. Fields are compared by pointer identity.
package sf
