package mempool

import (
	"errors"
	"fmt"
)

// Config bounds the pool. A zero field takes its default (DefaultConfig).
type Config struct {
	// MaxTxs bounds the queue: transactions held by the pool that are not
	// (yet) in the open ledger. When it is full a new transaction must pay a
	// higher fee level than the cheapest evictable queued one.
	MaxTxs int
	// MaxPerAccount bounds one account's queued transactions. Transactions
	// applied to the open ledger do not count: MaxTxsPerLedger bounds them.
	MaxPerAccount int
	// SequenceWindow is how far ahead of the account's sequence in the open
	// ledger a transaction may be and still be queued.
	SequenceWindow uint32
	// LedgerTarget is the open ledger size beyond which fees escalate.
	LedgerTarget int
	// MaxTxsPerLedger bounds the open ledger; further transactions are held
	// for the next one.
	MaxTxsPerLedger int
	// Retries is how many ledgers a queued transaction may fail with a ter
	// result, or wait for a missing earlier sequence, before it is dropped.
	Retries int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		MaxTxs:          100_000,
		MaxPerAccount:   64,
		SequenceWindow:  64,
		LedgerTarget:    5_000,
		MaxTxsPerLedger: 12_000,
		Retries:         10,
	}
}

// maxLimit keeps every count and its square inside 63 bits.
const maxLimit = 1 << 30

// Validate reports every problem at once. Zero fields are valid: they take
// the defaults.
func (c Config) Validate() error {
	var errs []error
	check := func(name string, v int) {
		if v < 0 || v > maxLimit {
			errs = append(errs, fmt.Errorf("mempool: %s is %d: use 0 for the default or a value up to %d", name, v, maxLimit))
		}
	}
	check("max_txs", c.MaxTxs)
	check("max_per_account", c.MaxPerAccount)
	check("ledger_target", c.LedgerTarget)
	check("max_txs_per_ledger", c.MaxTxsPerLedger)
	check("retries", c.Retries)
	if c.SequenceWindow > maxLimit {
		errs = append(errs, fmt.Errorf("mempool: sequence_window is %d: use 0 for the default or a value up to %d", c.SequenceWindow, maxLimit))
	}
	d := c.withDefaults()
	if d.LedgerTarget > d.MaxTxsPerLedger {
		errs = append(errs, fmt.Errorf("mempool: ledger_target (%d) is above max_txs_per_ledger (%d): fees could never escalate; lower the target", d.LedgerTarget, d.MaxTxsPerLedger))
	}
	return errors.Join(errs...)
}

// withDefaults fills zero fields and clamps out-of-range ones, so a pool
// built from an unvalidated Config still behaves.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	fix := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
		*v = min(*v, maxLimit)
	}
	fix(&c.MaxTxs, d.MaxTxs)
	fix(&c.MaxPerAccount, d.MaxPerAccount)
	fix(&c.LedgerTarget, d.LedgerTarget)
	fix(&c.MaxTxsPerLedger, d.MaxTxsPerLedger)
	fix(&c.Retries, d.Retries)
	if c.SequenceWindow == 0 {
		c.SequenceWindow = d.SequenceWindow
	}
	c.SequenceWindow = min(c.SequenceWindow, maxLimit)
	return c
}
