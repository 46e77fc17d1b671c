package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
)

func TestConfigErrorsNameTheProblem(t *testing.T) {
	for _, c := range []struct{ config, want string }{
		{`[1, 2, 3]`, "JSON object"},
		{`"blhr.db"`, "JSON object"},
		{`{"file": "a.db", "extra": 1}`, `unknown field "extra"`},
		{`{"File": "a.db", "fil": 1}`, `unknown field "fil"`},
		{`{"file": 7}`, "JSON object"},
		{`{"file": ""}`, "is empty"},
		{`{"file": "../a.db"}`, "not a plain file name"},
		{`{"file": "/tmp/a.db"}`, "not a plain file name"},
		{`{"file": "a\\b.db"}`, "not a plain file name"},
		{`{"file": ".."}`, "not a plain file name"},
		{`{"file": "a\u0000.db"}`, "not a plain file name"},
		{`{"file": "` + strings.Repeat("a", 256) + `"}`, "more than 255"},
		{`{"file": "a.db"} {}`, "trailing data"},
		{`{"file": `, "JSON object"},
	} {
		x := &idx{}
		_, err := x.Configure(context.Background(), indexer.ConfigureRequest{Config: json.RawMessage(c.config), DataDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("config %s: error %v, want one saying %q", c.config, err, c.want)
		}
		if x.db.Load() != nil {
			t.Errorf("config %s: refused, but the database is open", c.config)
		}
	}
}

func TestConfigDefaultsAndFileName(t *testing.T) {
	for _, c := range []struct{ config, file string }{
		{``, "blhr.db"}, {`null`, "blhr.db"}, {`{}`, "blhr.db"}, {` {"file": "idx 1?%.db"} `, "idx 1?%.db"},
	} {
		dir := t.TempDir()
		x := &idx{}
		if _, err := x.Configure(context.Background(), indexer.ConfigureRequest{Config: json.RawMessage(c.config), DataDir: dir}); err != nil {
			t.Fatalf("config %q: %v", c.config, err)
		}
		x.Close()
		if _, err := os.Stat(filepath.Join(dir, c.file)); err != nil {
			t.Errorf("config %q: want the database at %s: %v", c.config, c.file, err)
		}
	}
	x := &idx{}
	if _, err := x.Configure(context.Background(), indexer.ConfigureRequest{}); err == nil {
		t.Error("Configure without a data directory succeeded")
	}
}

func TestConfigSchemaIsStrict(t *testing.T) {
	b, _ := (&idx{}).ConfigSchema(context.Background())
	var s struct {
		Type                 string                     `json:"type"`
		Properties           map[string]json.RawMessage `json:"properties"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if s.Type != "object" || s.AdditionalProperties == nil || *s.AdditionalProperties || len(s.Properties) != 1 || s.Properties["file"] == nil {
		t.Fatalf("schema %s: want an object with only \"file\" and additionalProperties false", b)
	}
}

func TestDatabaseIsDurableWALWithCurrentSchema(t *testing.T) {
	x := openIdx(t, t.TempDir())
	db, _ := x.conn()
	for pragma, want := range map[string]int{"synchronous": 2, "foreign_keys": 1, "user_version": len(migrations), "busy_timeout": int(busyTimeout.Milliseconds())} {
		var got int
		if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %d, %v; want %d", pragma, got, err, want)
		}
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestAnotherChainsDatabaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	openIdx(t, dir).Close() // chain "sqlite-test"
	x := &idx{}
	_, err := x.Configure(context.Background(), indexer.ConfigureRequest{DataDir: dir, ChainID: "other"})
	if !errors.Is(err, errOtherChain) {
		t.Fatalf("Configure for chain other on a sqlite-test database: %v, want errOtherChain", err)
	}
	t.Log(err)
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	x := openIdx(t, dir)
	db, _ := x.conn()
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	x.Close()
	_, err := (&idx{}).Configure(context.Background(), indexer.ConfigureRequest{DataDir: dir, ChainID: "sqlite-test"})
	if err == nil || !strings.Contains(err.Error(), "newer than this plugin") {
		t.Fatalf("Configure on a schema from the future: %v", err)
	}
}
