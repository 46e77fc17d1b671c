package config

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// PluginsConfig is [plugins]: where plugin binaries live, what environment
// they may see, and the plugin instances the node runs. Plugins are separate
// processes the node launches (consensus variants, contract VMs, gateway
// adapters, indexers); see host/plugin.
type PluginsConfig struct {
	// Dir holds the plugin binaries; every instance's command is a path
	// inside it (no "..", no absolute path). A relative dir in the config
	// file is relative to the file. Default "plugins", in data_dir.
	Dir string `koanf:"dir"`
	// EnvAllowlist names the node's environment variables a plugin may see;
	// everything else is dropped. Default ["PATH", "TMPDIR", "TZ"].
	EnvAllowlist []string `koanf:"env_allowlist"`
	// HealthInterval is how often each plugin is pinged. Default "10s".
	HealthInterval time.Duration `koanf:"health_interval"`
	// SHA256File is a list of binary hashes in `sha256sum` format ("<hex>
	// <name>" per line, names relative to Dir). An instance without a sha256
	// of its own takes its command's hash from it; a hash in the instance
	// wins. A relative path in the config file is relative to the file.
	// Default empty (every instance carries its sha256).
	SHA256File string `koanf:"sha256_file"`

	// Instances are the [[plugins.instance]] tables of the config file (they
	// cannot be set from the environment or flags).
	Instances []PluginInstance `koanf:"-"`
}

// PluginInstance is one [[plugins.instance]] table.
type PluginInstance struct {
	// Name identifies the instance in logs, metrics and the API:
	// lower-case letters, digits, "-" and "_", at most 64.
	Name string
	// Kind is consensus, vm, gateway or indexer.
	Kind string
	// Command is the binary, relative to plugins.dir.
	Command string
	// SHA256 is the binary's hash in hex; required: a binary that does not
	// match is refused.
	SHA256 string
	Args   []string
	// Env adds variables to the plugin's environment (point at files for
	// secrets rather than inlining them).
	Env          map[string]string
	StartTimeout time.Duration // default 20s
	CallTimeout  time.Duration // default 10s
	Restart      PluginRestart
	// Config is the plugin's own configuration, validated by the plugin
	// against the schema it declares.
	Config map[string]any
}

// PluginRestart is an instance's restart policy.
type PluginRestart struct {
	MaxAttempts int           // consecutive failed restarts before giving up; default 5
	BackoffMin  time.Duration // default 1s
	BackoffMax  time.Duration // default 1m
}

// PluginKinds are the kinds of plugin the node runs.
var PluginKinds = []string{"consensus", "vm", "gateway", "indexer"}

var (
	instanceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	envVarName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Instance defaults.
const (
	defaultStartTimeout = 20 * time.Second
	defaultCallTimeout  = 10 * time.Second
	defaultMaxAttempts  = 5
	defaultBackoffMin   = time.Second
	defaultBackoffMax   = time.Minute
	maxPluginInstances  = 64
)

// instanceKeys are the keys of a [[plugins.instance]] table.
var instanceKeys = []string{"name", "kind", "command", "sha256", "args", "env", "start_timeout", "call_timeout", "restart", "config"}

// parseInstances reads the [[plugins.instance]] array of tables strictly:
// every unknown key, wrong type and bad value is a problem naming
// plugins.instance[i].key. Defaults fill what a table leaves out.
func parseInstances(v any, source string, fail func(key, value, source, format string, args ...any)) []PluginInstance {
	list, ok := v.([]any)
	if !ok {
		fail("plugins.instance", tomlValue(v), source, "write each instance as a [[plugins.instance]] table")
		return nil
	}
	if len(list) > maxPluginInstances {
		fail("plugins.instance", "", source, "%d instances: at most %d", len(list), maxPluginInstances)
		return nil
	}
	var out []PluginInstance
	for i, e := range list {
		t, ok := e.(map[string]any)
		key := func(k string) string { return fmt.Sprintf("plugins.instance[%d].%s", i, k) }
		if !ok {
			fail(fmt.Sprintf("plugins.instance[%d]", i), tomlValue(e), source, "want a table")
			continue
		}
		in := PluginInstance{StartTimeout: defaultStartTimeout, CallTimeout: defaultCallTimeout,
			Restart: PluginRestart{MaxAttempts: defaultMaxAttempts, BackoffMin: defaultBackoffMin, BackoffMax: defaultBackoffMax}}
		str := func(k string, dst *string) {
			if x, present := t[k]; present {
				if s, ok := x.(string); ok {
					*dst = s
				} else {
					fail(key(k), tomlValue(x), source, "want a string in quotes, got %s", tomlType(x))
				}
			}
		}
		dur := func(k string, x any, dst *time.Duration) {
			val, problem := field{kind: kindDuration}.fromTOML(x)
			if problem != "" {
				fail(key(k), tomlValue(x), source, "%s", problem)
				return
			}
			*dst = val.(time.Duration)
		}
		for _, k := range sortedKeys(t) {
			x := t[k]
			switch k {
			case "name", "kind", "command", "sha256":
			case "args":
				val, problem := field{kind: kindStrings}.fromTOML(x)
				if problem != "" {
					fail(key(k), tomlValue(x), source, "%s", problem)
				} else {
					in.Args = val.([]string)
				}
			case "env":
				m, ok := x.(map[string]any)
				if !ok {
					fail(key(k), tomlValue(x), source, `want a table of NAME = "value"`)
					continue
				}
				in.Env = map[string]string{}
				for _, name := range sortedKeys(m) {
					ev := m[name]
					s, ok := ev.(string)
					if !ok {
						fail(key(k)+"."+name, tomlValue(ev), source, "want a string in quotes, got %s", tomlType(ev))
						continue
					}
					in.Env[name] = s
				}
			case "start_timeout":
				dur(k, x, &in.StartTimeout)
			case "call_timeout":
				dur(k, x, &in.CallTimeout)
			case "restart":
				m, ok := x.(map[string]any)
				if !ok {
					fail(key(k), tomlValue(x), source, "want a table with max_attempts, backoff_min, backoff_max")
					continue
				}
				for _, rk := range sortedKeys(m) {
					rv := m[rk]
					switch rk {
					case "max_attempts":
						if n, ok := rv.(int64); ok && n >= 0 && n <= 1000 {
							in.Restart.MaxAttempts = int(n)
						} else {
							fail(key(k)+"."+rk, tomlValue(rv), source, "want a whole number from 0 to 1000")
						}
					case "backoff_min":
						dur(k+"."+rk, rv, &in.Restart.BackoffMin)
					case "backoff_max":
						dur(k+"."+rk, rv, &in.Restart.BackoffMax)
					default:
						fail(key(k)+"."+rk, "", source, "unknown key (known: max_attempts, backoff_min, backoff_max)")
					}
				}
			case "config":
				m, ok := x.(map[string]any)
				if !ok {
					fail(key(k), tomlValue(x), source, "want a table: the plugin's own settings")
					continue
				}
				in.Config = m
			default:
				problem := "unknown key"
				if s := suggest(k, instanceKeys, "_"); s != "" {
					problem += fmt.Sprintf(": did you mean %s?", s)
				}
				fail(key(k), "", source, "%s (known: %s)", problem, strings.Join(instanceKeys, ", "))
			}
		}
		str("name", &in.Name)
		str("kind", &in.Kind)
		str("command", &in.Command)
		str("sha256", &in.SHA256)
		out = append(out, in)
	}
	return out
}

func (c PluginsConfig) check(p *problems) {
	for i, v := range c.EnvAllowlist {
		if !envVarName.MatchString(v) {
			p.add(fmt.Sprintf("plugins.env_allowlist[%d]", i), v, "must be an environment variable name")
		}
	}
	if c.HealthInterval < 100*time.Millisecond || c.HealthInterval > time.Hour {
		p.add("plugins.health_interval", c.HealthInterval, "must be from 100ms to 1h")
	}
	if len(c.Instances) > 0 && c.Dir == "" {
		p.add("plugins.dir", c.Dir, "is empty but plugin instances are configured: name the directory of the plugin binaries")
	}
	seen := map[string]bool{}
	for i, in := range c.Instances {
		key := func(k string) string { return fmt.Sprintf("plugins.instance[%d].%s", i, k) }
		switch {
		case !instanceName.MatchString(in.Name):
			p.add(key("name"), in.Name, `must be 1 to 64 lower-case letters, digits, "-" or "_", starting with a letter or digit`)
		case seen[in.Name]:
			p.add(key("name"), in.Name, "is used by two instances: give each its own name")
		}
		seen[in.Name] = true
		known := false
		for _, k := range PluginKinds {
			known = known || in.Kind == k
		}
		if !known {
			p.add(key("kind"), in.Kind, "must be one of %s", strings.Join(PluginKinds, ", "))
		}
		clean := filepath.Clean(in.Command)
		if in.Command == "" || filepath.IsAbs(in.Command) || clean == ".." || strings.HasPrefix(clean, "../") {
			p.add(key("command"), in.Command, "must be a path inside plugins.dir (relative, without ..)")
		}
		if in.SHA256 == "" && c.SHA256File != "" {
			// Taken from the hash list when the node starts.
		} else if b, err := hex.DecodeString(in.SHA256); err != nil || len(b) != 32 {
			what := "is not 64 hex digits"
			if in.SHA256 == "" {
				what = "is missing: the node runs only plugin binaries it can verify"
			}
			p.add(key("sha256"), in.SHA256, "%s; if you trust the binary, run `sha256sum %s` and put its first field here",
				what, filepath.Join(c.Dir, clean))
		}
		for name := range in.Env {
			if !envVarName.MatchString(name) {
				p.add(key("env")+"."+name, nil, "is not an environment variable name")
			}
		}
		if in.StartTimeout <= 0 || in.StartTimeout > 10*time.Minute {
			p.add(key("start_timeout"), in.StartTimeout, "must be from 1ms to 10m")
		}
		if in.CallTimeout <= 0 || in.CallTimeout > 10*time.Minute {
			p.add(key("call_timeout"), in.CallTimeout, "must be from 1ms to 10m")
		}
		if r := in.Restart; r.BackoffMin <= 0 || r.BackoffMax < r.BackoffMin || r.BackoffMax > time.Hour {
			p.add(key("restart"), nil, "backoff_min must be positive and at most backoff_max, which is at most 1h")
		}
	}
}

// PluginPath is an instance's binary resolved against plugins.dir (and
// data_dir when the dir is relative).
func (c Config) PluginPath(in PluginInstance) string {
	return filepath.Join(c.Resolve(c.Plugins.Dir), filepath.Clean(in.Command))
}

// maxSHA256File bounds the hash list plugins.sha256_file names.
const maxSHA256File = 1 << 20

// FillPluginHashes gives every instance without a sha256 the hash that
// plugins.sha256_file lists for its command, and reports every instance
// still without one. The node calls it at start: the list is read then,
// not when the config is loaded, so a config can name a list that a build
// writes later (`make plugins`).
func (c *Config) FillPluginHashes() error {
	var p problems
	if c.Plugins.SHA256File != "" && len(c.Plugins.Instances) > 0 {
		path := c.Resolve(c.Plugins.SHA256File)
		if err := fillSHA256(c.Plugins.Instances, path); err != nil {
			p.add("plugins.sha256_file", c.Plugins.SHA256File, "%v", err)
			return p.err()
		}
	}
	for i, in := range c.Plugins.Instances {
		if in.SHA256 == "" {
			p.add(fmt.Sprintf("plugins.instance[%d].sha256", i), in.SHA256,
				"is missing and plugins.sha256_file does not list %q: the node runs only plugin binaries it can verify; if you trust the binary, run `sha256sum %s` and put its first field here",
				in.Command, c.PluginPath(in))
		}
	}
	return p.err()
}

// fillSHA256 gives every instance without a sha256 the hash that the
// sha256sum-format file at path lists for its command.
func fillSHA256(ins []PluginInstance, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read it: %w (build the plugins, or give each instance its sha256)", err)
	}
	if len(b) > maxSHA256File {
		return fmt.Errorf("%s is %d bytes; a hash list is at most %d", path, len(b), maxSHA256File)
	}
	sums := map[string]string{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, name, ok := strings.Cut(line, " ")
		name = strings.TrimPrefix(strings.TrimSpace(name), "*") // sha256sum's binary-mode marker
		if h, err := hex.DecodeString(sum); !ok || err != nil || len(h) != 32 || name == "" {
			return fmt.Errorf("%s line %d is not `<64 hex digits>  <file>` (the output of sha256sum)", path, i+1)
		}
		sums[filepath.Clean(name)] = strings.ToLower(sum)
	}
	for i := range ins {
		if ins[i].SHA256 == "" {
			ins[i].SHA256 = sums[filepath.Clean(ins[i].Command)]
		}
	}
	return nil
}
