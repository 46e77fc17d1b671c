package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/p2p"
)

// Twins (spec/rbft.md §2.8 S7/S8): a second process runs with a
// validator's key. Honest validators must keep agreeing and commit the
// equivocation evidence; and when duplicated keys hold more than a third,
// the harness must see the fork it makes possible (the control run).

var peersBlock = regexp.MustCompile(`(?s)\npeers = \[.*?\n\]`)

// addTwin starts a node that uses validator k's key from its own
// directory, ports and empty data, talking to peers (PEER_ID@ADDR).
func (c *cluster) addTwin(k int, peers []string) int {
	c.t.Helper()
	i := len(c.nodes)
	dir := filepath.Join(c.dir, "net", fmt.Sprintf("twin-%d", k+1))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(c.nodes[k].dir, "node_key.json"))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node_key.json"), key, 0o600); err != nil {
		c.t.Fatal(err)
	}
	cfg, err := os.ReadFile(c.nodes[k].config)
	if err != nil {
		c.t.Fatal(err)
	}
	base := freeBase(c.t, 1)
	text := string(cfg)
	text = regexp.MustCompile(`data_dir = ".*"`).ReplaceAllString(text, fmt.Sprintf("data_dir = %q", filepath.Join(dir, "data")))
	text = regexp.MustCompile(`genesis_file = ".*"`).ReplaceAllString(text, fmt.Sprintf("genesis_file = %q", filepath.Join(c.dir, "net", "genesis.json")))
	text = regexp.MustCompile(`ws_listen = "[^"]*"`).ReplaceAllString(text, fmt.Sprintf(`ws_listen = "127.0.0.1:%d"`, base))
	text = regexp.MustCompile(`http_listen = "[^"]*"`).ReplaceAllString(text, fmt.Sprintf(`http_listen = "127.0.0.1:%d"`, base+1))
	text = regexp.MustCompile(`listen = \["[^"]*"\]`).ReplaceAllString(text, fmt.Sprintf(`listen = ["/ip4/127.0.0.1/tcp/%d"]`, base+2))
	text = setPeers(text, peers)
	// A libp2p identity of its own: sharing validator k's would make each
	// connection of one twin replace the other's at every peer.
	seed := crypto.SHA512Half([]byte(fmt.Sprintf("twin p2p key %d %d", k, i)))
	keyFile := filepath.Join(dir, "p2p_key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(seed[:])+"\n"), 0o600); err != nil {
		c.t.Fatal(err)
	}
	if !strings.Contains(text, "\n[p2p]\n") {
		c.t.Fatal("no [p2p] section in the validator's config")
	}
	text = strings.Replace(text, "\n[p2p]\n", fmt.Sprintf("\n[p2p]\nkey_file = %q\n", keyFile), 1)
	pid, err := p2p.PeerIDFromKey(seed[:])
	if err != nil {
		c.t.Fatal(err)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		c.t.Fatal(err)
	}
	n := &devNode{t: c.t, dir: dir, wsPort: base, httpPort: base + 1, config: path}
	c.t.Cleanup(func() { n.kill() })
	c.nodes = append(c.nodes, n)
	c.peerIDs = append(c.peerIDs, pid)
	return i
}

// allowPeer adds a bare PEER_ID to node i's peer list: accepted when it
// dials in.
func (c *cluster) allowPeer(i int, peerID string) {
	c.t.Helper()
	cfg, err := os.ReadFile(c.nodes[i].config)
	if err != nil {
		c.t.Fatal(err)
	}
	text := strings.Replace(string(cfg), "\npeers = [\n", fmt.Sprintf("\npeers = [\n  %q,\n", peerID), 1)
	if text == string(cfg) {
		c.t.Fatalf("no peers list in %s", c.nodes[i].config)
	}
	if err := os.WriteFile(c.nodes[i].config, []byte(text), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func setPeers(configText string, peers []string) string {
	var b strings.Builder
	b.WriteString("\npeers = [\n")
	for _, p := range peers {
		fmt.Fprintf(&b, "  %q,\n", p)
	}
	b.WriteString("]")
	return peersBlock.ReplaceAllString(configText, b.String())
}

// rewritePeers sets node i's peer list.
func (c *cluster) rewritePeers(i int, peers []string) {
	c.t.Helper()
	cfg, err := os.ReadFile(c.nodes[i].config)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(c.nodes[i].config, []byte(setPeers(string(cfg), peers)), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// p2pAddr is node i's libp2p address as a peer entry.
func (c *cluster) peer(i int) string {
	cfg, err := os.ReadFile(c.nodes[i].config)
	if err != nil {
		c.t.Fatal(err)
	}
	m := regexp.MustCompile(`listen = \["([^"]*)"\]`).FindStringSubmatch(string(cfg))
	if m == nil {
		c.t.Fatalf("no p2p listen address in %s", c.nodes[i].config)
	}
	return c.peerIDs[i] + "@" + m[1]
}

// evidenceRecord is a committed Evidence transaction.
type evidenceRecord struct {
	offender string
	height   uint32 // of the offence
	ledger   uint32 // that committed it
}

// findEvidence scans node i's ledgers from..to for committed Evidence
// transactions.
func (c *cluster) findEvidence(ctx context.Context, i int, from, to uint32) []evidenceRecord {
	var out []evidenceRecord
	for seq := from; seq <= to; seq++ {
		raw, err := c.rpc(ctx, i, "ledger", map[string]any{"ledger_index": seq, "transactions": true, "expand": true})
		if err != nil {
			continue
		}
		var w struct {
			Ledger struct {
				Transactions []struct {
					TransactionType string `json:"TransactionType"`
					Offender        string `json:"Offender"`
					LedgerSequence  uint32 `json:"LedgerSequence"`
				} `json:"transactions"`
			} `json:"ledger"`
		}
		if decodeInto(raw, &w) != nil {
			continue
		}
		for _, tx := range w.Ledger.Transactions {
			if tx.TransactionType == "Evidence" {
				out = append(out, evidenceRecord{offender: tx.Offender, height: tx.LedgerSequence, ledger: seq})
			}
		}
	}
	return out
}

// evidenceLag is K of invariant I8: evidence is committed within this many
// heights of the offence.
const evidenceLag = 10

// checkSigners is invariant I8 over the API: every committed piece of
// evidence names one of the Byzantine validators (honest validators never
// sign two different votes for one height, round and type, and every
// validator's engine reports any equivocation it sees), within K heights of
// the offence.
func (c *cluster) checkSigners(ctx context.Context, i int, byzantine ...string) error {
	top := c.height(ctx, i)
	for _, e := range c.findEvidence(ctx, i, 2, top) {
		if !slices.Contains(byzantine, e.offender) {
			return fmt.Errorf("I8 violated: ledger %d commits evidence that validator %s equivocated at height %d", e.ledger, e.offender, e.height)
		}
		if e.ledger > e.height+evidenceLag {
			return fmt.Errorf("I8 violated: evidence of height %d committed only in ledger %d (more than %d heights later)", e.height, e.ledger, evidenceLag)
		}
	}
	return nil
}

// S7/S8: validator 4 runs twice. The honest three keep agreeing, and the
// equivocation of the twins is committed as evidence naming validator 4.
func TestNetworkTwinEquivocationIsCommittedAsEvidence(t *testing.T) {
	ctx := ctxFor(t, 4*time.Minute)
	c := newCluster(t, 4, 0, false)
	twin := c.addTwin(3, []string{c.peer(0), c.peer(1), c.peer(2)})
	for _, i := range []int{0, 1, 2} {
		c.allowPeer(i, c.peerIDs[twin])
	}
	c.start()
	honest := []int{0, 1, 2}
	c.waitHeights(ctx, honest, 3, 60*time.Second)
	load := newClusterLoad(ctx, t, c, 6, "twins")
	// The twins' pools differ (each gets its own submissions), so when
	// validator 4 proposes, its two processes propose different blocks.
	load.setLive([]int{0, 1, 2, 3, twin})
	load.start(ctx)
	offender := crypto.AccountIDFromPublicKey(c.vals[0].PublicKey) // replaced below
	for _, v := range c.vals {
		pub := v.PublicKey
		if crypto.EncodeNodePublic(pub) == c.genesis.Consensus.Validators[3].PublicKey {
			offender = v.Address
		}
	}
	// Each twin has its own libp2p identity, so both reach the honest
	// validators; evidence follows the first height where validator 4
	// proposes or votes differently in its two processes.
	const evidenceWithin = 90 * time.Second
	deadline := time.Now().Add(evidenceWithin)
	var found []evidenceRecord
	from := uint32(2)
	for time.Now().Before(deadline) && len(found) == 0 {
		time.Sleep(2 * time.Second)
		top := c.height(ctx, 0)
		found = c.findEvidence(ctx, 0, from, top)
		from = top + 1
	}
	load.halt()
	if len(found) == 0 {
		t.Fatalf("no evidence committed within %s\n%s", evidenceWithin, c.logTails([]int{0, 3, twin}))
	}
	if err := c.checkSigners(ctx, 0, offender.String()); err != nil {
		t.Fatal(err)
	}
	top, err := c.checkAgreement(ctx, honest)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("evidence against %s committed; honest validators agree on ledgers 1..%d", offender, top)
}

// The control run (S8): validators 3 and 4 each run twice, one copy on each
// side of a network split by configuration ({1, 3, 4} and {2, 3', 4'}), so
// each side has three of four keys, a quorum. The two sides decide different
// ledgers, and the checker must report the fork: if it did not, it could
// not be trusted with the other scenarios.
func TestNetworkTwinsControlRunForksAndTheCheckerSeesIt(t *testing.T) {
	ctx := ctxFor(t, 3*time.Minute)
	c := newCluster(t, 4, 0, false)
	sideA := []int{0, 2, 3}
	c.rewritePeers(0, []string{c.peer(2), c.peer(3)})
	c.rewritePeers(2, []string{c.peer(0), c.peer(3)})
	c.rewritePeers(3, []string{c.peer(0), c.peer(2)})
	t3 := c.addTwin(2, nil)
	t4 := c.addTwin(3, nil)
	c.rewritePeers(1, []string{c.peer(t3), c.peer(t4)})
	c.rewritePeers(t3, []string{c.peer(1), c.peer(t4)})
	c.rewritePeers(t4, []string{c.peer(1), c.peer(t3)})
	sideB := []int{1, t3, t4}
	c.start()
	c.waitHeights(ctx, append(append([]int{}, sideA...), sideB...), 3, 60*time.Second)
	// Each side takes a different payment with the genesis account's same
	// sequence, so their ledgers cannot coincide.
	g := genesisTestAccount(t)
	for k, i := range []int{0, 1} {
		raw, err := c.rpc(ctx, i, "account_info", map[string]any{"account": g.addr, "ledger_index": "current"})
		if err != nil {
			t.Fatal(err)
		}
		seq, err := sequenceOf(raw)
		if err != nil {
			t.Fatal(err)
		}
		dest := newTestAccount(t, fmt.Sprintf("control-%d", k))
		blob, _, err := signTx(g.kp, payment(g, seq, dest.addr, fundDrops))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.rpc(ctx, i, "submit", map[string]any{"tx_blob": blob}); err != nil {
			t.Fatal(err)
		}
	}
	h := maxOf(c.heights(ctx, []int{0, 1}))
	c.waitHeights(ctx, []int{0, 1}, h+3, 60*time.Second)
	seq, err := c.checkAgreement(ctx, []int{0, 1})
	if err == nil || !strings.Contains(err.Error(), "I1 violated") {
		t.Fatalf("the checker did not report the fork of the control run (err %v)", err)
	}
	t.Logf("control run: the checker reports %v (first divergence at ledger %d)", err, seq)
}
