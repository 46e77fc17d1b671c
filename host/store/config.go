package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/go-hclog"
)

// Config tunes the badger database under the store. The zero value of each
// field means its default (DefaultConfig); the defaults are the "rec"
// profile of research/perf.md §6.3, measured on the 2-core CI machine.
type Config struct {
	// SyncWrites fsyncs inside every commit. When false, SaveLedger calls
	// db.Sync itself after the commit, so a saved ledger is durable either
	// way; the field is kept so the two paths can be compared.
	SyncWrites bool

	// MemTableMB is the size of one memtable, allocated up front for each of
	// NumMemtables. It also bounds one ledger: badger caps a transaction at
	// 15% of it, and at 96 bytes per entry within that (see SaveLedger and
	// ErrLedgerTooLarge). 64 MB fits about 17,000 payments between distinct
	// accounts or 14,000 new trust lines (TestLedgerCapacity); a node whose
	// ledgers may hold 20,000 transactions should use 128.
	MemTableMB int
	// NumMemtables is how many memtables (active + flushing) may be held.
	NumMemtables int
	// BlockCacheMB caches decompressed SST blocks.
	BlockCacheMB int
	// IndexCacheMB bounds table indexes and bloom filters in memory; badger's
	// own default (0) keeps all of them and grows with the database.
	IndexCacheMB int
	// NumCompactors is the number of compaction goroutines: 0 or at least 2.
	NumCompactors int
	// ValueThreshold is the value size from which badger stores a value in
	// the value log and only a 12-byte pointer in the LSM tree.
	ValueThreshold int64

	// ValueLogGCInterval is how often the store runs value-log garbage
	// collection. Negative disables it.
	ValueLogGCInterval time.Duration
	// ValueLogGCRatio is the fraction of a value-log file that must be
	// garbage before it is rewritten.
	ValueLogGCRatio float64
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		SyncWrites:         true,
		MemTableMB:         64,
		NumMemtables:       3,
		BlockCacheMB:       64,
		IndexCacheMB:       64,
		NumCompactors:      2,
		ValueThreshold:     512,
		ValueLogGCInterval: 10 * time.Minute,
		ValueLogGCRatio:    0.5,
	}
}

// withDefaults fills zero fields. SyncWrites has no zero-means-default: the
// store is durable either way (see Config.SyncWrites).
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MemTableMB == 0 {
		c.MemTableMB = d.MemTableMB
	}
	if c.NumMemtables == 0 {
		c.NumMemtables = d.NumMemtables
	}
	if c.BlockCacheMB == 0 {
		c.BlockCacheMB = d.BlockCacheMB
	}
	if c.IndexCacheMB == 0 {
		c.IndexCacheMB = d.IndexCacheMB
	}
	if c.NumCompactors == 0 {
		c.NumCompactors = d.NumCompactors
	}
	if c.ValueThreshold == 0 {
		c.ValueThreshold = d.ValueThreshold
	}
	if c.ValueLogGCInterval == 0 {
		c.ValueLogGCInterval = d.ValueLogGCInterval
	}
	if c.ValueLogGCRatio == 0 {
		c.ValueLogGCRatio = d.ValueLogGCRatio
	}
	return c
}

// Validate reports every problem at once. Zero fields are valid (defaults).
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("store: "+format, args...)) }
	if c.MemTableMB < 0 || c.MemTableMB > 1024 {
		bad("MemTableMB %d out of range: use 1..1024 (0 for the default 64)", c.MemTableMB)
	}
	if c.NumMemtables < 0 || c.NumMemtables == 1 {
		bad("NumMemtables %d: use at least 2 so a full memtable can flush while the next fills (0 for the default 3)", c.NumMemtables)
	}
	if c.BlockCacheMB < 0 {
		bad("BlockCacheMB %d is negative", c.BlockCacheMB)
	}
	if c.IndexCacheMB < 0 {
		bad("IndexCacheMB %d is negative", c.IndexCacheMB)
	}
	if c.NumCompactors < 0 || c.NumCompactors == 1 {
		bad("NumCompactors %d: badger needs at least 2 (0 for the default 2)", c.NumCompactors)
	}
	if c.ValueThreshold < 0 {
		bad("ValueThreshold %d is negative", c.ValueThreshold)
	}
	mem := int64(c.withDefaults().MemTableMB) << 20
	if c.ValueThreshold > 0 && c.MemTableMB >= 0 && c.ValueThreshold > mem*15/100 {
		bad("ValueThreshold %d exceeds badger's maximum transaction size %d (15%% of the memtable): lower it", c.ValueThreshold, mem*15/100)
	}
	if c.ValueLogGCRatio < 0 || c.ValueLogGCRatio >= 1 {
		bad("ValueLogGCRatio %g out of range: use a fraction in (0, 1), e.g. 0.5", c.ValueLogGCRatio)
	}
	return errors.Join(errs...)
}

// badgerOptions builds the badger options for dir from a defaulted config.
func (c Config) badgerOptions(dir string, log hclog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(c.SyncWrites).
		WithMemTableSize(int64(c.MemTableMB) << 20).
		WithNumMemtables(c.NumMemtables).
		WithBlockCacheSize(int64(c.BlockCacheMB) << 20).
		WithIndexCacheSize(int64(c.IndexCacheMB) << 20).
		WithNumCompactors(c.NumCompactors).
		WithValueThreshold(c.ValueThreshold).
		// One writer (SaveLedger, serialized by the store): nothing to detect.
		WithDetectConflicts(false).
		WithLogger(badgerLogger{log})
}
