package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

// Header is a ledger header. Its hash, rippled's, is
//
//	SHA512Half("LWR\0" ‖ u32 Seq ‖ u64 TotalCoins ‖ ParentHash ‖ TxHash ‖
//	           AccountHash ‖ u32 ParentCloseTime ‖ u32 CloseTime ‖
//	           u8 CloseTimeResolution ‖ u8 CloseFlags [‖ extension])
//
// The extension is jtchain's documented place for the roots that later
// features seal into every ledger. While all of them are zero it is absent,
// so the hash is exactly the Jingtum/rippled header hash; once any is set it
// is the byte 0x01 followed by each root in the order declared below. A new
// root is appended to that list, never inserted.
type Header struct {
	Seq                 uint32
	TotalCoins          uint64 // SWT in existence, in drops (fees are destroyed)
	ParentHash          codec.Hash256
	TxHash              codec.Hash256 // root of the transaction tree
	AccountHash         codec.Hash256 // root of the state tree
	ParentCloseTime     uint32        // Ripple-epoch seconds
	CloseTime           uint32
	CloseTimeResolution uint8
	CloseFlags          uint8

	// Extension roots.
	BLHRRoot     codec.Hash256 // block-level hash records sealed in this ledger
	ContractRoot codec.Hash256 // contract results settled in this ledger
}

// HeaderExtensionV1 marks the first extension layout.
const HeaderExtensionV1 = 0x01

func (h Header) hasExtension() bool {
	return h.BLHRRoot != (codec.Hash256{}) || h.ContractRoot != (codec.Hash256{})
}

func (h Header) appendHashed(buf []byte) []byte {
	buf = binary.BigEndian.AppendUint32(buf, h.Seq)
	buf = binary.BigEndian.AppendUint64(buf, h.TotalCoins)
	buf = append(buf, h.ParentHash[:]...)
	buf = append(buf, h.TxHash[:]...)
	buf = append(buf, h.AccountHash[:]...)
	buf = binary.BigEndian.AppendUint32(buf, h.ParentCloseTime)
	buf = binary.BigEndian.AppendUint32(buf, h.CloseTime)
	buf = append(buf, h.CloseTimeResolution, h.CloseFlags)
	if h.hasExtension() {
		buf = append(buf, HeaderExtensionV1)
		buf = append(buf, h.BLHRRoot[:]...)
		buf = append(buf, h.ContractRoot[:]...)
	}
	return buf
}

// Hash returns the ledger hash.
func (h Header) Hash() codec.Hash256 {
	buf := make([]byte, 0, 4+118+65)
	buf = append(buf, codec.PrefixLedger[:]...)
	return crypto.SHA512Half(h.appendHashed(buf))
}

// Encode returns the header's storage form: the hashed bytes, with the
// extension always present so the layout is fixed.
func (h Header) Encode() []byte {
	buf := h.appendHashed(make([]byte, 0, headerSize))
	if !h.hasExtension() {
		buf = append(buf, 0)
		buf = append(buf, make([]byte, 64)...)
	}
	return buf
}

const headerSize = 4 + 8 + 32*3 + 4 + 4 + 1 + 1 + 1 + 32*2

// ErrBadHeader is returned by DecodeHeader.
var ErrBadHeader = errors.New("ledger: malformed header")

// DecodeHeader parses Encode's output.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	if len(b) != headerSize {
		return h, fmt.Errorf("%w: %d bytes, want %d", ErrBadHeader, len(b), headerSize)
	}
	h.Seq = binary.BigEndian.Uint32(b[0:])
	h.TotalCoins = binary.BigEndian.Uint64(b[4:])
	copy(h.ParentHash[:], b[12:44])
	copy(h.TxHash[:], b[44:76])
	copy(h.AccountHash[:], b[76:108])
	h.ParentCloseTime = binary.BigEndian.Uint32(b[108:])
	h.CloseTime = binary.BigEndian.Uint32(b[112:])
	h.CloseTimeResolution, h.CloseFlags = b[116], b[117]
	switch b[118] {
	case 0:
		for _, x := range b[119:] {
			if x != 0 {
				return h, fmt.Errorf("%w: extension roots without the extension marker", ErrBadHeader)
			}
		}
	case HeaderExtensionV1:
		copy(h.BLHRRoot[:], b[119:151])
		copy(h.ContractRoot[:], b[151:183])
		if !h.hasExtension() {
			return h, fmt.Errorf("%w: extension marker with all-zero roots", ErrBadHeader)
		}
	default:
		return h, fmt.Errorf("%w: unknown extension version %d", ErrBadHeader, b[118])
	}
	return h, nil
}
