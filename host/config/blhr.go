package config

// BLHRConfig bounds the block-level hash records this node accepts and holds
// for sealing ([blhr]).
type BLHRConfig struct {
	// MaxData is the most data, in bytes, a record submitted to this node
	// may carry (records of a hash alone carry none). At most 65536, the
	// protocol's limit. Default 65536.
	MaxData int `koanf:"max_data"`
	// UnsignedPerSecond is how many unsigned records one client IP may
	// submit per second, sustained; UnsignedBurst how many at once. Signed
	// records pay a fee instead, and admin_ips are not limited. Defaults 20
	// and 100.
	UnsignedPerSecond float64 `koanf:"unsigned_per_second"`
	UnsignedBurst     int     `koanf:"unsigned_burst"`
	// MaxPending caps the records waiting for a ledger, and MaxPendingMB
	// their bytes; past either a new record is refused until a ledger seals
	// some. Defaults 200000 and 256.
	MaxPending   int `koanf:"max_pending"`
	MaxPendingMB int `koanf:"max_pending_mb"`
	// MaxPerLedger caps the records one ledger seals, and MaxLedgerKB the
	// share of the ledger's database commit they may take (about their
	// size plus 80 bytes each; records of more than 251 bytes go to the
	// value log and take about 90 bytes whatever their size); the rest
	// wait for the next ledger. The node never lets them take more than 6%
	// of store.memtable_mb, nor seal more than 8 MiB of records per ledger,
	// and a networked engine keeps a block within its proposal size.
	// Defaults 25000 and 4096.
	MaxPerLedger int `koanf:"max_per_ledger"`
	MaxLedgerKB  int `koanf:"max_ledger_kb"`
}

// Validate reports every problem with the section at once.
func (c BLHRConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c BLHRConfig) check(p *problems) {
	d := Default().BLHR
	checkRange(p, "blhr.max_data", int64(c.MaxData), 0, 65536, int64(d.MaxData))
	if c.UnsignedPerSecond <= 0 || c.UnsignedPerSecond > 1e6 {
		p.add("blhr.unsigned_per_second", c.UnsignedPerSecond, "must be above 0 and at most 1000000 (default %g)", d.UnsignedPerSecond)
	}
	checkRange(p, "blhr.unsigned_burst", int64(c.UnsignedBurst), 1, maxCount, int64(d.UnsignedBurst))
	checkRange(p, "blhr.max_pending", int64(c.MaxPending), 1, maxCount, int64(d.MaxPending))
	checkRange(p, "blhr.max_pending_mb", int64(c.MaxPendingMB), 1, 1<<20, int64(d.MaxPendingMB))
	checkRange(p, "blhr.max_per_ledger", int64(c.MaxPerLedger), 1, 100_000, int64(d.MaxPerLedger))
	checkRange(p, "blhr.max_ledger_kb", int64(c.MaxLedgerKB), 64, 1<<20, int64(d.MaxLedgerKB))
}
