package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The repository's configs/ directory, from this package's directory.
var configsDir = filepath.Join("..", "..", "configs")

func TestShippedConfigsLoadAndValidate(t *testing.T) {
	for _, name := range []string{"dev.toml", "node.example.toml"} {
		t.Run(name, func(t *testing.T) {
			c, err := Load(LoadOptions{File: filepath.Join(configsDir, name)})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestDevConfigIsASoloChainOnLoopbackInDataDir(t *testing.T) {
	c, err := Load(LoadOptions{File: filepath.Join(configsDir, "dev.toml")})
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "./data" || c.Consensus.Engine != "solo" || c.Log.Format != LogFormatText ||
		c.RPC.WSListen != "127.0.0.1:5020" || c.RPC.HTTPListen != "127.0.0.1:5050" ||
		c.RPC.ServerSigning != SigningAuto {
		t.Errorf("dev.toml: %+v", c)
	}
	// jtd init writes these into data_dir, so dev.toml must not move them.
	if got, want := c.GenesisPath(), filepath.Join("data", "genesis.json"); got != want {
		t.Errorf("GenesisPath() = %q, want %q", got, want)
	}
	if got, want := c.NodeKeyPath(), filepath.Join("data", "node_key.json"); got != want {
		t.Errorf("NodeKeyPath() = %q, want %q", got, want)
	}
}

func TestExampleConfigShowsTheDefaults(t *testing.T) {
	c, err := Load(LoadOptions{File: filepath.Join(configsDir, "node.example.toml")})
	if err != nil {
		t.Fatal(err)
	}
	if want := Default(); !reflect.DeepEqual(c, want) {
		for _, k := range Keys() {
			got, def := flatValues(c)[k], flatValues(want)[k]
			if !reflect.DeepEqual(got, def) {
				t.Errorf("node.example.toml sets %s = %v, but the default is %v", k, formatValue(got), formatValue(def))
			}
		}
	}
}

// TestExampleConfigDocumentsEveryKey keeps node.example.toml complete: each
// key appears, set or commented out, as "name = ..." under its [section],
// and nothing there is a key that no longer exists.
func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(configsDir, "node.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	documented := documentedKeys(string(text))
	for _, k := range Keys() {
		if !documented[k] {
			t.Errorf("node.example.toml does not document %s: add it, with its default and a comment", k)
		}
	}
	for k := range documented {
		if _, ok := fieldByKey[k]; ok || sections[k] {
			continue
		}
		if _, _, ok := mapEntry(k); ok {
			continue // an example engine option
		}
		t.Errorf("node.example.toml documents %s, which is not a key", k)
	}
}

var (
	tableLine = regexp.MustCompile(`^\[([a-z0-9_.]+)\]\s*(#.*)?$`)
	keyLine   = regexp.MustCompile(`^#?\s*([a-z0-9_]+)\s*=`)
)

// documentedKeys returns the keys a TOML text sets or shows commented out,
// and its tables.
func documentedKeys(text string) map[string]bool {
	keys := map[string]bool{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if m := tableLine.FindStringSubmatch(line); m != nil {
			section = m[1]
			keys[section] = true
			continue
		}
		if m := keyLine.FindStringSubmatch(line); m != nil {
			if section == "" {
				keys[m[1]] = true
			} else {
				keys[section+"."+m[1]] = true
			}
		}
	}
	return keys
}
