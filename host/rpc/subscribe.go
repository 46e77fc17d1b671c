package rpc

import (
	"crypto/rand"

	"github.com/jtchain/jtchain/host/codec"
)

// subscribe (handlers/Subscribe.cpp) adds streams ("ledger", "server",
// "transactions") and accounts to a WebSocket connection. jingtum-lib sends
// {"streams":["ledger","server","transactions"]} as soon as it connects and
// needs server_status in the result to count itself connected, so the
// server fields come with the ledger stream too.
func init() { register("subscribe", command{run: doSubscribe}) }

func doSubscribe(r *request) (map[string]any, *rpcError) {
	if r.sess == nil {
		if has(r.params, "url") {
			return nil, errorf(rpcNOT_SUPPORTED, "Subscriptions by url are not supported: subscribe over the WebSocket API.")
		}
		// rippled: "RPC subscribe requires a url".
		return nil, errorf(rpcINVALID_PARAMS, "Streams need a WebSocket connection: subscribe over the WebSocket API.")
	}
	streams, accts, rerr := parseSubscription(r.params)
	if rerr != nil {
		return nil, rerr
	}
	if rerr := r.srv.subs.subscribe(r.sess, streams, accts, r.srv.cfg.MaxSubscriptions); rerr != nil {
		return nil, rerr
	}
	res := map[string]any{}
	if streams&streamLedger != 0 {
		merge(res, r.srv.ledgerStreamFields())
	}
	if streams&(streamLedger|streamServer) != 0 {
		merge(res, r.srv.serverStreamFields())
	}
	return res, nil
}

// parseSubscription reads streams and accounts, checking everything before
// anything is subscribed. "transactions_proposed" (and the deprecated
// "rt_transactions") are served as "transactions": jtchain has no
// proposed-transaction stream. "books" is accepted and ignored until the
// DEX lands.
func parseSubscription(p map[string]any) (streamSet, []codec.AccountID, *rpcError) {
	var streams streamSet
	if has(p, "streams") {
		list, ok := p["streams"].([]any)
		if !ok {
			return 0, nil, newError(rpcINVALID_PARAMS)
		}
		for _, v := range list {
			name, ok := v.(string)
			if !ok {
				return 0, nil, legacyError("malformedStream", "Stream names are strings.")
			}
			switch name {
			case "ledger":
				streams |= streamLedger
			case "server":
				streams |= streamServer
			case "transactions", "transactions_proposed", "rt_transactions":
				streams |= streamTransactions
			default:
				return 0, nil, legacyError("unknownStream", "Unknown stream: "+name+" (known: ledger, server, transactions).")
			}
		}
	}
	var accts []codec.AccountID
	for _, key := range []string{"accounts", "accounts_proposed", "rt_accounts"} {
		if !has(p, key) {
			continue
		}
		list, ok := p[key].([]any)
		if !ok {
			return 0, nil, newError(rpcINVALID_PARAMS)
		}
		if len(list) == 0 {
			return 0, nil, legacyError("malformedAccount", "The accounts list is empty.")
		}
		for _, v := range list {
			s, _ := v.(string)
			id, err := codec.ParseAccount(s)
			if err != nil {
				return 0, nil, legacyError("malformedAccount", "Malformed account in "+key+".")
			}
			accts = append(accts, id)
		}
	}
	return streams, accts, nil
}

// ledgerStreamFields are subLedger's: the latest validated ledger.
func (s *Server) ledgerStreamFields() map[string]any {
	res := map[string]any{"validated_ledgers": completeLedgers(s.backend)}
	if l := s.backend.Validated(); l != nil {
		hdr, hash, fees := l.Header(), l.Hash(), l.Fees()
		merge(res, map[string]any{
			"fee_base":     fees.Base,
			"fee_ref":      fees.Units,
			"ledger_hash":  hexUpper(hash[:]),
			"ledger_index": hdr.Seq,
			"ledger_time":  hdr.CloseTime,
			"reserve_base": fees.Reserve,
			"reserve_inc":  fees.Increment,
		})
	}
	return res
}

// serverStreamFields are subServer's.
func (s *Server) serverStreamFields() map[string]any {
	st, fs := s.backend.Status(), s.backend.Fees()
	var rnd [32]byte
	rand.Read(rnd[:])
	return map[string]any{
		"hostid":        st.HostID,
		"load_base":     loadBase(fs),
		"load_factor":   loadFactor(fs),
		"pubkey_node":   st.PubkeyNode,
		"random":        hexUpper(rnd[:]),
		"server_status": serverStatus(st),
	}
}
