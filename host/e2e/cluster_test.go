package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/node"
	"github.com/jtchain/jtchain/host/p2p"
	"github.com/jtchain/jtchain/sdk/client"
)

// cluster is a local RBFT network of jtd processes made by
// `jtd testnet init`: validators first, then followers.
type cluster struct {
	t        *testing.T
	dir      string
	nodes    []*devNode
	peerIDs  []string
	nVal     int
	genesis  node.Genesis
	chainID  string
	vals     []consensus.Validator
	basePort int
	// valsAt gives the validator set of a height when it changes during a
	// test (nil: the genesis set throughout).
	valsAt func(h uint32) []consensus.Validator
	votes  map[int]uint32 // validator-vote transactions sent per node (sequences)
	// engine is the chain's consensus engine: "rbft", or "raft" (the
	// consensus-raft plugin, whose certificates the node cannot check).
	engine string
}

// newCluster writes a network of nVal validators and nFol followers; no
// process runs until start.
func newCluster(t *testing.T, nVal, nFol int, chaos bool) *cluster {
	t.Helper()
	return newClusterOf(t, "rbft", nVal, nFol, chaos)
}

// newClusterOf is newCluster on the named engine (rbft or raft).
func newClusterOf(t *testing.T, engine string, nVal, nFol int, chaos bool) *cluster {
	t.Helper()
	c := &cluster{t: t, dir: t.TempDir(), nVal: nVal, engine: engine}
	c.basePort = freeBase(t, nVal+nFol)
	args := []string{"testnet", "init", "--validators", strconv.Itoa(nVal), "--followers", strconv.Itoa(nFol),
		"--dir", filepath.Join(c.dir, "net"), "--base-port", strconv.Itoa(c.basePort), "--dev", "--chain-name", "e2e",
		"--engine", engine, "--plugin-dir", pluginDir}
	if chaos {
		args = append(args, "--chaos")
	}
	if out, err := exec.Command(jtdBin, args...).CombinedOutput(); err != nil {
		t.Fatalf("jtd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	g, err := node.LoadGenesis(filepath.Join(c.dir, "net", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	c.genesis = g
	gl, err := g.Ledger()
	if err != nil {
		t.Fatal(err)
	}
	c.chainID = node.ChainID(g.ChainName, gl.Hash())
	for _, v := range g.Consensus.Validators {
		pub, err := crypto.ParseNodePublic(v.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		c.vals = append(c.vals, consensus.Validator{Address: crypto.AccountIDFromPublicKey(pub), PublicKey: pub})
	}
	for k := 0; k < nVal+nFol; k++ {
		name := fmt.Sprintf("node-%d", k+1)
		if k >= nVal {
			name = fmt.Sprintf("follower-%d", k-nVal+1)
		}
		dir := filepath.Join(c.dir, "net", name)
		id, err := node.LoadNodeKey(filepath.Join(dir, "node_key.json"))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := p2p.PeerIDFromKey(id.P2PSeed())
		if err != nil {
			t.Fatal(err)
		}
		c.peerIDs = append(c.peerIDs, pid)
		n := &devNode{t: t, dir: dir, wsPort: c.basePort + 10*k, httpPort: c.basePort + 10*k + 1,
			config: filepath.Join(dir, "config.toml")}
		t.Cleanup(func() { n.kill() })
		c.nodes = append(c.nodes, n)
	}
	return c
}

// freeBase finds a base port whose whole port scheme is free now.
func freeBase(t *testing.T, nodes int) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		base := 20000 + 10*rand.IntN(3000)
		ok := true
		for k := 0; k < nodes && ok; k++ {
			for off := 0; off < 3 && ok; off++ {
				l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+10*k+off))
				if err != nil {
					ok = false
					break
				}
				l.Close()
			}
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

func (c *cluster) start(idx ...int) {
	c.t.Helper()
	if len(idx) == 0 {
		for i := range c.nodes {
			idx = append(idx, i)
		}
	}
	for _, i := range idx {
		c.nodes[i].start()
	}
}

// rpc calls a command on node i over a fresh WebSocket connection (nodes
// restart under the tests' feet, so nothing is kept).
func (c *cluster) rpc(ctx context.Context, i int, method string, params map[string]any) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, c.nodes[i].url(), &client.Options{RequestTimeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	if params == nil {
		params = map[string]any{}
	}
	return cl.Request(ctx, method, params)
}

// height is node i's validated ledger (0 when it does not answer).
func (c *cluster) height(ctx context.Context, i int) uint32 {
	raw, err := c.rpc(ctx, i, "ledger", map[string]any{"ledger_index": "validated"})
	if err != nil {
		return 0
	}
	h, err := decodeLedger(raw)
	if err != nil {
		return 0
	}
	return h.Index
}

func (c *cluster) heights(ctx context.Context, idx []int) []uint32 {
	out := make([]uint32, len(idx))
	var wg sync.WaitGroup
	for k, i := range idx {
		wg.Add(1)
		go func() { defer wg.Done(); out[k] = c.height(ctx, i) }()
	}
	wg.Wait()
	return out
}

// waitHeights waits until every node in idx has validated at least h.
func (c *cluster) waitHeights(ctx context.Context, idx []int, h uint32, within time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		hs := c.heights(ctx, idx)
		low := hs[0]
		for _, x := range hs {
			low = min(low, x)
		}
		if low >= h {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("nodes %v at heights %v after %s, want all ≥ %d\n%s", idx, hs, within, h, c.logTails(idx))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (c *cluster) logTails(idx []int) string {
	var b strings.Builder
	for _, i := range idx {
		fmt.Fprintf(&b, "--- node %d log tail ---\n%s\n", i, tailLines(c.nodes[i].logs(), 15))
	}
	return b.String()
}

func (c *cluster) all() []int {
	out := make([]int, len(c.nodes))
	for i := range out {
		out[i] = i
	}
	return out
}

// partition sets the same chaos partition on every running node.
func (c *cluster) chaos(ctx context.Context, params map[string]any, idx []int) {
	c.t.Helper()
	for _, i := range idx {
		if _, err := c.rpc(ctx, i, "chaos", params); err != nil {
			c.t.Fatalf("chaos %v on node %d: %v", params, i, err)
		}
	}
}

// checkAgreement is the checker of invariants I1, I2 and I6 over the API:
// at every height that two nodes both hold they have the same ledger hash
// and state root, and every ledger after genesis has a commit certificate
// of a quorum of the genesis validators for exactly its block, whose block
// names exactly that ledger. It returns an error rather than failing, so
// the control run can require it to fail.
func (c *cluster) checkAgreement(ctx context.Context, idx []int) (uint32, error) {
	type rec struct{ hash, state string }
	var top uint32
	chains := make([][]rec, len(idx))
	for k, i := range idx {
		h := c.height(ctx, i)
		if h == 0 {
			return 0, fmt.Errorf("node %d does not answer", i)
		}
		top = max(top, h)
		for seq := uint32(1); seq <= h; seq++ {
			raw, err := c.rpc(ctx, i, "ledger", map[string]any{"ledger_index": seq})
			if err != nil {
				return 0, fmt.Errorf("node %d ledger %d: %w", i, seq, err)
			}
			var w struct {
				Ledger struct {
					Hash        string `json:"hash"`
					AccountHash string `json:"account_hash"`
				} `json:"ledger"`
			}
			if err := json.Unmarshal(raw, &w); err != nil {
				return 0, err
			}
			chains[k] = append(chains[k], rec{w.Ledger.Hash, w.Ledger.AccountHash})
		}
	}
	for seq := uint32(1); seq <= top; seq++ {
		var first *rec
		firstNode := -1
		for k := range idx {
			if int(seq) > len(chains[k]) {
				continue
			}
			r := chains[k][seq-1]
			if first == nil {
				first, firstNode = &r, idx[k]
				continue
			}
			if r.hash != first.hash {
				return seq, fmt.Errorf("I1 violated: ledger %d is %s on node %d but %s on node %d", seq, first.hash, firstNode, r.hash, idx[k])
			}
			if r.state != first.state {
				return seq, fmt.Errorf("I6 violated: ledger %d state root %s on node %d but %s on node %d", seq, first.state, firstNode, r.state, idx[k])
			}
		}
	}
	// I2 on one node's chain (all agree by now).
	k := 0
	for seq := uint32(2); seq <= uint32(len(chains[k])); seq++ {
		raw, err := c.rpc(ctx, idx[k], "ledger_commit", map[string]any{"ledger_index": seq})
		if err != nil {
			return seq, fmt.Errorf("I2: ledger_commit %d: %w", seq, err)
		}
		var w struct{ Block, Certificate string }
		if err := json.Unmarshal(raw, &w); err != nil {
			return seq, err
		}
		block, _ := hex.DecodeString(w.Block)
		cert, _ := hex.DecodeString(w.Certificate)
		if c.engine == "raft" {
			// raft signs nothing: the block must name the ledger.
			b, err := node.DecodeBlock(block)
			if err != nil || b.Height != seq || !strings.EqualFold(hex.EncodeToString(b.LedgerHash[:]), chains[k][seq-1].hash) {
				return seq, fmt.Errorf("the commit record of ledger %d does not name it (%v)", seq, err)
			}
			continue
		}
		vals := c.vals
		if c.valsAt != nil {
			vals = c.valsAt(seq)
		}
		if err := rbft.VerifyCertificate(cert, vals, c.chainID, crypto.Verify); err != nil {
			return seq, fmt.Errorf("I2 violated at ledger %d: %w", seq, err)
		}
		dc, _ := rbft.DecodeCertificate(cert)
		b, err := node.DecodeBlock(block)
		if err != nil || dc.Height != uint64(seq) || dc.BlockID != rbft.BlockID(block) ||
			!strings.EqualFold(hex.EncodeToString(b.LedgerHash[:]), chains[k][seq-1].hash) {
			return seq, fmt.Errorf("I2 violated at ledger %d: the certificate or block does not name this ledger (%v)", seq, err)
		}
	}
	return top, nil
}

// tailLines is the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
