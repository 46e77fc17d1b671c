package node

import (
	"bytes"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/ledger"
)

// applyEvidence commits equivocation evidence into a block's ledger as
// Evidence pseudo-transactions, after the block's transactions, in the order
// given. It returns the items that applied; an item already in the ledger
// (or unreadable) is left out. Block builders and checkers call it alike,
// so both get the same ledger.
func (nw *network) applyEvidence(open *ledger.OpenLedger, evs [][]byte) [][]byte {
	var out [][]byte
	for _, ev := range evs {
		e, err := rbft.DecodeEvidence(ev)
		if err != nil || e.Height() > uint64(^uint32(0)) {
			continue
		}
		tx, err := ledger.NewEvidenceTx(e.Offender(), uint32(e.Height()), ev)
		if err != nil {
			continue
		}
		if open.ApplyPseudo(tx).Applied {
			out = append(out, ev)
		}
	}
	return out
}

func sortHashes(hs []codec.Hash256) {
	slices.SortFunc(hs, func(a, b codec.Hash256) int { return bytes.Compare(a[:], b[:]) })
}
