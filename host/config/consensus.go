package config

import (
	"sort"
	"strings"
	"time"
)

// ConsensusConfig chooses and tunes the consensus engine ([consensus]).
type ConsensusConfig struct {
	// Engine names the consensus engine: "solo" (a single node: dev or
	// single-operator chains), "rbft" (a validator network), or another
	// registered or plugin engine. Every node of a chain runs the same
	// engine; the node refuses a name it has no engine for. Default "solo".
	Engine string `koanf:"engine"`
	// Plugin names the [[plugins.instance]] (of kind consensus) that serves
	// Engine out of process; the plugin must report Engine as its name.
	// Empty: the engine is built in (rbft, and solo for comparisons).
	// Default empty.
	Plugin string `koanf:"plugin"`
	// CloseInterval is the shortest time between two ledgers: while
	// transactions are waiting, a ledger closes this long after the previous
	// one. Default 1s.
	CloseInterval time.Duration `koanf:"close_interval"`
	// IdleInterval is how long the node waits before closing an empty ledger
	// when no transactions arrive, so the chain shows it is alive. At least
	// CloseInterval. Default 10s.
	IdleInterval time.Duration `koanf:"idle_interval"`
	// MaxTxsPerLedger caps the transactions in one ledger (1..100000), which
	// bounds the work and the size of one commit. Default 12000.
	MaxTxsPerLedger int `koanf:"max_txs_per_ledger"`
	// Options are engine-specific settings, passed to the engine as they are;
	// the engine documents and checks them. In TOML a [consensus.options]
	// table of name = value (numbers and booleans are turned into strings);
	// from the environment JTD_CONSENSUS_OPTIONS_<NAME>, with NAME lower-cased.
	// Default: none.
	Options map[string]string `koanf:"options"`
}

// Validate reports every problem with the section at once.
func (c ConsensusConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c ConsensusConfig) check(p *problems) {
	d := Default().Consensus
	if !isEngineName(c.Engine) {
		p.add("consensus.engine", c.Engine,
			`must be an engine name of lower-case letters, digits, "-" and "_", e.g. %q`, d.Engine)
	}
	if c.Plugin != "" && !instanceName.MatchString(c.Plugin) {
		p.add("consensus.plugin", c.Plugin, "must be the name of a [[plugins.instance]] of kind consensus, or empty for a built-in engine")
	}
	checkPositiveDuration(p, "consensus.close_interval", c.CloseInterval, d.CloseInterval)
	checkPositiveDuration(p, "consensus.idle_interval", c.IdleInterval, d.IdleInterval)
	if c.CloseInterval > 0 && c.IdleInterval > 0 && c.IdleInterval < c.CloseInterval {
		p.add("consensus.idle_interval", c.IdleInterval,
			"is shorter than consensus.close_interval (%s): make it at least %s, or lower close_interval",
			c.CloseInterval, c.CloseInterval)
	}
	checkRange(p, "consensus.max_txs_per_ledger", int64(c.MaxTxsPerLedger), 1, 100000, int64(d.MaxTxsPerLedger))
	names := make([]string, 0, len(c.Options))
	for name := range c.Options {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "" || strings.ContainsAny(name, ". \t") {
			p.add("consensus.options", c.Options,
				`has the option name %q: names are non-empty words without "." or spaces, e.g. election_tick`, name)
		}
	}
}

func isEngineName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
