package vmtest

import (
	"context"
	"maps"
	"sync"

	"github.com/jtchain/jtchain/sdk/vm"
)

// snapshot is the StateReader the suite serves: a map, an optional error
// for every read, and a record of what it served.
type snapshot struct {
	m   map[string][]byte
	err error

	mu     sync.Mutex
	served map[string]vm.Read // first read of each key
	order  []string
}

func newSnapshot(m map[string][]byte) *snapshot {
	return &snapshot{m: maps.Clone(m), served: map[string]vm.Read{}}
}

func (s *snapshot) Get(_ context.Context, key []byte) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, false, s.err
	}
	v, found := s.m[string(key)]
	if _, seen := s.served[string(key)]; !seen {
		s.served[string(key)] = vm.ReadOf(key, v, found)
		s.order = append(s.order, string(key))
	}
	// A copy, so a runtime that keeps or changes it cannot alter the map.
	return append([]byte(nil), v...), found, nil
}

// reads returns what was served, keyed by key.
func (s *snapshot) reads() map[string]vm.Read {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.served)
}

// keys returns the keys served, in the order first read.
func (s *snapshot) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}
