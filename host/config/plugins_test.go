package config

import (
	"os"
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

func TestSHA256FileFillsMissingHashesAndInstanceHashesWin(t *testing.T) {
	own := strings.Repeat("ab", 32)
	path := writeConfig(t, `
[consensus]
engine = "solo"
plugin = "solo"

[plugins]
dir = "bin"
sha256_file = "sums.txt"

[[plugins.instance]]
name = "solo"
kind = "consensus"
command = "solo"

[[plugins.instance]]
name = "idx"
kind = "indexer"
command = "sub/idx"
sha256 = "`+own+`"
`)
	dir := filepath.Dir(path)
	sums := filepath.Join(dir, "sums.txt")
	fill := func(list string) error {
		t.Helper()
		if list != "" {
			if err := os.WriteFile(sums, []byte(list), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		c := mustLoad(t, LoadOptions{File: path}) // the list is not read at load
		if err := c.FillPluginHashes(); err != nil {
			return err
		}
		if got := c.Plugins.Instances[0].SHA256; got != sha {
			t.Errorf("solo sha256 = %q, want the file's %q", got, sha)
		}
		if got := c.Plugins.Instances[1].SHA256; got != own {
			t.Errorf("idx sha256 = %q, want its own %q", got, own)
		}
		return nil
	}
	if err := fill(""); err == nil || !strings.Contains(err.Error(), "plugins.sha256_file") || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("missing list: %v", err)
	}
	if err := fill("# made by make plugins\n" + sha + "  solo\n" + strings.Repeat("cd", 32) + " *sub/idx\n"); err != nil {
		t.Errorf("good list: %v", err)
	}
	// A list that does not name the command leaves the hash missing, which
	// is reported with the fix.
	if err := fill(sha + "  other\n"); err == nil || !strings.Contains(err.Error(), "plugins.instance[0].sha256") || !strings.Contains(err.Error(), "sha256sum") {
		t.Errorf("unlisted command: %v", err)
	}
	// A malformed list is an error naming the line.
	if err := fill(sha + "  solo\nnot a hash line\n"); err == nil || !strings.Contains(err.Error(), "plugins.sha256_file") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("malformed list: %v", err)
	}
}

func TestConsensusPluginMustNameAConsensusInstance(t *testing.T) {
	msg := loadError(t, LoadOptions{File: writeConfig(t, `
[consensus]
plugin = "nope"
`)})
	if !strings.Contains(msg, "consensus.plugin") || !strings.Contains(msg, "names no [[plugins.instance]]") {
		t.Errorf("unknown instance: %s", msg)
	}
	msg = loadError(t, LoadOptions{File: writeConfig(t, `
[consensus]
plugin = "idx"

[plugins]
dir = "bin"

[[plugins.instance]]
name = "idx"
kind = "indexer"
command = "idx"
sha256 = "`+sha+`"
`)})
	if !strings.Contains(msg, "consensus.plugin") || !strings.Contains(msg, `of kind "indexer"`) {
		t.Errorf("wrong kind: %s", msg)
	}
}
