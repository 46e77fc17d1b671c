package plugin

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// InstanceConfig is one configured plugin instance. host/config builds it
// from the operator's [[plugins.instance]] section; tests build it directly.
type InstanceConfig struct {
	// Name identifies the instance in logs, metrics, the API and errors.
	Name string
	Kind sdkplugin.Kind
	// Path is the absolute path of the plugin binary. Symlinks are resolved
	// before the checks, and the resolved file is what runs.
	Path string
	// SHA256 is the hex sha256 of the binary; required. A binary that does
	// not match is never started.
	SHA256 string
	Args   []string
	// Env is added to the plugin's environment. Point at files for secrets
	// rather than inlining them.
	Env map[string]string
	// EnvAllowlist names the host environment variables the plugin
	// inherits; every other host variable is dropped.
	EnvAllowlist []string

	// StartTimeout bounds the launch up to go-plugin's handshake.
	StartTimeout time.Duration
	// CallTimeout bounds every call; a call that runs into it marks the
	// instance Degraded and restarts it.
	CallTimeout time.Duration
	// HealthInterval is the time between health checks (process exited,
	// Ping answered within PingTimeout).
	HealthInterval time.Duration
	Restart        RestartPolicy
	// Config is the operator's settings for the plugin as a JSON object
	// (nil: none). Every launch checks it against the JSON Schema the plugin
	// declares, and the kind's Configure call carries it.
	Config json.RawMessage
	// DataDir is the instance's private directory (never the node's
	// database); the kind's Configure call carries it.
	DataDir string
}

// RestartPolicy says how a failed instance is relaunched.
type RestartPolicy struct {
	// MaxAttempts is how many consecutive failed launches the supervisor
	// tries before it marks the instance Failed and stops retrying.
	MaxAttempts int
	// BackoffMin and BackoffMax bound the wait before each attempt: it
	// doubles from BackoffMin on each consecutive failure up to BackoffMax,
	// and a random part of up to half of it is taken off (jitter) so that
	// instances that fail together do not relaunch together.
	BackoffMin, BackoffMax time.Duration
}

// Defaults for the zero fields of InstanceConfig.
const (
	DefaultStartTimeout   = 20 * time.Second
	DefaultCallTimeout    = 10 * time.Second
	DefaultHealthInterval = 10 * time.Second
	DefaultMaxAttempts    = 5
	DefaultBackoffMin     = time.Second
	DefaultBackoffMax     = time.Minute
)

// PingTimeout bounds one health ping; go-plugin's Ping carries no deadline.
const PingTimeout = 2 * time.Second

// FailedPingsBeforeRestart is how many consecutive health checks may fail
// to get a ping answer before the plugin is restarted; fewer mark it
// Degraded.
const FailedPingsBeforeRestart = 3

// WithDefaults returns c with its zero durations and attempts replaced by
// the defaults above.
func (c InstanceConfig) WithDefaults() InstanceConfig {
	set := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	set(&c.StartTimeout, DefaultStartTimeout)
	set(&c.CallTimeout, DefaultCallTimeout)
	set(&c.HealthInterval, DefaultHealthInterval)
	set(&c.Restart.BackoffMin, DefaultBackoffMin)
	set(&c.Restart.BackoffMax, DefaultBackoffMax)
	if c.Restart.MaxAttempts == 0 {
		c.Restart.MaxAttempts = DefaultMaxAttempts
	}
	return c
}

// reservedEnv are the variables go-plugin sets for the plugin; an instance
// may neither inherit nor set them.
var reservedEnv = []string{sdkplugin.MagicCookieKey, "PLUGIN_"}

// Validate reports every problem of c at once, each naming the instance and
// the field. It checks the config only; the binary is checked at launch.
func (c InstanceConfig) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("plugin instance %q: "+format, append([]any{c.Name}, args...)...))
	}
	if c.Name == "" {
		add("name is empty: give every instance a unique name")
	}
	if _, ok := protocols[c.Kind]; !ok {
		add("kind %q has no plugin protocol in this node: use one of %s", c.Kind, kindList())
	}
	if !filepath.IsAbs(c.Path) {
		add("path %q is not absolute", c.Path)
	}
	if b, err := hex.DecodeString(c.SHA256); err != nil || len(b) != 32 {
		add("sha256 %q is not 64 hex digits: run sha256sum %s and put the result here", c.SHA256, c.Path)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"start_timeout", c.StartTimeout}, {"call_timeout", c.CallTimeout}, {"health_interval", c.HealthInterval},
		{"restart.backoff_min", c.Restart.BackoffMin}, {"restart.backoff_max", c.Restart.BackoffMax},
	} {
		if d.v < 0 {
			add("%s is negative (%s)", d.name, d.v)
		}
	}
	if c.Restart.MaxAttempts < 0 {
		add("restart.max_attempts is negative (%d)", c.Restart.MaxAttempts)
	}
	if c.Restart.BackoffMin > 0 && c.Restart.BackoffMax > 0 && c.Restart.BackoffMin > c.Restart.BackoffMax {
		add("restart.backoff_min (%s) is above restart.backoff_max (%s)", c.Restart.BackoffMin, c.Restart.BackoffMax)
	}
	check := func(field, name string) {
		if name == "" || strings.ContainsAny(name, "=\x00") {
			add("%s has an invalid variable name %q", field, name)
		}
		for _, r := range reservedEnv {
			if strings.HasPrefix(name, r) {
				add("%s names %s, which go-plugin sets for the plugin", field, name)
			}
		}
	}
	for _, name := range c.EnvAllowlist {
		check("env_allowlist", name)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Env)) {
		check("env", name)
	}
	return errors.Join(errs...)
}
