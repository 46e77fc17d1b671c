package mempool

import (
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

// A networked engine builds a candidate with CloseBlock; when the round
// fails, Reset brings its transactions back into an open ledger on the
// validated one, and the next candidate holds them again.
func TestCloseBlockResetAndLookup(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob", "carol")
	a1 := payment(t, "alice", 1, "bob")
	a2 := payment(t, "alice", 2, "bob")
	b1 := payment(t, "bob", 1, "carol")
	for _, tx := range []*ledger.Tx{a1, a2, b1} {
		tp.submit(tx, ter.TesSUCCESS, "applied")
	}
	if tp.Lookup(a2.ID()) != a2 || tp.Lookup(codec.Hash256{1}) != nil {
		t.Fatal("Lookup does not find what the pool holds")
	}
	extraCalled := false
	l, ids := tp.CloseBlock(tp.closeInfo(), func(o *ledger.OpenLedger) []codec.Hash256 {
		extraCalled = true
		if o.Len() != 3 {
			t.Fatalf("extra ran on an open ledger of %d transactions", o.Len())
		}
		return nil
	})
	if !extraCalled || l == nil || len(ids) != 3 || ids[0] != a1.ID() || ids[1] != a2.ID() || ids[2] != b1.ID() {
		t.Fatalf("CloseBlock: %v ids %X", l, ids)
	}
	// The closed candidate's transactions are still held (peers fetch them).
	if tp.Lookup(b1.ID()) == nil {
		t.Fatal("a transaction of the closed candidate is not found")
	}
	if tp.ParentHash() != l.Hash() {
		t.Fatal("the open ledger does not follow the candidate")
	}
	// The round fails: Reset rebuilds on the validated ledger with all three.
	tp.Reset()
	tp.check()
	if tp.ParentHash() != tp.validated.Hash() {
		t.Fatal("after Reset the open ledger is not on the validated ledger")
	}
	tp.wantCounts(3, 0)
	l2, ids2 := tp.CloseBlock(tp.closeInfo(), nil)
	if len(ids2) != 3 || l2.Seq() != l.Seq() {
		t.Fatalf("second candidate: seq %d, %d transactions", l2.Seq(), len(ids2))
	}
	tp.accept(l2)
	tp.wantCounts(0, 0)
	if tp.Lookup(a1.ID()) != nil {
		t.Fatal("a validated transaction is still held")
	}
	// Reset without a closed candidate changes nothing.
	tp.submit(payment(t, "carol", 1, "alice"), ter.TesSUCCESS, "applied")
	tp.Reset()
	tp.wantCounts(1, 0)
}

// When consensus decides a ledger this pool did not build, every
// transaction it had applied is kept, however far its sequence runs past the
// window: it was admitted within the window, and dropping the tail of a long
// chain would lose transactions clients were told were applied.
func TestForeignLedgerKeepsALongAppliedChain(t *testing.T) {
	tp := newTestPool(t, Config{SequenceWindow: 8, MaxTxsPerLedger: 1000, LedgerTarget: 1000}, "alice", "bob")
	var chain []*ledger.Tx
	for seq := uint32(1); seq <= 40; seq++ {
		tx := payment(t, "alice", seq, "bob", amount(1000))
		tp.submit(tx, ter.TesSUCCESS, "applied")
		chain = append(chain, tx)
	}
	// Another validator's ledger holds only the first two.
	tp.accept(tp.foreign(chain[0], chain[1]))
	for _, tx := range chain[2:] {
		if tp.Lookup(tx.ID()) == nil {
			t.Fatalf("sequence %d was dropped after a foreign ledger", tx.Sequence())
		}
	}
	tp.wantCounts(38, 0)
}
