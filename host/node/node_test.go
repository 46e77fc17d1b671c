package node

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/rpc"
)

// testChain writes a dev genesis and node key into a temp data dir and
// returns a config for it with ephemeral API ports.
func testChain(t *testing.T, genesisAccount crypto.KeyPair) config.Config {
	t.Helper()
	dir := t.TempDir()
	nk, kp, err := NewNodeKey(crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if err := nk.Save(filepath.Join(dir, "node_key.json")); err != nil {
		t.Fatal(err)
	}
	if err := NewGenesis("test", genesisAccount.AccountID(), kp, time.Unix(1_700_000_000, 0)).Save(filepath.Join(dir, "genesis.json")); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Log.Format = "text"
	cfg.RPC.WSListen = "127.0.0.1:0"
	cfg.RPC.HTTPListen = "127.0.0.1:0"
	cfg.Consensus.CloseInterval = 50 * time.Millisecond
	cfg.Consensus.IdleInterval = 200 * time.Millisecond
	return cfg
}

type running struct {
	n    *Node
	stop func() error
}

func startNode(t *testing.T, cfg config.Config) running {
	t.Helper()
	log := hclog.NewNullLogger()
	if os.Getenv("JT_TEST_LOG") != "" {
		log = hclog.New(&hclog.LoggerOptions{Name: filepath.Base(cfg.DataDir), Level: hclog.LevelFromString(os.Getenv("JT_TEST_LOG"))})
	}
	n, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			return errors.New("node did not stop within 20s")
		}
	}
	t.Cleanup(func() { stop() })
	return running{n, stop}
}

func signedPayment(t *testing.T, from crypto.KeyPair, seq uint32, to codec.AccountID, drops string) *ledger.Tx {
	t.Helper()
	js, _ := json.Marshal(map[string]any{"TransactionType": "Payment", "Account": from.AccountID().String(),
		"Destination": to.String(), "Amount": drops, "Fee": "10", "Sequence": seq, "Flags": 0})
	obj, err := codec.ParseJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := codec.Sign(obj, from); err != nil {
		t.Fatal(err)
	}
	tx, err := ledger.NewTx(obj)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNodeCommitsTransactionsAndRecoversThemAfterRestart(t *testing.T) {
	genesis := crypto.GenesisKeyPair()
	cfg := testChain(t, genesis)
	r := startNode(t, cfg)
	dest := crypto.AccountIDFromPublicKey(append([]byte{0x02}, make([]byte, 32)...))
	var ids []codec.Hash256
	for seq := uint32(1); seq <= 5; seq++ {
		tx := signedPayment(t, genesis, seq, dest, "20000000")
		res := r.n.Submit(tx)
		if res.Err != nil || res.Result != ter.TesSUCCESS || !res.Applied {
			t.Fatalf("submit %d: %+v", seq, res)
		}
		ids = append(ids, tx.ID())
	}
	waitFor(t, "the payments to validate", func() bool {
		_, err := r.n.Tx(ids[len(ids)-1])
		return err == nil
	})
	before := r.n.Validated()
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	// A new process on the same data dir resumes from the stored chain.
	again := startNode(t, cfg)
	after := again.n.Validated()
	if after.Seq() < before.Seq() {
		t.Fatalf("recovered ledger %d, had %d", after.Seq(), before.Seq())
	}
	for _, id := range ids {
		rec, err := again.n.Tx(id)
		if err != nil || rec.Result() != ter.TesSUCCESS {
			t.Fatalf("tx %X after restart: %v", id, err)
		}
	}
	if lo, hi := again.n.CompleteLedgers(); lo != 1 || hi < before.Seq() {
		t.Fatalf("complete ledgers %d-%d", lo, hi)
	}
	// And keeps working: the next sequence applies.
	if res := again.n.Submit(signedPayment(t, genesis, 6, dest, "1")); res.Result != ter.TesSUCCESS {
		t.Fatalf("submit after restart: %+v", res)
	}
	page, err := again.n.AccountTx(rpc.AccountTxQuery{Account: dest, Limit: 10})
	if err != nil || len(page.Transactions) < 5 {
		t.Fatalf("account_tx: %d records, %v", len(page.Transactions), err)
	}
}

func TestNodeRefusesADataDirectoryOfAnotherChain(t *testing.T) {
	cfg := testChain(t, crypto.GenesisKeyPair())
	r := startNode(t, cfg)
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	// Replace the genesis file with another chain's.
	nk, kp, _ := NewNodeKey(crypto.Ed25519)
	_ = nk
	other := NewGenesis("other", crypto.GenesisKeyPair().AccountID(), kp, time.Unix(1_800_000_000, 0))
	path := filepath.Join(cfg.DataDir, "genesis.json")
	os.Remove(path)
	if err := other.Save(path); err != nil {
		t.Fatal(err)
	}
	_, err := New(cfg, hclog.NewNullLogger())
	if err == nil || !strings.Contains(err.Error(), "different chain") {
		t.Fatalf("opened another chain's data: %v", err)
	}
}

func TestGenesisValidationReportsEveryProblem(t *testing.T) {
	g := Genesis{TotalCoins: "x", Account: "jNope"}
	err := g.Validate()
	if err == nil {
		t.Fatal("empty genesis accepted")
	}
	for _, want := range []string{"chain_name", "account", "total_coins", "fees.base", "consensus.engine", "consensus.validators"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

func TestKeyAndGenesisFilesAreNeverOverwrittenAndMustMatch(t *testing.T) {
	dir := t.TempDir()
	nk, kp, err := NewNodeKey(crypto.Secp256k1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "node_key.json")
	if err := nk.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := nk.Save(path); err == nil {
		t.Fatal("overwrote the node key")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("node key mode %v", st.Mode().Perm())
	}
	got, err := LoadNodeKey(path)
	if err != nil || got.PublicKey() != kp.PublicKey() {
		t.Fatalf("load: %v", err)
	}
	// A key file whose public key does not match its secret is refused.
	nk2, _, _ := NewNodeKey(crypto.Secp256k1)
	nk2.PublicKey = nk.PublicKey
	bad := filepath.Join(dir, "bad.json")
	nk2.Save(bad)
	if _, err := LoadNodeKey(bad); err == nil {
		t.Fatal("mismatched node key accepted")
	}
}
