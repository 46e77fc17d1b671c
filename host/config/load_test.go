package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// writeConfig writes a TOML file into a fresh directory and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "node.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// parseFlags registers the jtd run flags on a new set and parses args.
func parseFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("jtd run", pflag.ContinueOnError)
	fs.String("config", "", "a flag of the command, not a key") // must be ignored
	RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func mustLoad(t *testing.T, opts LoadOptions) Config {
	t.Helper()
	c, err := Load(opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// loadError runs Load, which must fail, and returns the message.
func loadError(t *testing.T, opts LoadOptions) string {
	t.Helper()
	_, err := Load(opts)
	if err == nil {
		t.Fatal("Load succeeded, want an error")
	}
	return err.Error()
}

func TestLoadWithNoLayersGivesTheDefaults(t *testing.T) {
	got := mustLoad(t, LoadOptions{})
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Load(LoadOptions{}) =\n%+v\nwant Default() =\n%+v", got, want)
	}
	got = mustLoad(t, LoadOptions{Env: []string{}, Flags: parseFlags(t)})
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Load with an empty environment and no flags set =\n%+v\nwant Default()", got)
	}
}

func TestEachLayerOverridesThePreviousOnlyForKeysItSets(t *testing.T) {
	file := writeConfig(t, `
[log]
level = "debug"

[consensus]
engine = "rbft"

[rpc]
ws_listen = "0.0.0.0:6000"
http_listen = "0.0.0.0:6001"
`)
	env := []string{
		"JTD_LOG_LEVEL=warn",
		"JTD_LOG_FORMAT=json",
		"JTD_RPC_WS_LISTEN=127.0.0.1:7000",
	}
	flags := parseFlags(t, "--log-level=error", "--data-dir=/srv/jtd")

	c := mustLoad(t, LoadOptions{File: file, Env: env, Flags: flags})
	for _, tt := range []struct {
		key, got, want, from string
	}{
		{"log.level", c.Log.Level, "error", "flag over env over file"},
		{"data_dir", c.DataDir, "/srv/jtd", "flag over default"},
		{"log.format", c.Log.Format, "json", "env over default"},
		{"rpc.ws_listen", c.RPC.WSListen, "127.0.0.1:7000", "env over file"},
		{"rpc.http_listen", c.RPC.HTTPListen, "0.0.0.0:6001", "file over default"},
		{"consensus.engine", c.Consensus.Engine, "rbft", "file, not the unset --engine flag's default"},
		{"rpc.server_signing", c.RPC.ServerSigning, "auto", "default"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q (%s)", tt.key, tt.got, tt.want, tt.from)
		}
	}
	if c.Mempool != Default().Mempool || c.Store != Default().Store {
		t.Errorf("sections no layer touched changed: %+v %+v", c.Mempool, c.Store)
	}
}

func TestEnvironmentSetsEveryKindOfValue(t *testing.T) {
	c := mustLoad(t, LoadOptions{Env: []string{
		"JTD_MEMPOOL_MAX_TXS=5000",
		"JTD_CONSENSUS_CLOSE_INTERVAL=250ms",
		"JTD_STORE_SYNC_WRITES=false",
		"JTD_RPC_ADMIN_IPS= 10.0.0.1, 10.0.0.2 ,",
		"JTD_CHAIN_NETWORK_ID=4294967295",
		"JTD_RPC_REQUESTS_PER_SECOND=2.5",
		"JTD_STORE_VALUE_THRESHOLD=1024",
		"JTD_CONSENSUS_OPTIONS_ELECTION_TICK=10",
		"PATH=/usr/bin", // not ours: ignored
		"JTDX_ANYTHING=1",
		"jtd_log_level=nonsense",
	}})
	if c.Mempool.MaxTxs != 5000 || c.Consensus.CloseInterval != 250*time.Millisecond ||
		c.Store.SyncWrites || c.Chain.NetworkID != 4294967295 || c.RPC.RequestsPerSecond != 2.5 ||
		c.Store.ValueThreshold != 1024 || c.Log.Level != "info" {
		t.Errorf("values from the environment not applied: %+v", c)
	}
	if want := []string{"10.0.0.1", "10.0.0.2"}; !reflect.DeepEqual(c.RPC.AdminIPs, want) {
		t.Errorf("rpc.admin_ips = %q, want %q (comma-separated, trimmed)", c.RPC.AdminIPs, want)
	}
	if want := map[string]string{"election_tick": "10"}; !reflect.DeepEqual(c.Consensus.Options, want) {
		t.Errorf("consensus.options = %v, want %v", c.Consensus.Options, want)
	}
}

func TestListsAreReplacedWholeAndOptionsMergeByEntry(t *testing.T) {
	file := writeConfig(t, `
[consensus.options]
peers = "a,b"
tick = 10
fast = true

[rpc]
admin_ips = ["127.0.0.1", "10.0.0.1", "10.0.0.2"]
`)
	c := mustLoad(t, LoadOptions{File: file, Env: []string{
		"JTD_RPC_ADMIN_IPS=192.168.1.1",
		"JTD_CONSENSUS_OPTIONS_TICK=20",
		"JTD_CONSENSUS_OPTIONS_EXTRA=x",
	}})
	if want := []string{"192.168.1.1"}; !reflect.DeepEqual(c.RPC.AdminIPs, want) {
		t.Errorf("rpc.admin_ips = %q, want %q", c.RPC.AdminIPs, want)
	}
	want := map[string]string{"peers": "a,b", "tick": "20", "fast": "true", "extra": "x"}
	if !reflect.DeepEqual(c.Consensus.Options, want) {
		t.Errorf("consensus.options = %v, want %v", c.Consensus.Options, want)
	}
}

func TestUnknownKeyInTheFileIsAnErrorNamingIt(t *testing.T) {
	tests := []struct {
		name, toml, want string
	}{
		{"typo", "[rpc]\nws_lisen = \"127.0.0.1:5020\"\n", "config: rpc.ws_lisen (from FILE): unknown key: did you mean rpc.ws_listen?"},
		{"key outside its section", "max_txs = 5\n", "config: max_txs (from FILE): unknown key: did you mean mempool.max_txs?"},
		{"key in the wrong section", "[rpc]\nmax_txs = 5\n", "config: rpc.max_txs (from FILE): unknown key: did you mean mempool.max_txs?"},
		{"unknown section", "[metrics]\nlisten = \":9090\"\n", "config: metrics.listen (from FILE): unknown key"},
		{"section written as a value", "rpc = 5\n", "config: rpc = 5 (from FILE): is a section, not a value: write its keys under [rpc]"},
		{"table written as a value", "[consensus]\noptions = \"x\"\n", `config: consensus.options = "x" (from FILE): is a table`},
		{"nested option table", "[consensus.options.raft]\ntick = 1\n", "config: consensus.options.raft.tick = 1 (from FILE): consensus.options entries are name = \"value\" pairs"},
		{"option that is an array", "[consensus.options]\npeers = [\"a\"]\n", `want a string, number or boolean, got an array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeConfig(t, tt.toml)
			msg := loadError(t, LoadOptions{File: file})
			if want := strings.ReplaceAll(tt.want, "FILE", file); !strings.Contains(msg, want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", msg, want)
			}
		})
	}
}

func TestWrongTypeInTheFileNamesKeyFileAndExpectedType(t *testing.T) {
	tests := []struct {
		name, toml, want string
	}{
		{"string for a number", "[rpc]\nmax_connections = \"lots\"", `rpc.max_connections = "lots" (from FILE): want a whole number, got a string`},
		{"duration without a unit", "[consensus]\nclose_interval = 5", `consensus.close_interval = 5 (from FILE): want a duration in quotes with a unit`},
		{"bad duration", "[consensus]\nclose_interval = \"5 seconds\"", `want a duration such as "10s"`},
		{"number for a string", "[log]\nlevel = 3", `log.level = 3 (from FILE): want a string in quotes, got an integer`},
		{"string for a list", "[rpc]\nadmin_ips = \"127.0.0.1\"", `rpc.admin_ips = "127.0.0.1" (from FILE): want an array of strings`},
		{"number in a list", "[rpc]\nadmin_ips = [\"127.0.0.1\", 1]", `but an element is an integer`},
		{"negative network id", "[chain]\nnetwork_id = -1", `chain.network_id = -1 (from FILE): want a whole number from 0 to 4294967295`},
		{"string for a bool", "[store]\nsync_writes = \"yes\"", `store.sync_writes = "yes" (from FILE): want true or false, got a string`},
		{"float for an integer", "[mempool]\nmax_txs = 1e5", `mempool.max_txs = 100000 (from FILE): want a whole number, got a float`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeConfig(t, tt.toml)
			msg := loadError(t, LoadOptions{File: file})
			if want := strings.ReplaceAll(tt.want, "FILE", file); !strings.Contains(msg, want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", msg, want)
			}
		})
	}
}

func TestUnknownJTDVariableIsAnErrorNamingIt(t *testing.T) {
	msg := loadError(t, LoadOptions{Env: []string{"JTD_RPC_WS_LISEN=127.0.0.1:5020"}})
	want := "config: JTD_RPC_WS_LISEN (from environment): names no config key: did you mean JTD_RPC_WS_LISTEN?"
	if !strings.Contains(msg, want) {
		t.Errorf("error:\n%s\nwant it to contain:\n%s", msg, want)
	}
	msg = loadError(t, LoadOptions{Env: []string{"JTD_WS_LISTEN=:5020"}})
	if !strings.Contains(msg, "did you mean JTD_RPC_WS_LISTEN?") {
		t.Errorf("a variable without its section should suggest the full name: %s", msg)
	}
	msg = loadError(t, LoadOptions{Env: []string{"JTD_CONSENSUS_OPTIONS=a=1"}})
	if !strings.Contains(msg, "JTD_CONSENSUS_OPTIONS_<NAME>=value") {
		t.Errorf("the map variable itself should point at per-entry variables: %s", msg)
	}
}

func TestBadValuesFromEnvironmentAndFlagsNameTheirSource(t *testing.T) {
	msg := loadError(t, LoadOptions{Env: []string{"JTD_MEMPOOL_MAX_TXS=lots", "JTD_STORE_SYNC_WRITES=maybe"}})
	for _, want := range []string{
		`config: mempool.max_txs = "lots" (from JTD_MEMPOOL_MAX_TXS): want a whole number`,
		`config: store.sync_writes = "maybe" (from JTD_STORE_SYNC_WRITES): want true or false`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error:\n%s\nwant it to contain:\n%s", msg, want)
		}
	}
	msg = loadError(t, LoadOptions{Flags: parseFlags(t, "--log-level=loud")})
	if want := `config: log.level = "loud" (from --log-level): must be one of`; !strings.Contains(msg, want) {
		t.Errorf("error:\n%s\nwant it to contain:\n%s", msg, want)
	}
}

func TestValidationProblemsNameTheLayerThatSetTheValue(t *testing.T) {
	file := writeConfig(t, "[rpc]\nmax_connections = 0\n")
	_, err := Load(LoadOptions{File: file, Env: []string{"JTD_STORE_NUM_COMPACTORS=1"}})
	problems := keyErrors(t, err)
	if len(problems) != 2 {
		t.Fatalf("got %d problems, want 2: %v", len(problems), err)
	}
	if problems[0].Key != "rpc.max_connections" || problems[0].Source != file {
		t.Errorf("first problem %v: want rpc.max_connections from %s", problems[0], file)
	}
	if problems[1].Key != "store.num_compactors" || problems[1].Source != "JTD_STORE_NUM_COMPACTORS" {
		t.Errorf("second problem %v: want store.num_compactors from JTD_STORE_NUM_COMPACTORS", problems[1])
	}
}

func TestProblemsInSeveralLayersAreReportedTogether(t *testing.T) {
	file := writeConfig(t, "[rpc]\nws_lisen = \"x\"\n")
	msg := loadError(t, LoadOptions{File: file, Env: []string{"JTD_NOPE=1"}, Flags: parseFlags(t)})
	for _, want := range []string{"rpc.ws_lisen", "JTD_NOPE"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error:\n%s\nwant it to mention %s", msg, want)
		}
	}
}

func TestMalformedTOMLErrorNamesTheFileAndLine(t *testing.T) {
	file := writeConfig(t, "[log]\nlevel = \"info\"\nformat = text\n")
	msg := loadError(t, LoadOptions{File: file})
	if want := file + ":3:"; !strings.Contains(msg, want) {
		t.Errorf("error:\n%s\nwant it to contain %q (file:line)", msg, want)
	}
	if !strings.Contains(msg, "fix the TOML syntax") {
		t.Errorf("error %q does not say what to fix", msg)
	}

	file = writeConfig(t, "[rpc]\nmax_connections = 1\nmax_connections = 2\n")
	if msg := loadError(t, LoadOptions{File: file}); !strings.Contains(msg, file+":3:") {
		t.Errorf("a key set twice: error %q, want it to name %s:3", msg, file)
	}
}

func TestMissingFileIsAnErrorNamingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.toml")
	_, err := Load(LoadOptions{File: path})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing file) = %v, want an error wrapping fs.ErrNotExist", err)
	}
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "check the path") {
		t.Errorf("error %v: want it to name %s and the fix", err, path)
	}
}

func TestEmptyFileAndEmptySectionsChangeNothing(t *testing.T) {
	file := writeConfig(t, "# nothing yet\n[log]\n[consensus.options]\n")
	if got := mustLoad(t, LoadOptions{File: file}); !reflect.DeepEqual(got, Default()) {
		t.Errorf("Load(empty sections) = %+v, want the defaults", got)
	}
}

func TestFlagsOnlyOverrideWhenTheUserSetsThem(t *testing.T) {
	file := writeConfig(t, "data_dir = \"/from/file\"\n[rpc]\nws_listen = \"\"\n")
	c := mustLoad(t, LoadOptions{File: file, Flags: parseFlags(t, "--http-listen=")})
	if c.DataDir != "/from/file" || c.RPC.WSListen != "" {
		t.Errorf("unset flags overrode the file: data_dir %q, ws_listen %q", c.DataDir, c.RPC.WSListen)
	}
	if c.RPC.HTTPListen != "" {
		t.Errorf(`--http-listen="" should turn the HTTP API off, got %q`, c.RPC.HTTPListen)
	}
}

func TestEveryFlagSetsItsKey(t *testing.T) {
	fs := pflag.NewFlagSet("jtd run", pflag.ContinueOnError)
	RegisterFlags(fs)
	for _, f := range flags {
		if _, ok := fieldByKey[f.key]; !ok || fieldByKey[f.key].kind != kindString {
			t.Errorf("--%s maps to %q, which is not a string key", f.name, f.key)
			continue
		}
		fl := fs.Lookup(f.name)
		if fl == nil {
			t.Errorf("RegisterFlags did not add --%s", f.name)
			continue
		}
		if !strings.Contains(fl.Usage, f.key) {
			t.Errorf("--%s help %q does not name its key %s", f.name, fl.Usage, f.key)
		}
	}
	args := []string{
		"--data-dir=/d", "--log-level=debug", "--log-format=json", "--ws-listen=127.0.0.1:1",
		"--http-listen=127.0.0.1:2", "--genesis=/g.json", "--node-key=/k.json", "--engine=rbft",
	}
	c := mustLoad(t, LoadOptions{Flags: parseFlags(t, args...)})
	got := []string{c.DataDir, c.Log.Level, c.Log.Format, c.RPC.WSListen, c.RPC.HTTPListen,
		c.Chain.GenesisFile, c.Node.KeyFile, c.Consensus.Engine}
	want := []string{"/d", "debug", "json", "127.0.0.1:1", "127.0.0.1:2", "/g.json", "/k.json", "rbft"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flags gave %q, want %q", got, want)
	}
	if len(flags) != len(args) {
		t.Errorf("this test covers %d flags, RegisterFlags adds %d", len(args), len(flags))
	}
}

func TestRelativePathsInTheFileResolveAgainstItsDirectory(t *testing.T) {
	file := writeConfig(t, "data_dir = \"/var/lib/jtd\"\n[chain]\ngenesis_file = \"chains/main.json\"\n")
	c := mustLoad(t, LoadOptions{File: file})
	want := filepath.Join(filepath.Dir(file), "chains", "main.json")
	if c.Chain.GenesisFile != want || c.GenesisPath() != want {
		t.Errorf("genesis_file %q, GenesisPath() %q, want both %q", c.Chain.GenesisFile, c.GenesisPath(), want)
	}
	if got, want := c.NodeKeyPath(), filepath.Join("/var/lib/jtd", "node_key.json"); got != want {
		t.Errorf("default key file resolves to %q, want %q (in data_dir)", got, want)
	}
}

func TestRelativeConfigFilePathIsMadeAbsolute(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("etc", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("etc", "node.toml"), []byte("[node]\nkey_file = \"k.json\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, LoadOptions{File: "etc/node.toml"})
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(wd, "etc", "k.json"); c.NodeKeyPath() != want {
		t.Errorf("NodeKeyPath() = %q, want %q", c.NodeKeyPath(), want)
	}
}

func TestOtherRelativePathsResolveAgainstDataDir(t *testing.T) {
	c := mustLoad(t, LoadOptions{
		Env:   []string{"JTD_DATA_DIR=/srv/jtd", "JTD_CHAIN_GENESIS_FILE=chains/g.json"},
		Flags: parseFlags(t, "--node-key=keys/k.json"),
	})
	if got, want := c.GenesisPath(), filepath.Join("/srv/jtd", "chains", "g.json"); got != want {
		t.Errorf("GenesisPath() = %q, want %q", got, want)
	}
	if got, want := c.NodeKeyPath(), filepath.Join("/srv/jtd", "keys", "k.json"); got != want {
		t.Errorf("NodeKeyPath() = %q, want %q", got, want)
	}
	if got := c.Resolve("/abs/file"); got != "/abs/file" {
		t.Errorf("Resolve(absolute) = %q, want it unchanged", got)
	}
	d := Default()
	if got, want := d.GenesisPath(), filepath.Join("data", "genesis.json"); got != want {
		t.Errorf("default GenesisPath() = %q, want %q", got, want)
	}
}

func TestKeysListsEveryFieldOnceInOrder(t *testing.T) {
	keys := Keys()
	if len(keys) != 58 {
		t.Errorf("Keys() has %d keys, want 58 (update this test when adding one)", len(keys))
	}
	if keys[0] != "data_dir" || keys[len(keys)-1] != "blhr.max_ledger_kb" {
		t.Errorf("Keys() = %q..., want data_dir first and blhr.max_ledger_kb last", keys[:3])
	}
	seen := map[string]bool{}
	envs := map[string]string{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("key %s listed twice", k)
		}
		seen[k] = true
		e := envName(k)
		if other, ok := envs[e]; ok {
			t.Errorf("keys %s and %s share the variable %s", k, other, e)
		}
		envs[e] = k
	}
	if envName("rpc.ws_listen") != "JTD_RPC_WS_LISTEN" || envName("data_dir") != "JTD_DATA_DIR" {
		t.Errorf("env names: %s %s", envName("rpc.ws_listen"), envName("data_dir"))
	}
	keys[0] = "changed"
	if Keys()[0] != "data_dir" {
		t.Error("Keys() returns shared state")
	}
}
