package config

// MempoolConfig bounds the transactions waiting for a ledger ([mempool]).
type MempoolConfig struct {
	// MaxTxs caps the transactions queued for a later ledger (those already
	// in the open ledger do not count). When the queue is full, a new
	// transaction must pay a higher fee than the cheapest queued one. It
	// bounds the pool's memory. Default 100000.
	MaxTxs int `koanf:"max_txs"`
	// MaxPerAccount caps one account's queued transactions (at most MaxTxs),
	// so one sender cannot fill the queue. Default 64.
	MaxPerAccount int `koanf:"max_per_account"`
	// SequenceWindow is how far a transaction's Sequence may be ahead of its
	// account's current Sequence; anything further is rejected rather than
	// held for a gap that may never fill. Default 64.
	SequenceWindow int `koanf:"sequence_window"`
	// LedgerTarget is how many transactions a ledger takes at the base fee;
	// beyond it the required fee escalates (rippled's FeeEscalation). At
	// most consensus.max_txs_per_ledger. Default 5000.
	LedgerTarget int `koanf:"ledger_target"`
	// Retries is how many ledgers a queued transaction may fail with a
	// retriable (ter) result, or wait for a missing earlier Sequence, before
	// it is dropped (rippled's TxQ also gives up after 10). Default 10.
	Retries int `koanf:"retries"`
}

// Validate reports every problem with the section at once. The rule tying
// ledger_target to consensus.max_txs_per_ledger is checked by Config.Validate.
func (c MempoolConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c MempoolConfig) check(p *problems) {
	d := Default().Mempool
	checkRange(p, "mempool.max_txs", int64(c.MaxTxs), 1, maxCount, int64(d.MaxTxs))
	checkRange(p, "mempool.max_per_account", int64(c.MaxPerAccount), 1, maxCount, int64(d.MaxPerAccount))
	if c.MaxTxs >= 1 && c.MaxPerAccount > c.MaxTxs {
		p.add("mempool.max_per_account", c.MaxPerAccount,
			"is more than mempool.max_txs (%d): lower it to at most %d", c.MaxTxs, c.MaxTxs)
	}
	checkRange(p, "mempool.sequence_window", int64(c.SequenceWindow), 1, maxCount, int64(d.SequenceWindow))
	checkRange(p, "mempool.ledger_target", int64(c.LedgerTarget), 1, maxCount, int64(d.LedgerTarget))
	checkRange(p, "mempool.retries", int64(c.Retries), 1, maxCount, int64(d.Retries))
}

// maxCount bounds the pool's counts so that a count and its square fit in 63
// bits (fee escalation squares them); host/mempool has the same limit.
const maxCount = 1 << 30
