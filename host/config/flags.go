package config

import "github.com/spf13/pflag"

// flags are the command-line flags of jtd run, each overriding one key.
var flags = []struct {
	name, key, usage string
}{
	{"data-dir", "data_dir", "directory of the ledger database, genesis file and node key"},
	{"log-level", "log.level", "log level: trace, debug, info, warn or error"},
	{"log-format", "log.format", "log format: auto (text on a terminal, JSON otherwise), text or json"},
	{"ws-listen", "rpc.ws_listen", `WebSocket API address host:port ("" turns it off)`},
	{"http-listen", "rpc.http_listen", `admin HTTP JSON-RPC address host:port ("" turns it off)`},
	{"genesis", "chain.genesis_file", "genesis file; a relative path is relative to the data directory"},
	{"node-key", "node.key_file", "node key file; a relative path is relative to the data directory"},
	{"engine", "consensus.engine", "consensus engine: solo, rbft, or a plugin engine"},
}

// flagKey maps a flag name to the key it overrides.
var flagKey = func() map[string]string {
	m := make(map[string]string, len(flags))
	for _, f := range flags {
		m[f.name] = f.key
	}
	return m
}()

// RegisterFlags adds the flags of jtd run to fs: --data-dir, --log-level,
// --log-format, --ws-listen, --http-listen, --genesis, --node-key and
// --engine, each overriding one key (its help says which). Pass the same fs
// to Load as LoadOptions.Flags: only flags the user set override the file
// and the environment; the defaults shown in --help are the built-in ones.
// Like any pflag registration, it panics if fs already has one of these
// names.
func RegisterFlags(fs *pflag.FlagSet) {
	def := flatValues(Default())
	for _, f := range flags {
		fs.String(f.name, def[f.key].(string), f.usage+" (overrides "+f.key+")")
	}
}
