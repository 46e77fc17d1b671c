package rpc

import (
	"errors"
	"strconv"

	"github.com/jtchain/jtchain/host/ledger"
)

// ledger (handlers/Ledger.h, ledger/LedgerToJson.h): a ledger's header,
// with "transactions" its transaction hashes and with "expand" the
// transactions and their metadata. Without a ledger parameter the result is
// {closed: {ledger}, open: {ledger}}, which jingtum-lib reads as a fallback.
// Old ledgers whose state the node no longer holds are served from their
// stored header and transactions.
func init() { register("ledger", command{run: doLedger}) }

func doLedger(r *request) (map[string]any, *rpcError) {
	if boolean(r.params, "full") || boolean(r.params, "accounts") {
		if !r.admin {
			return nil, newError(rpcNO_PERMISSION)
		}
		return nil, errorf(rpcNOT_SUPPORTED, "Dumping the ledger state is not supported; read entries with ledger_entry or account_objects.")
	}
	withTxs := boolean(r.params, "transactions")
	expand := boolean(r.params, "expand")
	binary := boolean(r.params, "binary")
	b := r.srv.backend
	v := b.Validated()
	if v == nil {
		return nil, errorf(rpcNO_NETWORK, "InsufficientNetworkMode")
	}
	if !hasLedgerParams(r.params) {
		open := openLedgerJSON(v.Seq()+1, v.Hash())
		return map[string]any{
			"closed": map[string]any{"ledger": closedLedgerJSON(v.Header())},
			"open":   map[string]any{"ledger": open},
		}, nil
	}
	sel, rerr := parseLedgerSel(r.params)
	if rerr != nil {
		return nil, rerr
	}
	var hdr ledger.Header
	var txs func() ([]ledger.TxWithMeta, error)
	fromLedger := func(l *ledger.Ledger) {
		hdr, txs = l.Header(), l.Transactions
	}
	fromStore := func(h ledger.Header) {
		hdr, txs = h, func() ([]ledger.TxWithMeta, error) { return b.LedgerTxs(h.Seq) }
	}
	switch sel.kind {
	case selCurrent:
		return r.openLedger(v)
	case selValidated:
		fromLedger(v)
	case selSeq:
		if sel.seq == v.Seq()+1 {
			return r.openLedger(v)
		}
		l, err := b.LedgerBySeq(sel.seq)
		switch {
		case err == nil:
			fromLedger(l)
		case errors.Is(err, ErrNoState):
			h, err := b.Header(sel.seq)
			if err != nil {
				return nil, r.ledgerErr(err, strconv.FormatUint(uint64(sel.seq), 10))
			}
			fromStore(h)
		default:
			return nil, r.ledgerErr(err, strconv.FormatUint(uint64(sel.seq), 10))
		}
	case selHash:
		l, err := b.LedgerByHash(sel.hash)
		switch {
		case err == nil:
			fromLedger(l)
		case errors.Is(err, ErrNoState):
			h, err := b.HeaderByHash(sel.hash)
			if err != nil {
				return nil, r.ledgerErr(err, hexUpper(sel.hash[:]))
			}
			fromStore(h)
		default:
			return nil, r.ledgerErr(err, hexUpper(sel.hash[:]))
		}
	}
	obj := closedLedgerJSON(hdr)
	if withTxs {
		list, err := txs()
		if err != nil {
			return nil, r.ledgerErr(err, strconv.FormatUint(uint64(hdr.Seq), 10))
		}
		if r.ctx.Err() != nil {
			return nil, errTimeout()
		}
		obj["transactions"] = ledgerTransactionsJSON(list, expand, binary)
	}
	hash := hdr.Hash()
	return map[string]any{
		"ledger":       obj,
		"ledger_hash":  hexUpper(hash[:]),
		"ledger_index": hdr.Seq,
		"validated":    true,
	}, nil
}

// openLedger is the "current" ledger: its sequence and parent only.
func (r *request) openLedger(v *ledger.Ledger) (map[string]any, *rpcError) {
	return r.inCurrent(func(lr ledgerRef) (map[string]any, *rpcError) {
		parent := v.Hash()
		return map[string]any{
			"ledger":               openLedgerJSON(lr.seq, parent),
			"ledger_current_index": lr.seq,
			"validated":            false,
		}, nil
	})
}
