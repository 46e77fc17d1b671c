package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

// bin is this plugin, built by TestMain.
var bin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "sqlite-indexer-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "sqlite")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build the sqlite indexer plugin: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// suite adds the indexer's own refusals to the contract's.
var suite = indexertest.Suite{
	Config: []byte(`{"file": "index.db"}`),
	Invalid: []json.RawMessage{
		json.RawMessage(`{"file": ""}`),
		json.RawMessage(`{"file": "../escape.db"}`),
		json.RawMessage(`{"file": "sub/dir.db"}`),
		json.RawMessage(`{"file": 7}`),
	},
}

func TestSqlitePluginBinaryConforms(t *testing.T) {
	suite.RunBinary(t, bin)
}

func TestSqliteIndexerConformsInProcess(t *testing.T) {
	suite.Run(t, func(t *testing.T) indexer.Indexer { return newIdx(t) })
}

// TestDefaultConfigConforms runs the suite with no operator config at all.
func TestDefaultConfigConforms(t *testing.T) {
	indexertest.Run(t, func(t *testing.T) indexer.Indexer { return newIdx(t) })
}

// newIdx returns an unconfigured indexer closed when t ends.
func newIdx(t *testing.T) *idx {
	t.Helper()
	x := &idx{}
	t.Cleanup(func() { x.Close() })
	return x
}
