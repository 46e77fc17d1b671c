package node

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/p2p"
)

// freePorts reserves n loopback TCP ports.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// testNet writes an RBFT chain of n validators (and followers) into temp
// directories and returns their configs.
func testNet(t *testing.T, validators, followers int) []config.Config {
	t.Helper()
	total := validators + followers
	ids := make([]Identity, total)
	keys := make([]NodeKey, total)
	for i := range ids {
		var err error
		if keys[i], ids[i], err = NewNodeKey(crypto.Ed25519); err != nil {
			t.Fatal(err)
		}
	}
	g := NewGenesis("nettest", crypto.GenesisKeyPair().AccountID(), ids[0], time.Unix(1_700_000_000, 0))
	g.Consensus.Engine = "rbft"
	g.Consensus.Validators = nil
	for i := 0; i < validators; i++ {
		g.Consensus.Validators = append(g.Consensus.Validators, ids[i].GenesisValidator(fmt.Sprintf("v%d", i+1)))
	}
	ports := freePorts(t, total)
	peerIDs := make([]string, total)
	for i := range ids {
		var err error
		if peerIDs[i], err = p2p.PeerIDFromKey(ids[i].P2PSeed()); err != nil {
			t.Fatal(err)
		}
	}
	addr := func(i int) string { return fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", ports[i]) }
	var cfgs []config.Config
	for i := 0; i < total; i++ {
		dir := t.TempDir()
		if err := keys[i].Save(filepath.Join(dir, "node_key.json")); err != nil {
			t.Fatal(err)
		}
		if err := g.Save(filepath.Join(dir, "genesis.json")); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		cfg.DataDir = dir
		cfg.Log.Format = "text"
		cfg.RPC.WSListen = "127.0.0.1:0"
		cfg.RPC.HTTPListen = "127.0.0.1:0"
		cfg.Consensus.Engine = "rbft"
		cfg.Consensus.Options = map[string]string{
			"timeout_propose": "1s", "timeout_prevote": "500ms", "timeout_precommit": "500ms",
			"timeout_delta": "250ms", "timeout_commit": "200ms",
		}
		cfg.P2P.Listen = []string{addr(i)}
		for j := 0; j < total; j++ {
			switch {
			case j == i:
			case j < validators:
				cfg.P2P.Peers = append(cfg.P2P.Peers, peerIDs[j]+"@"+addr(j))
			case i < validators:
				cfg.P2P.Peers = append(cfg.P2P.Peers, peerIDs[j]) // followers dial in
			}
		}
		cfgs = append(cfgs, cfg)
	}
	return cfgs
}

func TestFourValidatorsAgreeAndCommitPayments(t *testing.T) {
	cfgs := testNet(t, 4, 1)
	nodes := make([]running, len(cfgs))
	for i, c := range cfgs {
		nodes[i] = startNode(t, c)
	}
	waitLong(t, "every node to pass ledger 4", 60*time.Second, func() bool {
		for _, r := range nodes {
			if r.n.Validated().Seq() < 4 {
				return false
			}
		}
		return true
	})
	genesis := crypto.GenesisKeyPair()
	dest := crypto.AccountIDFromPublicKey(append([]byte{0x02}, make([]byte, 32)...))
	var ids []codec.Hash256
	for seq := uint32(1); seq <= 300; seq++ {
		tx := signedPayment(t, genesis, seq, dest, "20000000")
		// Submitted to different validators: gossip brings them together.
		res := nodes[int(seq)%4].n.Submit(tx)
		if res.Result != ter.TesSUCCESS && res.Result != ter.TerPRE_SEQ {
			t.Fatalf("submit %d: %+v", seq, res)
		}
		ids = append(ids, tx.ID())
		if seq%50 == 0 {
			time.Sleep(300 * time.Millisecond)
		}
	}
	last := ids[len(ids)-1]
	waitLong(t, "the payments on every node", 60*time.Second, func() bool {
		for _, r := range nodes {
			if _, err := r.n.Tx(last); err != nil {
				return false
			}
		}
		return true
	})
	// Agreement: every node has the same ledger at every common height.
	top := nodes[0].n.Validated().Seq()
	for _, r := range nodes {
		top = min(top, r.n.Validated().Seq())
	}
	for h := uint32(1); h <= top; h++ {
		want, err := nodes[0].n.Header(h)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range nodes[1:] {
			got, err := r.n.Header(h)
			if err != nil || got.Hash() != want.Hash() {
				t.Fatalf("node %d ledger %d: %X, node 0 has %X (%v)", i+1, h, got.Hash(), want.Hash(), err)
			}
		}
	}
	// Proposers rotate: more than one validator created blocks.
	creators := map[codec.AccountID]int{}
	for h := uint32(2); h <= top; h++ {
		raw, err := nodes[0].n.store.Certificate(h)
		if err != nil {
			t.Fatal(err)
		}
		cr, err := decodeCommitRecord(raw)
		if err != nil {
			t.Fatal(err)
		}
		b, err := DecodeBlock(cr.Payload)
		if err != nil {
			t.Fatal(err)
		}
		creators[b.Creator]++
	}
	if len(creators) < 2 {
		t.Fatalf("one creator made all %d blocks: %v", top-1, creators)
	}
	// server_info's view of the network: validators, peers, the round.
	for i, r := range nodes {
		st := r.n.Status()
		vals, _ := st.Consensus["validators"].([]string)
		wantState := "proposing"
		if i == 4 {
			wantState = "full" // the follower
		}
		if st.Validators != 4 || len(vals) != 4 || st.Peers < 1 || st.Consensus["height"].(uint32) < top || st.ServerState != wantState {
			t.Fatalf("node %d status: validators %d %v, peers %d, consensus %v, state %q", i, st.Validators, vals, st.Peers, st.Consensus, st.ServerState)
		}
	}
	t.Logf("%d nodes agree on ledgers 1..%d; blocks by creator %v", len(nodes), top, creators)
}

func waitLong(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A validator whose safety file is gone, while recent commits carry its
// precommits, refuses to start rather than risk signing twice; with the
// file back it starts and catches up.
func TestDoubleSignGuardRefusesToStartWithoutTheSafetyRecord(t *testing.T) {
	cfgs := testNet(t, 4, 0)
	nodes := make([]running, len(cfgs))
	for i, c := range cfgs {
		nodes[i] = startNode(t, c)
	}
	waitLong(t, "ledger 4", 60*time.Second, func() bool { return nodes[0].n.Validated().Seq() >= 4 })
	if err := nodes[0].stop(); err != nil {
		t.Fatal(err)
	}
	path := safetyPath(cfgs[0])
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	// Node 0 may not have precommitted in the last ten commits only if it
	// was slow every time; in a four-node network it takes part in nearly all.
	_, err = New(cfgs[0], hclog.NewNullLogger())
	if err == nil || !strings.Contains(err.Error(), "refusing to start") {
		t.Fatalf("started without its safety record: %v", err)
	}
	if err := os.WriteFile(path, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	again := startNode(t, cfgs[0])
	top := nodes[1].n.Validated().Seq()
	waitLong(t, "the restarted validator to catch up", 60*time.Second, func() bool { return again.n.Validated().Seq() >= top+1 })
}

func FuzzNetWire(f *testing.F) {
	f.Add((&envelope{From: codec.AccountID{1}, Payload: []byte{1, 2}, Signature: []byte{3}, Resend: 9}).encode())
	f.Add(encodeTxBatch([][]byte{{1, 2, 3}, {4}}))
	f.Add((&commitRecord{Payload: []byte{1}, Certificate: []byte{2, 3}}).encode())
	f.Add((&ledgerAnswer{Record: []byte{1}, Txs: [][]byte{{2}}}).encode())
	f.Add(encodeIDs([]codec.Hash256{{1}, {2}}))
	f.Add(encodeBlobs([][]byte{{1}, nil}))
	f.Add(encodeHeight(7))
	rec := []byte{1, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0}
	f.Add(encodeRecordBatch([][]byte{rec}))
	f.Add((&ledgerAnswer{Record: []byte{1}, Records: [][]byte{rec}}).encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		// Every decoder either fails or round-trips to the same bytes.
		if e, err := decodeEnvelope(b); err == nil && !bytes.Equal(e.encode(), b) {
			t.Fatalf("envelope re-encodes differently")
		}
		if x, err := decodeTxBatch(b); err == nil && !bytes.Equal(encodeTxBatch(x), b) {
			t.Fatalf("batch re-encodes differently")
		}
		if c, err := decodeCommitRecord(b); err == nil && !bytes.Equal(c.encode(), b) {
			t.Fatalf("commit record re-encodes differently")
		}
		if a, err := decodeLedgerAnswer(b); err == nil && !bytes.Equal(a.encode(), b) {
			t.Fatalf("ledger answer re-encodes differently")
		}
		if ids, err := decodeIDs(b); err == nil && !bytes.Equal(encodeIDs(ids), b) {
			t.Fatalf("ids re-encode differently")
		}
		if x, err := decodeBlobs(b, 2); err == nil && !bytes.Equal(encodeBlobs(x), b) {
			t.Fatalf("blobs re-encode differently")
		}
		if h, err := decodeHeight(b); err == nil && !bytes.Equal(encodeHeight(h), b) {
			t.Fatalf("height re-encodes differently")
		}
		if recs, err := decodeRecordBatch(b); err == nil {
			encs := make([][]byte, len(recs))
			for i, r := range recs {
				encs[i] = r.Encode()
			}
			if !bytes.Equal(encodeRecordBatch(encs), b) {
				t.Fatalf("record batch re-encodes differently")
			}
		}
	})
}

func TestP2PKeyFileGivesTheIdentityOrAClearError(t *testing.T) {
	dir := t.TempDir()
	n := &Node{}
	n.cfg.DataDir = dir
	n.cfg.P2P.KeyFile = "p2p_key"
	if _, err := loadP2PKey(n); err == nil || !strings.Contains(err.Error(), "p2p.key_file") {
		t.Fatalf("missing file: %v", err)
	}
	for _, bad := range []string{"zz", "abcd", strings.Repeat("ab", 33)} {
		os.WriteFile(filepath.Join(dir, "p2p_key"), []byte(bad), 0o600)
		if _, err := loadP2PKey(n); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
			t.Fatalf("key %q: %v", bad, err)
		}
	}
	good := strings.Repeat("0f", 32)
	os.WriteFile(filepath.Join(dir, "p2p_key"), []byte(good+"\n"), 0o600)
	seed, err := loadP2PKey(n)
	if err != nil || hex.EncodeToString(seed) != good {
		t.Fatalf("good key: %x, %v", seed, err)
	}
}
