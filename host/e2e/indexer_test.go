package e2e

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// sqliteIndexerConfig runs the sqlite indexer as instance "blhr".
func sqliteIndexerConfig() []string {
	return []string{
		"[plugins]",
		fmt.Sprintf("dir = %q", pluginDir),
		`health_interval = "500ms"`,
		"[[plugins.instance]]",
		`name = "blhr"`,
		`kind = "indexer"`,
		`command = "indexer-sqlite"`,
		fmt.Sprintf("sha256 = %q", pluginSHA["indexer-sqlite"]),
		`call_timeout = "5s"`,
		`restart = { max_attempts = 10, backoff_min = "100ms", backoff_max = "1s" }`,
	}
}

// TestIndexerFeedSurvivesKillsOfPluginAndNode feeds a dev chain's ledgers
// to the sqlite indexer plugin from the node's durable cursor while
// payments flow; kill -9s the plugin, then the node; and checks that the
// indexer ends up holding every validated ledger and transaction exactly
// once, with the node's hashes.
func TestIndexerFeedSurvivesKillsOfPluginAndNode(t *testing.T) {
	ctx := ctxFor(t, 3*time.Minute)
	n := newDevNode(t, sqliteIndexerConfig()...)
	n.start()
	c := n.dial(ctx)
	gen := genesisTestAccount(t)

	indexer := func() pluginEntry {
		t.Helper()
		list, err := n.plugins(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("plugins: %+v, %v", list, err)
		}
		return list[0]
	}
	caughtUp := func(what string) uint32 {
		t.Helper()
		for {
			l, err := getLedger(ctx, c, "validated", false)
			if err == nil {
				if e := indexer(); e.Cursor >= l.Index && e.State == "ready" {
					return l.Index
				}
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: the indexer did not catch up: %+v\n%s", what, indexer(), n.logs())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	seq, err := nextSequence(ctx, c, gen.addr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var accepted []string
	pay := func(count int) {
		t.Helper()
		for i := 0; i < count; i++ {
			dest := newTestAccount(t, fmt.Sprintf("indexer-load-%d", i%40))
			blob, hash, err := signTx(gen.kp, payment(gen, seq, dest.addr, "1000000000"))
			if err != nil {
				t.Fatal(err)
			}
			if err := submitOK(ctx, c, blob); err != nil {
				t.Fatal(err)
			}
			seq++
			mu.Lock()
			accepted = append(accepted, hash)
			mu.Unlock()
			time.Sleep(3 * time.Millisecond)
		}
	}

	pay(100)
	first := indexer()
	if err := syscall.Kill(first.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	pay(100) // while the indexer restarts
	caughtUp("after the plugin kill")
	if e := indexer(); e.Restarts < 1 || e.PID == first.PID {
		t.Fatalf("the indexer was not restarted: %+v", e)
	}

	// kill -9 the node: the cursor it kept survives, and the indexer is
	// fed from it after the restart. (Payments accepted but not yet
	// validated die with the node's pool, so wait for them first.)
	pay(50)
	for _, h := range accepted {
		if _, err := waitValidated(ctx, c, h); err != nil {
			t.Fatal(err)
		}
	}
	n.kill()
	n.start()
	c = n.dial(ctx)
	if seq, err = nextSequence(ctx, c, gen.addr); err != nil {
		t.Fatal(err)
	}
	pay(50)
	for _, h := range accepted {
		if _, err := waitValidated(ctx, c, h); err != nil {
			t.Fatal(err)
		}
	}
	top := caughtUp("after the node kill")

	// The API routes queries to the instance; no records are sealed yet.
	raw, err := c.Request(ctx, "blhr_query", map[string]any{"indexer": "blhr", "limit": 10})
	if err != nil || !strings.Contains(string(raw), `"records":[]`) {
		t.Errorf("blhr_query: %s, %v", raw, err)
	}
	if _, err := c.Request(ctx, "blhr_query", map[string]any{"indexer": "nope"}); err == nil || !strings.Contains(err.Error(), "no indexer instance") {
		t.Errorf("blhr_query of an unknown indexer: %v", err)
	}
	if _, err := c.Request(ctx, "blhr_query", map[string]any{"ledger_index_min": 9, "ledger_index_max": 3}); err == nil {
		t.Error("blhr_query with an inverted range succeeded")
	}

	// Read the indexer's database: every ledger 1..top once with the
	// node's hash, every transaction once.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(n.dir, "data", "plugin-data", "blhr", "blhr.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var nLedgers, minSeq, maxSeq, txSum, nTxs, distinctTxs int
	if err := db.QueryRowContext(ctx, "SELECT count(*), min(seq), max(seq), sum(tx_count) FROM ledgers WHERE seq <= ?", top).
		Scan(&nLedgers, &minSeq, &maxSeq, &txSum); err != nil {
		t.Fatal(err)
	}
	if nLedgers != int(top) || minSeq != 1 || maxSeq != int(top) {
		t.Fatalf("indexer holds %d ledgers %d..%d, want 1..%d", nLedgers, minSeq, maxSeq, top)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*), count(DISTINCT hash) FROM transactions WHERE ledger_seq <= ?", top).
		Scan(&nTxs, &distinctTxs); err != nil {
		t.Fatal(err)
	}
	if nTxs != txSum || distinctTxs != nTxs {
		t.Fatalf("indexer holds %d transactions (%d distinct), its ledgers count %d", nTxs, distinctTxs, txSum)
	}
	for _, h := range accepted {
		b, _ := hex.DecodeString(h)
		var k int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM transactions WHERE hash = ?", b).Scan(&k); err != nil || k != 1 {
			t.Fatalf("payment %s is in the indexer %d times (%v)", h, k, err)
		}
	}
	for _, seq := range []uint32{1, top / 2, top} {
		l, err := getLedger(ctx, c, seq, false)
		if err != nil {
			t.Fatal(err)
		}
		var hash []byte
		if err := db.QueryRowContext(ctx, "SELECT hash FROM ledgers WHERE seq = ?", seq).Scan(&hash); err != nil || !strings.EqualFold(hex.EncodeToString(hash), l.Hash) {
			t.Fatalf("ledger %d: indexer hash %X, node %s (%v)", seq, hash, l.Hash, err)
		}
	}
	t.Logf("indexer holds ledgers 1..%d and %d transactions once each across a plugin and a node kill -9", top, nTxs)
}
