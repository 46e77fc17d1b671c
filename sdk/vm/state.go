package vm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"slices"
	"sync"
)

// StateKey returns the state key of key in contract's state: the 20 bytes
// of contract followed by key. The node settles writes only inside the
// called contract's keys; reads may name other contracts' keys, which then
// belong to the read set like any other.
func StateKey(contract AccountID, key []byte) []byte {
	return append(contract[:len(contract):len(contract)], key...)
}

// ReadOf records a read of key that saw value (found) or nothing.
func ReadOf(key, value []byte, found bool) Read {
	r := Read{Key: bytes.Clone(key), Found: found}
	if found {
		r.ValueHash = sha256.Sum256(value)
	}
	return r
}

// Recorder is a StateReader that remembers what each key read through it
// returned, so a runtime reports exactly what a call saw. Use one per call:
//
//	state := vm.NewRecorder(req.State)
//	... run the call, reading through state ...
//	result.ReadSet = state.ReadSet()
//
// A key read twice is recorded once, with what it saw first (a snapshot
// does not change during a batch). Recorder is safe for concurrent use.
type Recorder struct {
	r     StateReader
	mu    sync.Mutex
	reads map[string]Read
}

// NewRecorder returns a Recorder reading through r.
func NewRecorder(r StateReader) *Recorder {
	return &Recorder{r: r, reads: map[string]Read{}}
}

var _ StateReader = (*Recorder)(nil)

// Get reads key through the underlying reader and records the read; a
// failed read is not recorded (and must fail the batch).
func (c *Recorder) Get(ctx context.Context, key []byte) ([]byte, bool, error) {
	v, found, err := c.r.Get(ctx, key)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, seen := c.reads[string(key)]; !seen {
		c.reads[string(key)] = ReadOf(key, v, found)
	}
	return v, found, nil
}

// ReadSet returns the reads so far, sorted by key.
func (c *Recorder) ReadSet() []Read {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Read, 0, len(c.reads))
	for _, r := range c.reads {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Read) int { return bytes.Compare(a.Key, b.Key) })
	return out
}
