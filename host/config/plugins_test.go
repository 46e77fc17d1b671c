package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sha = "3b7f0000000000000000000000000000000000000000000000000000000e91c0"

func TestPluginInstancesLoadWithDefaultsAndTheirOwnConfig(t *testing.T) {
	path := writeConfig(t, `
[plugins]
dir = "bin"

[[plugins.instance]]
name = "acme-cny"
kind = "gateway"
command = "jt-gateway-acme"
sha256 = "`+sha+`"
args = ["--region=cn"]
env = { ACME_TOKEN_FILE = "/etc/acme.token" }
restart = { max_attempts = 3 }
  [plugins.instance.config]
  currency = "CNY"
  poll_seconds = 5

[[plugins.instance]]
name = "idx"
kind = "indexer"
command = "sub/jt-indexer"
sha256 = "`+strings.ToUpper(sha)+`"
call_timeout = "2s"
`)
	c := mustLoad(t, LoadOptions{File: path})
	if len(c.Plugins.Instances) != 2 {
		t.Fatalf("%d instances", len(c.Plugins.Instances))
	}
	a, b := c.Plugins.Instances[0], c.Plugins.Instances[1]
	if a.Name != "acme-cny" || a.Kind != "gateway" || a.Args[0] != "--region=cn" || a.Env["ACME_TOKEN_FILE"] != "/etc/acme.token" ||
		a.Restart.MaxAttempts != 3 || a.Restart.BackoffMin != time.Second || a.StartTimeout != 20*time.Second ||
		a.Config["currency"] != "CNY" || a.Config["poll_seconds"] != int64(5) {
		t.Fatalf("first instance %+v", a)
	}
	if b.CallTimeout != 2*time.Second || b.Restart.MaxAttempts != 5 {
		t.Fatalf("second instance %+v", b)
	}
	// plugins.dir in the file is relative to the file.
	if want := filepath.Join(filepath.Dir(path), "bin", "sub", "jt-indexer"); c.PluginPath(b) != want {
		t.Fatalf("plugin path %s, want %s", c.PluginPath(b), want)
	}
	if len(mustLoad(t, LoadOptions{}).Plugins.Instances) != 0 {
		t.Fatal("instances by default")
	}
}

func TestBadPluginInstancesAreAllReportedByKey(t *testing.T) {
	msg := loadError(t, LoadOptions{File: writeConfig(t, `
[[plugins.instance]]
name = "Bad Name"
kind = "wallet"
command = "../escape"
sha256 = "xyz"
timeout = "1s"
call_timeout = 5
restart = { max_attempts = -1, backoff_min = "2m", backoff_max = "1m" }
env = { "BAD-NAME" = "x" }

[[plugins.instance]]
name = "twin"
kind = "vm"
command = "a"

[[plugins.instance]]
name = "twin"
kind = "vm"
command = "b"
sha256 = "`+sha+`"
`)})
	// Values of the wrong type or unknown keys are reported while reading.
	for _, want := range []string{
		"plugins.instance[0].timeout", "unknown key (known: name,",
		"plugins.instance[0].call_timeout", "a bare number has no unit", "plugins.instance[0].restart.max_attempts",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	// Values that parse but break a rule come from Validate, after loading.
	msg = loadError(t, LoadOptions{File: writeConfig(t, `
[[plugins.instance]]
name = "Bad Name"
kind = "wallet"
command = "../escape"
sha256 = "xyz"

[[plugins.instance]]
name = "nohash"
kind = "vm"
command = "a"

[[plugins.instance]]
name = "twin"
kind = "vm"
command = "a"
sha256 = "`+sha+`"
restart = { backoff_min = "2m", backoff_max = "1m" }
env = { "BAD-NAME" = "x" }

[[plugins.instance]]
name = "twin"
kind = "vm"
command = "b"
sha256 = "`+sha+`"
`)})
	for _, want := range []string{
		"plugins.instance[0].name", "plugins.instance[0].kind", "plugins.instance[0].command",
		"plugins.instance[0].sha256", "not 64 hex digits", "plugins.instance[1].sha256", "is missing", "sha256sum",
		"plugins.instance[2].restart", "plugins.instance[2].env.BAD-NAME", "plugins.instance[3].name", "two instances",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}
