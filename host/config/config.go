package config

import (
	"path/filepath"
	"time"
)

// Config is the node's whole configuration. The koanf tags are the keys of
// the TOML file; the JTD_* variable of a key is its path upper-cased with "."
// replaced by "_" (rpc.ws_listen is JTD_RPC_WS_LISTEN).
type Config struct {
	// DataDir holds the ledger database and, unless chain.genesis_file or
	// node.key_file say otherwise, the genesis file and the node key that
	// jtd init writes. A relative data_dir is relative to the working
	// directory of the node. Default "./data".
	DataDir string `koanf:"data_dir"`

	Log       LogConfig       `koanf:"log"`
	Chain     ChainConfig     `koanf:"chain"`
	Node      NodeConfig      `koanf:"node"`
	Consensus ConsensusConfig `koanf:"consensus"`
	RPC       RPCConfig       `koanf:"rpc"`
	Mempool   MempoolConfig   `koanf:"mempool"`
	Store     StoreConfig     `koanf:"store"`
	P2P       P2PConfig       `koanf:"p2p"`
	Plugins   PluginsConfig   `koanf:"plugins"`
	BLHR      BLHRConfig      `koanf:"blhr"`
}

// Default returns the built-in configuration: a single node on loopback with
// the solo engine, its data in ./data. It is valid as it is. Every call
// returns fresh slices and maps, so callers may modify the result.
func Default() Config {
	return Config{
		DataDir: "./data",
		Log: LogConfig{
			Level:  "info",
			Format: LogFormatAuto,
		},
		Chain: ChainConfig{
			GenesisFile: "genesis.json",
			NetworkID:   0,
		},
		Node: NodeConfig{
			KeyFile: "node_key.json",
		},
		Consensus: ConsensusConfig{
			Engine:          "solo",
			CloseInterval:   time.Second,
			IdleInterval:    10 * time.Second,
			MaxTxsPerLedger: 12000,
			Options:         map[string]string{},
		},
		RPC: RPCConfig{
			WSListen:            "127.0.0.1:5020",
			HTTPListen:          "127.0.0.1:5050",
			ServerSigning:       SigningAuto,
			MaxFrameBytes:       1 << 20,
			MaxBodyBytes:        1 << 20,
			MaxConnections:      1000,
			MaxConnectionsPerIP: 100,
			RequestsPerSecond:   500,
			RequestsBurst:       1000,
			IPRequestsPerSecond: 2000,
			IPRequestsBurst:     0,
			MaxSubscriptions:    200,
			SendQueue:           2048,
			WriteTimeout:        10 * time.Second,
			RequestTimeout:      30 * time.Second,
			AdminIPs:            []string{"127.0.0.1", "::1"},
		},
		Mempool: MempoolConfig{
			MaxTxs:         100000,
			MaxPerAccount:  64,
			SequenceWindow: 64,
			LedgerTarget:   5000,
			Retries:        10,
		},
		Store: StoreConfig{
			SyncWrites:         true,
			MemTableMB:         64,
			NumMemtables:       3,
			BlockCacheMB:       64,
			IndexCacheMB:       64,
			NumCompactors:      2,
			ValueThreshold:     512,
			ValueLogGCInterval: 10 * time.Minute,
			ValueLogGCRatio:    0.5,
			InMemoryLedgers:    256,
		},
		BLHR: BLHRConfig{
			MaxData:           65536,
			UnsignedPerSecond: 20,
			UnsignedBurst:     100,
			MaxPending:        200000,
			MaxPendingMB:      256,
			MaxPerLedger:      25000,
			MaxLedgerKB:       4096,
		},
		P2P: P2PConfig{Listen: []string{}, Peers: []string{}},
		Plugins: PluginsConfig{
			Dir:            "plugins",
			EnvAllowlist:   []string{"PATH", "TMPDIR", "TZ"},
			HealthInterval: 10 * time.Second,
		},
	}
}

// Validate checks every section and the rules that tie sections together. It
// reports every problem at once: the error is an errors.Join of *KeyError,
// one per problem, each naming the key and the fix.
func (c Config) Validate() error {
	var p problems
	if c.DataDir == "" {
		p.add("data_dir", c.DataDir, `is empty: name the directory for the node's data, e.g. "./data"`)
	}
	c.Log.check(&p)
	c.Chain.check(&p)
	c.Node.check(&p)
	c.Consensus.check(&p)
	c.RPC.check(&p)
	c.Mempool.check(&p)
	c.Store.check(&p)
	c.P2P.check(&p)
	c.Plugins.check(&p)
	c.BLHR.check(&p)

	if c.Mempool.LedgerTarget > c.Consensus.MaxTxsPerLedger && c.Consensus.MaxTxsPerLedger > 0 {
		p.add("mempool.ledger_target", c.Mempool.LedgerTarget,
			"is more than consensus.max_txs_per_ledger (%d), so fees would never escalate: lower it to at most %d",
			c.Consensus.MaxTxsPerLedger, c.Consensus.MaxTxsPerLedger)
	}
	if c.Consensus.Plugin != "" {
		found := false
		for _, in := range c.Plugins.Instances {
			if in.Name == c.Consensus.Plugin {
				found = true
				if in.Kind != "consensus" {
					p.add("consensus.plugin", c.Consensus.Plugin, "names a plugin instance of kind %q: it must be of kind consensus", in.Kind)
				}
			}
		}
		if !found {
			p.add("consensus.plugin", c.Consensus.Plugin, "names no [[plugins.instance]]: add one of kind consensus with this name, or leave consensus.plugin empty for a built-in engine")
		}
	}
	if c.Chain.GenesisFile != "" && c.GenesisPath() == c.NodeKeyPath() {
		p.add("node.key_file", c.Node.KeyFile,
			"is the same file as chain.genesis_file (%s): give the node key its own file", c.GenesisPath())
	}
	return p.err()
}

// Resolve returns where a file named in the configuration lives. An absolute
// path is returned as it is; a relative one is joined to DataDir. Paths
// written in the config file reach here already absolute: Load joins them to
// the file's directory, so a config file and the files it names can move
// together, while defaults, JTD_* variables and flags name files in DataDir
// (where jtd init writes them).
func (c Config) Resolve(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(c.DataDir, path)
}

// GenesisPath is chain.genesis_file resolved (see Resolve).
func (c Config) GenesisPath() string { return c.Resolve(c.Chain.GenesisFile) }

// NodeKeyPath is node.key_file resolved (see Resolve).
func (c Config) NodeKeyPath() string { return c.Resolve(c.Node.KeyFile) }

// pathKeys are the keys naming files that follow the Resolve rule. Load makes
// a relative value of one of them absolute when it comes from the file.
var pathKeys = map[string]bool{
	"chain.genesis_file":  true,
	"node.key_file":       true,
	"plugins.dir":         true,
	"plugins.sha256_file": true,
}
