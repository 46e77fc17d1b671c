package ledger

import (
	"encoding/hex"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// A payment between two existing accounts modifies both roots: Balance (and
// the sender's Sequence) in PreviousFields, full FinalFields, and the
// previous transaction that touched each entry (threading).
func TestPaymentMetadataHasRippledShape(t *testing.T) {
	e := newEnv(t)
	first := e.submit(ter.TesSUCCESS, "genesis", pay(e.addr("alice"), "50000000"))
	_ = first
	e.close()
	tx := e.tx("genesis", pay(e.addr("alice"), "1000000"))
	out := e.apply(tx)
	if out.Result != ter.TesSUCCESS {
		t.Fatal(out.Result)
	}
	m := out.Meta
	if m.UInt32(sf.TransactionIndex) != 0 || ter.Code(m.UInt8(sf.TransactionResult)) != ter.TesSUCCESS {
		t.Fatalf("meta %v", m.JSON())
	}
	nodes := m.Array(sf.AffectedNodes)
	if len(nodes) != 2 {
		t.Fatalf("%d affected nodes", len(nodes))
	}
	for i, it := range nodes {
		n := it.Object
		if it.Field != sf.ModifiedNode {
			t.Fatalf("node %d is %s", i, it.Field.Name)
		}
		if i > 0 {
			a, b := nodes[i-1].Object.Hash256(sf.LedgerIndex), n.Hash256(sf.LedgerIndex)
			if string(a[:]) >= string(b[:]) {
				t.Fatal("affected nodes are not sorted by index")
			}
		}
		ff, pf := n.Object(sf.FinalFields), n.Object(sf.PreviousFields)
		if ff == nil || pf == nil || !pf.Has(sf.Balance) || !ff.Has(sf.Account) {
			t.Fatalf("node %v", n.JSON())
		}
		if ff.Has(sf.PreviousTxnID) || pf.Has(sf.PreviousTxnID) {
			t.Fatal("threading fields belong on the node, not in Final/PreviousFields")
		}
		if !n.Has(sf.PreviousTxnID) || n.UInt32(sf.PreviousTxnLgrSeq) == 0 {
			t.Fatalf("node not threaded: %v", n.JSON())
		}
	}
	// The entries now point at this transaction.
	if got := e.root("alice").Hash256(sf.PreviousTxnID); got != tx.ID() {
		t.Fatalf("alice threaded to %X", got)
	}
	// And the metadata survives a binary round trip.
	back, err := codec.Decode(m.Encode())
	if err != nil || !back.Equal(m) {
		t.Fatalf("metadata round trip: %v", err)
	}
}

func TestTecMetadataRecordsOnlyTheFee(t *testing.T) {
	e := newEnv(t)
	out := e.submit(ter.TecNO_DST_INSUF_SWT, "genesis", pay(e.addr("alice"), "5"))
	nodes := out.Meta.Array(sf.AffectedNodes)
	if len(nodes) != 1 || nodes[0].Field != sf.ModifiedNode {
		t.Fatalf("affected %v", affected(out.Meta))
	}
	pf := nodes[0].Object.Object(sf.PreviousFields)
	if !pf.Has(sf.Balance) || !pf.Has(sf.Sequence) || pf.Len() != 2 {
		t.Fatalf("PreviousFields %v", pf.JSON())
	}
	if ter.Code(out.Meta.UInt8(sf.TransactionResult)) != ter.TecNO_DST_INSUF_SWT {
		t.Fatal("result not recorded")
	}
}

// Ledger 2838718 of the Jingtum main network (swtclib docs 4.6): our header
// hash reproduces the hash the network reported.
func TestHeaderHashMatchesARealJingtumLedger(t *testing.T) {
	h := Header{
		Seq:                 2838718,
		TotalCoins:          600000000000000000,
		ParentHash:          mustHash(t, "71CE1471C329AB64CDEF40C17484317760BA7C2DFFC731AE187AF0318BA6E20A"),
		AccountHash:         mustHash(t, "4E64CF69B07D71B5216D8F9D8030D9D73958B34550A30FA7AC5894FF418FF9D4"),
		ParentCloseTime:     607471200,
		CloseTime:           607471210,
		CloseTimeResolution: 10,
	}
	if got := h.Hash(); got != mustHash(t, "93D6C3B76B5D6A2637F92F88A8CFB42C8433DA0EE69BD08A8CFAC327571173DD") {
		t.Fatalf("hash %X", got)
	}
	back, err := DecodeHeader(h.Encode())
	if err != nil || back != h {
		t.Fatalf("header round trip: %v", err)
	}
	// Extension roots change the hash only when set.
	h.BLHRRoot[0] = 1
	if h.Hash() == mustHash(t, "93D6C3B76B5D6A2637F92F88A8CFB42C8433DA0EE69BD08A8CFAC327571173DD") {
		t.Fatal("BLHR root not covered by the hash")
	}
	back, err = DecodeHeader(h.Encode())
	if err != nil || back != h {
		t.Fatalf("extended header round trip: %v", err)
	}
	bad := h.Encode()
	bad[118] = 7
	if _, err := DecodeHeader(bad); err == nil {
		t.Fatal("unknown extension version accepted")
	}
	if _, err := DecodeHeader(bad[:50]); err == nil {
		t.Fatal("short header accepted")
	}
}

func mustHash(t *testing.T, s string) (h codec.Hash256) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatal(s)
	}
	copy(h[:], b)
	return h
}

func TestClosedLedgerChainsAndRebuilds(t *testing.T) {
	e := newEnv(t)
	e.fund(50_000_000, "alice", "bob")
	parent := e.closed
	l := e.close()
	if l.Header().ParentHash != parent.Hash() || l.Seq() != parent.Seq()+1 {
		t.Fatal("ledger does not chain")
	}
	if l.Header().TotalCoins != JingtumTotalCoins-20 {
		t.Fatalf("total coins %d: fees must be destroyed", l.Header().TotalCoins)
	}
	txs, err := l.Transactions()
	if err != nil || len(txs) != 2 || txs[0].Index() != 0 || txs[1].Index() != 1 {
		t.Fatalf("transactions %v %v", len(txs), err)
	}
	r, err := Rebuild(l.Header(), l.State().Snapshot(), l.TxTree().Snapshot())
	if err != nil || r.Hash() != l.Hash() || r.Fees() != l.Fees() {
		t.Fatalf("rebuild: %v", err)
	}
	h := l.Header()
	h.AccountHash[0] ^= 1
	if _, err := Rebuild(h, l.State(), l.TxTree()); err == nil {
		t.Fatal("rebuild accepted a wrong state root")
	}
}
