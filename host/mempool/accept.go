package mempool

import (
	"slices"

	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

// CloseOpen closes the open ledger into the next ledger and returns it with
// its transaction count, for the consensus engine's BuildBlock. A new open
// ledger starts on it at once, so Submit keeps applying transactions (for the
// ledger after) while consensus decides; transactions held because the old
// open ledger was full move into it. The closed ledger's transactions stay
// known (a resubmission returns their result) until Accept validates it.
//
// It returns nil, 0 before the pool has a ledger.
func (p *Pool) CloseOpen(ci ledger.CloseInfo) (*ledger.Ledger, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open == nil {
		return nil, 0
	}
	n := p.open.Len()
	l := p.open.Close(ci)
	for _, e := range p.inOpen {
		e.where = inClosed
	}
	p.closed = append(p.closed, closedLedger{ledger: l, entries: p.inOpen})
	p.inOpen = nil
	p.open = l.Open()
	p.drainAll(false)
	return l, n
}

// Accept tells the pool that v is the new validated ledger. If v is a ledger
// this pool closed, its transactions are done and the open ledger, already
// built on it, stays. Otherwise the open ledger is rebuilt on v and every
// transaction the pool applied but v does not hold is queued again.
//
// Then the queues are cleaned and drained into the open ledger: what can
// never apply is dropped (sequence already used, LastLedgerSequence passed,
// now more than SequenceWindow ahead), the rest is applied in fee-level
// order, each account's in sequence order, as far as the open ledger has room
// and fee; a transaction that failed with a ter result or waited for a
// missing sequence in Retries ledgers is dropped; and the queue limits are
// enforced again. A ledger no newer than the current validated one is
// ignored.
func (p *Pool) Accept(v *ledger.Ledger) {
	if v == nil {
		return
	}
	// A ledger this pool did not build needs its fee median computed by
	// decoding its transactions; do that outside the lock.
	p.mu.Lock()
	ours := p.closedIndex(v) >= 0
	p.mu.Unlock()
	var median uint64
	if !ours {
		median = ledgerMedian(v)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.validated != nil && v.Seq() <= p.validated.Seq() {
		return
	}
	if i := p.closedIndex(v); i >= 0 {
		levels := make([]uint64, 0, len(p.closed[i].entries))
		for _, e := range p.closed[i].entries {
			levels = append(levels, e.level)
		}
		for _, c := range p.closed[:i+1] {
			for _, e := range c.entries {
				delete(p.known, e.id)
			}
		}
		p.closed = slices.Clone(p.closed[i+1:])
		p.median = medianLevel(levels)
	} else {
		if median == 0 {
			median = ledgerMedian(v)
		}
		var back []*entry
		for _, c := range p.closed {
			back = append(back, c.entries...)
		}
		back = append(back, p.inOpen...)
		p.closed, p.inOpen = nil, nil
		p.open = v.Open()
		// What v holds is done; only the rest goes back into the queues and
		// is applied again. With a validator network most of the pool is
		// usually in v, so this keeps the work (under the lock Submit waits
		// on) proportional to what v left out.
		txs := v.TxTree()
		for _, e := range back {
			if txs.Has(e.id) {
				delete(p.known, e.id)
				continue
			}
			p.requeue(e)
		}
		p.median = median
	}
	p.validated = v
	p.maintain()
}

// closedIndex finds v among the ledgers closed and not yet validated.
func (p *Pool) closedIndex(v *ledger.Ledger) int {
	for i, c := range p.closed {
		if c.ledger.Hash() == v.Hash() {
			return i
		}
	}
	return -1
}

// requeue puts back into its account's queue a transaction that had been
// applied to an open ledger that was discarded. Limits are enforced later,
// by maintain.
func (p *Pool) requeue(e *entry) {
	e.where = inQueue
	e.requeued = true
	e.result = Result{Code: ter.TerRETRY, Detail: "queued again: the ledger it was applied to was not validated", Queued: true}
	acct := e.tx.Account()
	a := p.accounts[acct]
	if a == nil {
		a = &account{id: acct, keylet: ledger.AccountKeylet(acct), tail: -1}
		p.accounts[acct] = a
	}
	if i := a.find(e.seq); i >= 0 {
		// Cannot happen: queued sequences follow applied ones. Keep the
		// earlier arrival, which was applied.
		delete(p.known, a.queue[i].id)
		a.queue[i] = e
		p.touch(a)
		return
	}
	a.insert(e)
	p.queued++
	p.touch(a)
}

// maintain cleans and drains the queues after a new validated ledger.
// Steps that drop entries work account by account and depend on nothing
// else, so the order of the accounts map does not matter; eviction uses the
// tails heap, whose order is total.
func (p *Pool) maintain() {
	openSeq := p.open.Seq()
	window := p.cfg.SequenceWindow
	for _, a := range p.accounts {
		cur, ok := p.accountSeq(a)
		p.filter(a, func(e *entry) bool {
			if e.hasLLS && e.lls < openSeq {
				return false
			}
			return !ok || (e.seq >= cur && (e.seq-cur <= window || e.requeued))
		})
	}
	p.drainAll(true)
	for _, a := range p.accounts {
		cur, ok := p.accountSeq(a)
		if !ok || a.queue[0].seq != cur {
			// Waiting for a sequence nobody has submitted (or for the
			// account to exist): every entry counts the ledger.
			for _, e := range a.queue {
				e.retries++
			}
		}
		p.filter(a, func(e *entry) bool { return e.retries < p.cfg.Retries })
	}
	for _, a := range p.accounts {
		if n := len(a.queue) - p.cfg.MaxPerAccount; n > 0 {
			for _, e := range a.queue[len(a.queue)-n:] {
				delete(p.known, e.id)
			}
			clear(a.queue[len(a.queue)-n:])
			a.queue = a.queue[:len(a.queue)-n]
			p.queued -= n
			p.touch(a)
		}
	}
	for p.queued > p.cfg.MaxTxs && len(p.tails) > 0 {
		a := p.tails[0]
		p.dropAt(a, len(a.queue)-1)
	}
}
