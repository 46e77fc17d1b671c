package indexer

import (
	"encoding/binary"
	"fmt"
)

// Position is where a record sits on the chain: its ledger and its index
// among the ledger's Records. Records in query order are in Position
// order, so a plugin that keeps them that way can page with Position
// markers: the marker of a page is the Position of its last record, and
// the next page starts after it. Markers are opaque to the node, so a
// plugin may use any other form.
type Position struct {
	Seq   uint32
	Index uint32
}

// After reports whether p comes after q in query order.
func (p Position) After(q Position) bool {
	return p.Seq > q.Seq || (p.Seq == q.Seq && p.Index > q.Index)
}

// markerVersion starts every Position marker, so bytes that are not one
// are refused rather than misread.
const markerVersion = 0x01

const markerSize = 1 + 4 + 4

// Marker encodes p as a paging marker.
func (p Position) Marker() []byte {
	b := make([]byte, markerSize)
	b[0] = markerVersion
	binary.BigEndian.PutUint32(b[1:], p.Seq)
	binary.BigEndian.PutUint32(b[5:], p.Index)
	return b
}

// ParseMarker decodes a marker made by Position.Marker. An empty marker
// is the zero Position, which every record comes after (ledgers start at
// 1). Anything else fails with an error wrapping ErrBadQuery.
func ParseMarker(m []byte) (Position, error) {
	if len(m) == 0 {
		return Position{}, nil
	}
	if len(m) != markerSize || m[0] != markerVersion {
		return Position{}, fmt.Errorf("%w: marker %x was not made by this indexer", ErrBadQuery, m)
	}
	return Position{Seq: binary.BigEndian.Uint32(m[1:]), Index: binary.BigEndian.Uint32(m[5:])}, nil
}
