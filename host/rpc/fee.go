package rpc

import "strconv"

// fee: rippled's fee command (0.31+; skywelld 0.29 has none): the open
// ledger's size and the fees to get into it, from the node's FeeStatus.
// Counts and drops are strings and levels are in fee-level units where 256
// is the base fee, as rippled prints them.
func init() { register("fee", command{run: doFee}) }

func doFee(r *request) (map[string]any, *rpcError) {
	fs := r.srv.backend.Fees()
	base := int64(fs.Fees.Base)
	if base <= 0 {
		base = 10
	}
	open := base
	if fs.MinimumFee > open {
		open = fs.MinimumFee
	}
	// The load factor (a busy node) raises the fee to enter as well.
	if loaded := base * int64(loadFactor(fs)) / int64(loadBase(fs)); loaded > open {
		open = loaded
	}
	str := func(n int64) string { return strconv.FormatInt(n, 10) }
	level := func(drops int64) string { return str(drops * 256 / base) }
	res := map[string]any{
		"current_ledger_size":  str(int64(fs.OpenLedgerSize)),
		"current_queue_size":   str(int64(fs.QueueSize)),
		"expected_ledger_size": str(int64(fs.TargetSize)),
		"max_queue_size":       str(int64(fs.MaxQueueSize)),
		"drops": map[string]any{
			"base_fee":        str(base),
			"median_fee":      str(open),
			"minimum_fee":     str(base),
			"open_ledger_fee": str(open),
		},
		"levels": map[string]any{
			"median_level":      level(open),
			"minimum_level":     "256",
			"open_ledger_level": level(open),
			"reference_level":   "256",
		},
	}
	cur, rerr := r.inCurrent(func(lr ledgerRef) (map[string]any, *rpcError) {
		return map[string]any{"ledger_current_index": lr.seq}, nil
	})
	if rerr != nil {
		return nil, rerr
	}
	return merge(res, cur), nil
}
