package p2p

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Chaos is a seeded fault-injection layer for tests (spec/rbft.md §2.7:
// netem is not available on the CI machines, so faults are injected in the
// application). It is for tests and test networks only: never configure one
// on a real network. A Host uses it when Config.Chaos is set.
//
// It acts on what a host receives, per directed link (sender, receiver),
// both named by peer id:
//
//   - pubsub messages: Drop and partitions act inside the validator, so a
//     dropped message is neither delivered nor forwarded, exactly as if it
//     never arrived; Duplicate, Delay and Reorder act on delivery;
//   - requests (Request/Handle): a partition between requester and server
//     fails Request at once with ErrDropped. Otherwise the server applies
//     the request link's faults: Drop resets the stream (the requester gets
//     ErrDropped), Delay holds the request before the handler runs,
//     Duplicate runs the handler twice and answers with the first result;
//     and the requester applies the answer link's: Drop discards the answer
//     (ErrDropped) and Delay holds it, within the request's deadline.
//
// Every decision is a function of the seed, the link and the message: for
// pubsub the message's content id, for requests the link's request count.
// So a run is reproducible given the seed and the order in which each link
// carries its messages, whatever the goroutine schedule. Reorder windows make
// even the delivery order reproducible: a window's messages are released in
// an order that depends only on the seed and their ids.
//
// A Chaos with no faults set passes everything through. It may be shared by
// several hosts in one process (its state is per link) and changed at any
// time with Set, SetLink, SetPartition, Heal and Reset; messages already
// held keep the faults they were planned with.
//
// Because pubsub remembers a message id once it first arrives (SeenTTL), a
// copy dropped on one link is not picked up from another: in a full mesh,
// dropping a message on the first link it arrives by drops it for the
// receiver, and healing a partition does not bring back what it dropped.
// Rebroadcast with new bytes is the cure, as on a real network.
type Chaos struct {
	seed uint64

	mu      sync.Mutex
	all     Faults
	links   map[link]Faults
	group   map[string]int // peer id -> partition group; absent: no partition
	reqSeq  map[link]uint64
	respSeq map[link]uint64

	dropped, partitioned, duplicated, delayed, reordered atomic.Uint64
}

type link struct{ from, to string }

// Faults are the faults applied to one link (or to every link).
type Faults struct {
	// DropPercent of messages are dropped (0–100).
	DropPercent float64
	// DuplicatePercent of messages are delivered twice (0–100).
	DuplicatePercent float64
	// Each delivery is delayed by a duration drawn uniformly from
	// [DelayMin, DelayMax].
	DelayMin, DelayMax time.Duration
	// ReorderWindow > 1 holds a link's messages until that many have arrived
	// (or ReorderHold has passed since the first), then releases them in a
	// seeded order: by delay, then by a seeded key. Pubsub only.
	ReorderWindow int
	// ReorderHold bounds how long a partly filled window is held (default
	// 100 ms).
	ReorderHold time.Duration
}

// DefaultReorderHold is how long a partly filled reorder window waits.
const DefaultReorderHold = 100 * time.Millisecond

func (f Faults) validate() error {
	var errs []error
	if !(f.DropPercent >= 0 && f.DropPercent <= 100) {
		errs = append(errs, fmt.Errorf("drop percent %v is outside 0..100", f.DropPercent))
	}
	if !(f.DuplicatePercent >= 0 && f.DuplicatePercent <= 100) {
		errs = append(errs, fmt.Errorf("duplicate percent %v is outside 0..100", f.DuplicatePercent))
	}
	if f.DelayMin < 0 || f.DelayMax < f.DelayMin {
		errs = append(errs, fmt.Errorf("delay [%v, %v] is not a range of non-negative durations", f.DelayMin, f.DelayMax))
	}
	if f.ReorderWindow < 0 || f.ReorderHold < 0 {
		errs = append(errs, errors.New("reorder window and hold must not be negative"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("p2p: chaos faults: %w", errors.Join(errs...))
	}
	return nil
}

// NewChaos returns a pass-through chaos transport whose decisions derive
// from seed.
func NewChaos(seed uint64) *Chaos {
	return &Chaos{seed: seed, links: make(map[link]Faults), group: make(map[string]int),
		reqSeq: make(map[link]uint64), respSeq: make(map[link]uint64)}
}

// Seed is the seed the decisions derive from.
func (c *Chaos) Seed() uint64 { return c.seed }

// Set makes f the faults of every link without its own (see SetLink).
func (c *Chaos) Set(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = f
	return nil
}

// SetLink gives the link from -> to (peer ids; to is the receiver) its own
// faults, overriding Set.
func (c *Chaos) SetLink(from, to string, f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.links[link{from, to}] = f
	return nil
}

// SetPartition splits the network: a message between two peers named in
// different groups is dropped. Peers named in no group are not affected; a
// peer named twice belongs to its last group. It replaces any earlier
// partition.
func (c *Chaos) SetPartition(groups [][]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.group = make(map[string]int)
	for i, g := range groups {
		for _, p := range g {
			c.group[p] = i
		}
	}
}

// Heal removes the partition.
func (c *Chaos) Heal() { c.SetPartition(nil) }

// Reset removes every fault and the partition.
func (c *Chaos) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = Faults{}
	c.links = make(map[link]Faults)
	c.group = make(map[string]int)
}

// ChaosStats counts what a Chaos did, over every host that shares it.
type ChaosStats struct {
	Dropped     uint64 // by DropPercent
	Partitioned uint64 // by the partition
	Duplicated  uint64
	Delayed     uint64
	Reordered   uint64 // messages that went through a reorder window
}

// Stats returns a snapshot of the counters.
func (c *Chaos) Stats() ChaosStats {
	return ChaosStats{
		Dropped:     c.dropped.Load(),
		Partitioned: c.partitioned.Load(),
		Duplicated:  c.duplicated.Load(),
		Delayed:     c.delayed.Load(),
		Reordered:   c.reordered.Load(),
	}
}

// faults returns the faults of a link and whether a partition cuts it.
func (c *Chaos) faults(l link) (Faults, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.links[l]
	if !ok {
		f = c.all
	}
	gf, okf := c.group[l.from]
	gt, okt := c.group[l.to]
	return f, okf && okt && gf != gt
}

// Salts keep the decisions about one message independent of each other.
const (
	saltDrop byte = iota + 1
	saltDup
	saltDelay
	saltKey
)

// draw maps (seed, link, message, salt) to a uniform value in [0, 1) and a
// 64-bit key.
func (c *Chaos) draw(l link, msg string, salt byte) (float64, uint64) {
	hs := sha256.New()
	var b [9]byte
	binary.LittleEndian.PutUint64(b[:8], c.seed)
	b[8] = salt
	hs.Write(b[:])
	for _, s := range []string{l.from, l.to, msg} {
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
		hs.Write(n[:])
		hs.Write([]byte(s))
	}
	var sum [32]byte
	k := binary.LittleEndian.Uint64(hs.Sum(sum[:0]))
	return float64(k>>11) / (1 << 53), k
}

func (c *Chaos) percent(l link, msg string, salt byte, p float64) bool {
	if p <= 0 {
		return false
	}
	u, _ := c.draw(l, msg, salt)
	return u*100 < p
}

func (c *Chaos) delay(l link, msg string, f Faults) time.Duration {
	if f.DelayMax <= 0 {
		return 0
	}
	u, _ := c.draw(l, msg, saltDelay)
	d := f.DelayMin + time.Duration(math.Floor(u*float64(f.DelayMax-f.DelayMin+1)))
	if d > 0 {
		c.delayed.Add(1)
	}
	return d
}

// dropMessage decides whether the pubsub message id arriving on from -> to
// is dropped (by the partition or by DropPercent).
func (c *Chaos) dropMessage(from, to, id string) bool {
	l := link{from, to}
	f, cut := c.faults(l)
	if cut {
		c.partitioned.Add(1)
		return true
	}
	if c.percent(l, id, saltDrop, f.DropPercent) {
		c.dropped.Add(1)
		return true
	}
	return false
}

// delivery is one planned delivery of a pubsub message.
type delivery struct {
	delay time.Duration
	key   uint64
}

// plan decides how a message that passed dropMessage is delivered: once or
// twice, each copy with its delay and ordering key, and the reorder window
// and hold to put it through.
func (c *Chaos) plan(from, to, id string) (copies []delivery, window int, hold time.Duration) {
	l := link{from, to}
	f, _ := c.faults(l)
	_, key := c.draw(l, id, saltKey)
	copies = append(copies, delivery{delay: c.delay(l, id, f), key: key})
	if c.percent(l, id, saltDup, f.DuplicatePercent) {
		c.duplicated.Add(1)
		dupID := id + "\x00dup"
		_, key2 := c.draw(l, dupID, saltKey)
		copies = append(copies, delivery{delay: c.delay(l, dupID, f), key: key2})
	}
	hold = f.ReorderHold
	if hold == 0 {
		hold = DefaultReorderHold
	}
	return copies, f.ReorderWindow, hold
}

// requestPlan is the fate of one inbound stream request.
type requestPlan struct {
	drop   bool
	delay  time.Duration
	copies int // 1 or 2
}

// cut reports whether a partition separates a and b.
func (c *Chaos) cut(a, b string) bool {
	_, cut := c.faults(link{a, b})
	if cut {
		c.partitioned.Add(1)
	}
	return cut
}

// planRequest decides the fate of the next request on from -> to.
func (c *Chaos) planRequest(from, to string) requestPlan {
	return c.planExchange(link{from, to}, c.reqSeq, "req")
}

// planResponse decides the fate of the next answer on from -> to (from is
// the server). Answers are delivered once: a requester reads one.
func (c *Chaos) planResponse(from, to string) requestPlan {
	p := c.planExchange(link{from, to}, c.respSeq, "resp")
	p.copies = 1
	return p
}

func (c *Chaos) planExchange(l link, seqs map[link]uint64, kind string) requestPlan {
	c.mu.Lock()
	seqs[l]++
	n := seqs[l]
	c.mu.Unlock()
	f, cut := c.faults(l)
	if cut {
		c.partitioned.Add(1)
		return requestPlan{drop: true}
	}
	msg := kind + "\x00" + strconv.FormatUint(n, 10)
	if c.percent(l, msg, saltDrop, f.DropPercent) {
		c.dropped.Add(1)
		return requestPlan{drop: true}
	}
	p := requestPlan{delay: c.delay(l, msg, f), copies: 1}
	if c.percent(l, msg, saltDup, f.DuplicatePercent) {
		c.duplicated.Add(1)
		p.copies = 2
	}
	return p
}
