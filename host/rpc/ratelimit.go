package rpc

import (
	"net/netip"
	"sync"
	"time"
)

// verdict is what the rate limiter says about one request.
type verdict int

const (
	allow verdict = iota
	// warnLoad: serve it, but add "warning":"load" to the response.
	warnLoad
	// drop: disconnect the WebSocket client (1008 "threshold exceeded") or
	// answer 503 over HTTP.
	drop
)

// bucket is a token bucket that may go into debt. A request takes a token;
// the bucket refills at rate up to burst. A client in debt is warned, and
// one whose debt exceeds another burst is dropped, which gives rippled's
// resource manager its two stages (warn, then disconnect) without timers.
type bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newBucket(rate, burst float64, now time.Time) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens += dt * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
		b.last = now
	}
}

func (b *bucket) take(now time.Time) verdict {
	b.refill(now)
	// Bound the debt so a client that keeps hammering recovers in bounded
	// time once it slows down.
	if b.tokens > -2*b.burst-1 {
		b.tokens--
	}
	switch {
	case b.tokens >= 0:
		return allow
	case b.tokens >= -b.burst:
		return warnLoad
	}
	return drop
}

// ipLimiter holds one bucket per client address, shared by all of its
// connections and HTTP requests.
type ipLimiter struct {
	mu        sync.Mutex
	rate      float64
	burst     float64
	buckets   map[netip.Addr]*bucket
	lastPrune time.Time
}

func newIPLimiter(rate, burst float64) *ipLimiter {
	return &ipLimiter{rate: rate, burst: burst, buckets: make(map[netip.Addr]*bucket)}
}

func (l *ipLimiter) take(ip netip.Addr, now time.Time) verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[ip]
	if b == nil {
		b = newBucket(l.rate, l.burst, now)
		l.buckets[ip] = b
	}
	v := b.take(now)
	// Forget addresses whose buckets are full again, so the map stays as
	// small as the set of recently busy clients.
	if len(l.buckets) > 1024 && now.Sub(l.lastPrune) > 10*time.Second {
		l.lastPrune = now
		for a, bb := range l.buckets {
			bb.refill(now)
			if bb.tokens >= bb.burst {
				delete(l.buckets, a)
			}
		}
	}
	return v
}

func worse(a, b verdict) verdict {
	if a > b {
		return a
	}
	return b
}
