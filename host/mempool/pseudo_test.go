package mempool

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

func evidenceTx(t testing.TB, offender string, height uint32, data []byte) *ledger.Tx {
	t.Helper()
	tx, err := ledger.NewEvidenceTx(id(t, offender), height, data)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// A client cannot submit a pseudo-transaction: in pseudo form (no
// signature) or signed by an account, it is refused before the signature
// check with temINVALID and ErrPseudoTx, and the pool keeps nothing.
func TestSubmitEvidencePseudoTransactionIsRefusedAndChangesNothing(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	data := []byte{1, 0x20, 2, 3}
	pseudo := evidenceTx(t, "bob", 1, data)
	signed := sign(t, "alice", map[string]any{"TransactionType": "Evidence", "Account": id(t, "alice").String(),
		"Sequence": 1, "Fee": "10", "Offender": id(t, "bob").String(), "LedgerSequence": 1, "EvidenceData": hex.EncodeToString(data)})
	for name, tx := range map[string]*ledger.Tx{"pseudo form": pseudo, "signed": signed} {
		for range 2 {
			r := tp.submit(tx, ter.TemINVALID, "rejected")
			if !errors.Is(r.Err, ErrPseudoTx) {
				t.Fatalf("%s: err %v", name, r.Err)
			}
			tp.wantCounts(0, 0)
			if tp.Lookup(tx.ID()) != nil || tp.inOpen(tx) {
				t.Fatalf("%s: the pool holds it", name)
			}
		}
	}
	var committed bool
	tp.Current(func(o *ledger.OpenLedger) { committed = ledger.HasEvidence(o, data) })
	if committed {
		t.Fatal("a submitted pseudo-transaction committed evidence")
	}
	// The account's sequence is untouched: its next transaction applies.
	tp.submit(payment(t, "alice", 1, "bob"), ter.TesSUCCESS, "applied")
}

// A block's evidence, applied by CloseBlock's extra, is in the closed
// ledger; its zero fee does not lower the fee median the next ledger starts
// from.
func TestEvidenceInABlockIsCommittedAndLeftOutOfTheFeeMedian(t *testing.T) {
	tp := newTestPool(t, Config{LedgerTarget: 2, MaxTxsPerLedger: 100}, "sender", "sink")
	tp.submit(payment(t, "sender", 1, "sink", fee(20)), ter.TesSUCCESS, "applied") // level 512
	ev := evidenceTx(t, "sink", 2, []byte{1, 0x21, 9})
	l, ids := tp.CloseBlock(tp.closeInfo(), func(o *ledger.OpenLedger) []codec.Hash256 {
		if out := o.ApplyPseudo(ev); out.Result != ter.TesSUCCESS {
			t.Fatalf("ApplyPseudo: %s %s", out.Result, out.Detail)
		}
		return []codec.Hash256{ev.ID()}
	})
	if len(ids) != 2 || ids[1] != ev.ID() {
		t.Fatalf("ids %X", ids)
	}
	if _, ok, err := l.Tx(ev.ID()); !ok || err != nil {
		t.Fatalf("the block's ledger lacks the evidence: %v", err)
	}
	tp.Accept(l)
	tp.validated = l
	tp.check()
	// A pool started on the ledger reads its stored transactions: counted,
	// the evidence's level 0 would make the median (0+512)/2.
	if fresh := New(Config{LedgerTarget: 2, MaxTxsPerLedger: 100}, l, nil); fresh.median != 512 {
		t.Fatalf("median %d, want 512", fresh.median)
	}
}
