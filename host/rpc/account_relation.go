package rpc

import (
	"strconv"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

// account_relation (skywelld's doAccountTrust in handlers/AccountLines.cpp)
// lists the relations an account holds: relation_type 1 (authorize) or 3
// (freeze) are its Relation entries (host/ledger/relation.go); 0 (trust)
// are its trust lines, exactly as account_lines shows them. jingtum-lib's
// requestAccountRelations sends type 'authorize'/'freeze' here and 'trust'
// to account_lines.
//
// Each relation is {account, currency, issuer, limit, limit_peer,
// relation_type}: skywelld puts the target's address in limit_peer and the
// type as a string; jtchain keeps both for compatibility and adds the target
// as "account", the field every lines view has.
func init() { register("account_relation", command{run: doAccountRelation}) }

func doAccountRelation(r *request) (map[string]any, *rpcError) {
	id, rerr := accountParam(r.params, "account")
	if rerr != nil {
		return nil, rerr
	}
	if !has(r.params, "relation_type") {
		return nil, missingField("relation_type")
	}
	kind, ok := integer(r.params["relation_type"])
	if !ok || (kind != int64(ledger.RelationTrust) && kind != int64(ledger.RelationAuthorize) && kind != int64(ledger.RelationFreeze)) {
		return nil, errorf(rpcINVALID_PARAMS, "Invalid field 'relation_type': use 0 (trust), 1 (authorize) or 3 (freeze).")
	}
	return r.withLedger(func(lr ledgerRef) (map[string]any, *rpcError) {
		if kind == int64(ledger.RelationTrust) {
			lines, res, rerr := r.linesPage(lr, id)
			if rerr != nil {
				return nil, rerr
			}
			list := make([]any, len(lines))
			for i, lv := range lines {
				list[i] = lv.json()
			}
			res["lines"] = list
			return res, nil
		}
		return r.relationsPage(lr, id, uint32(kind))
	})
}

type relationView struct {
	key codec.Hash256
	obj *codec.STObject
}

func (r *request) relationsPage(lr ledgerRef, id codec.AccountID, kind uint32) (map[string]any, *rpcError) {
	if lr.view.Read(ledger.AccountKeylet(id)) == nil {
		return nil, newError(rpcACT_NOT_FOUND)
	}
	var peer *codec.AccountID
	if has(r.params, "peer") {
		p, rerr := accountParam(r.params, "peer")
		if rerr != nil {
			return nil, rerr
		}
		peer = &p
	}
	limit, rerr := pageLimit(r, defaultLinesPerRequest, minLinesPerRequest, maxLinesPerRequest)
	if rerr != nil {
		return nil, rerr
	}
	marker, _ := str(r.params, "marker")
	if has(r.params, "marker") && marker == "" {
		return nil, expectedField("marker", "string")
	}
	var all []relationView
	for _, key := range ledger.OwnedEntries(lr.view, id) {
		o := lr.view.Read(ledger.Keylet{Type: codec.EntryRelation, Key: key})
		if o == nil || o.UInt32(sf.RelationType) != kind {
			continue
		}
		if peer != nil && o.Account(sf.Target) != *peer {
			continue
		}
		all = append(all, relationView{key, o})
	}
	items, next, ok := page(all, func(v relationView) codec.Hash256 { return v.key }, marker, limit)
	if !ok {
		return nil, invalidField("marker")
	}
	list := make([]any, len(items))
	for i, v := range items {
		amt, _ := v.obj.Amount(sf.LimitAmount)
		target := v.obj.Account(sf.Target).String()
		list[i] = map[string]any{
			"account":       target,
			"currency":      amt.Currency().String(),
			"issuer":        amt.Issuer().String(),
			"limit":         amt.Value().String(),
			"limit_peer":    target,
			"relation_type": strconv.FormatUint(uint64(kind), 10),
		}
	}
	res := lr.fields()
	res["account"] = id.String()
	res["lines"] = list
	if next != "" {
		res["limit"] = limit
		res["marker"] = next
	}
	return res, nil
}
