package ledger

import (
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

func TestPaymentCreatesTheDestinationAccount(t *testing.T) {
	e := newEnv(t)
	before := e.balance("genesis")
	out := e.submit(ter.TesSUCCESS, "genesis", pay(e.addr("alice"), "50000000"))
	if got := e.balance("alice"); got != 50_000_000 {
		t.Fatalf("alice has %d drops", got)
	}
	if got := e.balance("genesis"); got != before-50_000_000-10 {
		t.Fatalf("genesis has %d, want %d", got, before-50_000_000-10)
	}
	if r := e.root("alice"); r.UInt32(sf.Sequence) != 1 || r.UInt32(sf.OwnerCount) != 0 {
		t.Fatalf("new account root: %v", r.JSON())
	}
	want := map[string]int{"CreatedNode/AccountRoot": 1, "ModifiedNode/AccountRoot": 1}
	if got := affected(out.Meta); !equalCounts(got, want) {
		t.Fatalf("affected nodes %v, want %v", got, want)
	}
	// rippled's NewFields leave out default values (Flags 0, OwnerCount 0).
	for _, it := range out.Meta.Array(sf.AffectedNodes) {
		if it.Field == sf.CreatedNode {
			nf := it.Object.Object(sf.NewFields)
			if nf.Has(sf.OwnerCount) || nf.Has(sf.Flags) || nf.Has(sf.PreviousTxnID) || !nf.Has(sf.Balance) || !nf.Has(sf.Sequence) {
				t.Fatalf("NewFields %v", nf.JSON())
			}
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestPaymentToUnfundedAccountBelowReserveFails(t *testing.T) {
	e := newEnv(t)
	before := e.balance("genesis")
	e.submit(ter.TecNO_DST_INSUF_SWT, "genesis", pay(e.addr("alice"), "9999999"))
	if e.root("alice") != nil {
		t.Fatal("account created")
	}
	if got := e.balance("genesis"); got != before-10 {
		t.Fatalf("tec must claim exactly the fee: genesis %d, want %d", got, before-10)
	}
	if e.root("genesis").UInt32(sf.Sequence) != 2 {
		t.Fatal("tec must consume the sequence")
	}
}

func TestPaymentCannotSpendTheReserve(t *testing.T) {
	e := newEnv(t)
	e.fund(30_000_000, "alice")
	// 30 SWT with a 10 SWT reserve. rippled's rule: the balance before the
	// fee must cover the amount plus the larger of reserve and fee, so the
	// fee itself may dip into the reserve.
	e.submit(ter.TecUNFUNDED_PAYMENT, "alice", pay(e.addr("bob"), "20000001"))
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("bob"), "19999990")) // after the tec fee
	if got := e.balance("alice"); got != 10_000_000-10 {
		t.Fatalf("alice keeps %d, want the reserve less the last fee", got)
	}
}

func TestMalformedPaymentsChangeNothing(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "alice")
	cases := []struct {
		fields map[string]any
		want   ter.Code
	}{
		{pay(e.addr("bob"), "0"), ter.TemBAD_AMOUNT},
		{pay(e.addr("bob"), "-5"), ter.TemBAD_AMOUNT},
		{pay(e.addr("alice"), "5"), ter.TemREDUNDANT},
		{map[string]any{"TransactionType": "Payment", "Amount": "5"}, ter.TemDST_NEEDED},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"Flags": TfPartialPayment}), ter.TemBAD_SEND_SWT_PARTIAL},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"SendMax": "60000000"}), ter.TemBAD_SEND_SWT_MAX},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"Flags": 0x1}), ter.TemINVALID_FLAG},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"LimitAmount": iou("1", "CNY", e.addr("bob"))}), ter.TemMALFORMED},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"Fee": "-1"}), ter.TemBAD_FEE},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"Fee": "9"}), ter.TelINSUF_FEE_P},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"Sequence": 99}), ter.TerPRE_SEQ},
		{merge(pay(e.addr("bob"), "50000000"), map[string]any{"LastLedgerSequence": 1}), ter.TefMAX_LEDGER},
	}
	before, n := e.balance("alice"), e.open.Len()
	for _, c := range cases {
		out := e.apply(e.tx("alice", c.fields))
		if out.Result != c.want || out.Applied || out.Meta != nil || len(out.Changes) != 0 {
			t.Errorf("%v: %s applied=%v (%s), want %s", c.fields, out.Result, out.Applied, out.Detail, c.want)
		}
	}
	if e.balance("alice") != before || e.open.Len() != n {
		t.Fatal("a rejected transaction changed the ledger")
	}
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestSequenceIsConsumedOnceAndReplaysFail(t *testing.T) {
	e := newEnv(t)
	tx := e.tx("genesis", pay(e.addr("alice"), "20000000"))
	if out := e.apply(tx); out.Result != ter.TesSUCCESS {
		t.Fatal(out.Result)
	}
	if out := e.apply(tx); out.Result != ter.TefALREADY {
		t.Fatalf("same transaction again in the same ledger: %s", out.Result)
	}
	e.close()
	if out := e.apply(tx); out.Result != ter.TefPAST_SEQ {
		t.Fatalf("same transaction in a later ledger: %s", out.Result)
	}
}

func TestRequireDestTagNeedsADestinationTag(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "alice", "bob")
	e.submit(ter.TesSUCCESS, "bob", map[string]any{"TransactionType": "AccountSet", "SetFlag": AsfRequireDest})
	e.submit(ter.TecDST_TAG_NEEDED, "alice", pay(e.addr("bob"), "1000000"))
	e.submit(ter.TesSUCCESS, "alice", merge(pay(e.addr("bob"), "1000000"), map[string]any{"DestinationTag": 7}))
}

// gateway sets up an issuer "gw" and holders with CNY trust lines.
func gateway(t *testing.T, holders ...string) *env {
	e := newEnv(t)
	e.fund(1_000_000_000, append([]string{"gw"}, holders...)...)
	for _, h := range holders {
		e.submit(ter.TesSUCCESS, h, trust("1000", "CNY", e.addr("gw")))
	}
	return e
}

func TestIssuerPaysHolderAndHolderRedeems(t *testing.T) {
	e := gateway(t, "alice")
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("150.5", "CNY", e.addr("gw"))))
	if got := e.held("alice", "gw", "CNY"); got.Cmp(val("150.5")) != 0 {
		t.Fatalf("alice holds %s", got)
	}
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("gw"), iou("50.5", "CNY", e.addr("gw"))))
	if got := e.held("alice", "gw", "CNY"); got.Cmp(val("100")) != 0 {
		t.Fatalf("alice holds %s after redeeming", got)
	}
	// Above the trust limit: the payment fails, claiming the fee.
	e.submit(ter.TecPATH_PARTIAL, "gw", pay(e.addr("alice"), iou("901", "CNY", e.addr("gw"))))
	// Without a trust line there is no path.
	e.fund(100_000_000, "carol")
	e.submit(ter.TecPATH_DRY, "gw", pay(e.addr("carol"), iou("1", "CNY", e.addr("gw"))))
}

func TestHolderToHolderChargesTheTransferRate(t *testing.T) {
	e := gateway(t, "alice", "bob")
	e.submit(ter.TesSUCCESS, "gw", map[string]any{"TransactionType": "AccountSet", "TransferRate": 1_002_000_000})
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("100", "CNY", e.addr("gw"))))
	// Without SendMax the sender may spend only Amount, which the fee exceeds.
	e.submit(ter.TecPATH_PARTIAL, "alice", pay(e.addr("bob"), iou("10", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "alice", merge(pay(e.addr("bob"), iou("10", "CNY", e.addr("gw"))),
		map[string]any{"SendMax": iou("10.02", "CNY", e.addr("gw"))}))
	if got := e.held("bob", "gw", "CNY"); got.Cmp(val("10")) != 0 {
		t.Fatalf("bob holds %s", got)
	}
	if got := e.held("alice", "gw", "CNY"); got.Cmp(val("89.98")) != 0 {
		t.Fatalf("alice holds %s, want 89.98", got)
	}
}

func TestPartialPaymentDeliversWhatItCanAndSaysSo(t *testing.T) {
	e := gateway(t, "alice", "bob")
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("30", "CNY", e.addr("gw"))))
	out := e.submit(ter.TesSUCCESS, "alice", merge(pay(e.addr("bob"), iou("50", "CNY", e.addr("gw"))),
		map[string]any{"Flags": TfPartialPayment}))
	d, ok := out.Meta.Amount(sf.DeliveredAmount)
	if !ok || d.Value().Cmp(val("30")) != 0 {
		t.Fatalf("DeliveredAmount %v %v", d, ok)
	}
	if got := e.held("bob", "gw", "CNY"); got.Cmp(val("30")) != 0 {
		t.Fatalf("bob holds %s", got)
	}
	// A full payment reports its Amount as delivered.
	full := e.submit(ter.TesSUCCESS, "gw", pay(e.addr("bob"), iou("1", "CNY", e.addr("gw"))))
	if full.Meta.Has(sf.DeliveredAmount) {
		t.Fatal("DeliveredAmount on a full payment")
	}
	// Nothing left to send at all.
	e.submit(ter.TecPATH_DRY, "alice", merge(pay(e.addr("bob"), iou("5", "CNY", e.addr("gw"))),
		map[string]any{"Flags": TfPartialPayment}))
}

func TestFrozenLineCanOnlyPayTheIssuer(t *testing.T) {
	e := gateway(t, "alice", "bob")
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("100", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "gw", merge(trust("0", "CNY", e.addr("alice")), map[string]any{"Flags": TfSetFreeze}))
	e.submit(ter.TecPATH_DRY, "alice", pay(e.addr("bob"), iou("1", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("gw"), iou("1", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "gw", merge(trust("0", "CNY", e.addr("alice")), map[string]any{"Flags": TfClearFreeze}))
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("bob"), iou("1", "CNY", e.addr("gw"))))
	// A global freeze stops holder-to-holder payments too.
	e.submit(ter.TesSUCCESS, "gw", map[string]any{"TransactionType": "AccountSet", "SetFlag": AsfGlobalFreeze})
	e.submit(ter.TecPATH_DRY, "alice", pay(e.addr("bob"), iou("1", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "gw", map[string]any{"TransactionType": "AccountSet", "ClearFlag": AsfGlobalFreeze})
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("bob"), iou("1", "CNY", e.addr("gw"))))
}

func TestRequireAuthNeedsAnAuthorizedLine(t *testing.T) {
	e := newEnv(t)
	e.fund(1_000_000_000, "gw", "alice")
	e.submit(ter.TesSUCCESS, "gw", map[string]any{"TransactionType": "AccountSet", "SetFlag": AsfRequireAuth})
	e.submit(ter.TesSUCCESS, "alice", trust("100", "CNY", e.addr("gw")))
	e.submit(ter.TecPATH_DRY, "gw", pay(e.addr("alice"), iou("5", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "gw", merge(trust("0", "CNY", e.addr("alice")), map[string]any{"Flags": TfSetAuth}))
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("5", "CNY", e.addr("gw"))))
}

func TestDeliveredAmountHelper(t *testing.T) {
	e := newEnv(t)
	out := e.submit(ter.TesSUCCESS, "genesis", pay(e.addr("alice"), "20000000"))
	tx := e.tx("genesis", pay(e.addr("alice"), "20000000"), "genesis")
	d, ok := DeliveredAmount(tx.Object(), out.Meta)
	if !ok || !d.Equal(codec.NewNative(20000000)) {
		t.Fatalf("delivered %v %v", d, ok)
	}
}
