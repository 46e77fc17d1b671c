package config

import "time"

// StoreConfig tunes the ledger database, badger ([store]). The defaults are
// the profile measured in research/perf.md §6.3: bounded memory (about 400 MB
// on the read path) for little loss of write speed.
type StoreConfig struct {
	// SyncWrites has badger fsync inside every commit (one fsync per ledger,
	// 0.2-0.5 ms). When false, host/store syncs after each ledger commit
	// itself, so a saved ledger is durable either way; the switch exists to
	// compare the two paths. Default true.
	SyncWrites bool `koanf:"sync_writes"`
	// MemTableMB is the size of one memtable (8..1024). It also bounds one
	// ledger commit: badger caps a transaction at 15% of it, so 64 MB takes
	// about 17,000 payments and 128 MB the full 20,000. Smaller memtables
	// were slower with a 5x worse commit p99. Default 64.
	MemTableMB int `koanf:"memtable_mb"`
	// NumMemtables is how many memtables may be held (one filling, the rest
	// flushing; at least 2). Each costs MemTableMB of memory. Default 3.
	NumMemtables int `koanf:"num_memtables"`
	// BlockCacheMB caches decompressed table blocks. badger needs some with
	// compression on, so at least 1. Default 64.
	BlockCacheMB int `koanf:"block_cache_mb"`
	// IndexCacheMB bounds the memory for table indexes and bloom filters. 0
	// keeps all of them in memory, which grows with the database (badger's
	// default, and the cause of the OOMs in research/perf.md §5.2). Default 64.
	IndexCacheMB int `koanf:"index_cache_mb"`
	// NumCompactors is how many compaction goroutines run (at least 2:
	// badger refuses 1, and 0 would stop compaction). Default 2.
	NumCompactors int `koanf:"num_compactors"`
	// ValueThreshold is the value size in bytes from which badger keeps a
	// value in the value log, leaving a pointer in the tree (1 to 1 MiB).
	// Ledger entries are small, so most stay in the tree. Default 512.
	ValueThreshold int64 `koanf:"value_threshold"`
	// ValueLogGCInterval is how often the node reclaims value-log space.
	// Default 10m.
	ValueLogGCInterval time.Duration `koanf:"value_log_gc_interval"`
	// ValueLogGCRatio is the fraction of a value-log file that must be
	// garbage before it is rewritten, strictly between 0 and 1. Default 0.5.
	ValueLogGCRatio float64 `koanf:"value_log_gc_ratio"`
	// InMemoryLedgers is how many recent validated ledgers keep their state
	// in memory to answer queries against them; older ledgers answer from
	// their stored header and transactions only. Default 256.
	InMemoryLedgers int `koanf:"in_memory_ledgers"`
}

// Validate reports every problem with the section at once.
func (c StoreConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c StoreConfig) check(p *problems) {
	d := Default().Store
	checkRange(p, "store.memtable_mb", int64(c.MemTableMB), 8, 1024, int64(d.MemTableMB))
	checkAtLeast(p, "store.num_memtables", int64(c.NumMemtables), 2, int64(d.NumMemtables))
	checkAtLeast(p, "store.block_cache_mb", int64(c.BlockCacheMB), 1, int64(d.BlockCacheMB))
	checkAtLeast(p, "store.index_cache_mb", int64(c.IndexCacheMB), 0, int64(d.IndexCacheMB))
	checkAtLeast(p, "store.num_compactors", int64(c.NumCompactors), 2, int64(d.NumCompactors))
	// badger also caps the threshold at 15% of a memtable, which the
	// memtable_mb floor of 8 (1.2 MB) keeps above 1 MiB.
	checkRange(p, "store.value_threshold", c.ValueThreshold, 1, 1<<20, d.ValueThreshold)
	checkPositiveDuration(p, "store.value_log_gc_interval", c.ValueLogGCInterval, d.ValueLogGCInterval)
	if !(c.ValueLogGCRatio > 0 && c.ValueLogGCRatio < 1) {
		p.add("store.value_log_gc_ratio", c.ValueLogGCRatio,
			"must be a fraction strictly between 0 and 1 (default %g)", d.ValueLogGCRatio)
	}
	checkAtLeast(p, "store.in_memory_ledgers", int64(c.InMemoryLedgers), 1, int64(d.InMemoryLedgers))
}
