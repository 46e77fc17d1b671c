// Package blhr is the pure core of block-level hash records (BLHR): the
// record format, the per-ledger Merkle tree whose root goes into the ledger
// header's BLHRRoot, inclusion proofs, and the proof bundle that the
// blhr_proof API command returns and `jt blhr verify` checks offline.
//
// It does no I/O, reads no clock and no global randomness, uses no floating
// point, and never lets map order reach a hash. It imports host/codec,
// host/crypto and host/ledger (for the header encoding) and must not import
// host/node: the node imports it. Likewise host/ledger must never import it;
// the node computes Root and passes it into the header. The commit check
// that needs host/consensus/rbft and host/node lives in blhr/rbftcheck.
//
// # Records
//
// A Record is a type tag, a data hash, optional data, and an optional
// account signature. Its canonical encoding (version 1, big-endian lengths):
//
//	u8 1 ‖ u8 len ‖ type tag ‖ data hash[32] ‖ u32 len ‖ data ‖
//	u8 len ‖ signing key ‖ u8 len ‖ signature
//
// DecodeRecord accepts exactly the encodings Encode produces for a valid
// record, so every record has one encoding and one id:
//   - type tag: 0..MaxTypeTag (64) bytes of [A-Za-z0-9._:/-];
//   - data: 0..MaxData (64 KiB) bytes; the node's configured limit may only
//     be smaller. Non-empty data must hash to the data hash; without data
//     the data hash is the submitter's and may not be all zero;
//   - unsigned: key and signature both empty. Signed: a 33-byte key
//     (02/03 secp256k1, ED ed25519) and a 1..MaxSignature (72) byte
//     signature. The account is derived from the key and not encoded;
//   - no trailing bytes, nothing above MaxRecordSize.
//
// # Hashing domains
//
//	record id     SHA512Half("BLR\0" ‖ encoding)
//	signing data  "BLS\0" ‖ u32 len(chain id) ‖ chain id ‖ encoding with an empty signature
//	tree leaf     SHA512Half(0x00 ‖ record id)
//	tree interior SHA512Half(0x01 ‖ left ‖ right)
//	tree root     SHA512Half(0x02 ‖ u64 leaf count ‖ top node); no records: zero
//
// The signing data is signed as Jingtum transactions are: secp256k1 over its
// SHA512Half, ed25519 over the bytes. The chain id in it means a record
// signed for one chain does not verify on another. The record id covers the
// signature.
//
// # The tree
//
// The leaves of a ledger's tree are its record ids in ascending byte order,
// so the root does not depend on arrival order; ids must be distinct (the
// caller deduplicates, Root rejects repeats). Each level pairs nodes left to
// right; the last node of an odd level moves up unchanged (never paired
// with itself). The root commits to the leaf count, so a proof's index and
// count are authenticated too: no byte of a proof can change without it
// failing. A ledger without records has the zero root, which leaves the
// header's extension absent and its hash exactly Jingtum's.
//
// A Proof is (index, count, siblings bottom-up), encoded as
//
//	u8 1 ‖ u64 index ‖ u64 count ‖ u8 n ‖ n × sibling[32]
//
// with n exactly the path length of that leaf (at most MaxProofSiblings, 64).
//
// # Bundles
//
// A Bundle carries the record, the ledger sequence, the header encoding
// (ledger.Header.Encode, extension included), the committed block and its
// certificate, and the proof, as JSON with hex fields (DecodeBundle is
// strict: known fields once each, bounded sizes, nothing after). VerifyBundle
// re-derives everything from those bytes; trust enters only through the
// checkCommit function, which for RBFT is rbftcheck.Checker over a known
// validator set.
//
// Every decoding error wraps ErrMalformed; a well-formed proof or bundle that
// does not hold wraps ErrInvalid; a bad signature wraps ErrBadSignature.
// No input makes a decoder panic (FuzzDecodeRecord, FuzzVerifyProof,
// FuzzDecodeBundle).
package blhr
