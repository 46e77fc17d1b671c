package p2p

import (
	"bytes"
	"container/heap"
	"time"
)

// chaosItem is an accepted message on its way to the chaos scheduler.
type chaosItem struct {
	from string
	data []byte
	id   string
}

// held is one planned delivery waiting for its time.
type held struct {
	from  string
	data  []byte
	delay time.Duration
	key   uint64
	seq   uint64 // arrival order: the last tie-break
	at    time.Time
}

// heldHeap orders deliveries by time, then seeded key, then arrival.
type heldHeap []*held

func (q heldHeap) Len() int { return len(q) }
func (q heldHeap) Less(i, j int) bool {
	a, b := q[i], q[j]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.seq < b.seq
}
func (q heldHeap) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *heldHeap) Push(x any)   { *q = append(*q, x.(*held)) }
func (q *heldHeap) Pop() any {
	old := *q
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return x
}

// reorderWindow collects one link's messages until it is full or its hold
// expires.
type reorderWindow struct {
	items    []*held
	deadline time.Time
}

// chaosDeliver is a topic's delivery goroutine when the host has a Chaos: it
// holds messages for their planned delay and reorder window and calls
// deliver when each is due. Everything held is bounded (4 x
// SubscriptionBuffer); past that, messages are dropped and counted.
func (h *Host) chaosDeliver(ts *topicState, in <-chan chaosItem) {
	defer h.wg.Done()
	var (
		ready   heldHeap
		windows = make(map[string]*reorderWindow)
		seq     uint64
		pending int
		timer   = time.NewTimer(time.Hour)
	)
	defer timer.Stop()
	maxPending := 4 * h.cfg.SubscriptionBuffer

	// release schedules a full or expired window: every message in it
	// counts its delay from the same instant, so their order depends on
	// the seed alone.
	release := func(w *reorderWindow, now time.Time) {
		h.chaos.reordered.Add(uint64(len(w.items)))
		for _, x := range w.items {
			x.at = now.Add(x.delay)
			heap.Push(&ready, x)
		}
	}

	for {
		var next time.Time
		if len(ready) > 0 {
			next = ready[0].at
		}
		for _, w := range windows {
			if next.IsZero() || w.deadline.Before(next) {
				next = w.deadline
			}
		}
		var tick <-chan time.Time
		if !next.IsZero() {
			timer.Reset(time.Until(next))
			tick = timer.C
		}

		select {
		case <-h.ctx.Done():
			return
		case it := <-in:
			now := time.Now()
			copies, window, hold := h.chaos.plan(it.from, h.selfID, it.id)
			for i, d := range copies {
				if pending >= maxPending {
					ts.counters.deliverDropped.Add(1)
					continue
				}
				data := it.data
				if i > 0 {
					data = bytes.Clone(data) // deliver may keep data; each copy is its own
					ts.counters.chaosDuplicated.Add(1)
				}
				seq++
				pending++
				x := &held{from: it.from, data: data, delay: d.delay, key: d.key, seq: seq}
				if window <= 1 {
					x.at = now.Add(x.delay)
					heap.Push(&ready, x)
					continue
				}
				w := windows[it.from]
				if w == nil {
					w = &reorderWindow{deadline: now.Add(hold)}
					windows[it.from] = w
				}
				w.items = append(w.items, x)
				if len(w.items) >= window {
					release(w, now)
					delete(windows, it.from)
				}
			}
		case <-tick:
		}

		now := time.Now()
		for from, w := range windows {
			if !now.Before(w.deadline) {
				release(w, now)
				delete(windows, from)
			}
		}
		for len(ready) > 0 && !ready[0].at.After(now) {
			x := heap.Pop(&ready).(*held)
			pending--
			h.runDeliver(ts, x.from, x.data)
			if h.ctx.Err() != nil {
				return
			}
		}
	}
}
