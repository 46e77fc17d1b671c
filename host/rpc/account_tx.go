package rpc

import (
	"errors"
	"math"

	"github.com/jtchain/jtchain/host/codec"
)

// account_tx (handlers/AccountTx.cpp): the validated transactions that
// affected an account, newest first unless "forward", between
// ledger_index_min and ledger_index_max (-1: unbounded, clamped to the
// ledgers the node stores), "limit" at a time, continued with "marker"
// {ledger, seq}. Each item is {tx, meta, validated}; tx carries hash, date,
// inLedger and ledger_index, as jingtum-lib's processTx reads them.
func init() { register("account_tx", command{run: doAccountTx}) }

// pageLength is rippled's account_tx page for non-admin clients.
const pageLength = 200

func doAccountTx(r *request) (map[string]any, *rpcError) {
	b := r.srv.backend
	lo, hi := b.CompleteLedgers()
	if hi == 0 {
		return nil, newError(rpcLGR_IDXS_INVALID)
	}
	if !has(r.params, "account") {
		return nil, newError(rpcINVALID_PARAMS)
	}
	s, _ := str(r.params, "account")
	id, err := codec.ParseAccount(s)
	if err != nil {
		return nil, newError(rpcACT_MALFORMED)
	}
	q := AccountTxQuery{Account: id, Forward: boolean(r.params, "forward")}
	switch {
	case has(r.params, "ledger_index_min") || has(r.params, "ledger_index_max"):
		bound := func(name string, unbounded uint32) (uint32, *rpcError) {
			if !has(r.params, name) {
				return unbounded, nil
			}
			n, ok := integer(r.params[name])
			if !ok {
				return 0, expectedField(name, "integer")
			}
			if n < 0 {
				return unbounded, nil
			}
			if n > math.MaxUint32 {
				n = math.MaxUint32
			}
			return uint32(n), nil
		}
		min, rerr := bound("ledger_index_min", lo)
		if rerr != nil {
			return nil, rerr
		}
		max, rerr := bound("ledger_index_max", hi)
		if rerr != nil {
			return nil, rerr
		}
		q.MinSeq, q.MaxSeq = clampSeq(min, lo, hi), clampSeq(max, lo, hi)
		if q.MaxSeq < q.MinSeq {
			return nil, newError(rpcLGR_IDXS_INVALID)
		}
	case hasLedgerParams(r.params):
		seq, rerr := r.ledgerSeq()
		if rerr != nil {
			return nil, rerr
		}
		q.MinSeq, q.MaxSeq = seq, seq
	default:
		// rippled would search only the current (open) ledger and find
		// nothing; every client sends a range, so jtchain searches all.
		q.MinSeq, q.MaxSeq = lo, hi
	}
	limit := pageLength
	if has(r.params, "limit") {
		n, ok := integer(r.params["limit"])
		if !ok {
			return nil, expectedField("limit", "integer")
		}
		switch {
		case n <= 0:
		case !r.admin && n > pageLength:
		case n > 100*pageLength:
			limit = 100 * pageLength
		default:
			limit = int(n)
		}
	}
	q.Limit = limit
	if has(r.params, "marker") {
		m, ok := r.params["marker"].(map[string]any)
		if !ok {
			return nil, invalidField("marker")
		}
		l, okl := integer(m["ledger"])
		sq, oks := integer(m["seq"])
		if !okl || !oks || l < 0 || sq < 0 || l > math.MaxUint32 || sq > math.MaxUint32 {
			return nil, invalidField("marker")
		}
		q.Marker = &AccountTxMarker{Ledger: uint32(l), Seq: uint32(sq)}
	}
	pg, err := b.AccountTx(q)
	if err != nil {
		r.srv.log.Error("account_tx query failed", "account", id, "error", err)
		return nil, newError(rpcINTERNAL)
	}
	txs := make([]any, 0, len(pg.Transactions))
	for _, rec := range pg.Transactions {
		if r.ctx.Err() != nil {
			return nil, errTimeout()
		}
		if rec.Tx == nil || rec.Meta == nil {
			continue
		}
		txs = append(txs, map[string]any{
			"tx":        txInLedger(rec),
			"meta":      metaJSON(rec.TxWithMeta),
			"validated": true,
		})
	}
	res := map[string]any{
		"account":          id.String(),
		"ledger_index_min": q.MinSeq,
		"ledger_index_max": q.MaxSeq,
		"transactions":     txs,
	}
	if pg.MinSeq != 0 || pg.MaxSeq != 0 {
		res["ledger_index_min"], res["ledger_index_max"] = pg.MinSeq, pg.MaxSeq
	}
	if has(r.params, "limit") {
		res["limit"] = limit
	}
	if pg.Marker != nil {
		res["marker"] = map[string]any{"ledger": pg.Marker.Ledger, "seq": pg.Marker.Seq}
	}
	return res, nil
}

func clampSeq(v, lo, hi uint32) uint32 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// ledgerSeq resolves the request's ledger to a validated sequence without
// needing its state.
func (r *request) ledgerSeq() (uint32, *rpcError) {
	sel, rerr := parseLedgerSel(r.params)
	if rerr != nil {
		return 0, rerr
	}
	b := r.srv.backend
	v := b.Validated()
	if v == nil {
		return 0, errorf(rpcNO_NETWORK, "InsufficientNetworkMode")
	}
	switch sel.kind {
	case selCurrent:
		return v.Seq() + 1, nil
	case selValidated:
		return v.Seq(), nil
	case selSeq:
		return sel.seq, nil
	}
	h, err := b.HeaderByHash(sel.hash)
	if err != nil {
		if errors.Is(err, ErrLedgerNotFound) {
			return 0, lgrNotFound()
		}
		return 0, r.ledgerErr(err, hexUpper(sel.hash[:]))
	}
	return h.Seq, nil
}
