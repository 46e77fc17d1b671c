package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/node"
)

// Proof of application on a running network: a follower applies, a quorum
// of the validators approves, and two ledgers later it is a validator that
// signs commits; then a quorum removes an original validator, which is
// stopped, and the network goes on without it.
func TestNetworkValidatorJoinsByApplicationAndIsRemoved(t *testing.T) {
	ctx := ctxFor(t, 4*time.Minute)
	c := newCluster(t, 4, 1, false)
	c.start()
	c.waitHeights(ctx, c.all(), 3, 60*time.Second)
	ids := make([]node.Identity, len(c.nodes))
	for i, n := range c.nodes {
		id, err := node.LoadNodeKey(filepath.Join(n.dir, "node_key.json"))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	// Every node account needs SWT for fees and the reserve of what it owns.
	g := genesisTestAccount(t)
	raw, err := c.rpc(ctx, 0, "account_info", map[string]any{"account": g.addr, "ledger_index": "current"})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := sequenceOf(raw)
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for _, id := range ids {
		blob, hash, err := signTx(g.kp, payment(g, seq, id.Account().String(), fundDrops))
		if err != nil {
			t.Fatal(err)
		}
		c.submitOK(ctx, 0, blob)
		seq++
		last = hash
	}
	c.waitTx(ctx, 0, last)

	// The follower (node 4) applies, signing with its node key.
	applicant := ids[4]
	pub := strings.ToUpper(hex.EncodeToString(applicant.Key.PublicKey()))
	blob, hash, err := signTx(applicant.Key, map[string]any{
		"TransactionType": "ValidatorApply", "Account": applicant.Account().String(), "Sequence": 1,
		"NodePublicKey": pub, "VRFPublicKey": strings.ToUpper(hex.EncodeToString(applicant.VRF.Public())),
	})
	if err != nil {
		t.Fatal(err)
	}
	c.submitOK(ctx, 4, blob)
	c.waitTx(ctx, 0, hash)

	vote := func(voter int, target node.Identity, action int) string {
		blob, hash, err := signTx(ids[voter].Key, map[string]any{
			"TransactionType": "ValidatorVote", "Account": ids[voter].Account().String(), "Sequence": 1 + c.votes[voter],
			"NodePublicKey": strings.ToUpper(hex.EncodeToString(target.Key.PublicKey())), "ValidatorAction": action,
		})
		if err != nil {
			t.Fatal(err)
		}
		c.votes[voter]++
		c.submitOK(ctx, voter, blob)
		return hash
	}
	c.votes = map[int]uint32{4: 1} // the applicant used sequence 1
	// Q = 3 of the four validators approve.
	var approvals []string
	for _, v := range []int{0, 1, 2} {
		approvals = append(approvals, vote(v, applicant, 1))
	}
	decided := uint32(0)
	for _, h := range approvals {
		decided = max(decided, c.waitTx(ctx, 0, h))
	}
	effective := decided + 2
	c.waitHeights(ctx, c.all(), effective+6, 60*time.Second)
	joined := c.signersSince(ctx, 0, effective+1, effective+6)
	if !slices.Contains(joined, applicant.Account()) {
		t.Fatalf("the new validator signed none of the commits of ledgers %d..%d (signers %v)\n%s", effective+1, effective+6, joined, c.logTails([]int{0, 4}))
	}
	if n := c.consensusValidators(ctx, 4); n != 5 {
		t.Fatalf("consensus_info on the new validator shows %d validators, want 5", n)
	}

	// Remove validator 3: Q of five is four, so 0, 1, 2 and the newcomer vote.
	var removals []string
	for _, v := range []int{0, 1, 2, 4} {
		removals = append(removals, vote(v, ids[3], 2))
	}
	decided = 0
	for _, h := range removals {
		decided = max(decided, c.waitTx(ctx, 0, h))
	}
	removedAt := decided + 2
	c.waitHeights(ctx, []int{0, 1, 2, 4}, removedAt, 60*time.Second)
	c.nodes[3].kill()
	h := c.height(ctx, 0)
	c.waitHeights(ctx, []int{0, 1, 2, 4}, h+4, 45*time.Second)

	set := func(members ...int) []consensus.Validator {
		var out []consensus.Validator
		for _, m := range members {
			out = append(out, consensus.Validator{Address: ids[m].Account(), PublicKey: ids[m].Key.PublicKey()})
		}
		return out
	}
	c.valsAt = func(h uint32) []consensus.Validator {
		switch {
		case h < effective:
			return set(0, 1, 2, 3)
		case h < removedAt:
			return set(0, 1, 2, 3, 4)
		default:
			return set(0, 1, 2, 4)
		}
	}
	top, err := c.checkAgreement(ctx, []int{0, 1, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.checkSigners(ctx, 0); err != nil {
		t.Fatal(err)
	}
	t.Logf("joined at ledger %d, validator 3 removed at %d; four nodes agree on ledgers 1..%d", effective, removedAt, top)
}

func (c *cluster) submitOK(ctx context.Context, i int, blob string) {
	c.t.Helper()
	raw, err := c.rpc(ctx, i, "submit", map[string]any{"tx_blob": blob})
	if err != nil {
		c.t.Fatal(err)
	}
	if res := resultOf(raw); res != "tesSUCCESS" {
		c.t.Fatalf("submit to node %d: %s (%s)", i, res, raw)
	}
}

// waitTx waits until node i has the transaction in a validated ledger and
// returns that ledger's index; a tec result fails the test.
func (c *cluster) waitTx(ctx context.Context, i int, hash string) uint32 {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		raw, err := c.rpc(ctx, i, "tx", map[string]any{"transaction": hash})
		if err == nil {
			var w struct {
				Validated   bool   `json:"validated"`
				LedgerIndex uint32 `json:"ledger_index"`
				Meta        struct {
					TransactionResult string `json:"TransactionResult"`
				} `json:"meta"`
			}
			if json.Unmarshal(raw, &w) == nil && w.Validated {
				if w.Meta.TransactionResult != "tesSUCCESS" {
					c.t.Fatalf("transaction %s: %s", hash, w.Meta.TransactionResult)
				}
				return w.LedgerIndex
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.t.Fatalf("transaction %s not validated on node %d within 30 s\n%s", hash, i, c.logTails([]int{i}))
	return 0
}

// signersSince lists the accounts whose precommits are in the commit
// certificates of ledgers from..to on node i.
func (c *cluster) signersSince(ctx context.Context, i int, from, to uint32) []codec.AccountID {
	var out []codec.AccountID
	for seq := from; seq <= to; seq++ {
		raw, err := c.rpc(ctx, i, "ledger_commit", map[string]any{"ledger_index": seq})
		if err != nil {
			c.t.Fatal(err)
		}
		var w struct{ Certificate string }
		json.Unmarshal(raw, &w)
		b, _ := hex.DecodeString(w.Certificate)
		cert, err := rbft.DecodeCertificate(b)
		if err != nil {
			c.t.Fatalf("ledger %d certificate: %v", seq, err)
		}
		for _, p := range cert.Precommits {
			if !slices.Contains(out, p.Signer) {
				out = append(out, p.Signer)
			}
		}
	}
	return out
}

func (c *cluster) consensusValidators(ctx context.Context, i int) int {
	raw, err := c.rpc(ctx, i, "consensus_info", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	var w struct {
		Info struct {
			Validators []string `json:"validators"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		c.t.Fatal(err)
	}
	return len(w.Info.Validators)
}
