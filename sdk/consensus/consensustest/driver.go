package consensustest

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// Driver plays the node's part against an engine in randomized tests. Next
// returns the next batch of inputs; Observe takes the engine's outputs for
// it, and the driver answers them in later batches the way a node would:
// BuildBlock with a BlockBuilt, Validate with a Validated, a Commit of the
// height in progress with the next StartHeight, ScheduleTimeout with a
// Timeout once its clock passes the deadline, and SignAndBroadcast by
// looping the message back from Self. Among these it mixes time (Tick),
// transactions (TxsAvailable) and the noise a node also delivers: garbage
// messages from other validators, verdicts on unknown blocks, timers of
// other heights, and blocks nobody asked for. The clock lands now and then
// exactly on the height's close and idle deadlines, and a nanosecond either
// side, so off-by-one comparisons show.
//
// The driver is deterministic: the same seed, Params and observed outputs
// give the same batches, so two engines that answer alike are fed alike.
// The validator set is Self alone, so an engine can decide on its own. A
// batch ends after a BlockBuilt or Validated, the answers that can decide
// a height, because a node starts the next height before stepping further.
type Driver struct {
	rng *rand.Rand
	p   consensus.Params

	now       time.Time
	height    uint64    // in progress; 0 before the first StartHeight
	started   time.Time // the Now of height's StartHeight
	parent    consensus.Hash256
	decided   *consensus.Block // Commit of height seen; the next batch starts height+1
	builds    []consensus.BuildBlock
	validates []consensus.Block
	timers    []timer
	timerSeq  uint64
	outbox    [][]byte // SignAndBroadcast payloads to loop back
}

type timer struct {
	due time.Time
	seq uint64 // timers due at once fire in the order they were asked for
	in  consensus.Timeout
}

// maxPending bounds each queue of unanswered requests, so an engine that
// floods requests cannot make the driver grow without limit.
const maxPending = 64

// NewDriver returns a driver for an engine configured with p, whose
// intervals scale the clock steps and whose LedgerTarget scales the
// transaction counts.
func NewDriver(seed int64, p consensus.Params) *Driver {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x636f6e73656e7375)) // "consensu"
	return &Driver{
		rng: rng,
		p:   p,
		// A fixed epoch plus an offset: times are the engine's only clock.
		now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))),
	}
}

// Height returns the height in progress (0 before the first batch).
func (d *Driver) Height() uint64 { return d.height }

// Next returns the next batch of inputs: never empty, starting with
// StartHeight on the first call and after each observed Commit of the
// height in progress.
func (d *Driver) Next() []consensus.Input {
	var ins []consensus.Input
	switch {
	case d.height == 0:
		d.height = 1 + d.rng.Uint64N(100)
		ins = append(ins, d.startHeight())
	case d.decided != nil:
		// Now and then time passes or transactions arrive between a
		// Commit and the next StartHeight.
		if d.rng.IntN(5) == 0 {
			if d.rng.IntN(2) == 0 {
				ins = append(ins, d.advance()...)
			} else {
				ins = append(ins, d.txsAvailable())
			}
		}
		d.height, d.parent, d.decided = d.decided.Height+1, d.decided.ID, nil
		ins = append(ins, d.startHeight())
	}
	for n := 1 + d.rng.IntN(4); n > 0; n-- {
		evs, last := d.event()
		ins = append(ins, evs...)
		if last {
			break
		}
	}
	return ins
}

// Observe records the engine's outputs for the batch Next last returned.
func (d *Driver) Observe(outs []consensus.Output) {
	for _, o := range outs {
		switch o := o.(type) {
		case consensus.BuildBlock:
			d.builds = appendBounded(d.builds, o)
		case consensus.Validate:
			d.validates = appendBounded(d.validates, o.Block)
		case consensus.Commit:
			if o.Block.Height == d.height && d.decided == nil {
				b := o.Block
				d.decided = &b
			}
		case consensus.ScheduleTimeout:
			d.timerSeq++
			d.timers = appendBounded(d.timers, timer{
				due: d.now.Add(o.Delay), seq: d.timerSeq,
				in: consensus.Timeout{Kind: o.Kind, Height: o.Height, Round: o.Round},
			})
		case consensus.SignAndBroadcast:
			d.outbox = appendBounded(d.outbox, o.Payload)
		}
	}
}

func appendBounded[T any](s []T, v T) []T {
	if len(s) >= maxPending {
		s = slices.Delete(s, 0, 1)
	}
	return append(s, v)
}

func (d *Driver) startHeight() consensus.StartHeight {
	d.started = d.now
	return consensus.StartHeight{
		Height:   d.height,
		ParentID: d.parent,
		Validators: []consensus.Validator{{
			Address:   d.p.Self,
			PublicKey: append([]byte{0x02}, d.p.Self[:]...), // opaque to engines: the node verifies signatures
		}},
		Seed: d.hash(),
		Now:  d.now,
	}
}

// event returns one event's inputs and whether the batch must end after it.
func (d *Driver) event() ([]consensus.Input, bool) {
	switch r := d.rng.IntN(100); {
	case r < 30:
		return d.advance(), false
	case r < 55:
		return []consensus.Input{d.txsAvailable()}, false
	case r < 70 && len(d.builds) > 0:
		b := d.builds[0]
		d.builds = d.builds[1:]
		block := consensus.Block{Height: b.Height, ID: d.hash(), ParentID: d.hash(), Payload: d.bytes(1, 64)}
		if b.Height == d.height {
			block.ParentID = d.parent
		}
		return []consensus.Input{consensus.BlockBuilt{Height: b.Height, Round: b.Round, Block: block}}, true
	case r < 80 && len(d.validates) > 0:
		b := d.validates[0]
		d.validates = d.validates[1:]
		return []consensus.Input{consensus.Validated{BlockID: b.ID, OK: d.rng.IntN(10) != 0}}, true
	case r < 90 && len(d.outbox) > 0:
		p := d.outbox[0]
		d.outbox = d.outbox[1:]
		return []consensus.Input{consensus.Message{From: d.p.Self, Payload: p, Signature: d.bytes(64, 72)}}, false
	case r < 90:
		return d.advance(), false
	}
	return []consensus.Input{d.noise()}, false
}

// advance moves the clock, fires the timers it passes in deadline order and
// reports the time.
func (d *Driver) advance() []consensus.Input {
	switch r := d.rng.IntN(10); {
	case r == 0:
		d.now = d.now.Add(d.p.IdleInterval + d.duration(d.p.CloseInterval))
	case r <= 4:
		// Land on the next close or idle deadline of the height, half the time
		// exactly and otherwise a nanosecond either side: where >= and >
		// part.
		deadline := d.started.Add(d.p.CloseInterval)
		if !deadline.After(d.now) {
			deadline = d.started.Add(d.p.IdleInterval)
		}
		if d.rng.IntN(2) == 0 {
			deadline = deadline.Add(time.Duration(2*d.rng.IntN(2) - 1))
		}
		if deadline.After(d.now) {
			d.now = deadline
		}
	default:
		d.now = d.now.Add(d.duration(d.p.CloseInterval * 3 / 2))
	}
	slices.SortStableFunc(d.timers, func(a, b timer) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	var ins []consensus.Input
	for len(d.timers) > 0 && !d.timers[0].due.After(d.now) {
		ins = append(ins, d.timers[0].in)
		d.timers = d.timers[1:]
	}
	return append(ins, consensus.Tick{Now: d.now})
}

// noise returns an input that a node delivers but the engine did not ask
// for; a conforming engine ignores it.
func (d *Driver) noise() consensus.Input {
	other := d.height + 1 + d.rng.Uint64N(3)
	if d.height > 1 && d.rng.IntN(2) == 0 {
		other = d.height - 1
	}
	switch d.rng.IntN(5) {
	case 0:
		var from consensus.AccountID
		copy(from[:], d.bytes(20, 20))
		return consensus.Message{From: from, Payload: d.bytes(0, 48), Signature: d.bytes(0, 72)}
	case 1:
		return consensus.Validated{BlockID: d.hash(), OK: d.rng.IntN(2) == 0}
	case 2:
		return consensus.Timeout{Kind: consensus.TimeoutKind(1 + d.rng.IntN(4)), Height: other, Round: d.rng.Int32N(5)}
	case 3:
		// A block for the height in progress that no pending BuildBlock
		// asked for.
		if !slices.ContainsFunc(d.builds, func(b consensus.BuildBlock) bool { return b.Height == d.height }) {
			other = d.height
		}
	}
	return consensus.BlockBuilt{Height: other, Round: d.rng.Int32N(3),
		Block: consensus.Block{Height: other, ID: d.hash(), ParentID: d.hash(), Payload: d.bytes(1, 16)}}
}

func (d *Driver) txsAvailable() consensus.Input {
	d.now = d.now.Add(d.duration(d.p.CloseInterval / 4))
	return consensus.TxsAvailable{Count: d.txCount(), Now: d.now}
}

func (d *Driver) txCount() int {
	target := d.p.LedgerTarget
	if target <= 0 {
		target = 20
	}
	if d.rng.IntN(5) == 0 {
		return 0
	}
	return d.rng.IntN(target + 1)
}

// duration is uniform in [0, max], or 0 when max is not positive.
func (d *Driver) duration(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(d.rng.Int64N(int64(max) + 1))
}

// hash returns a random non-zero id.
func (d *Driver) hash() consensus.Hash256 {
	var h consensus.Hash256
	for i := 0; i < len(h); i += 8 {
		v := d.rng.Uint64()
		for j := range 8 {
			h[i+j] = byte(v >> (8 * j))
		}
	}
	h[0] |= 1
	return h
}

// bytes returns between lo and hi random bytes; nil for none, because an
// empty byte field crosses the wire as nil.
func (d *Driver) bytes(lo, hi int) []byte {
	n := lo + d.rng.IntN(hi-lo+1)
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(d.rng.Uint32())
	}
	return b
}
