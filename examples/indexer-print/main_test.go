package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

// bin is this plugin, built by TestMain.
var bin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "indexer-print-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "indexer-print")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build the indexer-print plugin: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

func TestBinaryConforms(t *testing.T) {
	indexertest.RunBinary(t, bin)
}

func TestConformsInProcess(t *testing.T) {
	indexertest.Run(t, func(*testing.T) indexer.Indexer { return &printer{} })
}

// A crash in the middle of a write leaves a torn last line; the next Store
// ends it and goes on, and nothing before it is lost.
func TestATornLineFromACrashIsSkipped(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := &printer{}
	if _, err := p.Configure(ctx, indexer.ConfigureRequest{DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	chain := indexertest.Chain(1, 6)
	for _, l := range chain[:4] {
		if err := p.Store(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	full, err := json.Marshal(chain[4])
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "records.jsonl"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(append([]byte("\n"), full[:len(full)/2]...)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	p = &printer{} // the restarted plugin
	if _, err := p.Configure(ctx, indexer.ConfigureRequest{DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	if last, ok, err := p.LastStored(ctx); last != 4 || !ok || err != nil {
		t.Fatalf("LastStored with a torn line = %d, %v, %v; want 4", last, ok, err)
	}
	for _, l := range chain[4:] { // the node resends ledger 5
		if err := p.Store(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	got, err := indexertest.QueryAll(ctx, p, indexer.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if want := indexertest.RecordsOf(chain, indexer.Query{}); len(got) != len(want) {
		t.Errorf("%d records after the torn line, want %d", len(got), len(want))
	}
	b, _ := os.ReadFile(filepath.Join(dir, "records.jsonl"))
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) != 7 { // six ledgers and the torn line
		t.Errorf("the file has %d lines, want 7:\n%s", len(lines), b)
	}
}

// The example is meant to be read in one sitting: its code stays under 80
// lines.
func TestExampleStaysUnder80Lines(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		total += bytes.Count(b, []byte("\n"))
	}
	if total >= 80 {
		t.Errorf("the example's non-test Go is %d lines; keep it under 80", total)
	}
}
