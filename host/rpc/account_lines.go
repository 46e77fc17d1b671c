package rpc

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// account_lines (handlers/AccountLines.cpp): an account's trust lines with
// rippled's fields (account, balance, currency, limit, limit_peer,
// quality_in, quality_out and the authorized / no_skywell / freeze flags of
// both sides), filtered by "peer", paged by "limit" and "marker".
func init() { register("account_lines", command{run: doAccountLines}) }

// Page sizes (rpc/impl/Tuning.h).
const (
	defaultLinesPerRequest = 200
	minLinesPerRequest     = 10
	maxLinesPerRequest     = 400
)

func doAccountLines(r *request) (map[string]any, *rpcError) {
	id, rerr := accountParam(r.params, "account")
	if rerr != nil {
		return nil, rerr
	}
	return r.withLedger(func(lr ledgerRef) (map[string]any, *rpcError) {
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
	})
}

// linesPage is account_lines' selection, shared with account_relation's
// trust view: account check, peer filter, limit and marker.
func (r *request) linesPage(lr ledgerRef, id codec.AccountID) ([]lineView, map[string]any, *rpcError) {
	if lr.view.Read(ledger.AccountKeylet(id)) == nil {
		return nil, nil, newError(rpcACT_NOT_FOUND)
	}
	var peer *codec.AccountID
	if has(r.params, "peer") {
		p, rerr := accountParam(r.params, "peer")
		if rerr != nil {
			return nil, nil, rerr
		}
		peer = &p
	}
	limit, rerr := pageLimit(r, defaultLinesPerRequest, minLinesPerRequest, maxLinesPerRequest)
	if rerr != nil {
		return nil, nil, rerr
	}
	marker := ""
	if has(r.params, "marker") {
		s, ok := str(r.params, "marker")
		if !ok {
			return nil, nil, expectedField("marker", "string")
		}
		marker = s
	}
	all := accountLines(lr.view, id)
	if peer != nil {
		kept := all[:0]
		for _, lv := range all {
			if lv.peer == *peer {
				kept = append(kept, lv)
			}
		}
		all = kept
	}
	lines, next, ok := page(all, func(lv lineView) codec.Hash256 { return lv.key }, marker, limit)
	if !ok {
		return nil, nil, invalidField("marker")
	}
	res := lr.fields()
	res["account"] = id.String()
	if next != "" {
		res["limit"] = limit
		res["marker"] = next
	}
	return lines, res, nil
}
