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
//	'c' seq                  -> certificate bytes (absent when empty)
//	'm' name                 -> store metadata: "latest" -> seq, "version" -> u32
//
// seq and index are 4-byte big-endian; the index is the transaction's
// TransactionIndex in its ledger's metadata.
const (
	prefixHeader    = 'h'
	prefixHash      = 'H'
	prefixTx        = 't'
	prefixTxID      = 'x'
	prefixAccountTx = 'a'
	prefixState     = 's'
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

func stateKey(k codec.Hash256) []byte { return append([]byte{prefixState}, k[:]...) }

const accountTxKeyLen = 1 + 20 + 4 + 4

func accountPrefix(a codec.AccountID) []byte { return append([]byte{prefixAccountTx}, a[:]...) }

func accountTxKey(a codec.AccountID, seq, index uint32) []byte {
	k := binary.BigEndian.AppendUint32(accountPrefix(a), seq)
	return binary.BigEndian.AppendUint32(k, index)
}

// parseSeqIndex reads the trailing seq ‖ index of a 't' or 'a' key.
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

func encodeTxLocation(seq, index uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(make([]byte, 0, 8), seq), index)
}

func decodeTxLocation(v []byte) (seq, index uint32, err error) {
	if len(v) != 8 {
		return 0, 0, fmt.Errorf("%w: transaction location is %d bytes, want 8", ErrCorrupt, len(v))
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
	n := 4 + len(leaf)
	size := n
	if pad := threshold - int64(n); pad > 0 && pad <= maxTxPad {
		size = int(threshold)
	}
	v := make([]byte, size)
	binary.BigEndian.PutUint32(v, uint32(len(leaf)))
	copy(v[4:], leaf)
	return v
}

// decodeTxValue returns the leaf inside a 't' value. The result aliases v.
func decodeTxValue(v []byte) ([]byte, error) {
	if len(v) < 4 {
		return nil, fmt.Errorf("%w: transaction value is %d bytes", ErrCorrupt, len(v))
	}
	n := binary.BigEndian.Uint32(v)
	if uint64(n) > uint64(len(v)-4) {
		return nil, fmt.Errorf("%w: transaction value claims %d bytes, holds %d", ErrCorrupt, n, len(v)-4)
	}
	for _, b := range v[4+n:] {
		if b != 0 {
			return nil, fmt.Errorf("%w: transaction value has non-zero padding", ErrCorrupt)
		}
	}
	return v[4 : 4+n], nil
}
