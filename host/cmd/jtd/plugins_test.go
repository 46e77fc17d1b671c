package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With the node down, jtd plugins list checks each configured binary
// against its pinned hash, as a launch would.
func TestPluginsListOfflineChecksEachBinary(t *testing.T) {
	dir := t.TempDir()
	bin := []byte("#!/bin/sh\nexit 0\n")
	if err := os.WriteFile(filepath.Join(dir, "good"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "swapped"), []byte("something else"), 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bin)
	// A port nothing listens on: the node is down.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := fmt.Sprintf(`data_dir = %q
[rpc]
http_listen = %q
[plugins]
dir = %q
[[plugins.instance]]
name = "good"
kind = "indexer"
command = "good"
sha256 = %q
[[plugins.instance]]
name = "swapped"
kind = "gateway"
command = "swapped"
sha256 = %q
`, filepath.Join(dir, "data"), addr, dir, hex.EncodeToString(sum[:]), hex.EncodeToString(sum[:]))
	path := filepath.Join(dir, "node.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := jtd(t, "plugins", "list", "--config", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a binary does not match)\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "does not answer") {
		t.Errorf("no word that the node is down:\n%s", out)
	}
	for _, want := range []string{"good", "sha256 ok", "swapped", "REFUSED"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "sha256") || !strings.Contains(errOut, "swapped") {
		t.Errorf("the error does not name the mismatch:\n%s", errOut)
	}
	// Without a config there is nothing to fall back on.
	_, errOut, code = jtd(t, "plugins", "list", "--url", "http://"+addr)
	if code != 1 || !strings.Contains(errOut, "does not answer") {
		t.Errorf("--url to a stopped node: exit %d: %s", code, errOut)
	}
}
