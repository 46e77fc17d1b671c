package rpc

// ledger_current: the sequence of the ledger being built
// (handlers/LedgerCurrent.cpp).
func init() { register("ledger_current", command{run: doLedgerCurrent}) }

func doLedgerCurrent(r *request) (map[string]any, *rpcError) {
	return r.inCurrent(func(lr ledgerRef) (map[string]any, *rpcError) {
		return map[string]any{"ledger_current_index": lr.seq}, nil
	})
}
