package crypto

import (
	"sync"
	"sync/atomic"
)

// VerifyCache remembers which transactions' signatures verified, so a node
// checks each signature once however often the transaction is relayed,
// re-submitted or re-proposed (rippled's HashRouter SF_SIGGOOD flag plays
// the same role). It is safe for concurrent use.
//
// Entries are keyed by transaction hash, SHA512Half("TXN\0" ‖ signed blob).
// That hash commits to the public key, the signature and every signed
// field, so a hit means these exact inputs verified before, provided the
// caller passes the hash of the transaction that pub, msg and sig came from;
// the cache does not rehash to check.
//
// Only successes are recorded. Caching failures would save nothing for
// honest traffic and would give an attacker a lever: invalid signatures cost
// nothing to mint under fresh hashes, and each one would push out a good
// entry. Repeated bad transactions are for peer scoring to punish.
//
// Eviction works by generations: new entries go into the current map, and
// when it is full it becomes the old map while the previous old map is
// dropped whole. A hit in the old map moves the entry forward, so
// transactions that are still circulating survive. Every operation is O(1)
// amortised and no recency list is kept.
type VerifyCache struct {
	mu       sync.Mutex
	genSize  int
	cur, old map[Hash256]struct{}

	hits, misses atomic.Uint64
}

// NewVerifyCache returns a cache that holds at most capacity verified
// transactions (and at least 2).
func NewVerifyCache(capacity int) *VerifyCache {
	gen := max(capacity/2, 1)
	return &VerifyCache{
		genSize: gen,
		cur:     make(map[Hash256]struct{}, gen),
		old:     make(map[Hash256]struct{}, gen),
	}
}

// Verify returns nil at once if txHash verified before; otherwise it runs
// the package-level Verify(pub, msg, sig) and records txHash on success.
// Two goroutines that miss on the same hash at the same time both verify;
// that costs one redundant check and is simpler than making them wait.
func (c *VerifyCache) Verify(txHash Hash256, pub, msg, sig []byte) error {
	if c.lookup(txHash) {
		c.hits.Add(1)
		return nil
	}
	c.misses.Add(1)
	if err := Verify(pub, msg, sig); err != nil {
		return err
	}
	c.mu.Lock()
	c.insertLocked(txHash)
	c.mu.Unlock()
	return nil
}

func (c *VerifyCache) lookup(h Hash256) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[h]; ok {
		return true
	}
	if _, ok := c.old[h]; ok {
		c.insertLocked(h)
		return true
	}
	return false
}

func (c *VerifyCache) insertLocked(h Hash256) {
	if _, ok := c.cur[h]; ok {
		return
	}
	// A hash lives in one generation only, so Len is exact.
	delete(c.old, h)
	if len(c.cur) >= c.genSize {
		// Reuse the dropped generation's map rather than allocate a new one.
		c.old, c.cur = c.cur, c.old
		clear(c.cur)
	}
	c.cur[h] = struct{}{}
}

// Len returns the number of verified transactions held.
func (c *VerifyCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.old)
}

// Hits returns how many Verify calls were answered from the cache.
func (c *VerifyCache) Hits() uint64 { return c.hits.Load() }

// Misses returns how many Verify calls had to verify the signature,
// whatever the outcome.
func (c *VerifyCache) Misses() uint64 { return c.misses.Load() }
