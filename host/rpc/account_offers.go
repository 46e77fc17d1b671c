package rpc

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

// account_offers (handlers/AccountOffers.cpp): an account's Offer entries
// as {flags, seq, taker_gets, taker_pays}, paged by limit and marker.
// jtchain has no OfferCreate yet, so the list is empty until the DEX lands;
// the command exists so jingtum-lib's requestAccountOffers gets an answer.
func init() { register("account_offers", command{run: doAccountOffers}) }

func doAccountOffers(r *request) (map[string]any, *rpcError) {
	id, rerr := accountParam(r.params, "account")
	if rerr != nil {
		return nil, rerr
	}
	limit, rerr := pageLimit(r, defaultObjectsPerRequest, minObjectsPerRequest, maxObjectsPerRequest)
	if rerr != nil {
		return nil, rerr
	}
	marker, _ := str(r.params, "marker")
	if has(r.params, "marker") && marker == "" {
		return nil, expectedField("marker", "string")
	}
	return r.withLedger(func(lr ledgerRef) (map[string]any, *rpcError) {
		if lr.view.Read(ledger.AccountKeylet(id)) == nil {
			return nil, newError(rpcACT_NOT_FOUND)
		}
		type offer struct {
			key codec.Hash256
			obj *codec.STObject
		}
		var all []offer
		for _, key := range ledger.OwnedEntries(lr.view, id) {
			if o := lr.view.Read(ledger.Keylet{Type: codec.EntryOffer, Key: key}); o != nil {
				all = append(all, offer{key, o})
			}
		}
		items, next, ok := page(all, func(o offer) codec.Hash256 { return o.key }, marker, limit)
		if !ok {
			return nil, invalidField("marker")
		}
		list := make([]any, len(items))
		for i, o := range items {
			pays, _ := o.obj.Amount(sf.TakerPays)
			gets, _ := o.obj.Amount(sf.TakerGets)
			list[i] = map[string]any{
				"flags":      o.obj.UInt32(sf.Flags),
				"seq":        o.obj.UInt32(sf.Sequence),
				"taker_gets": codec.AmountJSON(gets),
				"taker_pays": codec.AmountJSON(pays),
			}
		}
		res := lr.fields()
		res["account"] = id.String()
		res["offers"] = list
		if next != "" {
			res["limit"] = limit
			res["marker"] = next
		}
		return res, nil
	})
}
