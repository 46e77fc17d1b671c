package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/node"
)

// leader is the index of the validator that built the latest validated
// ledger on node i: under raft, the leader builds every block.
func (c *cluster) leader(ctx context.Context, i int) (int, uint32, error) {
	h := c.height(ctx, i)
	raw, err := c.rpc(ctx, i, "ledger_commit", map[string]any{"ledger_index": h})
	if err != nil {
		return -1, h, err
	}
	var w struct{ Block string }
	if err := json.Unmarshal(raw, &w); err != nil {
		return -1, h, err
	}
	blob, err := hex.DecodeString(w.Block)
	if err != nil {
		return -1, h, err
	}
	b, err := node.DecodeBlock(blob)
	if err != nil {
		return -1, h, err
	}
	for k, v := range c.vals {
		if v.Address == b.Creator {
			return k, h, nil
		}
	}
	return -1, h, fmt.Errorf("ledger %d was built by %X, not a validator", h, b.Creator)
}

// TestRaftPrivateChainSurvivesLeaderKillsUnderLoad runs a three-validator
// private chain on the raft consensus plugin, kill -9s the leader's node
// (and with it its plugin) twice while payments flow, restarts it on its
// disk, and checks that the other two keep committing, that a restarted
// node never goes back, and that in the end every node holds the same
// ledgers with every payment that validated anywhere in the same ledger
// everywhere: nothing committed was lost.
func TestRaftPrivateChainSurvivesLeaderKillsUnderLoad(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	ctx := ctxFor(t, 4*time.Minute)
	c := newClusterOf(t, "raft", 3, 0, false)
	vals := c.all()
	c.start(vals...)
	c.waitHeights(ctx, vals, 3, 60*time.Second)

	load := newClusterLoad(ctx, t, c, 6, "raft")
	load.setLive(vals)
	load.start(ctx)

	leaders := map[int]bool{}
	for round := 0; round < 2; round++ {
		time.Sleep(time.Duration(1000+r.IntN(1500)) * time.Millisecond)
		lead, h, err := c.leader(ctx, 0)
		if err != nil {
			t.Fatalf("round %d: finding the leader: %v\n%s", round, err, c.logTails(vals))
		}
		leaders[lead] = true
		before := c.height(ctx, lead)
		c.nodes[lead].kill()
		others := without(vals, lead)
		load.setLive(others)
		// The two survivors elect a new leader and keep committing.
		c.waitHeights(ctx, others, h+3, 45*time.Second)
		if nl, _, err := c.leader(ctx, others[0]); err != nil || nl == lead {
			t.Fatalf("round %d: after killing leader %d the latest ledger was built by %d (%v)", round, lead, nl, err)
		}
		c.nodes[lead].start()
		if after := c.height(ctx, lead); after < before {
			t.Fatalf("validator %d reported ledger %d before kill -9, %d after restart", lead, before, after)
		}
		load.setLive(vals)
		top := c.heights(ctx, others)[0]
		c.waitHeights(ctx, vals, top+2, 45*time.Second)
	}
	load.halt()
	validated := load.verify(ctx, t, vals)
	top, err := c.checkAgreement(ctx, vals)
	if err != nil {
		t.Fatalf("%v\n%s", err, c.logTails(vals))
	}
	if validated < 50 {
		t.Fatalf("only %d payments validated: the load did not run", validated)
	}
	t.Logf("%d payments validated, %d ledgers agreed on 3 nodes, leaders killed: %v", validated, top, leaders)
}
