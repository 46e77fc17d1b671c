// Package codec is Jingtum's binary serialization (the rippled STObject
// format with Jingtum's field table, spec/jingtum-wire.md §4-6): values,
// amounts and currencies, canonical encoding and strict decoding, the JSON
// forms that the JavaScript client libraries use, transaction and ledger
// entry type codes, hash prefixes, transaction ids and signing data.
//
// Invariants: an STObject's fields are always in canonical order with no
// duplicates, so Encode is canonical by construction; Decode accepts only
// canonical input and reports the field and byte offset of anything else;
// IOU arithmetic is integer-only and rounds as rippled does, so results are
// identical on every machine. The package does no I/O and keeps no state.
//
// Any package may import codec; it imports only crypto and its own
// subpackages (sf: the field table, ter: result codes).
package codec
