package mempool

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// This file is what a networked consensus engine's driver needs besides
// CloseOpen: rounds that fail, candidates built by other validators, and the
// bodies of transactions a proposal names by id.

// Lookup returns the transaction with this id if the pool holds it (open
// ledger, a closed ledger awaiting validation, or a queue), else nil.
func (p *Pool) Lookup(id codec.Hash256) *ledger.Tx {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.known[id]; e != nil {
		return e.tx
	}
	return nil
}

// Reset discards the ledgers closed since the validated one: the open
// ledger is rebuilt on the validated ledger and every transaction applied to
// a discarded ledger or to the old open ledger is queued again and drained
// back in. A networked engine calls it before building a new candidate for a
// height whose earlier candidate was not decided. Without closed ledgers it
// does nothing.
func (p *Pool) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.validated == nil || len(p.closed) == 0 {
		return
	}
	var back []*entry
	for _, c := range p.closed {
		back = append(back, c.entries...)
	}
	back = append(back, p.inOpen...)
	p.closed, p.inOpen = nil, nil
	p.open = p.validated.Open()
	for _, e := range back {
		p.requeue(e)
	}
	p.drainAll(false)
}

// CloseBlock is CloseOpen for a block: after the pool's transactions, extra
// applies what the block adds on its own (pseudo-transactions such as
// evidence) and returns their ids. It returns the closed ledger and the ids
// of all its transactions in application order, or nil before the pool has
// a ledger.
func (p *Pool) CloseBlock(ci ledger.CloseInfo, extra func(*ledger.OpenLedger) []codec.Hash256) (*ledger.Ledger, []codec.Hash256) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open == nil {
		return nil, nil
	}
	ids := make([]codec.Hash256, 0, len(p.inOpen))
	for _, e := range p.inOpen {
		ids = append(ids, e.id)
	}
	if extra != nil {
		ids = append(ids, extra(p.open)...)
	}
	l := p.open.Close(ci)
	for _, e := range p.inOpen {
		e.where = inClosed
	}
	p.closed = append(p.closed, closedLedger{ledger: l, entries: p.inOpen})
	p.inOpen = nil
	p.open = l.Open()
	p.drainAll(false)
	return l, ids
}

// ParentHash returns the hash of the ledger the open ledger is built on.
func (p *Pool) ParentHash() codec.Hash256 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open == nil {
		return codec.Hash256{}
	}
	return p.open.Parent().Hash()
}
