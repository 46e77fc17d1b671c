package ledger

import (
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

func TestTrustSetCreatesALineOwnedByTheHolder(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "gw", "alice")
	out := e.submit(ter.TesSUCCESS, "alice", trust("100", "CNY", e.addr("gw")))
	if e.owners("alice") != 1 || e.owners("gw") != 0 {
		t.Fatalf("owner counts alice %d gw %d", e.owners("alice"), e.owners("gw"))
	}
	want := map[string]int{
		"CreatedNode/SkywellState":  1,
		"CreatedNode/DirectoryNode": 2, // both owner directories are new
		"ModifiedNode/AccountRoot":  2, // alice pays; gw is threaded as an owner
	}
	if got := affected(out.Meta); !equalCounts(got, want) {
		t.Fatalf("affected %v, want %v", got, want)
	}
	// The line is in both accounts' directories.
	k := TrustLineKeylet(e.id("alice"), e.id("gw"), mustCurrency(t, "CNY"))
	for _, who := range []string{"alice", "gw"} {
		if got := OwnedEntries(e.open, e.id(who)); len(got) != 1 || got[0] != k.Key {
			t.Fatalf("%s directory %X", who, got)
		}
	}
	// JSON shape clients read (HighLimit.issuer / LowLimit.issuer).
	line := e.open.Read(k).JSON()
	for _, f := range []string{"HighLimit", "LowLimit", "Balance"} {
		if _, ok := line[f].(map[string]any)["issuer"]; !ok {
			t.Fatalf("%s without issuer: %v", f, line)
		}
	}
}

func mustCurrency(t *testing.T, s string) codec.Currency {
	c, err := codec.ParseCurrency(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTrustLineIsDeletedWhenBothSidesAreDefault(t *testing.T) {
	e := gateway(t, "alice")
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("10", "CNY", e.addr("gw"))))
	// Limit 0 with a balance: the line stays, and so does alice's reserve.
	e.submit(ter.TesSUCCESS, "alice", trust("0", "CNY", e.addr("gw")))
	if e.owners("alice") != 1 {
		t.Fatalf("alice owners %d while holding a balance", e.owners("alice"))
	}
	// Paying the balance back leaves nothing: the line and its directory
	// entries go, and the reserve is released.
	out := e.submit(ter.TesSUCCESS, "alice", pay(e.addr("gw"), iou("10", "CNY", e.addr("gw"))))
	if e.owners("alice") != 0 {
		t.Fatalf("alice owners %d", e.owners("alice"))
	}
	if e.open.Read(TrustLineKeylet(e.id("alice"), e.id("gw"), mustCurrency(t, "CNY"))) != nil {
		t.Fatal("line still exists")
	}
	if got := affected(out.Meta); got["DeletedNode/SkywellState"] != 1 || got["DeletedNode/DirectoryNode"] != 2 {
		t.Fatalf("affected %v", got)
	}
}

func TestTrustSetRules(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "gw", "alice")
	e.submit(ter.TemBAD_LIMIT, "alice", trust("-1", "CNY", e.addr("gw")))
	e.submit(ter.TemBAD_LIMIT, "alice", map[string]any{"TransactionType": "TrustSet", "LimitAmount": "100"})
	e.submit(ter.TemDST_IS_SRC, "alice", trust("1", "CNY", e.addr("alice")))
	e.submit(ter.TecNO_DST, "alice", trust("1", "CNY", e.addr("nobody")))
	e.submit(ter.TecNO_LINE_REDUNDANT, "alice", trust("0", "CNY", e.addr("gw")))
	e.submit(ter.TecNO_LINE_REDUNDANT, "alice", merge(trust("0", "CNY", e.addr("gw")), map[string]any{"Flags": TfSetNoSkywell}))
	e.submit(ter.TemBAD_CURRENCY, "alice", trust("1", "0000000000000000000000005357540000000000", e.addr("gw")))
	e.submit(ter.TefNO_AUTH_REQUIRED, "gw", merge(trust("0", "CNY", e.addr("alice")), map[string]any{"Flags": TfSetAuth}))
	e.submit(ter.TemINVALID_FLAG, "alice", merge(trust("1", "CNY", e.addr("gw")), map[string]any{"Flags": TfSetFreeze | TfClearFreeze}))
	// 4-6 character and hex currencies work like 3-character ones.
	for _, cur := range []string{"JJCC", "JSLASH", "0158415500000000C1F76FF6ECB0BAC600000000"} {
		e.submit(ter.TesSUCCESS, "alice", trust("5", cur, e.addr("gw")))
	}
	if e.owners("alice") != 3 {
		t.Fatalf("alice owners %d", e.owners("alice"))
	}
}

func TestTrustLinesBeyondTheFirstTwoNeedReserve(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "gw")
	e.fund(10_000_000+100, "alice") // exactly the base reserve, plus fees
	e.submit(ter.TesSUCCESS, "alice", trust("1", "AAA", e.addr("gw")))
	e.submit(ter.TesSUCCESS, "alice", trust("1", "BBB", e.addr("gw")))
	e.submit(ter.TecNO_LINE_INSUF_RESERVE, "alice", trust("1", "CCC", e.addr("gw")))
	if e.owners("alice") != 2 {
		t.Fatalf("owners %d", e.owners("alice"))
	}
}

func TestNoSkywellOnBothIssuerSidesStopsRippling(t *testing.T) {
	e := gateway(t, "alice", "bob")
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("10", "CNY", e.addr("gw"))))
	for _, h := range []string{"alice", "bob"} {
		e.submit(ter.TesSUCCESS, "gw", merge(trust("0", "CNY", e.addr(h)), map[string]any{"Flags": TfSetNoSkywell}))
	}
	e.submit(ter.TecPATH_DRY, "alice", pay(e.addr("bob"), iou("1", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "gw", merge(trust("0", "CNY", e.addr("bob")), map[string]any{"Flags": TfClearNoSkywell}))
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("bob"), iou("1", "CNY", e.addr("gw"))))
	// The issuer's NoSkywell side needed a reserve while set.
	if e.owners("gw") != 1 {
		t.Fatalf("gw owners %d, want 1 (one NoSkywell side left)", e.owners("gw"))
	}
}

func TestQualityOneIsStoredAsUnset(t *testing.T) {
	e := gateway(t, "alice")
	e.submit(ter.TesSUCCESS, "alice", merge(trust("1000", "CNY", e.addr("gw")), map[string]any{"QualityIn": QualityOne, "QualityOut": 990_000_000}))
	line := e.open.Read(TrustLineKeylet(e.id("alice"), e.id("gw"), mustCurrency(t, "CNY")))
	s := sideOf(e.id("alice"), e.id("gw"))
	if line.Has(s.qIn) || line.UInt32(s.qOut) != 990_000_000 {
		t.Fatalf("line %v", line.JSON())
	}
	_ = sf.Flags
}

// The first-two-objects exemption also covers taking on the reserve of a
// line that already exists (skywelld's SetTrust uses uReserveCreate for
// both). Found by TestPropertyRandomTransactionSequences.
func TestTrustSetOnAnExistingLineIsExemptForTheFirstTwoObjects(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "gw")
	e.fund(10_000_000+100, "alice") // the base reserve plus fees: short of the reserve for one object
	// The gateway creates the line first (a quality is enough), so it exists
	// on the gateway's reserve only.
	e.submit(ter.TesSUCCESS, "gw", merge(trust("0", "CNY", e.addr("alice")), map[string]any{"QualityIn": 5}))
	e.submit(ter.TesSUCCESS, "alice", trust("100", "CNY", e.addr("gw")))
	if e.owners("alice") != 1 || e.owners("gw") != 1 {
		t.Fatalf("owner counts alice %d gw %d", e.owners("alice"), e.owners("gw"))
	}
}
