package rpc

import (
	"bytes"
	"sort"

	"github.com/jtchain/jtchain/host/codec"
)

// account_currencies (handlers/AccountCurrencies.cpp): the usercoins an
// account can still receive (balance below its limit) and send (the peer
// would take more), from its trust lines.
func init() { register("account_currencies", command{run: doAccountCurrencies}) }

func doAccountCurrencies(r *request) (map[string]any, *rpcError) {
	return r.withLedger(func(lr ledgerRef) (map[string]any, *rpcError) {
		name := "account"
		if !has(r.params, name) && has(r.params, "ident") {
			name = "ident"
		}
		id, rerr := accountParam(r.params, name)
		if rerr != nil {
			return nil, rerr
		}
		send, recv := map[codec.Currency]bool{}, map[codec.Currency]bool{}
		for _, lv := range accountLines(lr.view, id) {
			if lv.balance.Cmp(lv.limit) < 0 {
				recv[lv.currency] = true
			}
			if lv.balance.Neg().Cmp(lv.limitPeer) < 0 {
				send[lv.currency] = true
			}
		}
		res := lr.fields()
		res["send_currencies"] = sortedCurrencies(send)
		res["receive_currencies"] = sortedCurrencies(recv)
		return res, nil
	})
}

// sortedCurrencies orders codes by their 20 bytes, as skywelld's std::set.
func sortedCurrencies(set map[codec.Currency]bool) []any {
	cs := make([]codec.Currency, 0, len(set))
	for c := range set {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return bytes.Compare(cs[i][:], cs[j][:]) < 0 })
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}
