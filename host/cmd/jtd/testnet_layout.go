package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jtchain/jtchain/host/node"
)

// A local test network lives in one directory:
//
//	D/genesis.json           the chain, shared by every node
//	D/genesis_account.json   the genesis account's secret (without --dev), 0600
//	D/node-I/                validator I (1..N)
//	D/follower-I/            follower I (1..M)
//	    config.toml          the node's configuration
//	    node_key.json        its key, 0600
//	    data/                its database (created by jtd run)
//	    node.log             its output under jtd testnet run
const (
	testnetGenesisFile = "genesis.json"
	testnetAccountFile = "genesis_account.json"
	testnetConfigFile  = "config.toml"
	testnetKeyFile     = "node_key.json"
	testnetLogFile     = "node.log"
	testnetDataDir     = "data"
)

// Port scheme: node k (0-based, validators first, then followers) uses
// base+10k for its WebSocket API, base+10k+1 for HTTP JSON-RPC and
// base+10k+2 for libp2p. Ten ports a node leaves room for more listeners
// later without renumbering anyone.
const (
	portStride     = 10
	wsPortOffset   = 0
	httpPortOffset = 1
	p2pPortOffset  = 2
)

// The consensus timing of a loopback network (spec/rbft.md §6): ledgers
// close every testnetCloseInterval, and timeout_commit, the pause after a
// decision before the next height, is the same interval, so the network
// closes a ledger about as often as a solo node would.
const testnetCloseInterval = time.Second

var testnetRBFTOptions = [][2]string{
	{"timeout_propose", "1s"},
	{"timeout_prevote", "500ms"},
	{"timeout_precommit", "500ms"},
	{"timeout_delta", "250ms"},
	{"timeout_commit", testnetCloseInterval.String()},
}

const (
	maxTestnetValidators = 31
	maxTestnetFollowers  = 64
)

// Node roles, as printed and as the directory name says.
const (
	roleValidator = "validator"
	roleFollower  = "follower"
)

// testnetNode is one node of a planned network.
type testnetNode struct {
	Name     string // node-1 or follower-1: its directory under D
	Role     string
	Key      node.NodeKey
	ID       node.Identity
	PeerID   string
	WSPort   int
	HTTPPort int
	P2PPort  int
}

func (n testnetNode) wsURL() string   { return fmt.Sprintf("ws://127.0.0.1:%d", n.WSPort) }
func (n testnetNode) httpURL() string { return fmt.Sprintf("http://127.0.0.1:%d", n.HTTPPort) }
func (n testnetNode) p2pAddr() string { return fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", n.P2PPort) }

// testnetPorts gives the ports of node k (0-based) under the port scheme.
func testnetPorts(base, k int) (ws, http, p2p int) {
	p := base + portStride*k
	return p + wsPortOffset, p + httpPortOffset, p + p2pPortOffset
}

// testnetNodeDir matches the directory names jtd testnet init writes.
var testnetNodeDir = regexp.MustCompile(`^(node|follower)-([1-9][0-9]*)$`)

// renderTestnetConfig writes node n's config.toml. dataDir is absolute:
// data_dir is relative to where jtd runs, not to the file, and the printed
// `jtd run --config` commands must work from any directory. The genesis and
// key paths are relative to the file (config.Load resolves them so), which
// keeps them right if the network directory moves.
func renderTestnetConfig(net testnetPlan, n testnetNode, dataDir string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# %s (%s) of the local test network %q, written by jtd testnet init.\n", n.Name, n.Role, net.ChainName)
	w("# Start the whole network with `jtd testnet run --dir %s`, or this node\n", net.Dir)
	w("# alone with `jtd run --config %s`.\n", filepath.Join(net.Dir, n.Name, testnetConfigFile))
	w("# configs/node.example.toml documents every key.\n\n")
	w("data_dir = %s\n\n", tomlString(dataDir))
	w("[log]\nlevel = \"info\"\nformat = \"text\"\n\n")
	w("[chain]\n# Shared by every node of the network; relative to this file.\n")
	w("genesis_file = %s\n\n", tomlString("../"+testnetGenesisFile))
	w("[node]\nkey_file = %s\n\n", tomlString(testnetKeyFile))
	if net.Engine == engineRaft {
		w("[consensus]\nengine = \"raft\"\nplugin = \"raft\"   # the [[plugins.instance]] below\n")
		w("close_interval = %s\n\n", tomlString(testnetCloseInterval.String()))
	} else {
		w("[consensus]\nengine = \"rbft\"\n")
		w("close_interval = %s\n\n", tomlString(testnetCloseInterval.String()))
		w("# Loopback timeouts (spec/rbft.md §6); timeout_commit = close_interval.\n[consensus.options]\n")
		for _, o := range testnetRBFTOptions {
			w("%s = %s\n", o[0], tomlString(o[1]))
		}
	}
	w("\n[rpc]\n")
	w("ws_listen = %s     # %s\n", tomlString(fmt.Sprintf("127.0.0.1:%d", n.WSPort)), n.wsURL())
	w("http_listen = %s   # %s\n\n", tomlString(fmt.Sprintf("127.0.0.1:%d", n.HTTPPort)), n.httpURL())
	w("[p2p]\nlisten = [%s]\n", tomlString(n.p2pAddr()))
	w("# Validators dial each other; followers dial the validators, which accept\n")
	w("# them by peer id alone.\npeers = [\n")
	for _, p := range net.peersOf(n) {
		w("  %s, # %s\n", tomlString(p.entry), p.name)
	}
	w("]\n")
	if net.Chaos {
		w("# Fault injection for tests (--chaos); never on a real network.\nchaos = true\n")
	}
	if net.Engine == engineRaft {
		w("\n# The raft engine runs out of process, pinned to the binary jtd testnet\n")
		w("# init saw; after rebuilding it, put the new `sha256sum` here.\n")
		w("[plugins]\ndir = %s\n\n", tomlString(net.PluginDir))
		w("[[plugins.instance]]\nname = \"raft\"\nkind = \"consensus\"\ncommand = %s\nsha256 = %s\n",
			tomlString(raftPluginBinary), tomlString(net.PluginSHA256))
	}
	return b.String()
}

// The engines jtd testnet can set up.
const (
	engineRBFT = "rbft"
	engineRaft = "raft"
	// raftPluginBinary is the raft plugin's name in the plugin directory,
	// as `make plugins` builds it.
	raftPluginBinary = "consensus-raft"
)

// tomlString quotes s as a TOML basic string. JSON's string escapes (\",
// \\, \n, \uXXXX, ...) are all valid in TOML basic strings.
func tomlString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// testnetPlan is a whole network before it is written.
type testnetPlan struct {
	Dir       string // the network's directory as the operator named it
	ChainName string
	Chaos     bool
	// Engine is the chain's consensus engine: "rbft" (built in) or "raft"
	// (the consensus-raft plugin in PluginDir, pinned by PluginSHA256).
	Engine       string
	PluginDir    string
	PluginSHA256 string
	Nodes        []testnetNode // validators first, then followers
}

type peerEntry struct{ name, entry string }

// peersOf lists n's p2p.peers: a validator has every other validator as
// PEER_ID@MULTIADDR (it dials them) and every follower as a bare PEER_ID
// (followers dial in); a follower has every validator as PEER_ID@MULTIADDR.
func (p testnetPlan) peersOf(n testnetNode) []peerEntry {
	var out []peerEntry
	for _, o := range p.Nodes {
		switch {
		case o.Name == n.Name:
		case o.Role == roleValidator:
			out = append(out, peerEntry{o.Name, o.PeerID + "@" + o.p2pAddr()})
		case n.Role == roleValidator: // o is a follower
			out = append(out, peerEntry{o.Name, o.PeerID})
		}
	}
	return out
}

// validators are the genesis validators, in node order.
func (p testnetPlan) validators() []node.GenesisValidator {
	var out []node.GenesisValidator
	for _, n := range p.Nodes {
		if n.Role == roleValidator {
			out = append(out, n.ID.GenesisValidator(n.Name))
		}
	}
	return out
}

// nodeDirLess orders node directory names as the plan orders them:
// validators by number, then followers by number. Both names must match
// testnetNodeDir.
func nodeDirLess(a, b string) bool {
	ma, mb := testnetNodeDir.FindStringSubmatch(a), testnetNodeDir.FindStringSubmatch(b)
	if ma[1] != mb[1] {
		return ma[1] == "node"
	}
	ia, _ := strconv.Atoi(ma[2])
	ib, _ := strconv.Atoi(mb[2])
	return ia < ib
}

// testnetDataPath is node name's data directory, absolute.
func testnetDataPath(absDir, name string) string {
	return filepath.Join(absDir, name, testnetDataDir)
}
