package node

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/mempool"
	"github.com/jtchain/jtchain/host/rpc"
	"github.com/jtchain/jtchain/host/store"
)

// The node serves the client API.
var _ rpc.Backend = (*Node)(nil)

// Status implements rpc.Backend.
func (n *Node) Status() rpc.Status {
	host, _ := os.Hostname()
	st := rpc.Status{
		BuildVersion: Version,
		HostID:       host,
		PubkeyNode:   n.key.PublicKey(),
		// The JS libraries treat anything outside their online list as
		// disconnected; a solo validator is always "full".
		ServerState: "full",
		Validators:  len(n.genesis.Consensus.Validators),
		Started:     n.started,
		NetworkID:   n.genesis.NetworkID,
		Engine:      n.cfg.Consensus.Engine,
	}
	if n.net != nil {
		n.net.fillStatus(&st)
	}
	return st
}

// LedgerBySeq implements rpc.Backend.
func (n *Node) LedgerBySeq(seq uint32) (*ledger.Ledger, error) {
	n.recentMu.RLock()
	l := findRecent(n.recent, func(l *ledger.Ledger) bool { return l.Seq() == seq })
	n.recentMu.RUnlock()
	if l != nil {
		return l, nil
	}
	if _, err := n.store.Header(seq); err == nil {
		return nil, rpc.ErrNoState
	}
	return nil, rpc.ErrLedgerNotFound
}

// LedgerByHash implements rpc.Backend.
func (n *Node) LedgerByHash(h codec.Hash256) (*ledger.Ledger, error) {
	n.recentMu.RLock()
	l := findRecent(n.recent, func(l *ledger.Ledger) bool { return l.Hash() == h })
	n.recentMu.RUnlock()
	if l != nil {
		return l, nil
	}
	if _, err := n.store.HeaderByHash(h); err == nil {
		return nil, rpc.ErrNoState
	}
	return nil, rpc.ErrLedgerNotFound
}

// Header implements rpc.Backend.
func (n *Node) Header(seq uint32) (ledger.Header, error) {
	h, err := n.store.Header(seq)
	if errors.Is(err, store.ErrNotFound) {
		return h, rpc.ErrLedgerNotFound
	}
	return h, err
}

// HeaderByHash implements rpc.Backend.
func (n *Node) HeaderByHash(hash codec.Hash256) (ledger.Header, error) {
	h, err := n.store.HeaderByHash(hash)
	if errors.Is(err, store.ErrNotFound) {
		return h, rpc.ErrLedgerNotFound
	}
	return h, err
}

// LedgerTxs implements rpc.Backend.
func (n *Node) LedgerTxs(seq uint32) ([]ledger.TxWithMeta, error) {
	if l, err := n.LedgerBySeq(seq); err == nil {
		return l.Transactions()
	}
	txs, err := n.store.Transactions(seq)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rpc.ErrLedgerNotFound
	}
	return txs, err
}

// Tx implements rpc.Backend.
func (n *Node) Tx(id codec.Hash256) (rpc.TxRecord, error) {
	r, err := n.store.Tx(id)
	if errors.Is(err, store.ErrNotFound) {
		return rpc.TxRecord{}, rpc.ErrTxNotFound
	}
	if err != nil {
		return rpc.TxRecord{}, err
	}
	return rpc.TxRecord{TxWithMeta: r.TxWithMeta, LedgerSeq: r.LedgerSeq, LedgerHash: r.LedgerHash, CloseTime: r.CloseTime}, nil
}

// AccountTx implements rpc.Backend.
func (n *Node) AccountTx(q rpc.AccountTxQuery) (rpc.AccountTxPage, error) {
	sq := store.AccountTxQuery{Account: q.Account, MinSeq: q.MinSeq, MaxSeq: q.MaxSeq, Forward: q.Forward, Limit: q.Limit}
	if q.Marker != nil {
		sq.Marker = &store.Marker{Ledger: q.Marker.Ledger, Seq: q.Marker.Seq}
	}
	page, err := n.store.AccountTx(sq)
	if err != nil {
		return rpc.AccountTxPage{}, err
	}
	out := rpc.AccountTxPage{MinSeq: page.LedgerMin, MaxSeq: page.LedgerMax}
	for _, r := range page.Transactions {
		out.Transactions = append(out.Transactions, rpc.TxRecord{TxWithMeta: r.TxWithMeta, LedgerSeq: r.LedgerSeq, LedgerHash: r.LedgerHash, CloseTime: r.CloseTime})
	}
	if page.Marker != nil {
		out.Marker = &rpc.AccountTxMarker{Ledger: page.Marker.Ledger, Seq: page.Marker.Seq}
	}
	return out, nil
}

// Current implements rpc.Backend.
func (n *Node) Current(fn func(view ledger.ReadView)) {
	n.pool.Current(func(o *ledger.OpenLedger) { fn(o) })
}

// Submit implements rpc.Backend.
func (n *Node) Submit(tx *ledger.Tx) rpc.SubmitResult {
	r := n.pool.Submit(tx)
	if n.net != nil && (r.Applied || r.Queued) {
		n.net.gossipTx(tx)
	}
	if r.Applied {
		select {
		case n.txNotify <- struct{}{}:
		default:
		}
	}
	err := r.Err
	switch {
	case err == nil:
	case errors.Is(err, mempool.ErrQueueFull) || errors.Is(err, mempool.ErrAccountLimit):
		// Clients see rippled's tooBusy for a full queue.
		err = fmt.Errorf("%w: %w", rpc.ErrBusy, err)
	case r.Detail != "" && !errors.Is(err, crypto.ErrBadSignature) && !errors.Is(err, crypto.ErrBadPublicKey):
		// Clients see the error's text: name the rule and the specifics
		// ("sequence too far ahead: sequence 1002 is 1000 ahead ..."),
		// without the package prefix.
		err = refusal{what: strings.TrimPrefix(err.Error(), "mempool: "), detail: r.Detail, err: err}
	}
	return rpc.SubmitResult{Result: r.Code, Detail: r.Detail, Applied: r.Applied, Queued: r.Queued, Err: err}
}

// Fees implements rpc.Backend.
func (n *Node) Fees() rpc.FeeStatus {
	f := n.pool.Fees()
	return rpc.FeeStatus{
		Fees: n.Validated().Fees(), LoadBase: f.LoadBase, LoadFactor: f.LoadFactor,
		OpenLedgerSize: f.OpenLedgerSize, TargetSize: f.TargetSize, QueueSize: f.QueueSize,
		MaxQueueSize: f.MaxQueueSize, MinimumFee: f.MinimumFee,
	}
}

// CompleteLedgers implements rpc.Backend.
func (n *Node) CompleteLedgers() (uint32, uint32) {
	lo, hi, ok := n.store.Range()
	if !ok {
		return 0, 0
	}
	return lo, hi
}

// refusal is a mempool refusal as clients read it.
type refusal struct {
	what, detail string
	err          error
}

func (r refusal) Error() string { return r.what + ": " + r.detail }
func (r refusal) Unwrap() error { return r.err }
