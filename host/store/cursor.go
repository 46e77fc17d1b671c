package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Cursors are the node's durable positions in its own ledger stream: for
// each consumer (an indexer plugin instance, ...) the highest ledger it
// acknowledged. A cursor is kept beside the ledgers, so it is never ahead
// of what the store holds after a crash.

// maxCursorName bounds a cursor's name (a plugin instance name is 64).
const maxCursorName = 128

func cursorKey(name string) []byte {
	return append([]byte{prefixMeta, 'c', ':'}, name...)
}

func checkCursorName(name string) error {
	if name == "" || len(name) > maxCursorName {
		return fmt.Errorf("store: cursor name %q: 1 to %d bytes", name, maxCursorName)
	}
	return nil
}

// Cursor returns the named cursor; 0 when it was never set.
func (s *Store) Cursor(name string) (uint32, error) {
	if err := checkCursorName(name); err != nil {
		return 0, err
	}
	var seq uint32
	err := s.view(func(txn *badger.Txn) error {
		v, err := getValue(txn, cursorKey(name))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(v) != 4 {
			return fmt.Errorf("store: cursor %q is %d bytes, want 4", name, len(v))
		}
		seq = binary.BigEndian.Uint32(v)
		return nil
	})
	return seq, err
}

// SetCursor durably sets the named cursor to seq, which must be a stored
// ledger (or 0).
func (s *Store) SetCursor(name string, seq uint32) error {
	if err := checkCursorName(name); err != nil {
		return err
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	s.mu.RLock()
	latest, hasAny := s.latest.Seq, s.hasAny
	s.mu.RUnlock()
	if seq != 0 && (!hasAny || seq > latest) {
		return fmt.Errorf("store: cursor %q at ledger %d, beyond the latest stored ledger %d", name, seq, latest)
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(cursorKey(name), binary.BigEndian.AppendUint32(nil, seq))
	})
	if err != nil {
		return fmt.Errorf("store: set cursor %q: %w", name, err)
	}
	if !s.cfg.SyncWrites {
		return s.db.Sync()
	}
	return nil
}
