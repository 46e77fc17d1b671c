package store

import (
	"bytes"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
)

// affectedAccounts appends, sorted and without duplicates, every account a
// transaction affected, as rippled's TxMeta::getAffectedAccounts does for
// its account_tx index: every AccountID field of every affected entry
// (AccountRoot Account, RegularKey, Owner, Destination, ...) and the issuer
// of the LowLimit/HighLimit (trust lines) and TakerPays/TakerGets (offers)
// amounts. rippled reads only FinalFields/NewFields; PreviousFields is read
// too, which can only add an account whose field changed. The transaction's
// own Account and Destination are always included, so a failed (tec)
// payment is indexed for its destination even though the metadata does not
// name it.
func affectedAccounts(tx, meta *codec.STObject, out []codec.AccountID) []codec.AccountID {
	if a, ok := tx.LookupAccount(sf.Account); ok {
		out = append(out, a)
	}
	if d, ok := tx.LookupAccount(sf.Destination); ok {
		out = append(out, d)
	}
	for _, node := range meta.Array(sf.AffectedNodes) {
		for _, f := range []*sf.Field{sf.FinalFields, sf.NewFields, sf.PreviousFields} {
			if inner := node.Object.Object(f); inner != nil {
				out = entryAccounts(inner, out)
			}
		}
	}
	slices.SortFunc(out, func(a, b codec.AccountID) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}

func entryAccounts(o *codec.STObject, out []codec.AccountID) []codec.AccountID {
	o.Each(func(f *sf.Field, v any) bool {
		switch f {
		case sf.LowLimit, sf.HighLimit, sf.TakerPays, sf.TakerGets:
			if a, ok := v.(codec.Amount); ok && !a.IsNative() && a.Issuer() != (codec.AccountID{}) {
				out = append(out, a.Issuer())
			}
		default:
			if a, ok := v.(codec.AccountID); ok && f.Type == sf.TypeAccount {
				out = append(out, a)
			}
		}
		return true
	})
	return out
}
