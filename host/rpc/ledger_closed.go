package rpc

// ledger_closed: the latest closed ledger, which in jtchain is the latest
// validated one (handlers/LedgerClosed.cpp). jingtum-lib reads ledger_hash
// and ledger_index.
func init() { register("ledger_closed", command{run: doLedgerClosed}) }

func doLedgerClosed(r *request) (map[string]any, *rpcError) {
	l := r.srv.backend.Validated()
	if l == nil {
		return nil, newError(rpcNO_CLOSED)
	}
	h := l.Hash()
	return map[string]any{"ledger_hash": hexUpper(h[:]), "ledger_index": l.Seq()}, nil
}
