package rpc

import "errors"

// tx (handlers/Tx.cpp): a validated transaction by hash, as its fields
// plus hash, date, inLedger, ledger_index, meta (with delivered_amount) and
// validated. A malformed hash is notImpl, as skywelld answers it; with
// "binary" the transaction and metadata come as hex.
func init() { register("tx", command{run: doTx}) }

func doTx(r *request) (map[string]any, *rpcError) {
	if !has(r.params, "transaction") {
		return nil, newError(rpcINVALID_PARAMS)
	}
	s, _ := str(r.params, "transaction")
	id, ok := hash256(s)
	if !ok {
		return nil, newError(rpcNOT_IMPL)
	}
	rec, err := r.srv.backend.Tx(id)
	switch {
	case errors.Is(err, ErrTxNotFound):
		return nil, newError(rpcTXN_NOT_FOUND)
	case err != nil:
		r.srv.log.Error("tx lookup failed", "tx", hexUpper(id[:]), "error", err)
		return nil, newError(rpcINTERNAL)
	case rec.Tx == nil || rec.Meta == nil:
		return nil, newError(rpcTXN_NOT_FOUND)
	}
	if boolean(r.params, "binary") {
		h := rec.Tx.ID()
		return map[string]any{
			"tx":           hexUpper(rec.Tx.Blob()),
			"meta":         hexUpper(rec.Meta.Encode()),
			"hash":         hexUpper(h[:]),
			"date":         rec.CloseTime,
			"inLedger":     rec.LedgerSeq,
			"ledger_index": rec.LedgerSeq,
			"validated":    true,
		}, nil
	}
	res := txInLedger(rec)
	res["meta"] = metaJSON(rec.TxWithMeta)
	res["validated"] = true
	return res, nil
}
