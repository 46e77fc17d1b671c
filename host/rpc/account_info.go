package rpc

import "github.com/jtchain/jtchain/host/ledger"

// account_info (handlers/AccountInfo.cpp): the AccountRoot as account_data,
// with its index. jingtum-lib reads account_data.Sequence before signing
// locally, asking for the "validated" ledger; it also sends relation_type,
// which is ignored. An unknown account is actNotFound, carrying the account
// and the ledger that was searched, as skywelld does.
func init() { register("account_info", command{run: doAccountInfo}) }

func doAccountInfo(r *request) (map[string]any, *rpcError) {
	return r.withLedger(func(lr ledgerRef) (map[string]any, *rpcError) {
		name := "account"
		if !has(r.params, name) && has(r.params, "ident") {
			name = "ident"
		}
		id, rerr := accountParam(r.params, name)
		if rerr != nil {
			return nil, rerr
		}
		res := lr.fields()
		k := ledger.AccountKeylet(id)
		root := lr.view.Read(k)
		if root == nil {
			e := newError(rpcACT_NOT_FOUND)
			e.extra = merge(res, map[string]any{"account": id.String()})
			return nil, e
		}
		res["account_data"] = entryJSON(root, k.Key)
		return res, nil
	})
}
