package mempool

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

func TestSubmitNextSequenceIsAppliedToTheOpenLedger(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	tx := payment(t, "alice", 1, "bob")
	r := tp.submit(tx, ter.TesSUCCESS, "applied")
	if r.Err != nil {
		t.Fatalf("err %v", r.Err)
	}
	if !tp.inOpen(tx) || tp.seq("alice") != 2 {
		t.Fatalf("in open ledger %v, alice at %d", tp.inOpen(tx), tp.seq("alice"))
	}
	tp.wantCounts(1, 0)
}

func TestSubmitSameTransactionTwiceReturnsTheEarlierResultAndAppliesOnce(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	applied := payment(t, "alice", 1, "bob")
	queued := payment(t, "alice", 3, "bob")
	first := tp.submit(applied, ter.TesSUCCESS, "applied")
	firstQ := tp.submit(queued, ter.TerPRE_SEQ, "queued")
	for range 3 {
		if r := tp.Submit(applied); r != first {
			t.Fatalf("resubmitted: %+v, first %+v", r, first)
		}
		if r := tp.Submit(queued); r != firstQ {
			t.Fatalf("resubmitted queued: %+v, first %+v", r, firstQ)
		}
	}
	tp.wantCounts(1, 1)
	// A copy decoded from the same bytes is the same transaction.
	dup, err := ledger.DecodeTx(applied.Blob())
	if err != nil {
		t.Fatal(err)
	}
	tp.submit(dup, ter.TesSUCCESS, "applied")
	tp.wantCounts(1, 1)
	// Once validated it is no longer held; its sequence is spent.
	tp.closeAndAccept()
	tp.submit(applied, ter.TefPAST_SEQ, "rejected")
}

func TestSubmitWithABadSignatureIsRejectedAndNothingIsStored(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob", "ed-carol")
	for i, from := range []string{"alice", "ed-carol"} {
		good := payment(t, from, 1, "bob")
		// Change the amount after signing.
		obj := good.Object().Clone()
		obj.Set(sf.Amount, codec.NewNative(2_000_000))
		forged, err := ledger.NewTx(obj)
		if err != nil {
			t.Fatal(err)
		}
		// Flip a bit of the signature.
		obj = good.Object().Clone()
		sig := append([]byte(nil), obj.Blob(sf.TxnSignature)...)
		sig[len(sig)/2] ^= 1
		obj.Set(sf.TxnSignature, sig)
		flipped, err := ledger.NewTx(obj)
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range []*ledger.Tx{forged, flipped} {
			r := tp.submit(tx, ter.TemBAD_SIGNATURE, "rejected")
			if !errors.Is(r.Err, ErrBadSignature) || !errors.Is(r.Err, crypto.ErrBadSignature) {
				t.Fatalf("err %v", r.Err)
			}
			tp.wantCounts(i, 0)
		}
		tp.submit(good, ter.TesSUCCESS, "applied")
	}
}

func TestSubmitMalformedTransactionIsRejectedByPreflight(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice")
	r := tp.submit(payment(t, "alice", 1, "alice"), ter.TemREDUNDANT, "rejected")
	if r.Err != nil {
		t.Fatalf("an engine result carries no Err: %v", r.Err)
	}
	tp.submit(payment(t, "alice", 1, "genesis", amount(0)), ter.TemBAD_AMOUNT, "rejected")
	tp.submit(payment(t, "alice", 1, "genesis", memo(strings.Repeat("x", 2000))), ter.TemINVALID, "rejected")
	tp.wantCounts(0, 0)
	if r := tp.Submit(nil); r.Code != ter.TemMALFORMED || !errors.Is(r.Err, ErrMalformed) {
		t.Fatalf("nil: %+v", r)
	}
	if r := tp.Submit(&ledger.Tx{}); r.Code != ter.TemMALFORMED {
		t.Fatalf("zero Tx: %+v", r)
	}
}

func TestSubmitBelowTheMinimumFeeIsRejected(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	r := tp.submit(payment(t, "alice", 1, "bob", fee(9)), ter.TelINSUF_FEE_P, "rejected")
	if !strings.Contains(r.Detail, "minimum 10 drops") {
		t.Fatalf("detail %q", r.Detail)
	}
	// A multi-signed transaction pays the base fee once per signature plus one.
	tx := multiSigned(t, "alice", 1, "bob", "ed-x", "y", "z") // fee 100 >= 40
	if r := tp.Submit(tx); r.Code == ter.TelINSUF_FEE_P {
		t.Fatalf("multi-signed with enough fee: %+v", r)
	}
	tp.submit(payment(t, "alice", 1, "bob", fee(10)), ter.TesSUCCESS, "applied")
}

func TestSubmitPastLastLedgerSequenceIsRejected(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	openSeq := tp.validated.Seq() + 1
	tp.submit(payment(t, "alice", 1, "bob", lastLedger(openSeq-1)), ter.TefMAX_LEDGER, "rejected")
	tp.submit(payment(t, "alice", 1, "bob", lastLedger(openSeq)), ter.TesSUCCESS, "applied")
}

func TestSubmitPastSequenceIsRejected(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	tp.submit(payment(t, "alice", 1, "bob"), ter.TesSUCCESS, "applied")
	tp.submit(payment(t, "alice", 1, "bob", amount(5_000_000)), ter.TefPAST_SEQ, "rejected")
	tp.wantCounts(1, 0)
}

func TestSubmitTooFarAheadIsRejected(t *testing.T) {
	tp := newTestPool(t, Config{SequenceWindow: 8}, "alice", "bob")
	r := tp.submit(payment(t, "alice", 1+9, "bob"), ter.TelLOCAL_ERROR, "rejected")
	if !errors.Is(r.Err, ErrSequenceTooFar) || !strings.Contains(r.Detail, "9 ahead") {
		t.Fatalf("%+v", r)
	}
	tp.submit(payment(t, "alice", 1+8, "bob"), ter.TerPRE_SEQ, "queued")
	tp.wantCounts(0, 1)
}

func TestSubmitFromAnAccountThatDoesNotExistIsNotHeld(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice")
	tp.submit(payment(t, "nobody", 1, "alice"), ter.TerNO_ACCOUNT, "rejected")
	tp.wantCounts(0, 0)
}

func TestSubmitTecResultIsApplied(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice")
	// Too little to create the destination: the fee is claimed.
	tx := payment(t, "alice", 1, "newcomer", amount(1000))
	tp.submit(tx, ter.TecNO_DST_INSUF_SWT, "applied")
	if !tp.inOpen(tx) || tp.seq("alice") != 2 {
		t.Fatal("tec transaction not in the open ledger")
	}
}

func TestSubmitFutureSequenceIsQueuedAndAppliesWhenTheGapCloses(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	tx3 := payment(t, "alice", 3, "bob")
	tx2 := payment(t, "alice", 2, "bob")
	tx1 := payment(t, "alice", 1, "bob")
	tp.submit(tx3, ter.TerPRE_SEQ, "queued")
	tp.submit(tx2, ter.TerPRE_SEQ, "queued")
	tp.wantCounts(0, 2)
	tp.submit(tx1, ter.TesSUCCESS, "applied")
	tp.wantCounts(3, 0)
	for _, tx := range []*ledger.Tx{tx1, tx2, tx3} {
		if !tp.inOpen(tx) {
			t.Fatalf("seq %d not applied", tx.Sequence())
		}
		// A resubmission now reports the current state.
		if r := tp.Submit(tx); r.Code != ter.TesSUCCESS || !r.Applied {
			t.Fatalf("seq %d: %+v", tx.Sequence(), r)
		}
	}
	l := tp.closeAndAccept()
	txs, err := l.Transactions()
	if err != nil || len(txs) != 3 {
		t.Fatalf("%d transactions, %v", len(txs), err)
	}
	for i, tw := range txs {
		if tw.Tx.Sequence() != uint32(i+1) {
			t.Fatalf("index %d holds sequence %d", i, tw.Tx.Sequence())
		}
	}
}

func TestQueuedFutureSequenceAppliesWhenTheGapClosesInALaterLedger(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	tx2 := payment(t, "alice", 2, "bob")
	tp.submit(tx2, ter.TerPRE_SEQ, "queued")
	tp.closeAndAccept()
	tp.closeAndAccept()
	tp.wantCounts(0, 1)
	tp.submit(payment(t, "alice", 1, "bob"), ter.TesSUCCESS, "applied")
	tp.wantCounts(2, 0)
	l := tp.closeAndAccept()
	if !l.TxTree().Has(tx2.ID()) {
		t.Fatal("queued transaction not in the ledger")
	}
}

func TestHeldTerTransactionAppliesOnceItCan(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice")
	// poor holds exactly the reserve: it cannot pay a 20 SWT fee.
	tp.submit(payment(t, "alice", 1, "poor", amount(10_000_000)), ter.TesSUCCESS, "applied")
	costly := payment(t, "poor", 1, "alice", fee(20_000_000), amount(1))
	tp.submit(costly, ter.TerINSUF_FEE_B, "queued")
	// The next sequence waits behind it.
	tp.submit(payment(t, "poor", 2, "alice", amount(1)), ter.TerPRE_SEQ, "queued")
	tp.closeAndAccept()
	tp.wantCounts(0, 2)
	tp.submit(payment(t, "alice", 2, "poor", amount(100_000_000)), ter.TesSUCCESS, "applied")
	// Retried when the next ledger opens.
	tp.closeAndAccept()
	tp.wantCounts(2, 0)
	if !tp.inOpen(costly) {
		t.Fatal("held transaction not applied")
	}
}

func TestSubmitBetweenCloseAndAcceptGoesIntoTheNextLedger(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	tx1 := payment(t, "alice", 1, "bob")
	tp.submit(tx1, ter.TesSUCCESS, "applied")
	closed, n := tp.CloseOpen(tp.closeInfo())
	if n != 1 || tp.TxsAvailable() != 0 {
		t.Fatalf("closed %d, %d still open", n, tp.TxsAvailable())
	}
	tp.check()
	// The closed ledger's transactions are still known until validated.
	tp.submit(tx1, ter.TesSUCCESS, "applied")
	tx2 := payment(t, "alice", 2, "bob")
	tp.submit(tx2, ter.TesSUCCESS, "applied")
	tp.wantCounts(1, 0)
	tp.accept(closed)
	tp.wantCounts(1, 0)
	next := tp.closeAndAccept()
	if next.Seq() != closed.Seq()+1 || !next.TxTree().Has(tx2.ID()) || next.TxTree().Has(tx1.ID()) {
		t.Fatal("the transaction submitted during the close is not in the next ledger alone")
	}
}

func TestAcceptOfAForeignLedgerReappliesWhatItLacks(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob", "carol")
	a1 := payment(t, "alice", 1, "carol")
	b1 := payment(t, "bob", 1, "carol")
	a3 := payment(t, "alice", 3, "carol")
	tp.submit(a1, ter.TesSUCCESS, "applied")
	tp.submit(b1, ter.TesSUCCESS, "applied")
	tp.submit(a3, ter.TerPRE_SEQ, "queued")
	// Consensus decided a ledger holding only bob's payment.
	tp.accept(tp.foreign(b1))
	tp.wantCounts(1, 1)
	if !tp.inOpen(a1) || tp.inOpen(b1) {
		t.Fatal("open ledger should hold alice's payment only")
	}
	if r := tp.Submit(a1); !r.Applied {
		t.Fatalf("re-applied transaction reports %+v", r)
	}
	// b1 is validated, so no longer held: resubmitting it is a past sequence.
	tp.submit(b1, ter.TefPAST_SEQ, "rejected")
	tp.submit(payment(t, "alice", 2, "carol"), ter.TesSUCCESS, "applied")
	tp.wantCounts(3, 0)
}

func TestAcceptDropsTransactionsThatCanNeverApply(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob", "carol")
	openSeq := tp.validated.Seq() + 1
	expiring := payment(t, "bob", 2, "carol", lastLedger(openSeq))
	tp.submit(expiring, ter.TerPRE_SEQ, "queued")
	a1 := payment(t, "alice", 1, "carol")
	a2 := payment(t, "alice", 2, "carol")
	tp.submit(a1, ter.TesSUCCESS, "applied")
	tp.submit(a2, ter.TesSUCCESS, "applied")
	a4 := payment(t, "alice", 4, "carol")
	tp.submit(a4, ter.TerPRE_SEQ, "queued")
	tp.wantCounts(2, 2)
	// The decided ledger spent alice's sequences 1 to 4 on other payments.
	var other []*ledger.Tx
	for s := uint32(1); s <= 4; s++ {
		other = append(other, payment(t, "alice", s, "bob", amount(2_000_000)))
	}
	tp.accept(tp.foreign(other...))
	// bob's payment expired with the ledger, alice's can never apply.
	tp.wantCounts(0, 0)
	tp.submit(expiring, ter.TefMAX_LEDGER, "rejected")
	tp.submit(a4, ter.TefPAST_SEQ, "rejected")
}

func TestQueuedTransactionIsDroppedAfterRetries(t *testing.T) {
	tp := newTestPool(t, Config{Retries: 3}, "alice", "bob")
	stranded := payment(t, "alice", 2, "bob")
	tp.submit(stranded, ter.TerPRE_SEQ, "queued")
	for i := 1; i <= 3; i++ {
		tp.closeAndAccept()
		want := 1
		if i == 3 {
			want = 0
		}
		tp.wantCounts(0, want)
	}
	// Held on a ter result: dropped after as many failed tries.
	tp.submit(payment(t, "alice", 1, "poor", amount(10_000_000)), ter.TesSUCCESS, "applied")
	tp.closeAndAccept()
	tp.submit(payment(t, "poor", 1, "bob", fee(20_000_000), amount(1)), ter.TerINSUF_FEE_B, "queued")
	for i := 1; i <= 3; i++ {
		tp.closeAndAccept()
		want := 1
		if i == 3 {
			want = 0
		}
		tp.wantCounts(0, want)
	}
}

func TestNewWithoutALedgerRefusesUntilAccept(t *testing.T) {
	l := fundedLedger(t, "alice", "bob")
	p := New(Config{}, nil, nil)
	if r := p.Submit(payment(t, "alice", 1, "bob")); !errors.Is(r.Err, ErrNoLedger) {
		t.Fatalf("%+v", r)
	}
	if l2, n := p.CloseOpen(ledger.CloseInfo{}); l2 != nil || n != 0 {
		t.Fatal("closed without a ledger")
	}
	p.Current(func(*ledger.OpenLedger) { t.Fatal("Current without a ledger") })
	_ = p.Fees()
	p.Accept(l)
	if r := p.Submit(payment(t, "alice", 1, "bob")); !r.Applied {
		t.Fatalf("%+v", r)
	}
	if err := p.checkInvariants(); err != nil {
		t.Fatal(err)
	}
}

func TestAcceptIgnoresStaleLedgers(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	old := tp.validated
	tp.closeAndAccept()
	tx := payment(t, "alice", 1, "bob")
	tp.submit(tx, ter.TesSUCCESS, "applied")
	tp.Accept(old)
	tp.Accept(nil)
	tp.check()
	if !tp.inOpen(tx) {
		t.Fatal("a stale Accept rebuilt the open ledger")
	}
}

func TestCachedVerifierChecksEverySignerOfAMultiSignedTransaction(t *testing.T) {
	cache := crypto.NewVerifyCache(1024)
	verify := CachedVerifier(cache)
	tx := multiSigned(t, "alice", 1, "bob", "ed-x", "y")
	if err := ledger.VerifySignatures(tx, verify); err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifySignatures(tx, verify); err != nil {
		t.Fatal(err)
	}
	if cache.Misses() != 2 || cache.Hits() != 2 {
		t.Fatalf("hits %d misses %d, want 2 and 2", cache.Hits(), cache.Misses())
	}
	// The second signer's signature is forged: the first one's cached
	// success must not vouch for it.
	obj := tx.Object().Clone()
	signers := obj.Array(sf.Signers)
	sig := append([]byte(nil), signers[1].Object.Blob(sf.TxnSignature)...)
	sig[5] ^= 1
	signers[1].Object.Set(sf.TxnSignature, sig)
	forged, err := ledger.NewTx(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifySignatures(forged, verify); err == nil {
		t.Fatal("forged second signature verified")
	}
	// Submitting through a pool uses it the same way.
	tp := newTestPool(t, Config{}, "alice", "bob")
	tp.Pool = New(Config{}, tp.validated, verify)
	if r := tp.Submit(forged); r.Code != ter.TemBAD_SIGNATURE {
		t.Fatalf("%+v", r)
	}
}

func TestSubmitSurvivesAPanickingVerifier(t *testing.T) {
	l := fundedLedger(t, "alice", "bob")
	p := New(Config{}, l, func(pub, msg, sig []byte) error { panic("boom") })
	r := p.Submit(payment(t, "alice", 1, "bob"))
	if r.Code != ter.TefEXCEPTION || r.Err == nil || r.Applied || r.Queued {
		t.Fatalf("%+v", r)
	}
	if p.Pending() != 0 {
		t.Fatal("stored")
	}
}

func TestSubmitNeverPanicsOnOddFieldValues(t *testing.T) {
	tp := newTestPool(t, Config{}, "alice", "bob")
	odd := []map[string]any{
		{"Sequence": 0},
		{"Sequence": uint32(math.MaxUint32)},
		{"Fee": "100000000000000000"},
		{"Fee": "0"},
		{"LastLedgerSequence": 0},
		{"LastLedgerSequence": uint32(math.MaxUint32)},
		{"Flags": uint32(math.MaxUint32)},
		{"Amount": "100000000000000000"},
		{"Amount": map[string]any{"currency": "USD", "issuer": id(t, "bob").String(), "value": "1e80"}},
		{"Destination": id(t, "alice").String()},
		{"TransactionType": "TrustSet", "LimitAmount": map[string]any{"currency": "USD", "issuer": id(t, "bob").String(), "value": "-1"}},
	}
	for i, fields := range odd {
		m := map[string]any{
			"TransactionType": "Payment", "Account": id(t, "alice").String(), "Destination": id(t, "bob").String(),
			"Amount": "1000000", "Fee": "10", "Flags": 0, "Sequence": 1,
		}
		for k, v := range fields {
			m[k] = v
		}
		if m["TransactionType"] == "TrustSet" {
			delete(m, "Destination")
			delete(m, "Amount")
		}
		r := tp.Submit(sign(t, "alice", m))
		t.Logf("%d %v: %s %s (%s)", i, fields, r.Code, stateOf(r), r.Detail)
		tp.check()
	}
}
