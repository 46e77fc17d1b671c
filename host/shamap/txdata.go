package shamap

import (
	"errors"
	"fmt"
)

// ErrBadTxData wraps errors about TransactionWithMeta leaf data.
var ErrBadTxData = errors.New("shamap: bad transaction-with-metadata data")

// maxVL is the longest blob rippled's variable-length prefix can describe.
const maxVL = 918744

// TxWithMetaData builds the data of a TransactionWithMeta leaf the way
// rippled does: VL(tx) ‖ VL(meta), where VL is the serializer's
// variable-length prefix (1 byte up to 192, 2 bytes up to 12,480, 3 bytes up
// to 918,744). It fails if either blob is longer than that.
func TxWithMetaData(tx, meta []byte) ([]byte, error) {
	if len(tx) > maxVL || len(meta) > maxVL {
		return nil, fmt.Errorf("%w: tx %d bytes, meta %d bytes; each must be at most %d", ErrBadTxData, len(tx), len(meta), maxVL)
	}
	out := make([]byte, 0, 6+len(tx)+len(meta))
	out = append(appendVLLength(out, len(tx)), tx...)
	out = append(appendVLLength(out, len(meta)), meta...)
	return out, nil
}

// SplitTxWithMetaData is the inverse of TxWithMetaData. The returned slices
// alias data. It rejects truncated input, trailing bytes and lengths a VL
// prefix cannot encode, and never panics.
func SplitTxWithMetaData(data []byte) (tx, meta []byte, err error) {
	tx, rest, err := cutVL(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: transaction: %v", ErrBadTxData, err)
	}
	meta, rest, err = cutVL(rest)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: metadata: %v", ErrBadTxData, err)
	}
	if len(rest) != 0 {
		return nil, nil, fmt.Errorf("%w: %d trailing bytes", ErrBadTxData, len(rest))
	}
	return tx, meta, nil
}

// appendVLLength appends rippled's length prefix for n ≤ maxVL
// (Serializer::addEncoded / encodeLengthLength).
func appendVLLength(out []byte, n int) []byte {
	switch {
	case n <= 192:
		return append(out, byte(n))
	case n <= 12480:
		n -= 193
		return append(out, byte(193+n>>8), byte(n))
	default:
		n -= 12481
		return append(out, byte(241+n>>16), byte(n>>8), byte(n))
	}
}

// cutVL splits a VL-prefixed blob off the front of b.
func cutVL(b []byte) (blob, rest []byte, err error) {
	if len(b) == 0 {
		return nil, nil, errors.New("missing length prefix")
	}
	var n, hdr int
	switch b0 := int(b[0]); {
	case b0 <= 192:
		n, hdr = b0, 1
	case b0 <= 240:
		if len(b) < 2 {
			return nil, nil, errors.New("truncated 2-byte length prefix")
		}
		n, hdr = 193+(b0-193)<<8+int(b[1]), 2
	case b0 <= 254:
		if len(b) < 3 {
			return nil, nil, errors.New("truncated 3-byte length prefix")
		}
		n, hdr = 12481+(b0-241)<<16+int(b[1])<<8+int(b[2]), 3
		if n > maxVL {
			return nil, nil, fmt.Errorf("length %d exceeds %d", n, maxVL)
		}
	default:
		return nil, nil, errors.New("length prefix byte 0xFF is invalid")
	}
	if len(b)-hdr < n {
		return nil, nil, fmt.Errorf("length %d but only %d bytes follow", n, len(b)-hdr)
	}
	return b[hdr : hdr+n], b[hdr+n:], nil
}
