package rpc

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

// account_objects (handlers/AccountObjects.cpp): the entries in an
// account's owner directory, each with its index, optionally of one "type",
// paged by "limit" and "marker". swtc-lib reads the SignerList from here.
// The marker is the index of the next page's first entry (rippled's is
// "dir,entry"; it is opaque to clients either way).
func init() { register("account_objects", command{run: doAccountObjects}) }

const (
	defaultObjectsPerRequest = 200
	minObjectsPerRequest     = 10
	maxObjectsPerRequest     = 400
)

// objectTypes are rippled's type filter names, plus jtchain's entries.
var objectTypes = map[string]codec.EntryType{
	"account":     codec.EntryAccountRoot,
	"amendments":  codec.EntryEnabledFeatures,
	"directory":   codec.EntryDirectoryNode,
	"fee":         codec.EntryFeeSettings,
	"hashes":      codec.EntryLedgerHashes,
	"offer":       codec.EntryOffer,
	"state":       codec.EntrySkywellState,
	"ticket":      codec.EntryTicket,
	"signer_list": codec.EntrySignerList,
	"relation":    codec.EntryRelation,
}

func doAccountObjects(r *request) (map[string]any, *rpcError) {
	id, rerr := accountParam(r.params, "account")
	if rerr != nil {
		return nil, rerr
	}
	filter := codec.EntryType(0)
	if has(r.params, "type") {
		name, ok := str(r.params, "type")
		if !ok {
			return nil, expectedField("type", "string")
		}
		t, ok := objectTypes[name]
		if !ok {
			return nil, invalidField("type")
		}
		filter = t
	}
	limit, rerr := pageLimit(r, defaultObjectsPerRequest, minObjectsPerRequest, maxObjectsPerRequest)
	if rerr != nil {
		return nil, rerr
	}
	marker := ""
	if has(r.params, "marker") {
		s, ok := str(r.params, "marker")
		if !ok {
			return nil, expectedField("marker", "string")
		}
		marker = s
	}
	return r.withLedger(func(lr ledgerRef) (map[string]any, *rpcError) {
		if lr.view.Read(ledger.AccountKeylet(id)) == nil {
			return nil, newError(rpcACT_NOT_FOUND)
		}
		type entry struct {
			key codec.Hash256
			obj *codec.STObject
		}
		var all []entry
		for _, key := range ledger.OwnedEntries(lr.view, id) {
			o := readAny(lr.view, key)
			if o == nil || (filter != 0 && codec.EntryType(o.UInt16(sf.LedgerEntryType)) != filter) {
				continue
			}
			all = append(all, entry{key, o})
		}
		items, next, ok := page(all, func(e entry) codec.Hash256 { return e.key }, marker, limit)
		if !ok {
			return nil, invalidField("marker")
		}
		list := make([]any, len(items))
		for i, e := range items {
			list[i] = entryJSON(e.obj, e.key)
		}
		res := lr.fields()
		res["account"] = id.String()
		res["account_objects"] = list
		if next != "" {
			res["limit"] = limit
			res["marker"] = next
		}
		return res, nil
	})
}
