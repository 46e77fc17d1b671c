package mempool

import (
	"container/heap"
	"sort"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

type where uint8

const (
	inQueue  where = iota
	inOpen         // applied to the open ledger
	inClosed       // in a ledger closed by CloseOpen, awaiting Accept
)

// entry is one transaction the pool holds.
type entry struct {
	tx      *ledger.Tx
	id      codec.Hash256
	seq     uint32
	lls     uint32
	hasLLS  bool
	minFee  int64  // ledger.MinimumFee when admitted
	level   uint64 // fee level
	arrival uint64 // admission order; unique, so it breaks every tie
	retries int
	// requeued: it was applied to an open ledger that was discarded. It
	// was admitted within the sequence window then, so the window does not
	// drop it now (a long chain of one account's transactions would
	// otherwise lose its tail whenever consensus decides another ledger).
	requeued bool
	where    where
	result   Result // what a resubmission of the same transaction returns
}

// account is one account's queue: transactions not in the open ledger, by
// ascending sequence. Accounts with an empty queue are not kept.
type account struct {
	id     codec.AccountID
	keylet ledger.Keylet
	queue  []*entry
	tail   int // index in Pool.tails
}

// find returns the index of the queued entry with sequence seq, or -1.
func (a *account) find(seq uint32) int {
	i := sort.Search(len(a.queue), func(i int) bool { return a.queue[i].seq >= seq })
	if i < len(a.queue) && a.queue[i].seq == seq {
		return i
	}
	return -1
}

// insert adds e in sequence order; the caller knows the sequence is free.
func (a *account) insert(e *entry) {
	i := sort.Search(len(a.queue), func(i int) bool { return a.queue[i].seq >= e.seq })
	a.queue = append(a.queue, nil)
	copy(a.queue[i+1:], a.queue[i:])
	a.queue[i] = e
}

// accountSeq returns the account's sequence in the open ledger, and false
// when the account does not exist there.
func (p *Pool) accountSeq(a *account) (uint32, bool) {
	root := p.open.Read(a.keylet)
	if root == nil {
		return 0, false
	}
	return root.UInt32(sf.Sequence), true
}

// touch restores the invariants after a's queue changed: the tails heap
// orders it by its new last entry, and an emptied account is forgotten.
func (p *Pool) touch(a *account) {
	switch {
	case len(a.queue) == 0:
		if a.tail >= 0 {
			heap.Remove(&p.tails, a.tail)
		}
		delete(p.accounts, a.id)
	case a.tail >= 0:
		heap.Fix(&p.tails, a.tail)
	default:
		heap.Push(&p.tails, a)
	}
}

// dropAt removes the i-th queued entry of a for good.
func (p *Pool) dropAt(a *account, i int) {
	e := a.queue[i]
	a.queue = append(a.queue[:i], a.queue[i+1:]...)
	p.queued--
	delete(p.known, e.id)
	p.touch(a)
}

// filter drops a's queued entries for which keep is false.
func (p *Pool) filter(a *account, keep func(*entry) bool) {
	q := a.queue[:0]
	for _, e := range a.queue {
		if keep(e) {
			q = append(q, e)
		} else {
			p.queued--
			delete(p.known, e.id)
		}
	}
	clear(a.queue[len(q):])
	a.queue = q
	p.touch(a)
}

// cheapestTail returns the account, other than except, whose last queued
// transaction has the lowest fee level (the latest arrival among equals),
// or nil. Only last entries may be evicted, so no account's chain of
// sequences is broken by someone else's submission.
func (p *Pool) cheapestTail(except codec.AccountID) *account {
	h := p.tails
	if len(h) == 0 {
		return nil
	}
	if h[0].id != except {
		return h[0]
	}
	// The second smallest of a binary heap is one of the root's children.
	switch {
	case len(h) == 1:
		return nil
	case len(h) == 2 || h.Less(1, 2):
		return h[1]
	default:
		return h[2]
	}
}

// room reports whether e may enter the open ledger now: the ledger is not
// full and e pays the escalated fee level.
func (p *Pool) room(e *entry) bool {
	n := p.open.Len()
	return n < p.cfg.MaxTxsPerLedger && e.level >= escalatedLevel(p.median, n, p.cfg.LedgerTarget)
}

// prepareHead drops a's leading entries that can never apply (sequence
// already used, LastLedgerSequence passed) and reports whether the first
// one is the account's next sequence.
func (p *Pool) prepareHead(a *account) bool {
	cur, ok := p.accountSeq(a)
	if !ok {
		return false
	}
	for len(a.queue) > 0 {
		e := a.queue[0]
		if e.seq > cur {
			return false
		}
		if e.seq < cur || (e.hasLLS && e.lls < p.open.Seq()) {
			p.dropAt(a, 0)
			continue
		}
		return true
	}
	return false
}

// applyHead tries to move a's first queued transaction into the open
// ledger and reports whether it did. A ter result keeps it queued (and
// counts a retry when retry is set); any other failure drops it.
func (p *Pool) applyHead(a *account, retry bool) bool {
	for p.prepareHead(a) {
		e := a.queue[0]
		if !p.room(e) {
			return false
		}
		out := p.open.Apply(e.tx)
		switch {
		case out.Result.Applied():
			a.queue = append(a.queue[:0], a.queue[1:]...)
			p.queued--
			p.touch(a)
			e.where = inOpen
			e.result = Result{Code: out.Result, Detail: out.Detail, Applied: true}
			p.inOpen = append(p.inOpen, e)
			return true
		case out.Result.IsTer():
			e.result = Result{Code: out.Result, Detail: "held: " + out.Detail, Queued: true}
			if retry {
				e.retries++
			}
			return false
		default:
			p.dropAt(a, 0)
		}
	}
	return false
}

// drainAccount applies a's queued transactions while they are next in
// sequence and fit.
func (p *Pool) drainAccount(a *account) {
	for len(a.queue) > 0 && p.applyHead(a, false) {
	}
}

// drainAll fills the open ledger from every queue: among the accounts whose
// next transaction is queued, the highest fee level goes first (the earliest
// arrival among equals), each account's transactions in sequence order.
// Since the order is total, the outcome does not depend on map order.
func (p *Pool) drainAll(retry bool) {
	var h readyHeap
	for _, a := range p.accounts {
		if p.prepareHead(a) {
			h = append(h, a)
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		a := h[0]
		// The escalated level only grows as the ledger fills, so when the
		// best candidate cannot enter, none can.
		if !p.room(a.queue[0]) {
			return
		}
		heap.Pop(&h)
		if p.applyHead(a, retry) && len(a.queue) > 0 && p.prepareHead(a) {
			heap.Push(&h, a)
		}
	}
}

// tailHeap orders accounts by their last queued entry, cheapest (and among
// equals latest) first: the eviction candidates.
type tailHeap []*account

func (h tailHeap) Len() int { return len(h) }
func (h tailHeap) Less(i, j int) bool {
	a, b := h[i].queue[len(h[i].queue)-1], h[j].queue[len(h[j].queue)-1]
	if a.level != b.level {
		return a.level < b.level
	}
	return a.arrival > b.arrival
}
func (h tailHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].tail, h[j].tail = i, j
}
func (h *tailHeap) Push(x any) {
	a := x.(*account)
	a.tail = len(*h)
	*h = append(*h, a)
}
func (h *tailHeap) Pop() any {
	old := *h
	a := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	a.tail = -1
	return a
}

// readyHeap orders accounts by their first queued entry, highest fee level
// (and among equals earliest) first.
type readyHeap []*account

func (h readyHeap) Len() int { return len(h) }
func (h readyHeap) Less(i, j int) bool {
	a, b := h[i].queue[0], h[j].queue[0]
	if a.level != b.level {
		return a.level > b.level
	}
	return a.arrival < b.arrival
}
func (h readyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)   { *h = append(*h, x.(*account)) }
func (h *readyHeap) Pop() any {
	old := *h
	a := old[len(old)-1]
	*h = old[:len(old)-1]
	return a
}
