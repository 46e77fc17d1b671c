package store

import (
	"encoding/binary"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
)

// Key layout. badger sorts keys bytewise, so every integer is big-endian and
// a prefix scan visits ledgers, and transactions within a ledger, in order.
//
//	'h' seq                  -> ledger.Header.Encode()
//	'H' ledger hash          -> seq
//	't' seq index            -> tx value: u32 len ‖ VL(tx) VL(meta) ‖ zero padding
//	'x' tx id                -> seq index
//	'a' account seq index    -> (empty)
//	's' state key            -> state entry bytes (the latest ledger's state)
//	'b' seq index            -> record value: u32 len ‖ record encoding ‖ zero padding
//	'B' record id            -> seq index of the record's first sealing
//	'c' seq                  -> certificate bytes (absent when empty)
//	'm' name                 -> store metadata: "latest" -> seq, "version" -> u32
//
// seq and index are 4-byte big-endian; a transaction's index is its
// TransactionIndex in its ledger's metadata, a record's is its position in
// the ledger's records, which are in id order. An unsigned BLHR record may be
// sealed again in a later ledger: its 'b' entry is written each time, its 'B'
// entry only the first. A store written before records existed simply has no
// 'b' or 'B' keys.
const (
	prefixHeader    = 'h'
	prefixHash      = 'H'
	prefixTx        = 't'
	prefixTxID      = 'x'
	prefixAccountTx = 'a'
	prefixState     = 's'
	prefixRecord    = 'b'
	prefixRecordID  = 'B'
	prefixCert      = 'c'
	prefixMeta      = 'm'
)

var (
	keyLatest  = []byte{prefixMeta, 'l', 'a', 't', 'e', 's', 't'}
	keyVersion = []byte{prefixMeta, 'v', 'e', 'r', 's', 'i', 'o', 'n'}
)

// schemaVersion is stored under keyVersion; Open refuses any other.
const schemaVersion = 1

func seqKey(prefix byte, seq uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{prefix}, seq)
}

func headerKey(seq uint32) []byte { return seqKey(prefixHeader, seq) }
func certKey(seq uint32) []byte   { return seqKey(prefixCert, seq) }

func hashKey(h codec.Hash256) []byte { return append([]byte{prefixHash}, h[:]...) }

func txKey(seq, index uint32) []byte {
	return binary.BigEndian.AppendUint32(seqKey(prefixTx, seq), index)
}

func txIDKey(id codec.Hash256) []byte { return append([]byte{prefixTxID}, id[:]...) }

func recordKey(seq, index uint32) []byte {
	return binary.BigEndian.AppendUint32(seqKey(prefixRecord, seq), index)
}

func recordIDKey(id codec.Hash256) []byte { return append([]byte{prefixRecordID}, id[:]...) }

func stateKey(k codec.Hash256) []byte { return append([]byte{prefixState}, k[:]...) }

const accountTxKeyLen = 1 + 20 + 4 + 4

func accountPrefix(a codec.AccountID) []byte { return append([]byte{prefixAccountTx}, a[:]...) }

func accountTxKey(a codec.AccountID, seq, index uint32) []byte {
	k := binary.BigEndian.AppendUint32(accountPrefix(a), seq)
	return binary.BigEndian.AppendUint32(k, index)
}

// parseSeqIndex reads the trailing seq ‖ index of a 't', 'b' or 'a' key.
func parseSeqIndex(k []byte) (seq, index uint32) {
	n := len(k)
	return binary.BigEndian.Uint32(k[n-8:]), binary.BigEndian.Uint32(k[n-4:])
}

func encodeSeq(seq uint32) []byte { return binary.BigEndian.AppendUint32(nil, seq) }

func decodeSeq(what string, v []byte) (uint32, error) {
	if len(v) != 4 {
		return 0, fmt.Errorf("%w: %s is %d bytes, want 4", ErrCorrupt, what, len(v))
	}
	return binary.BigEndian.Uint32(v), nil
}

// encodeLocation encodes a seq ‖ index location: an 'x' or 'B' value.
func encodeLocation(seq, index uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(make([]byte, 0, 8), seq), index)
}

func decodeLocation(what string, v []byte) (seq, index uint32, err error) {
	if len(v) != 8 {
		return 0, 0, fmt.Errorf("%w: %s is %d bytes, want 8", ErrCorrupt, what, len(v))
	}
	return binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:]), nil
}

// maxTxPad bounds the padding encodeTxValue adds. A payment's leaf is about
// 465 bytes, just under the default 512-byte value threshold, and would be
// stored inline, costing its full size in badger's per-transaction budget
// (15% of the memtable). Padding it to the threshold sends it to the value
// log, where it costs a 12-byte pointer: a ledger of payments between
// distinct accounts then needs ~430 budget bytes per transaction instead of
// ~880, and a 64 MB memtable holds a 17,000-payment ledger instead of
// 11,000. The price is at most maxTxPad bytes of value log per transaction;
// with a larger threshold the store does not pad.
const maxTxPad = 1024

// encodeTxValue frames a transaction-tree leaf for the 't' table.
func encodeTxValue(leaf []byte, threshold int64) []byte {
	return framePadded(leaf, threshold, maxTxPad)
}

// encodeRecordValue frames a record encoding for the 'b' table. It pads
// like encodeTxValue, but only when the padding is no longer than the framed
// record, so a record's value log use is at most twice its size and its
// budget cost at most threshold/2 + 12 bytes inline, or a 12-byte pointer.
// At the default threshold the worst record (251 bytes, kept inline) costs
// 329 budget bytes with its id entry, and a 64 MB memtable admits 30,000 of
// them in a ledger (TestRecordCapacity). Padding every record would admit
// 52,000 of any size (the entry count binds) but more than triple the value
// log of the ~150-byte records expected to be common.
func encodeRecordValue(enc []byte, threshold int64) []byte {
	return framePadded(enc, threshold, min(4+len(enc), maxTxPad))
}

// framePadded returns u32 len(b) ‖ b, zero-padded to threshold when that
// adds at most maxPad bytes, so the value goes to the value log.
func framePadded(b []byte, threshold int64, maxPad int) []byte {
	n := 4 + len(b)
	size := n
	if pad := threshold - int64(n); pad > 0 && pad <= int64(maxPad) {
		size = int(threshold)
	}
	v := make([]byte, size)
	binary.BigEndian.PutUint32(v, uint32(len(b)))
	copy(v[4:], b)
	return v
}

// decodeTxValue returns the leaf inside a 't' value. The result aliases v.
func decodeTxValue(v []byte) ([]byte, error) { return unframe("transaction value", v) }

// decodeRecordValue returns the encoding inside a 'b' value. The result
// aliases v.
func decodeRecordValue(v []byte) ([]byte, error) { return unframe("record value", v) }

// unframe undoes framePadded.
func unframe(what string, v []byte) ([]byte, error) {
	if len(v) < 4 {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrCorrupt, what, len(v))
	}
	n := binary.BigEndian.Uint32(v)
	if uint64(n) > uint64(len(v)-4) {
		return nil, fmt.Errorf("%w: %s claims %d bytes, holds %d", ErrCorrupt, what, n, len(v)-4)
	}
	for _, b := range v[4+n:] {
		if b != 0 {
			return nil, fmt.Errorf("%w: %s has non-zero padding", ErrCorrupt, what)
		}
	}
	return v[4 : 4+n], nil
}
