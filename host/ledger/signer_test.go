package ledger

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

func signerList(quorum int, entries map[string]int, e *env) map[string]any {
	var list []any
	for name, w := range entries {
		list = append(list, map[string]any{"SignerEntry": map[string]any{"Account": e.addr(name), "SignerWeight": w}})
	}
	m := map[string]any{"TransactionType": "SignerListSet", "SignerQuorum": quorum}
	if len(list) > 0 {
		m["SignerEntries"] = list
	}
	return m
}

// multiSign builds tx from fields for account from, signed by each named
// signer (sorted by account as the protocol requires). keyOf maps a signer
// to the key it signs with (its own unless given).
func (e *env) multiSign(from string, fields map[string]any, signers []string, keyOf map[string]string) *Tx {
	e.t.Helper()
	m := map[string]any{"Account": e.addr(from), "Fee": "100", "Flags": 0, "SigningPubKey": ""}
	for k, v := range fields {
		m[k] = v
	}
	if _, ok := m["Sequence"]; !ok {
		m["Sequence"] = e.root(from).UInt32(sf.Sequence)
	}
	js, _ := json.Marshal(m)
	obj, err := codec.ParseJSON(js)
	if err != nil {
		e.t.Fatal(err)
	}
	slices.SortFunc(signers, func(a, b string) int {
		x, y := e.id(a), e.id(b)
		switch {
		case accountLess(x, y):
			return -1
		case accountLess(y, x):
			return 1
		}
		return 0
	})
	var arr codec.Array
	for _, s := range signers {
		kp := e.key(s)
		if k, ok := keyOf[s]; ok {
			kp = e.key(k)
		}
		sig, err := kp.Sign(codec.MultiSigningData(obj, e.id(s)))
		if err != nil {
			e.t.Fatal(err)
		}
		so := codec.NewObject(3)
		so.Set(sf.Account, e.id(s))
		so.Set(sf.SigningPubKey, kp.PublicKey())
		so.Set(sf.TxnSignature, sig)
		arr = append(arr, codec.Item{Field: sf.Signer, Object: so})
	}
	obj.Set(sf.Signers, arr)
	tx, err := NewTx(obj)
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

func TestSignerListSetAndMultiSignedPayment(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "alice")
	e.submit(ter.TesSUCCESS, "alice", signerList(3, map[string]int{"bob": 2, "ed-carol": 1, "dave": 1}, e))
	if e.owners("alice") != 1 {
		t.Fatalf("owners %d", e.owners("alice"))
	}
	p := pay(e.addr("genesis"), "1000")
	cases := []struct {
		signers []string
		keys    map[string]string
		want    ter.Code
	}{
		{[]string{"bob"}, nil, ter.TefBAD_QUORUM},
		{[]string{"ed-carol", "dave"}, nil, ter.TefBAD_QUORUM},
		{[]string{"bob", "mallory"}, nil, ter.TefBAD_SIGNATURE},
		{[]string{"bob", "dave"}, map[string]string{"dave": "mallory"}, ter.TefBAD_SIGNATURE},
		{[]string{"bob", "ed-carol"}, nil, ter.TesSUCCESS},
	}
	for _, c := range cases {
		tx := e.multiSign("alice", p, c.signers, c.keys)
		if err := VerifySignatures(tx, crypto.Verify); err != nil {
			t.Fatalf("%v: %v", c.signers, err)
		}
		if out := e.open.Apply(tx); out.Result != c.want {
			t.Fatalf("signers %v: %s (%s), want %s", c.signers, out.Result, out.Detail, c.want)
		}
	}
	// The fee of a multi-signed transaction scales with its signers.
	tx := e.multiSign("alice", merge(p, map[string]any{"Fee": "20"}), []string{"bob", "ed-carol"}, nil)
	if out := e.open.Apply(tx); out.Result != ter.TelINSUF_FEE_P {
		t.Fatalf("low multi-sign fee: %s", out.Result)
	}
	// A tampered signature is caught by verification.
	tampered := e.multiSign("alice", p, []string{"bob", "ed-carol"}, nil)
	tampered.Object().Array(sf.Signers)[0].Object.Blob(sf.TxnSignature)[10] ^= 1
	if err := VerifySignatures(tampered, crypto.Verify); err == nil {
		t.Fatal("tampered multi-signature verified")
	}
	// Delete the list.
	e.submit(ter.TesSUCCESS, "alice", signerList(0, nil, e))
	if e.owners("alice") != 0 || e.open.Read(SignerListKeylet(e.id("alice"))) != nil {
		t.Fatal("list not deleted")
	}
	tx = e.multiSign("alice", p, []string{"bob", "ed-carol"}, nil)
	if out := e.open.Apply(tx); out.Result != ter.TefNOT_MULTI_SIGNING {
		t.Fatalf("no list: %s", out.Result)
	}
}

func TestSignerListSetRules(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "alice")
	e.submit(ter.TemBAD_QUORUM, "alice", signerList(4, map[string]int{"bob": 1, "carol": 2}, e))
	e.submit(ter.TemBAD_WEIGHT, "alice", signerList(1, map[string]int{"bob": 0}, e))
	e.submit(ter.TemREDUNDANTSIGN, "alice", signerList(1, map[string]int{"alice": 1}, e))
	e.submit(ter.TemMALFORMED, "alice", map[string]any{"TransactionType": "SignerListSet"})
	nine := map[string]int{}
	for _, n := range []string{"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"} {
		nine[n] = 1
	}
	e.submit(ter.TemMALFORMED, "alice", signerList(1, nine, e))
	// Replacing a list keeps one owned object.
	e.submit(ter.TesSUCCESS, "alice", signerList(1, map[string]int{"bob": 1}, e))
	e.submit(ter.TesSUCCESS, "alice", signerList(2, map[string]int{"bob": 1, "carol": 1}, e))
	if e.owners("alice") != 1 {
		t.Fatalf("owners %d", e.owners("alice"))
	}
}

func TestRelationFreezeLocksPartOfAHolding(t *testing.T) {
	e := gateway(t, "alice", "bob")
	e.submit(ter.TesSUCCESS, "gw", pay(e.addr("alice"), iou("100", "CNY", e.addr("gw"))))
	rel := func(kind uint32, value string) map[string]any {
		return map[string]any{"TransactionType": "RelationSet", "Target": e.addr("alice"), "RelationType": kind,
			"LimitAmount": iou(value, "CNY", e.addr("gw"))}
	}
	e.submit(ter.TesSUCCESS, "gw", rel(RelationFreeze, "80"))
	if e.owners("gw") != 1 {
		t.Fatalf("gw owners %d", e.owners("gw"))
	}
	e.submit(ter.TecPATH_PARTIAL, "alice", pay(e.addr("bob"), iou("21", "CNY", e.addr("gw"))))
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("bob"), iou("20", "CNY", e.addr("gw"))))
	// The issuer can still be paid.
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("gw"), iou("5", "CNY", e.addr("gw"))))
	// Only the issuer may freeze; the relation types are 1 and 3.
	e.submit(ter.TemBAD_ISSUER, "bob", map[string]any{"TransactionType": "RelationSet", "Target": e.addr("alice"),
		"RelationType": RelationFreeze, "LimitAmount": iou("1", "CNY", e.addr("gw"))})
	e.submit(ter.TemINVALID, "gw", rel(2, "1"))
	e.submit(ter.TecNO_TARGET, "gw", map[string]any{"TransactionType": "RelationSet", "Target": e.addr("nobody"),
		"RelationType": RelationAuthorize, "LimitAmount": iou("1", "CNY", e.addr("gw"))})
	del := rel(RelationFreeze, "0")
	del["TransactionType"] = "RelationDel"
	e.submit(ter.TesSUCCESS, "gw", del)
	e.submit(ter.TecNO_ENTRY, "gw", del)
	if e.owners("gw") != 0 {
		t.Fatalf("gw owners %d after RelationDel", e.owners("gw"))
	}
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("bob"), iou("75", "CNY", e.addr("gw"))))
}
