package config

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// keyErrors returns the *KeyError problems joined in err.
func keyErrors(t *testing.T, err error) []*KeyError {
	t.Helper()
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out []*KeyError
	for _, e := range errs {
		var ke *KeyError
		if !errors.As(e, &ke) {
			t.Fatalf("problem %q is a %T, want *KeyError", e, e)
		}
		out = append(out, ke)
	}
	return out
}

func TestDefaultConfigIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestDefaultReturnsFreshSlicesAndMaps(t *testing.T) {
	a := Default()
	a.RPC.AdminIPs[0] = "10.9.9.9"
	a.Consensus.Options["x"] = "y"
	b := Default()
	if b.RPC.AdminIPs[0] != "127.0.0.1" || len(b.Consensus.Options) != 0 {
		t.Fatalf("Default() shares state between calls: %v %v", b.RPC.AdminIPs, b.Consensus.Options)
	}
}

func TestValidateRejectsEachBadValueNamingItsKey(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		key    string
		want   string // in the message
	}{
		{"empty data dir", func(c *Config) { c.DataDir = "" }, "data_dir", "is empty"},
		{"unknown log level", func(c *Config) { c.Log.Level = "verbose" }, "log.level", "trace, debug, info, warn, error"},
		{"unknown log format", func(c *Config) { c.Log.Format = "yaml" }, "log.format", "auto, text, json"},
		{"empty genesis file", func(c *Config) { c.Chain.GenesisFile = "" }, "chain.genesis_file", `genesis_file = "genesis.json"`},
		{"empty key file", func(c *Config) { c.Node.KeyFile = "" }, "node.key_file", `key_file = "node_key.json"`},
		{"key file is the genesis file", func(c *Config) { c.Node.KeyFile = "genesis.json" }, "node.key_file", "same file as chain.genesis_file"},

		{"empty engine", func(c *Config) { c.Consensus.Engine = "" }, "consensus.engine", "engine name"},
		{"engine with odd characters", func(c *Config) { c.Consensus.Engine = "Solo!" }, "consensus.engine", "lower-case"},
		{"zero close interval", func(c *Config) { c.Consensus.CloseInterval = 0 }, "consensus.close_interval", "positive duration"},
		{"negative idle interval", func(c *Config) { c.Consensus.IdleInterval = -time.Second }, "consensus.idle_interval", "positive duration"},
		{"idle shorter than close", func(c *Config) {
			c.Consensus.CloseInterval = 5 * time.Second
			c.Consensus.IdleInterval = 2 * time.Second
		}, "consensus.idle_interval", "at least 5s"},
		{"no txs per ledger", func(c *Config) { c.Consensus.MaxTxsPerLedger = 0 }, "consensus.max_txs_per_ledger", "between 1 and 100000"},
		{"too many txs per ledger", func(c *Config) { c.Consensus.MaxTxsPerLedger = 100001 }, "consensus.max_txs_per_ledger", "between 1 and 100000"},
		{"option name with a dot", func(c *Config) { c.Consensus.Options = map[string]string{"a.b": "x"} }, "consensus.options", `"a.b"`},

		{"ws listen without port", func(c *Config) { c.RPC.WSListen = "localhost" }, "rpc.ws_listen", "missing port"},
		{"ws listen port out of range", func(c *Config) { c.RPC.WSListen = "127.0.0.1:99999" }, "rpc.ws_listen", "0 to 65535"},
		{"http listen with a bad host", func(c *Config) { c.RPC.HTTPListen = "bad host!:80" }, "rpc.http_listen", "host name"},
		{"both APIs on one address", func(c *Config) { c.RPC.HTTPListen = c.RPC.WSListen }, "rpc.http_listen", "own port"},
		{"unknown server signing", func(c *Config) { c.RPC.ServerSigning = "yes" }, "rpc.server_signing", "auto, on, off"},
		{"tiny frames", func(c *Config) { c.RPC.MaxFrameBytes = 100 }, "rpc.max_frame_bytes", "between 1024 and 67108864"},
		{"huge frames", func(c *Config) { c.RPC.MaxFrameBytes = 128 << 20 }, "rpc.max_frame_bytes", "between"},
		{"no body", func(c *Config) { c.RPC.MaxBodyBytes = 0 }, "rpc.max_body_bytes", "between"},
		{"no connections", func(c *Config) { c.RPC.MaxConnections = 0 }, "rpc.max_connections", "at least 1"},
		{"no connections per ip", func(c *Config) { c.RPC.MaxConnectionsPerIP = 0 }, "rpc.max_connections_per_ip", "at least 1"},
		{"more per ip than in total", func(c *Config) { c.RPC.MaxConnectionsPerIP = 2000 }, "rpc.max_connections_per_ip", "at most 1000"},
		{"zero request rate", func(c *Config) { c.RPC.RequestsPerSecond = 0 }, "rpc.requests_per_second", "more than 0"},
		{"NaN request rate", func(c *Config) { c.RPC.RequestsPerSecond = math.NaN() }, "rpc.requests_per_second", "more than 0"},
		{"zero burst", func(c *Config) { c.RPC.RequestsBurst = 0 }, "rpc.requests_burst", "at least 1"},
		{"negative ip rate", func(c *Config) { c.RPC.IPRequestsPerSecond = -1 }, "rpc.ip_requests_per_second", "more than 0"},
		{"negative ip burst", func(c *Config) { c.RPC.IPRequestsBurst = -1 }, "rpc.ip_requests_burst", "at least 0"},
		{"no subscriptions", func(c *Config) { c.RPC.MaxSubscriptions = 0 }, "rpc.max_subscriptions", "at least 1"},
		{"no send queue", func(c *Config) { c.RPC.SendQueue = 0 }, "rpc.send_queue", "at least 1"},
		{"zero write timeout", func(c *Config) { c.RPC.WriteTimeout = 0 }, "rpc.write_timeout", "positive duration"},
		{"negative request timeout", func(c *Config) { c.RPC.RequestTimeout = -time.Second }, "rpc.request_timeout", "positive duration"},
		{"admin ip that is a name", func(c *Config) { c.RPC.AdminIPs = []string{"localhost"} }, "rpc.admin_ips", `"localhost"`},
		{"admin prefix too short for mapped IPv4", func(c *Config) { c.RPC.AdminIPs = []string{"::ffff:0:0/90"} }, "rpc.admin_ips", "CIDR"},

		{"empty pool", func(c *Config) { c.Mempool.MaxTxs = 0 }, "mempool.max_txs", "between 1 and 1073741824"},
		{"pool too large to square", func(c *Config) { c.Mempool.MaxTxs = 1<<30 + 1 }, "mempool.max_txs", "between 1 and 1073741824"},
		{"no txs per account", func(c *Config) { c.Mempool.MaxPerAccount = 0 }, "mempool.max_per_account", "between"},
		{"more per account than in total", func(c *Config) { c.Mempool.MaxTxs = 10 }, "mempool.max_per_account", "at most 10"},
		{"no sequence window", func(c *Config) { c.Mempool.SequenceWindow = 0 }, "mempool.sequence_window", "between"},
		{"no ledger target", func(c *Config) { c.Mempool.LedgerTarget = 0 }, "mempool.ledger_target", "between"},
		{"ledger target above the ledger cap", func(c *Config) { c.Mempool.LedgerTarget = 30000 }, "mempool.ledger_target", "consensus.max_txs_per_ledger"},
		{"no retries", func(c *Config) { c.Mempool.Retries = 0 }, "mempool.retries", "between"},

		{"tiny memtable", func(c *Config) { c.Store.MemTableMB = 4 }, "store.memtable_mb", "between 8 and 1024"},
		{"huge memtable", func(c *Config) { c.Store.MemTableMB = 2048 }, "store.memtable_mb", "between 8 and 1024"},
		{"one memtable", func(c *Config) { c.Store.NumMemtables = 1 }, "store.num_memtables", "at least 2"},
		{"no block cache", func(c *Config) { c.Store.BlockCacheMB = 0 }, "store.block_cache_mb", "at least 1"},
		{"negative index cache", func(c *Config) { c.Store.IndexCacheMB = -1 }, "store.index_cache_mb", "at least 0"},
		{"one compactor", func(c *Config) { c.Store.NumCompactors = 1 }, "store.num_compactors", "at least 2"},
		{"zero value threshold", func(c *Config) { c.Store.ValueThreshold = 0 }, "store.value_threshold", "between 1 and 1048576"},
		{"value threshold above badger's cap", func(c *Config) { c.Store.ValueThreshold = 2 << 20 }, "store.value_threshold", "between"},
		{"zero gc interval", func(c *Config) { c.Store.ValueLogGCInterval = 0 }, "store.value_log_gc_interval", "positive duration"},
		{"gc ratio 0", func(c *Config) { c.Store.ValueLogGCRatio = 0 }, "store.value_log_gc_ratio", "strictly between 0 and 1"},
		{"gc ratio 1", func(c *Config) { c.Store.ValueLogGCRatio = 1 }, "store.value_log_gc_ratio", "strictly between 0 and 1"},
		{"no ledgers in memory", func(c *Config) { c.Store.InMemoryLedgers = 0 }, "store.in_memory_ledgers", "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mutate(&c)
			problems := keyErrors(t, c.Validate())
			if len(problems) != 1 {
				t.Fatalf("Validate() reported %d problems, want 1: %v", len(problems), c.Validate())
			}
			ke := problems[0]
			if ke.Key != tt.key {
				t.Errorf("problem is about %q, want %q: %v", ke.Key, tt.key, ke)
			}
			msg := ke.Error()
			if !strings.HasPrefix(msg, "config: "+tt.key) || !strings.Contains(msg, tt.want) {
				t.Errorf("message %q: want it to start with %q and contain %q", msg, "config: "+tt.key, tt.want)
			}
		})
	}
}

func TestValidateAcceptsEdgeValues(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
	}{
		{"WebSocket API off", func(c *Config) { c.RPC.WSListen = "" }},
		{"both APIs off", func(c *Config) { c.RPC.WSListen, c.RPC.HTTPListen = "", "" }},
		{"all interfaces", func(c *Config) { c.RPC.WSListen = ":5020" }},
		{"IPv6 loopback", func(c *Config) { c.RPC.WSListen = "[::1]:5020" }},
		{"host name", func(c *Config) { c.RPC.HTTPListen = "node-1.internal:5050" }},
		{"both on ephemeral ports", func(c *Config) { c.RPC.WSListen, c.RPC.HTTPListen = "127.0.0.1:0", "127.0.0.1:0" }},
		{"no admins", func(c *Config) { c.RPC.AdminIPs = nil }},
		{"admin prefixes", func(c *Config) { c.RPC.AdminIPs = []string{"10.0.0.0/8", "fd00::/8", "::ffff:192.168.0.0/112"} }},
		{"idle equals close", func(c *Config) { c.Consensus.IdleInterval = c.Consensus.CloseInterval }},
		{"fractional rate", func(c *Config) { c.RPC.RequestsPerSecond = 0.5 }},
		{"unbounded index cache", func(c *Config) { c.Store.IndexCacheMB = 0 }},
		{"ledger target equals the ledger cap", func(c *Config) { c.Mempool.LedgerTarget = c.Consensus.MaxTxsPerLedger }},
		{"largest network id", func(c *Config) { c.Chain.NetworkID = math.MaxUint32 }},
		{"engine options", func(c *Config) { c.Consensus.Options = map[string]string{"election_tick": "10"} }},
		{"plugin engine", func(c *Config) { c.Consensus.Engine = "raft-v2" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mutate(&c)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	c := Default()
	c.Log.Level = "loud"
	c.RPC.WSListen = "nowhere"
	c.Mempool.MaxTxs = -1
	c.Store.ValueLogGCRatio = 2
	err := c.Validate()
	want := []string{"log.level", "rpc.ws_listen", "mempool.max_txs", "store.value_log_gc_ratio"}
	problems := keyErrors(t, err)
	if len(problems) != len(want) {
		t.Fatalf("Validate() reported %d problems, want %d:\n%v", len(problems), len(want), err)
	}
	for i, key := range want {
		if problems[i].Key != key {
			t.Errorf("problem %d is about %q, want %q", i, problems[i].Key, key)
		}
		if !strings.Contains(err.Error(), "config: "+key+" = ") {
			t.Errorf("message does not name %s with its value:\n%v", key, err)
		}
	}
}

func TestSectionValidateChecksOnlyItsSection(t *testing.T) {
	c := Default()
	c.RPC.MaxConnections = 0
	c.Store.NumCompactors = 1
	if err := c.RPC.Validate(); err == nil || !strings.Contains(err.Error(), "rpc.max_connections") {
		t.Errorf("RPC.Validate() = %v, want the rpc.max_connections problem", err)
	}
	if err := c.Store.Validate(); err == nil || strings.Contains(err.Error(), "rpc.") {
		t.Errorf("Store.Validate() = %v, want only the store problem", err)
	}
	for name, err := range map[string]error{
		"Log": c.Log.Validate(), "Chain": c.Chain.Validate(), "Node": c.Node.Validate(),
		"Consensus": c.Consensus.Validate(), "Mempool": c.Mempool.Validate(),
	} {
		if err != nil {
			t.Errorf("%s.Validate() = %v, want nil", name, err)
		}
	}
}

func TestKeyErrorReadsAsKeyValueSourceAndFix(t *testing.T) {
	e := &KeyError{Key: "rpc.max_connections", Value: "0", Source: "JTD_RPC_MAX_CONNECTIONS", Problem: "must be at least 1 (default 1000)"}
	want := "config: rpc.max_connections = 0 (from JTD_RPC_MAX_CONNECTIONS): must be at least 1 (default 1000)"
	if got := e.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	e = &KeyError{Key: "data_dir", Problem: "is empty"}
	if got := e.Error(); got != "config: data_dir: is empty" {
		t.Errorf("Error() = %q", got)
	}
}
