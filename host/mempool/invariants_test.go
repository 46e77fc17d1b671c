package mempool

import "fmt"

// checkInvariants checks the pool's internal consistency:
//
//   - the open ledger holds exactly the entries applied to it, each with an
//     Applied result, and no more than MaxTxsPerLedger;
//   - each closed-but-unvalidated ledger holds its entries;
//   - every queue is non-empty, sorted by strictly increasing sequence,
//     within MaxPerAccount, and holds only unapplied entries whose sequence
//     is the account's next or at most SequenceWindow ahead of it;
//   - the queue total is counted right and within MaxTxs;
//   - known holds exactly the entries above, once each;
//   - the tails heap holds every account once, in heap order.
func (p *Pool) checkInvariants() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open == nil {
		if len(p.known) != 0 {
			return fmt.Errorf("no open ledger but %d known transactions", len(p.known))
		}
		return nil
	}
	seen := map[*entry]bool{}
	note := func(e *entry, w where) error {
		if seen[e] {
			return fmt.Errorf("entry %X held twice", e.id[:4])
		}
		seen[e] = true
		if p.known[e.id] != e {
			return fmt.Errorf("entry %X (where %d) not known", e.id[:4], w)
		}
		if e.where != w {
			return fmt.Errorf("entry %X is at %d, marked %d", e.id[:4], w, e.where)
		}
		return nil
	}
	if len(p.inOpen) != p.open.Len() {
		return fmt.Errorf("open ledger holds %d transactions, the pool lists %d", p.open.Len(), len(p.inOpen))
	}
	if p.open.Len() > p.cfg.MaxTxsPerLedger {
		return fmt.Errorf("open ledger holds %d transactions, limit %d", p.open.Len(), p.cfg.MaxTxsPerLedger)
	}
	for _, e := range p.inOpen {
		if err := note(e, inOpen); err != nil {
			return err
		}
		if !p.open.Contains(e.id) || !e.result.Applied || e.result.Queued {
			return fmt.Errorf("open entry %X: in ledger %v, result %+v", e.id[:4], p.open.Contains(e.id), e.result)
		}
	}
	for _, c := range p.closed {
		for _, e := range c.entries {
			if err := note(e, inClosed); err != nil {
				return err
			}
			if !c.ledger.TxTree().Has(e.id) {
				return fmt.Errorf("closed entry %X not in ledger %d", e.id[:4], c.ledger.Seq())
			}
		}
	}
	queued := 0
	for aid, a := range p.accounts {
		if a.id != aid || len(a.queue) == 0 {
			return fmt.Errorf("account %s: id %s, %d queued", aid, a.id, len(a.queue))
		}
		if len(a.queue) > p.cfg.MaxPerAccount {
			return fmt.Errorf("account %s: %d queued, limit %d", aid, len(a.queue), p.cfg.MaxPerAccount)
		}
		if a.tail < 0 || a.tail >= len(p.tails) || p.tails[a.tail] != a {
			return fmt.Errorf("account %s: tail index %d wrong", aid, a.tail)
		}
		cur, ok := p.accountSeq(a)
		for i, e := range a.queue {
			if err := note(e, inQueue); err != nil {
				return err
			}
			if e.tx.Account() != aid {
				return fmt.Errorf("entry %X of %s queued under %s", e.id[:4], e.tx.Account(), aid)
			}
			if i > 0 && a.queue[i-1].seq >= e.seq {
				return fmt.Errorf("account %s: queue not sorted at %d", aid, i)
			}
			if p.open.Contains(e.id) || e.result.Applied || !e.result.Queued {
				return fmt.Errorf("queued entry %X: in ledger %v, result %+v", e.id[:4], p.open.Contains(e.id), e.result)
			}
			if ok && (e.seq < cur || e.seq-cur > p.cfg.SequenceWindow) {
				return fmt.Errorf("account %s at %d: queued sequence %d outside the window %d", aid, cur, e.seq, p.cfg.SequenceWindow)
			}
		}
		queued += len(a.queue)
	}
	if queued != p.queued {
		return fmt.Errorf("%d queued, counted %d", queued, p.queued)
	}
	if queued > p.cfg.MaxTxs {
		return fmt.Errorf("%d queued, limit %d", queued, p.cfg.MaxTxs)
	}
	if len(seen) != len(p.known) {
		return fmt.Errorf("%d entries held, %d known", len(seen), len(p.known))
	}
	if len(p.tails) != len(p.accounts) {
		return fmt.Errorf("%d tails, %d accounts", len(p.tails), len(p.accounts))
	}
	for i := 1; i < len(p.tails); i++ {
		if p.tails.Less(i, (i-1)/2) {
			return fmt.Errorf("tails heap out of order at %d", i)
		}
	}
	return nil
}
