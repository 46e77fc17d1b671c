package mempool

import (
	"errors"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec/ter"
)

func TestPerAccountQueueLimit(t *testing.T) {
	tp := newTestPool(t, Config{MaxPerAccount: 3}, "alice", "bob")
	for s := uint32(2); s <= 4; s++ {
		tp.submit(payment(t, "alice", s, "bob"), ter.TerPRE_SEQ, "queued")
	}
	r := tp.submit(payment(t, "alice", 5, "bob"), ter.TelLOCAL_ERROR, "rejected")
	if !errors.Is(r.Err, ErrAccountLimit) {
		t.Fatalf("%+v", r)
	}
	// Other accounts are not affected, and applying needs no queue room.
	tp.submit(payment(t, "bob", 2, "alice"), ter.TerPRE_SEQ, "queued")
	tp.submit(payment(t, "alice", 1, "bob"), ter.TesSUCCESS, "applied")
	tp.wantCounts(4, 1)
	tp.submit(payment(t, "alice", 5, "bob"), ter.TesSUCCESS, "applied")
}

func TestFullQueueTakesATransactionOnlyByEvictingACheaperOne(t *testing.T) {
	tp := newTestPool(t, Config{MaxTxs: 2}, "alice", "bob", "carol", "dave")
	a2 := payment(t, "alice", 2, "dave")
	b2 := payment(t, "bob", 2, "dave", fee(12))
	tp.submit(a2, ter.TerPRE_SEQ, "queued")
	tp.submit(b2, ter.TerPRE_SEQ, "queued")
	// Paying the same as the cheapest is not enough.
	r := tp.submit(payment(t, "carol", 2, "dave"), ter.TelINSUF_FEE_P, "rejected")
	if !errors.Is(r.Err, ErrQueueFull) || !strings.Contains(r.Detail, "at least 11 drops") {
		t.Fatalf("%+v", r)
	}
	c2 := payment(t, "carol", 2, "dave", fee(11))
	tp.submit(c2, ter.TerPRE_SEQ, "queued")
	tp.wantCounts(0, 2)
	// alice's was evicted and is forgotten; bob's and carol's remain.
	if r := tp.Submit(b2); !r.Queued {
		t.Fatalf("bob's: %+v", r)
	}
	tp.submit(a2, ter.TelINSUF_FEE_P, "rejected")
	// Transactions that apply at once need no queue room.
	tp.submit(payment(t, "alice", 1, "dave"), ter.TesSUCCESS, "applied")
	tp.wantCounts(1, 2)
}

func TestEvictionTakesOnlyTheLastQueuedTransactionOfAnAccount(t *testing.T) {
	tp := newTestPool(t, Config{MaxTxs: 3}, "alice", "bob", "dave")
	tp.submit(payment(t, "alice", 2, "dave"), ter.TerPRE_SEQ, "queued")
	tp.submit(payment(t, "alice", 3, "dave", fee(100)), ter.TerPRE_SEQ, "queued")
	b2 := payment(t, "bob", 2, "dave", fee(20))
	tp.submit(b2, ter.TerPRE_SEQ, "queued")
	// alice's cheap sequence 2 is not evictable: evicting it would strand
	// her sequence 3. bob's is the cheapest last entry.
	tp.submit(payment(t, "dave", 2, "alice", fee(15)), ter.TelINSUF_FEE_P, "rejected")
	tp.submit(payment(t, "dave", 2, "alice", fee(21)), ter.TerPRE_SEQ, "queued")
	tp.submit(b2, ter.TelINSUF_FEE_P, "rejected")
	// The submitter's own queue is never the victim: dave's sequence 2 is
	// now the cheapest last entry, but his sequence 3 must outbid alice's.
	tp.submit(payment(t, "dave", 3, "alice", fee(50)), ter.TelINSUF_FEE_P, "rejected")
	a3 := payment(t, "alice", 3, "dave", fee(100))
	tp.submit(payment(t, "dave", 3, "alice", fee(101)), ter.TerPRE_SEQ, "queued")
	tp.wantCounts(0, 3)
	tp.submit(a3, ter.TelINSUF_FEE_P, "rejected")
}

func TestFullOpenLedgerHoldsTransactionsForTheNextLedger(t *testing.T) {
	tp := newTestPool(t, Config{LedgerTarget: 2, MaxTxsPerLedger: 2}, "alice", "bob", "carol")
	tp.submit(payment(t, "alice", 1, "carol"), ter.TesSUCCESS, "applied")
	tp.submit(payment(t, "alice", 2, "carol"), ter.TesSUCCESS, "applied")
	held := payment(t, "bob", 1, "carol")
	tp.submit(held, ter.TerRETRY, "queued")
	behind := payment(t, "alice", 3, "carol")
	tp.submit(behind, ter.TerRETRY, "queued")
	tp.wantCounts(2, 2)
	_, n := tp.CloseOpen(tp.closeInfo())
	if n != 2 {
		t.Fatalf("closed %d", n)
	}
	tp.check()
	tp.wantCounts(2, 0)
	if !tp.inOpen(held) || !tp.inOpen(behind) {
		t.Fatal("held transactions did not move into the new open ledger")
	}
}

func TestReplacingAQueuedTransactionNeedsTwentyFivePercentMore(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	old := payment(t, "alice", 2, "bob", fee(100))
	tp.submit(old, ter.TerPRE_SEQ, "queued")
	r := tp.submit(payment(t, "alice", 2, "bob", fee(124)), ter.TelINSUF_FEE_P, "rejected")
	if !errors.Is(r.Err, ErrReplacementFee) || !strings.Contains(r.Detail, "at least 125 drops") {
		t.Fatalf("%+v", r)
	}
	repl := payment(t, "alice", 2, "bob", fee(125))
	tp.submit(repl, ter.TerPRE_SEQ, "queued")
	tp.wantCounts(0, 1)
	// The replaced one is gone: it is now a lower-fee rival of the new one.
	tp.submit(old, ter.TelINSUF_FEE_P, "rejected")
	tp.submit(payment(t, "alice", 1, "bob"), ter.TesSUCCESS, "applied")
	tp.wantCounts(2, 0)
	if !tp.inOpen(repl) || tp.inOpen(old) {
		t.Fatal("the replacement did not take the old one's place")
	}
}

func TestReplacingAHeldTransactionFollowsTheReplacementRule(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	tp.submit(payment(t, "alice", 1, "poor", amount(10_000_000)), ter.TesSUCCESS, "applied")
	// Held: poor cannot pay this fee.
	tp.submit(payment(t, "poor", 1, "bob", fee(20_000_000), amount(1)), ter.TerINSUF_FEE_B, "queued")
	// A replacement at 25% more that still cannot pay replaces it in the queue.
	tp.submit(payment(t, "poor", 1, "bob", fee(25_000_000), amount(1)), ter.TerINSUF_FEE_B, "queued")
	tp.wantCounts(1, 1)
	// A cheaper one is refused by the replacement rule even though it would apply.
	tp.submit(payment(t, "poor", 1, "bob", fee(10), amount(1)), ter.TelINSUF_FEE_P, "rejected")
}

func TestConfigDefaultsAndValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatal(err)
	}
	if got := (Config{}).withDefaults(); got != DefaultConfig() {
		t.Fatalf("%+v", got)
	}
	err := Config{MaxTxs: -1, LedgerTarget: 10, MaxTxsPerLedger: 5}.Validate()
	if err == nil || !strings.Contains(err.Error(), "max_txs is -1") || !strings.Contains(err.Error(), "ledger_target (10)") {
		t.Fatalf("%v", err)
	}
	p := New(Config{MaxTxs: -5}, nil, nil)
	if p.Config().MaxTxs != DefaultConfig().MaxTxs {
		t.Fatalf("%+v", p.Config())
	}
}
