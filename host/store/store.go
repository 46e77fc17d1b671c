package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/ledger"
)

var (
	// ErrNotFound is wrapped by every lookup of a ledger, transaction,
	// BLHR record or certificate the store does not hold.
	ErrNotFound = errors.New("store: not found")
	// ErrCorrupt is wrapped when stored bytes do not decode or do not agree
	// with each other. It means the database was damaged outside the store.
	ErrCorrupt = errors.New("store: corrupt data")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("store: closed")
	// ErrNotSequential is wrapped when SaveLedger is given a ledger that does
	// not extend the latest stored one.
	ErrNotSequential = errors.New("store: ledger does not extend the latest stored ledger")
	// ErrAlreadyStored is wrapped, with ErrNotSequential, when SaveLedger is
	// given a ledger the store already holds (the same hash at that seq): a
	// node replaying a commit after a crash may treat it as success.
	ErrAlreadyStored = errors.New("store: ledger already stored")
	// ErrLedgerTooLarge is wrapped when a ledger does not fit in one badger
	// transaction. Nothing is written; the error names the MemTableMB that
	// would fit it.
	ErrLedgerTooLarge = errors.New("store: ledger too large for one badger transaction")
)

// Store is the node's durable storage: closed ledgers (headers, transactions
// with metadata, BLHR records, certificates), the latest state, and the
// transaction and record indexes. It is safe for concurrent use; SaveLedger calls are serialized.
type Store struct {
	db  *badger.DB
	log hclog.Logger
	cfg Config

	// life is held shared by every operation and exclusively by Close, so no
	// operation touches a closed badger.DB.
	life   sync.RWMutex
	closed bool

	// save serializes SaveLedger.
	save sync.Mutex

	// mu guards the cached view of what is stored.
	mu     sync.RWMutex
	latest ledger.Header
	min    uint32 // first stored ledger; valid when hasAny
	hasAny bool
	// failed is set when a commit may have reached the database but could
	// not be made durable; the store refuses further saves (after a failed
	// fsync, the state of the page cache is unknown).
	failed error

	cancel context.CancelFunc
	wg     sync.WaitGroup
	gcRuns atomic.Int64 // value-log GC attempts, for tests
}

// Open opens or creates the store in dir. It starts the value-log garbage
// collector, which Close stops.
func Open(dir string, cfg Config, log hclog.Logger) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = hclog.NewNullLogger()
	}
	db, err := badger.Open(cfg.badgerOptions(dir, log.Named("badger")))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	s := &Store{db: db, log: log, cfg: cfg}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if cfg.ValueLogGCInterval > 0 {
		s.wg.Add(1)
		go s.gcLoop(ctx, cfg.ValueLogGCInterval, cfg.ValueLogGCRatio)
	}
	if s.hasAny {
		log.Info("store opened", "dir", dir, "min", s.min, "latest", s.latest.Seq)
	} else {
		log.Info("store opened empty", "dir", dir)
	}
	return s, nil
}

// init checks the schema version and loads the latest pointer and range.
func (s *Store) init() error {
	return s.db.Update(func(txn *badger.Txn) error {
		switch v, err := getValue(txn, keyVersion); {
		case errors.Is(err, badger.ErrKeyNotFound):
			if err := txn.Set(keyVersion, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
				return err
			}
		case err != nil:
			return err
		case len(v) != 4:
			return fmt.Errorf("%w: schema version is %d bytes", ErrCorrupt, len(v))
		case binary.BigEndian.Uint32(v) != schemaVersion:
			return fmt.Errorf("store: schema version %d, this build reads %d: use a matching jtd or resync into an empty directory",
				binary.BigEndian.Uint32(v), schemaVersion)
		}

		first, hasHeaders, err := firstSeq(txn)
		if err != nil {
			return err
		}
		v, err := getValue(txn, keyLatest)
		if errors.Is(err, badger.ErrKeyNotFound) {
			if hasHeaders {
				return fmt.Errorf("%w: headers are stored but the latest pointer is missing", ErrCorrupt)
			}
			return nil
		}
		if err != nil {
			return err
		}
		seq, err := decodeSeq("latest pointer", v)
		if err != nil {
			return err
		}
		h, err := indexedHeader(txn, seq)
		if err != nil {
			return fmt.Errorf("latest pointer: %w", err)
		}
		if !hasHeaders || first > seq {
			return fmt.Errorf("%w: first stored header %d is after the latest %d", ErrCorrupt, first, seq)
		}
		s.latest, s.min, s.hasAny = h, first, true
		return nil
	})
}

// firstSeq returns the lowest stored header sequence.
func firstSeq(txn *badger.Txn) (uint32, bool, error) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixHeader}})
	defer it.Close()
	it.Rewind()
	if !it.Valid() {
		return 0, false, nil
	}
	k := it.Item().Key()
	if len(k) != 5 {
		return 0, false, fmt.Errorf("%w: header key of %d bytes", ErrCorrupt, len(k))
	}
	return binary.BigEndian.Uint32(k[1:]), true, nil
}

// Close stops the garbage collector and closes the database. It waits for
// operations in progress. Calling it again returns nil.
func (s *Store) Close() error {
	s.cancel()
	s.wg.Wait()
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// acquire holds the store open for one operation.
func (s *Store) acquire() error {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return ErrClosed
	}
	return nil
}

func (s *Store) release() { s.life.RUnlock() }

// Latest returns the latest stored header; false when the store is empty.
func (s *Store) Latest() (ledger.Header, bool, error) {
	if err := s.acquire(); err != nil {
		return ledger.Header{}, false, err
	}
	defer s.release()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.latest, s.hasAny, nil
}

// Range returns the stored ledgers: every sequence in [min, max] is stored.
// ok is false when the store is empty or closed.
func (s *Store) Range() (min, max uint32, ok bool) {
	if s.acquire() != nil {
		return 0, 0, false
	}
	defer s.release()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.hasAny {
		return 0, 0, false
	}
	return s.min, s.latest.Seq, true
}

// gcLoop runs value-log garbage collection every interval until ctx ends.
// The value log holds transaction leaves, which are never rewritten, so it
// mostly reclaims the space of old value-log files badger has rotated.
func (s *Store) gcLoop(ctx context.Context, interval time.Duration, ratio float64) {
	defer s.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.runValueLogGC(ctx, ratio)
		}
	}
}

// runValueLogGC rewrites value-log files until none qualifies. Each badger
// call rewrites at most one file, so it loops, boundedly.
func (s *Store) runValueLogGC(ctx context.Context, ratio float64) {
	for range 64 {
		if ctx.Err() != nil {
			return
		}
		s.gcRuns.Add(1)
		err := s.db.RunValueLogGC(ratio)
		switch {
		case err == nil:
			s.log.Debug("value log file rewritten")
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			return
		default:
			s.log.Warn("value log GC failed", "error", err)
			return
		}
	}
}

// getValue returns a copy of the value at k.
func getValue(txn *badger.Txn, k []byte) ([]byte, error) {
	it, err := txn.Get(k)
	if err != nil {
		return nil, err
	}
	return it.ValueCopy(nil)
}
