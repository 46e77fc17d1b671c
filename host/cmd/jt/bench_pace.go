package main

import (
	"context"
	"time"
)

// clock is the time source of the bench, so tests can drive pacing and
// waits without sleeping.
type clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx ends (returning false).
	Sleep(ctx context.Context, d time.Duration) bool
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// minSleep: a transaction due sooner than this is sent at once rather than
// slept for. Sleeping for tens of microseconds costs more than it is worth;
// because each due time is computed from the start, being early now does not
// drift the schedule.
const minSleep = time.Millisecond

// paceResult describes how well a paced run kept its schedule.
type paceResult struct {
	Emitted int64
	MaxLag  time.Duration // the latest any transaction was sent after its due time
	Stopped bool          // emit asked to stop, or ctx ended
}

// pace calls emit for k = 0, 1, ..., total-1 at a steady rate: transaction k
// is due at start + k/rate. When the caller falls behind (emit blocked), the
// overdue transactions go out at once, so the long-run rate is kept and the
// lag is reported. emit returns false to stop.
func pace(ctx context.Context, clk clock, start time.Time, ratePerSec float64, total int64, emit func(k int64, due time.Time) bool) paceResult {
	var res paceResult
	interval := float64(time.Second) / ratePerSec
	for k := int64(0); k < total; k++ {
		due := start.Add(time.Duration(float64(k) * interval))
		now := clk.Now()
		if wait := due.Sub(now); wait > minSleep {
			if !clk.Sleep(ctx, wait) {
				res.Stopped = true
				return res
			}
		} else if lag := -wait; lag > res.MaxLag {
			res.MaxLag = lag
		}
		if ctx.Err() != nil || !emit(k, due) {
			res.Stopped = true
			return res
		}
		res.Emitted++
	}
	return res
}

// totalTxs is how many transactions a run of d at r tx/s sends.
func totalTxs(r float64, d time.Duration) int64 {
	return int64(r*d.Seconds() + 1e-9)
}

// sleepCtx sleeps for d in real time unless ctx ends first (returning false).
func sleepCtx(ctx context.Context, d time.Duration) bool { return realClock{}.Sleep(ctx, d) }
