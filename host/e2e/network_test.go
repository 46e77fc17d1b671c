package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// The multi-process RBFT scenarios of spec/rbft.md §2.8 on loopback: four
// validators (f = 1) and a follower, real jtd processes, real libp2p.

// S1: crash f validators under load; S3: kill -9 at random moments and
// restart with the disk intact; a follower that starts empty catches up;
// S14 replay and S15 double spend. Checks I1–I6 and I9.
func TestNetworkCrashesUnderLoad(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	ctx := ctxFor(t, 4*time.Minute)
	c := newCluster(t, 4, 1, false)
	vals := []int{0, 1, 2, 3}
	c.start(vals...)
	c.waitHeights(ctx, vals, 3, 60*time.Second)

	load := newClusterLoad(ctx, t, c, 6, "crash")
	load.setLive(vals)
	load.start(ctx)

	// S1: one validator (f) crashes; the other three keep committing.
	time.Sleep(3 * time.Second)
	c.nodes[3].kill()
	load.setLive([]int{0, 1, 2})
	h := c.heights(ctx, []int{0, 1, 2})[0]
	c.waitHeights(ctx, []int{0, 1, 2}, h+3, 30*time.Second)

	// The follower starts from nothing and catches up while ledgers close.
	c.start(4)
	c.nodes[3].start()
	load.setLive(c.all())
	top := c.heights(ctx, []int{0})[0]
	c.waitHeights(ctx, []int{3, 4}, top, 45*time.Second)

	// S3: kill -9 one validator at a random moment, restart it on its disk;
	// it never goes back (I9) and the network keeps committing.
	for round := 0; round < 3; round++ {
		v := r.IntN(4)
		time.Sleep(time.Duration(200+r.IntN(1500)) * time.Millisecond)
		before := c.height(ctx, v)
		c.nodes[v].kill()
		others := without(vals, v)
		load.setLive(others)
		time.Sleep(time.Duration(r.IntN(1000)) * time.Millisecond)
		c.nodes[v].start()
		if after := c.height(ctx, v); after < before {
			t.Fatalf("I9 violated: validator %d reported ledger %d before kill -9, %d after restart", v, before, after)
		}
		load.setLive(c.all())
		h := c.heights(ctx, others)[0]
		c.waitHeights(ctx, vals, h+2, 45*time.Second)
	}
	load.halt()

	// S14: a committed transaction replayed to other nodes is refused.
	var txw struct {
		Tx        string `json:"tx"`
		Validated bool   `json:"validated"`
	}
	for hash := range load.sent {
		raw, err := c.rpc(ctx, 0, "tx", map[string]any{"transaction": hash, "binary": true})
		if err == nil && decodeInto(raw, &txw) == nil && txw.Validated && txw.Tx != "" {
			break // some accepted ones were lost with a crash: find one that validated
		}
		txw.Validated = false
	}
	if !txw.Validated {
		t.Fatal("no accepted payment validated")
	}
	if txw.Validated && txw.Tx != "" {
		for _, i := range []int{1, 2, 4} {
			raw, err := c.rpc(ctx, i, "submit", map[string]any{"tx_blob": txw.Tx})
			if err != nil {
				t.Fatal(err)
			}
			if res := resultOf(raw); !strings.HasPrefix(res, "tef") {
				t.Fatalf("S14: replaying a validated transaction to node %d gave %s, want a tef code", i, res)
			}
		}
	}

	n := load.verify(ctx, t, c.all())
	// S15: two payments with the same account and sequence, different
	// destinations, to two validators at once: at most one applies.
	a := load.accts[0]
	raw, err := c.rpc(ctx, 0, "account_info", map[string]any{"account": a.addr, "ledger_index": "validated"})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := sequenceOf(raw)
	if err != nil {
		t.Fatal(err)
	}
	blobA, hashA, _ := signTx(a.kp, payment(a, seq, load.accts[1].addr, "1111"))
	blobB, hashB, _ := signTx(a.kp, payment(a, seq, load.accts[2].addr, "2222"))
	var wg sync.WaitGroup
	results := make([]string, 2)
	for k, blob := range []string{blobA, blobB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, err := c.rpc(ctx, k, "submit", map[string]any{"tx_blob": blob})
			results[k] = fmt.Sprint(resultOf(raw), err)
		}()
	}
	wg.Wait()

	c.waitHeights(ctx, c.all(), c.height(ctx, 0)+3, 30*time.Second)
	applied := 0
	for _, hash := range []string{hashA, hashB} {
		raw, err := c.rpc(ctx, 2, "tx", map[string]any{"transaction": hash})
		if err == nil {
			var w struct {
				Validated bool `json:"validated"`
			}
			decodeInto(raw, &w)
			if w.Validated {
				applied++
			}
		}
	}
	if applied != 1 {
		t.Fatalf("S15: %d of the two payments with sequence %d of %s applied, want exactly 1 (submit results %v)", applied, seq, a.addr, results)
	}
	top, err = c.checkAgreement(ctx, c.all())
	if err != nil {
		t.Fatalf("%v\n%s", err, c.logTails(c.all()))
	}
	if err := c.checkSigners(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, nd := range c.nodes {
		checkNoPanics(t, nd)
	}
	t.Logf("5 nodes agree on ledgers 1..%d; %d payments validated; double spend applied %d of 2", top, n, applied)
}

// S2: f+1 validators crash: no commits and no fork while the quorum is
// gone; after restart progress resumes within 30 s (I7).
func TestNetworkLossOfQuorumThenRecovery(t *testing.T) {
	ctx := ctxFor(t, 3*time.Minute)
	c := newCluster(t, 4, 0, false)
	c.start()
	c.waitHeights(ctx, c.all(), 3, 60*time.Second)
	c.nodes[2].kill()
	c.nodes[3].kill()
	time.Sleep(2 * time.Second) // a decision in flight may still land
	stuck := c.heights(ctx, []int{0, 1})
	time.Sleep(6 * time.Second)
	now := c.heights(ctx, []int{0, 1})
	for k := range now {
		if now[k] != stuck[k] {
			t.Fatalf("S2 violated: validator %d committed ledger %d → %d with only 2 of 4 validators", k, stuck[k], now[k])
		}
	}
	c.nodes[2].start()
	c.nodes[3].start()
	top := max(now[0], now[1])
	c.waitHeights(ctx, c.all(), top+3, 30*time.Second)
	if _, err := c.checkAgreement(ctx, c.all()); err != nil {
		t.Fatal(err)
	}
	if err := c.checkSigners(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

// S5: partitions through the chaos transport. 2/2: neither side commits,
// no fork; 3/1: the majority goes on and the minority catches up after the
// heal (I7 within 30 s).
func TestNetworkPartitionsHeal(t *testing.T) {
	ctx := ctxFor(t, 3*time.Minute)
	c := newCluster(t, 4, 0, true)
	c.start()
	all := c.all()
	c.waitHeights(ctx, all, 3, 60*time.Second)

	ids := c.peerIDs
	c.chaos(ctx, map[string]any{"partition": []any{[]any{ids[0], ids[1]}, []any{ids[2], ids[3]}}}, all)
	time.Sleep(2 * time.Second)
	stuck := c.heights(ctx, all)
	time.Sleep(6 * time.Second)
	now := c.heights(ctx, all)
	for i := range now {
		if now[i] != stuck[i] {
			t.Fatalf("2/2 partition: node %d committed %d → %d", i, stuck[i], now[i])
		}
	}
	c.chaos(ctx, map[string]any{"heal": true}, all)
	top := maxOf(now)
	c.waitHeights(ctx, all, top+3, 30*time.Second)

	c.chaos(ctx, map[string]any{"partition": []any{[]any{ids[0], ids[1], ids[2]}, []any{ids[3]}}}, all)
	h := maxOf(c.heights(ctx, all))
	c.waitHeights(ctx, []int{0, 1, 2}, h+3, 30*time.Second)
	c.chaos(ctx, map[string]any{"heal": true}, all)
	top = maxOf(c.heights(ctx, []int{0, 1, 2}))
	c.waitHeights(ctx, all, top+1, 30*time.Second)
	if err := c.checkSigners(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := c.checkAgreement(ctx, all); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("after 2/2 and 3/1 partitions, 4 nodes agree on ledgers 1..%d", got)
	}
}

func without(xs []int, x int) []int {
	var out []int
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func maxOf(xs []uint32) uint32 {
	var m uint32
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
