package rpc

import (
	"encoding/json"
	"errors"
	"math"
	"runtime/debug"
	"strconv"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// Ledger selection as skywelld's lookupLedger (rpc/impl/LookupLedger.cpp):
// ledger_hash, or ledger_index as a number or "validated" / "closed" /
// "current", or the legacy "ledger" parameter; "current" when none is
// given. jtchain validates every ledger it closes, so "closed" is the
// latest validated ledger.

type selKind int

const (
	selCurrent selKind = iota
	selValidated
	selSeq
	selHash
)

type ledgerSel struct {
	kind selKind
	seq  uint32
	hash codec.Hash256
}

// hasLedgerParams reports whether the request names a ledger at all.
func hasLedgerParams(p map[string]any) bool {
	return has(p, "ledger_index") || has(p, "ledger_hash") || has(p, "ledger")
}

func parseLedgerSel(p map[string]any) (ledgerSel, *rpcError) {
	index, hash := p["ledger_index"], p["ledger_hash"]
	if legacy := p["ledger"]; legacy != nil {
		if s, ok := legacy.(string); ok && len(s) > 12 {
			hash = legacy
		} else {
			index = legacy
		}
	}
	if hash != nil {
		s, ok := hash.(string)
		if !ok {
			return ledgerSel{}, errorf(rpcINVALID_PARAMS, "ledgerHashNotString")
		}
		h, ok := hash256(s)
		if !ok {
			return ledgerSel{}, errorf(rpcINVALID_PARAMS, "ledgerHashMalformed")
		}
		return ledgerSel{kind: selHash, hash: h}, nil
	}
	switch v := index.(type) {
	case nil:
		return ledgerSel{kind: selCurrent}, nil
	case json.Number:
		n, ok := integer(v)
		if !ok || n < 0 || n > math.MaxUint32 {
			return ledgerSel{}, errorf(rpcINVALID_PARAMS, "ledgerIndexMalformed")
		}
		return ledgerSel{kind: selSeq, seq: uint32(n)}, nil
	case string:
		switch v {
		case "", "current":
			return ledgerSel{kind: selCurrent}, nil
		case "validated", "closed":
			return ledgerSel{kind: selValidated}, nil
		}
		// jingtum-lib users pass ledger_index: '2838718'; rippled would
		// refuse the string, jtchain reads the number in it.
		if n, err := strconv.ParseUint(v, 10, 32); err == nil {
			return ledgerSel{kind: selSeq, seq: uint32(n)}, nil
		}
	}
	return ledgerSel{}, errorf(rpcINVALID_PARAMS, "ledgerIndexMalformed")
}

// ledgerRef is the ledger a query reads: a validated ledger with its state,
// or the open ledger while the backend lends it (closed == nil).
type ledgerRef struct {
	view   ledger.ReadView
	closed *ledger.Ledger
	seq    uint32
}

// fields are lookupLedger's result members.
func (lr ledgerRef) fields() map[string]any {
	if lr.closed != nil {
		h := lr.closed.Hash()
		return map[string]any{"ledger_hash": hexUpper(h[:]), "ledger_index": lr.seq, "validated": true}
	}
	return map[string]any{"ledger_current_index": lr.seq, "validated": false}
}

func lgrNotFound() *rpcError { return errorf(rpcLGR_NOT_FOUND, "ledgerNotFound") }

func noState(what string) *rpcError {
	return errorf(rpcLGR_NOT_FOUND, "ledgerNotFound: the state of ledger %s is no longer kept in memory; query a recent ledger", what)
}

// withLedger runs fn on the ledger the request selects. For the open
// ledger fn runs inside Backend.Current, so it must not call the backend.
func (r *request) withLedger(fn func(ledgerRef) (map[string]any, *rpcError)) (map[string]any, *rpcError) {
	sel, rerr := parseLedgerSel(r.params)
	if rerr != nil {
		return nil, rerr
	}
	b := r.srv.backend
	validated := b.Validated()
	if validated == nil {
		return nil, errorf(rpcNO_NETWORK, "InsufficientNetworkMode")
	}
	switch sel.kind {
	case selCurrent:
		return r.inCurrent(fn)
	case selValidated:
		return fn(closedRef(validated))
	case selSeq:
		if sel.seq == validated.Seq() {
			return fn(closedRef(validated))
		}
		if sel.seq == validated.Seq()+1 {
			return r.inCurrent(func(lr ledgerRef) (map[string]any, *rpcError) {
				if lr.seq != sel.seq {
					return nil, lgrNotFound()
				}
				return fn(lr)
			})
		}
		l, err := b.LedgerBySeq(sel.seq)
		if err != nil {
			return nil, r.ledgerErr(err, strconv.FormatUint(uint64(sel.seq), 10))
		}
		return fn(closedRef(l))
	default:
		l, err := b.LedgerByHash(sel.hash)
		if err != nil {
			return nil, r.ledgerErr(err, hexUpper(sel.hash[:]))
		}
		return fn(closedRef(l))
	}
}

func closedRef(l *ledger.Ledger) ledgerRef { return ledgerRef{view: l, closed: l, seq: l.Seq()} }

func (r *request) ledgerErr(err error, what string) *rpcError {
	switch {
	case errors.Is(err, ErrNoState):
		return noState(what)
	case errors.Is(err, ErrLedgerNotFound):
		return lgrNotFound()
	}
	r.srv.log.Error("backend ledger lookup failed", "ledger", what, "error", err)
	return newError(rpcINTERNAL)
}

// inCurrent runs fn on the open ledger. A panic in fn is recovered here, so
// it cannot unwind through the backend while it holds its lock.
func (r *request) inCurrent(fn func(ledgerRef) (map[string]any, *rpcError)) (res map[string]any, rerr *rpcError) {
	ran := false
	r.srv.backend.Current(func(view ledger.ReadView) {
		ran = true
		defer func() {
			if p := recover(); p != nil {
				r.srv.log.Error("panic while reading the open ledger", "panic", p, "stack", string(debug.Stack()))
				res, rerr = nil, newError(rpcINTERNAL)
			}
		}()
		res, rerr = fn(ledgerRef{view: view, seq: view.Seq()})
	})
	if !ran {
		return nil, newError(rpcNO_CURRENT)
	}
	return res, rerr
}

// merge copies src's members into dst and returns dst.
func merge(dst, src map[string]any) map[string]any {
	for k, v := range src {
		dst[k] = v
	}
	return dst
}
