package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/node"
	"github.com/jtchain/jtchain/host/p2p"
)

// loadedNode is one node of a written network, read back the way jtd run
// reads it.
type loadedNode struct {
	name   string
	cfg    config.Config
	id     node.Identity
	peerID string
}

func loadTestnetNode(t *testing.T, dir, name string) loadedNode {
	t.Helper()
	cfgPath := filepath.Join(dir, name, "config.toml")
	cfg, err := config.Load(config.LoadOptions{File: cfgPath})
	if err != nil {
		t.Fatalf("%s: %v", cfgPath, err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("%s: %v", cfgPath, err)
	}
	id, err := node.LoadNodeKey(cfg.NodeKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	pid, err := p2p.PeerIDFromKey(id.P2PSeed())
	if err != nil {
		t.Fatal(err)
	}
	return loadedNode{name: name, cfg: cfg, id: id, peerID: pid}
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestTestnetInitWritesANetworkEveryNodeCanLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	const base = 41000
	out, errOut, code := jtd(t, "testnet", "init", "--validators", "4", "--followers", "2", "--dir", dir,
		"--base-port", fmt.Sprint(base), "--chain-name", "acme-test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("no warning expected for 4 validators, got %q", errOut)
	}

	g, err := node.LoadGenesis(filepath.Join(dir, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if g.ChainName != "acme-test" || g.Consensus.Engine != "rbft" || len(g.Consensus.Validators) != 4 {
		t.Fatalf("genesis: %+v", g)
	}
	if _, err := g.Ledger(); err != nil {
		t.Fatal(err)
	}

	// The genesis account is fresh, its secret saved privately and printed.
	if m := fileMode(t, filepath.Join(dir, "genesis_account.json")); m != 0o600 {
		t.Errorf("genesis_account.json mode %o", m)
	}
	var acct genesisAccountFile
	b, _ := os.ReadFile(filepath.Join(dir, "genesis_account.json"))
	if err := json.Unmarshal(b, &acct); err != nil {
		t.Fatal(err)
	}
	seed, kt, err := crypto.ParseSecret(acct.Secret)
	if err != nil {
		t.Fatal(err)
	}
	kp, _ := crypto.DeriveKeyPair(seed, kt)
	if kp.AccountID().String() != g.Account || acct.Address != g.Account || g.Account == crypto.GenesisKeyPair().AccountID().String() {
		t.Fatalf("genesis account %s, file %+v", g.Account, acct)
	}
	if !strings.Contains(out, acct.Secret) || !strings.Contains(out, g.Account) {
		t.Errorf("the summary does not show the genesis account:\n%s", out)
	}

	names := []string{"node-1", "node-2", "node-3", "node-4", "follower-1", "follower-2"}
	nodes := map[string]loadedNode{}
	for _, name := range names {
		nodes[name] = loadTestnetNode(t, dir, name)
		if m := fileMode(t, filepath.Join(dir, name, "node_key.json")); m != 0o600 {
			t.Errorf("%s/node_key.json mode %o", name, m)
		}
	}
	seenPorts := map[string]string{}
	for k, name := range names {
		n := nodes[name]
		c := n.cfg
		isValidator := strings.HasPrefix(name, "node-")
		if c.DataDir != filepath.Join(dir, name, "data") || c.GenesisPath() != filepath.Join(dir, "genesis.json") ||
			c.NodeKeyPath() != filepath.Join(dir, name, "node_key.json") {
			t.Errorf("%s: data_dir %s, genesis %s, key %s", name, c.DataDir, c.GenesisPath(), c.NodeKeyPath())
		}
		// The port scheme of --help: base + 10k, +1, +2.
		wantWS, wantHTTP := fmt.Sprintf("127.0.0.1:%d", base+10*k), fmt.Sprintf("127.0.0.1:%d", base+10*k+1)
		wantP2P := fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", base+10*k+2)
		if c.RPC.WSListen != wantWS || c.RPC.HTTPListen != wantHTTP || !slices.Equal(c.P2P.Listen, []string{wantP2P}) {
			t.Errorf("%s: ws %s http %s p2p %v, want %s %s %s", name, c.RPC.WSListen, c.RPC.HTTPListen, c.P2P.Listen, wantWS, wantHTTP, wantP2P)
		}
		for _, p := range []string{c.RPC.WSListen, c.RPC.HTTPListen, c.P2P.Listen[0]} {
			if other, dup := seenPorts[p]; dup {
				t.Errorf("%s and %s share %s", name, other, p)
			}
			seenPorts[p] = name
		}
		// Consensus: rbft with the loopback timeouts, commit = close interval.
		if c.Consensus.Engine != "rbft" || c.P2P.Chaos {
			t.Errorf("%s: engine %q chaos %v", name, c.Consensus.Engine, c.P2P.Chaos)
		}
		to, err := rbft.ParseOptions(c.Consensus.Options)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := rbft.Timeouts{Propose: 1e9, Prevote: 5e8, Precommit: 5e8, Delta: 2.5e8, Commit: c.Consensus.CloseInterval}
		if to != want || len(c.Consensus.Options) != 5 {
			t.Errorf("%s: timeouts %+v (options %v), want %+v", name, to, c.Consensus.Options, want)
		}
		// Validators: every other validator with its address, followers
		// bare. Followers: every validator with its address.
		var wantPeers []string
		for _, other := range names {
			o := nodes[other]
			switch {
			case other == name:
			case strings.HasPrefix(other, "node-"):
				wantPeers = append(wantPeers, o.peerID+"@"+o.cfg.P2P.Listen[0])
			case isValidator:
				wantPeers = append(wantPeers, o.peerID)
			}
		}
		if !slices.Equal(c.P2P.Peers, wantPeers) {
			t.Errorf("%s: peers\n%v\nwant\n%v", name, c.P2P.Peers, wantPeers)
		}
		// The genesis names exactly the validators, with their keys.
		if isValidator {
			v := g.Consensus.Validators[k]
			if v != n.id.GenesisValidator(name) {
				t.Errorf("genesis validator %d: %+v, want %+v", k, v, n.id.GenesisValidator(name))
			}
		} else {
			for _, v := range g.Consensus.Validators {
				if v.PublicKey == n.id.PublicKey() {
					t.Errorf("follower %s is a genesis validator", name)
				}
			}
		}
		// The summary shows what an operator needs to reach and start it.
		for _, s := range []string{n.id.PublicKey(), n.peerID, "ws://" + wantWS, "http://" + wantHTTP,
			"jtd run --config " + filepath.Join(dir, name, "config.toml")} {
			if !strings.Contains(out, s) {
				t.Errorf("summary lacks %q for %s:\n%s", s, name, out)
			}
		}
	}
}

func TestTestnetInitDevChaosAndSecp256k1(t *testing.T) {
	dir := t.TempDir() // exists and is empty: accepted
	_, errOut, code := jtd(t, "testnet", "init", "--validators", "1", "--dir", dir, "--dev", "--chaos", "--key-type", "secp256k1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "warning") || !strings.Contains(errOut, "at least 4") {
		t.Errorf("no warning for one validator: %q", errOut)
	}
	g, err := node.LoadGenesis(filepath.Join(dir, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Account != crypto.GenesisKeyPair().AccountID().String() {
		t.Errorf("--dev genesis account is %s", g.Account)
	}
	if _, err := os.Stat(filepath.Join(dir, "genesis_account.json")); !os.IsNotExist(err) {
		t.Errorf("--dev wrote genesis_account.json: %v", err)
	}
	n := loadTestnetNode(t, dir, "node-1")
	if !n.cfg.P2P.Chaos || len(n.cfg.P2P.Peers) != 0 {
		t.Errorf("chaos %v peers %v", n.cfg.P2P.Chaos, n.cfg.P2P.Peers)
	}
	var k node.NodeKey
	b, _ := os.ReadFile(filepath.Join(dir, "node-1", "node_key.json"))
	json.Unmarshal(b, &k)
	if k.KeyType != "secp256k1" || g.Consensus.Validators[0].PublicKey != k.PublicKey {
		t.Errorf("key %+v, genesis %+v", k, g.Consensus.Validators)
	}
}

func TestTestnetInitRefusesBadUsageAndExistingNetworks(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o644)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--validators", "4"}, 2, "--dir is required"},
		{[]string{"--validators", "0", "--dir", "x"}, 2, "--validators 0: want 1 to 31"},
		{[]string{"--validators", "32", "--dir", "x"}, 2, "--validators 32"},
		{[]string{"--followers", "-1", "--dir", "x"}, 2, "--followers -1"},
		{[]string{"--key-type", "rsa", "--dir", "x"}, 2, "--key-type"},
		{[]string{"--base-port", "65520", "--dir", "x"}, 2, "above 65535: lower --base-port to at most 65503"},
		{[]string{"--base-port", "0", "--dir", "x"}, 2, "--base-port 0"},
		{[]string{"--chain-name", "", "--dir", "x"}, 2, "--chain-name is empty"},
		{[]string{"--validators", "four", "--dir", "x"}, 2, "invalid argument"},
		{[]string{"--dir", full}, 1, "is not empty (it holds keep.txt)"},
	}
	for _, c := range cases {
		out, errOut, code := jtd(t, append([]string{"testnet", "init"}, c.args...)...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want %q)", c.args, code, c.code, out, errOut, c.msg)
		}
	}
	if entries, _ := os.ReadDir(full); len(entries) != 1 {
		t.Errorf("init touched a non-empty directory: %v", entries)
	}
	if _, err := os.Stat("x"); !os.IsNotExist(err) {
		t.Errorf("a refused init created its directory")
	}
	// A second init over a written network is refused and changes nothing.
	dir := filepath.Join(t.TempDir(), "net")
	if _, errOut, code := jtd(t, "testnet", "init", "--validators", "4", "--dir", dir, "--dev"); code != 0 {
		t.Fatal(errOut)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "genesis.json"))
	if _, errOut, code := jtd(t, "testnet", "init", "--validators", "4", "--dir", dir, "--dev"); code != 1 || !strings.Contains(errOut, "not empty") {
		t.Fatalf("second init: exit %d, %s", code, errOut)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "genesis.json"))
	if string(before) != string(after) {
		t.Fatal("a refused init rewrote genesis.json")
	}
}

func TestTestnetHelpDocumentsThePortScheme(t *testing.T) {
	out, _, code := jtd(t, "testnet", "init", "--help")
	for _, s := range []string{"--base-port + 10k", "--validators", "--followers", "--dev", "--chaos", "--key-type", "jtd testnet init --validators 4 --dir ./testnet --dev"} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("init --help lacks %q", s)
		}
	}
	out, _, code = jtd(t, "testnet", "run", "--help")
	for _, s := range []string{"--dir", "--grace", "SIGTERM", "node.log", "jtd testnet run --dir ./testnet"} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("run --help lacks %q", s)
		}
	}
}

func TestTestnetInitRaftPinsThePluginBinary(t *testing.T) {
	plugins := t.TempDir()
	bin := []byte("#!/bin/sh\nexit 1\n") // init hashes it; nothing runs it
	if err := os.WriteFile(filepath.Join(plugins, "consensus-raft"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bin)
	dir := filepath.Join(t.TempDir(), "raftnet")
	_, errOut, code := jtd(t, "testnet", "init", "--validators", "3", "--engine", "raft", "--plugin-dir", plugins, "--dir", dir, "--dev")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	g, err := node.LoadGenesis(filepath.Join(dir, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Consensus.Engine != "raft" || len(g.Consensus.Validators) != 3 {
		t.Errorf("genesis consensus %+v", g.Consensus)
	}
	for _, name := range []string{"node-1", "node-2", "node-3"} {
		n := loadTestnetNode(t, dir, name)
		c := n.cfg
		if c.Consensus.Engine != "raft" || c.Consensus.Plugin != "raft" || len(c.Plugins.Instances) != 1 {
			t.Fatalf("%s: consensus %+v, instances %+v", name, c.Consensus, c.Plugins.Instances)
		}
		in := c.Plugins.Instances[0]
		if in.Kind != "consensus" || in.SHA256 != hex.EncodeToString(sum[:]) || c.PluginPath(in) != filepath.Join(plugins, "consensus-raft") {
			t.Errorf("%s: instance %+v at %s", name, in, c.PluginPath(in))
		}
	}

	// Without the binary there is nothing to pin: refused, with the fix.
	_, errOut, code = jtd(t, "testnet", "init", "--validators", "3", "--engine", "raft", "--plugin-dir", t.TempDir(), "--dir", filepath.Join(t.TempDir(), "x"), "--dev")
	if code == 0 || !strings.Contains(errOut, "make plugins") {
		t.Errorf("missing plugin: exit %d: %s", code, errOut)
	}
	_, errOut, code = jtd(t, "testnet", "init", "--engine", "pbft", "--dir", filepath.Join(t.TempDir(), "y"))
	if code != 2 || !strings.Contains(errOut, "want rbft or raft") {
		t.Errorf("unknown engine: exit %d: %s", code, errOut)
	}
}
