package plugin

import (
	"testing"
	"time"
)

// Every call lands in one latency bucket, and a restarted plugin has a new
// generation.
func TestCallsFillTheHistogramAndRestartsChangeTheGeneration(t *testing.T) {
	requireProc(t)
	s := newSup(t, instance("hist"))
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	gen := s.Generation()
	for i := range 5 {
		if err := step(t, s, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Status()
	var sum uint64
	for _, n := range st.LatencyBuckets {
		sum += n
	}
	if len(st.LatencyBuckets) != len(LatencyBounds)+1 || sum != st.Calls || st.Calls < 5 {
		t.Fatalf("histogram %v (sum %d) for %d calls", st.LatencyBuckets, sum, st.Calls)
	}
	kill9(t, st.PID)
	waitFor(t, 15*time.Second, "the restarted plugin", func() bool { return s.Status().Restarts == 1 && s.Status().State == StateReady })
	if s.Generation() == gen {
		t.Errorf("generation %d did not change across a restart", gen)
	}
}

func TestLatencyBucketBounds(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{0, 0}, {100 * time.Microsecond, 0}, {101 * time.Microsecond, 1}, {time.Millisecond, 3}, {10 * time.Second, len(LatencyBounds) - 1}, {time.Minute, len(LatencyBounds)}} {
		if got := latencyBucket(c.d); got != c.want {
			t.Errorf("latencyBucket(%s) = %d, want %d", c.d, got, c.want)
		}
	}
}
