// Package crypto holds Jingtum's cryptographic primitives and encodings:
// SHA-512Half and the other hashes, the Jingtum base58 alphabet and
// base58check forms (addresses "j…", secrets "s…"/"sEd…", node keys "n…"),
// seeds and the key derivations of the Jingtum client libraries, transaction
// signing and verification on secp256k1 and ed25519, and a bounded cache of
// verified transaction signatures.
//
// Everything here must agree bit for bit with the Jingtum JS libraries
// (jingtum-lib, jingtum-base-lib, swtc-lib) and with every other jtchain node,
// because addresses, signatures and the accept/reject decision on a
// signature are consensus facts. The invariants that follow from that:
//
//   - One rule set per curve. secp256k1 signatures are accepted only in
//     strict DER with a low S (S <= n/2), checked by this package's own
//     parser rather than a library's lenient one; ed25519 signatures are
//     accepted exactly when crypto/ed25519.Verify accepts them. Changing
//     either rule is a protocol change.
//   - Signing is deterministic: secp256k1 uses RFC 6979 nonces and low S, so
//     the same key and message give the same bytes as the JS libraries.
//   - The package is pure: no I/O, no clocks, no global mutable state.
//     Randomness enters only through the io.Reader given to NewSeed.
//   - Secrets never appear in error messages or in the String forms of
//     KeyPair.
//
// Any jtchain package may import crypto; it imports nothing from jtchain.
package crypto
