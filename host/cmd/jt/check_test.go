package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/node"
	"github.com/jtchain/jtchain/sdk/client"
)

// soloChain is a genesis file and node key for solo nodes. Nodes started
// from it agree on ledger 1 and, running apart, close their own ledger 2.
type soloChain struct{ genesis, key string }

func newSoloChain(t *testing.T) soloChain {
	t.Helper()
	dir := t.TempDir()
	k, id, err := node.NewNodeKey(crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	// A genesis an hour old: each node's ledger 2 then takes its close time
	// from the clock, not from genesis + 1 s, which both would share.
	g := node.NewGenesis("check-test", crypto.GenesisKeyPair().AccountID(), id, time.Now().Add(-time.Hour))
	c := soloChain{genesis: filepath.Join(dir, "genesis.json"), key: filepath.Join(dir, "node_key.json")}
	if err := g.Save(c.genesis); err != nil {
		t.Fatal(err)
	}
	if err := k.Save(c.key); err != nil {
		t.Fatal(err)
	}
	return c
}

type soloNode struct{ ws, http string }

// startNode runs a real node of the chain in-process on loopback ports; it
// stops when the test ends.
func (c soloChain) startNode(t *testing.T) soloNode {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Chain.GenesisFile, cfg.Node.KeyFile = c.genesis, c.key
	cfg.RPC.WSListen, cfg.RPC.HTTPListen = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Consensus.CloseInterval, cfg.Consensus.IdleInterval = 100*time.Millisecond, 300*time.Millisecond
	n, err := node.New(cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node: %v", err)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); n.WSAddr() == "" || n.HTTPAddr() == ""; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the node's API did not start within 10s")
		}
	}
	return soloNode{ws: "ws://" + n.WSAddr(), http: "http://" + n.HTTPAddr()}
}

// waitValidated waits until the node has validated ledger seq.
func (n soloNode) waitValidated(t *testing.T, seq uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, n.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for {
		info, err := c.ServerInfo(ctx)
		if err != nil {
			t.Fatalf("waiting for ledger %d: %v", seq, err)
		}
		if v := info.ValidatedLedger; v != nil && v.Seq >= seq {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCheckFindsTheFirstLedgerWhereTwoChainsDiverge(t *testing.T) {
	chain := newSoloChain(t)
	a := chain.startNode(t)
	a.waitValidated(t, 3)
	// b starts more than a second after a closed ledger 2, so its ledger 2
	// has another close time: the same parent, a different ledger.
	time.Sleep(1100 * time.Millisecond)
	b := chain.startNode(t)
	b.waitValidated(t, 3)

	out, errOut, code := jt(t, "", "check", a.ws, b.ws)
	if code != 1 {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, out, errOut)
	}
	if !strings.Contains(out, "ledger 2 differs between the nodes (they agree on 1 before it):") ||
		!strings.Contains(out, "ledger_hash:") || !strings.Contains(out, a.ws) || !strings.Contains(out, b.ws) {
		t.Errorf("report:\n%s", out)
	}
	// Same parent (ledger 1 agrees) and no transactions: only the hash
	// (and what follows from the close time) differs.
	if strings.Contains(out, "parent_hash") || strings.Contains(out, "transaction_hash") {
		t.Errorf("fields that agree are reported:\n%s", out)
	}
	if !strings.Contains(errOut, "the nodes disagree at ledger 2 (ledger_hash") {
		t.Errorf("stderr %q", errOut)
	}
	// Each value is shown next to the node that has it.
	for _, n := range []soloNode{a, b} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			found = found || len(f) == 2 && len(f[0]) == 64 && f[1] == n.ws
		}
		if !found {
			t.Errorf("no ledger_hash line for %s:\n%s", n.ws, out)
		}
	}

	// Up to ledger 1 they agree.
	out, errOut, code = jt(t, "", "check", "--to", "1", a.ws, b.http)
	if code != 0 || out != "2 nodes agree on ledgers 1..1\n" {
		t.Errorf("--to 1: exit %d, %q, %s", code, out, errOut)
	}
}

func TestCheckAgreesWithItselfOverWebSocketAndHTTP(t *testing.T) {
	a := newSoloChain(t).startNode(t)
	a.waitValidated(t, 4)
	out, errOut, code := jt(t, "", "check", a.ws, a.ws, a.http)
	if code != 0 || !strings.HasPrefix(out, "3 nodes agree on ledgers 1..") || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, %q, %s", code, out, errOut)
	}
	var hi int
	fmt.Sscanf(strings.TrimPrefix(out, "3 nodes agree on ledgers 1.."), "%d", &hi)
	if hi < 4 {
		t.Errorf("checked only up to %d: %q", hi, out)
	}
	out, _, code = jt(t, "", "check", "--from", "2", "--to", "3", a.http, a.ws)
	if code != 0 || out != "2 nodes agree on ledgers 2..3\n" {
		t.Errorf("--from 2 --to 3: exit %d, %q", code, out)
	}
	out, errOut, code = jt(t, "", "check", "--from", "100000", a.ws, a.ws)
	if code != 1 || out != "" || !strings.Contains(errOut, "no height in 100000.. is shared by every node: they share 1-") {
		t.Errorf("--from past the end: exit %d, %q, %s", code, out, errOut)
	}

	// An unreachable node is named, whatever the other nodes say.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := "ws://" + l.Addr().String()
	l.Close()
	out, errOut, code = jt(t, "", "check", "--timeout", "2s", a.ws, gone, "http://"+l.Addr().String())
	if code != 1 || out != "" || !strings.Contains(errOut, "cannot reach a node at "+gone) ||
		!strings.Contains(errOut, "cannot reach a node at http://"+l.Addr().String()) {
		t.Errorf("unreachable: exit %d, %q, %s", code, out, errOut)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"check", "ws://127.0.0.1:1"}, "two or more node URLs"},
		{[]string{"check", "ws://127.0.0.1:1", "127.0.0.1:2"}, "not a node URL"},
		{[]string{"check", "ws://127.0.0.1:1", "ftp://127.0.0.1:2"}, "want a ws://, wss://, http:// or https:// URL"},
		{[]string{"check", "--from", "5", "--to", "3", "ws://127.0.0.1:1", "ws://127.0.0.1:2"}, "--from 5 is after --to 3"},
		{[]string{"check", "--all", "--from", "5", "ws://127.0.0.1:1", "ws://127.0.0.1:2"}, "leave out --from and --to"},
		{[]string{"check", "--from", "0", "ws://127.0.0.1:1", "ws://127.0.0.1:2"}, "1 or more"},
		{[]string{"check", "--concurrency", "0", "ws://127.0.0.1:1", "ws://127.0.0.1:2"}, "--concurrency"},
	} {
		out, errOut, code := jt(t, "", c.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, %q, %q (want %q)", c.args, code, out, errOut, c.msg)
		}
	}
}

func TestParseCompleteLedgers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []span
		bad  bool
	}{
		{"empty", nil, false},
		{"", nil, false},
		{"5", []span{{5, 5}}, false},
		{"1-523", []span{{1, 523}}, false},
		{"20-30,1-10,11-12", []span{{1, 12}, {20, 30}}, false},
		{"3-1", nil, true},
		{"1-x", nil, true},
	} {
		got, err := parseCompleteLedgers(c.in)
		if (err != nil) != c.bad || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %v, %v; want %v (bad %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestCheckRangeDefaultsToTheNewestSharedHeights(t *testing.T) {
	a := []span{{1, 5000}}
	b := []span{{10, 20}, {100, 4000}}
	common := intersect(a, b)
	if !reflect.DeepEqual(common, []span{{10, 20}, {100, 4000}}) {
		t.Fatalf("intersect: %v", common)
	}
	for _, c := range []struct {
		name   string
		o      checkOptions
		lo, hi uint32
		capped bool
		bad    bool
	}{
		{name: "default: the newest 1000", lo: 3001, hi: 4000, capped: true},
		{name: "all", o: checkOptions{all: true}, lo: 10, hi: 4000},
		{name: "from", o: checkOptions{from: 15, fromSet: true}, lo: 15, hi: 4000},
		{name: "to", o: checkOptions{to: 500, toSet: true}, lo: 10, hi: 500},
		{name: "to past the end", o: checkOptions{to: 9000, toSet: true}, lo: 3001, hi: 4000, capped: true},
		{name: "from and to", o: checkOptions{from: 1, fromSet: true, to: 12, toSet: true}, lo: 10, hi: 12},
		{name: "a gap only", o: checkOptions{from: 30, fromSet: true, to: 90, toSet: true}, bad: true},
		{name: "past the end", o: checkOptions{from: 4001, fromSet: true}, bad: true},
	} {
		lo, hi, note, err := checkRange(common, c.o)
		if (err != nil) != c.bad || lo != c.lo || hi != c.hi || (note != "") != c.capped {
			t.Errorf("%s: %d..%d note %q err %v", c.name, lo, hi, note, err)
		}
	}
	short := []span{{1, 999}}
	if lo, hi, note, _ := checkRange(short, checkOptions{}); lo != 1 || hi != 999 || note != "" {
		t.Errorf("under 1000 heights: %d..%d %q", lo, hi, note)
	}
}

func TestHeightIterWalksSpansInOrder(t *testing.T) {
	next := heightIter([]span{{1, 3}, {7, 7}, {4294967294, 4294967295}})
	var got []uint32
	for seq, ok := next(); ok; seq, ok = next() {
		got = append(got, seq)
	}
	if want := []uint32{1, 2, 3, 7, 4294967294, 4294967295}; !reflect.DeepEqual(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
}

func TestCheckHelpExplainsDefaultsAndExitStatus(t *testing.T) {
	out, _, code := jt(t, "", "check", "--help")
	for _, s := range []string{"ws://HOST:PORT", "http://HOST:PORT", "newest 1000", "--from", "--to", "--all",
		"--concurrency", "exit status 1", "exits 2", "jt check ws://127.0.0.1:6020 ws://127.0.0.1:6030"} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("check --help lacks %q", s)
		}
	}
}
