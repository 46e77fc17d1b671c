package ledger

import (
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// fuzzWorld is a small closed ledger with funded accounts, trust lines,
// balances, a transfer rate, a signer list, a relation, a validator set of
// four with a pending application and a pending removal, and transactions
// of every type to seed the fuzzer (signed ones, and an Evidence
// pseudo-transaction).
func fuzzWorld(f *testing.F) (*Ledger, [][]byte) {
	e := newValidatorEnv(f, fourValidators...)
	e.fund(1_000_000_000, "gw", "alice", "bob", "ed-carol", "cand", "ed-cand")
	e.submit(ter.TesSUCCESS, "cand", applyFor(e, "cand"))
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "cand", ValidatorAdd))
	e.submit(ter.TesSUCCESS, "val-a", voteOn(e, "val-c", ValidatorRemove))
	for _, h := range []string{"alice", "bob", "ed-carol"} {
		e.submit(ter.TesSUCCESS, h, trust("1000", "CNY", e.addr("gw")))
		e.submit(ter.TesSUCCESS, "gw", pay(e.addr(h), iou("100", "CNY", e.addr("gw"))))
	}
	e.submit(ter.TesSUCCESS, "gw", map[string]any{"TransactionType": "AccountSet", "TransferRate": 1_001_000_000})
	e.submit(ter.TesSUCCESS, "alice", signerList(2, map[string]int{"bob": 1, "ed-carol": 1}, e))
	e.submit(ter.TesSUCCESS, "gw", map[string]any{"TransactionType": "RelationSet", "Target": e.addr("bob"),
		"RelationType": RelationFreeze, "LimitAmount": iou("10", "CNY", e.addr("gw"))})
	world := e.close()
	e.open = world.Open()
	seeds := []*Tx{
		e.tx("alice", pay(e.addr("bob"), "1000000")),
		e.tx("alice", pay(e.addr("newbie"), "20000000")),
		e.tx("alice", merge(pay(e.addr("bob"), iou("5", "CNY", e.addr("gw"))), map[string]any{"SendMax": iou("6", "CNY", e.addr("gw")), "Flags": TfPartialPayment})),
		e.tx("bob", pay(e.addr("gw"), iou("5", "CNY", e.addr("gw")))),
		e.tx("ed-carol", trust("0", "CNY", e.addr("gw"))),
		e.tx("gw", merge(trust("0", "CNY", e.addr("bob")), map[string]any{"Flags": TfSetFreeze | TfSetNoSkywell, "QualityIn": 5})),
		e.tx("gw", map[string]any{"TransactionType": "AccountSet", "SetFlag": AsfGlobalFreeze, "Domain": "AB"}),
		e.tx("bob", map[string]any{"TransactionType": "SetRegularKey", "RegularKey": e.addr("ed-carol")}),
		e.tx("bob", signerList(1, map[string]int{"alice": 1}, e)),
		e.tx("gw", map[string]any{"TransactionType": "RelationDel", "Target": e.addr("bob"), "RelationType": RelationFreeze, "LimitAmount": iou("0", "CNY", e.addr("gw"))}),
		e.multiSign("alice", pay(e.addr("gw"), "1000"), []string{"bob", "ed-carol"}, nil),
		e.tx("ed-cand", applyFor(e, "ed-cand")),
		e.tx("val-c", voteOn(e, "cand", ValidatorAdd)),
		e.tx("ed-val-b", voteOn(e, "val-c", ValidatorRemove)),
		e.tx("ed-val-d", voteOn(e, "ed-val-d", ValidatorRemove)),
		e.tx("alice", voteOn(e, "cand", ValidatorAdd)),
		e.evidenceTx("val-c", world.Seq(), evidenceBlob("a")),
		e.tx("alice", map[string]any{"TransactionType": "Evidence", "Offender": e.addr("val-c"), "LedgerSequence": 1, "EvidenceData": "0120"}),
	}
	blobs := make([][]byte, len(seeds))
	for i, s := range seeds {
		blobs[i] = s.Blob()
	}
	return world, blobs
}

// FuzzApply: any transaction blob, applied to a small ledger, never panics
// (a transactor panic would surface as tefEXCEPTION), and an applied
// transaction conserves SWT: balances change by exactly minus the fee burnt.
// Signatures are not checked here: apply never looks at them. The client
// path never applies a pseudo-transaction; the pseudo path (ApplyPseudo)
// applies nothing else, and what it applies touches no account.
func FuzzApply(f *testing.F) {
	world, seeds := fuzzWorld(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		tx, err := DecodeTx(blob)
		if err != nil {
			return
		}
		checkPseudoPath(t, world, tx)
		open := world.Open()
		out := open.Apply(tx)
		if out.Applied && IsPseudo(tx.Type()) {
			t.Fatalf("the client path applied a %s", tx.Type())
		}
		if out.Result == ter.TefEXCEPTION {
			t.Fatalf("apply panicked: %s", out.Detail)
		}
		if !out.Applied {
			if len(out.Changes) != 0 || out.Meta != nil || open.Len() != 0 {
				t.Fatalf("%s changed the ledger", out.Result)
			}
			return
		}
		var delta int64
		for _, c := range out.Changes {
			if c.Type != codec.EntryAccountRoot {
				continue
			}
			var before, after int64
			if c.Before != nil {
				a, _ := c.Before.Amount(sf.Balance)
				before = a.Drops()
			}
			if c.After != nil {
				a, _ := c.After.Amount(sf.Balance)
				after = a.Drops()
			}
			delta += after - before
		}
		if delta != -out.FeeDestroyed {
			t.Fatalf("%s: SWT balances changed by %d with fee %d", out.Result, delta, out.FeeDestroyed)
		}
		if _, err := codec.Decode(out.Meta.Encode()); err != nil {
			t.Fatalf("metadata does not round-trip: %v", err)
		}
		l := open.Close(CloseInfo{CloseTime: world.Header().CloseTime + 10, Resolution: 10})
		if l.Header().TotalCoins != world.Header().TotalCoins-uint64(out.FeeDestroyed) {
			t.Fatal("total coins do not account for the fee")
		}
	})
}

// checkPseudoPath applies tx with ApplyPseudo to a fresh open ledger on
// world: no panic, nothing applied but pseudo-transactions, no account or
// fee touched, and a ledger that closes.
func checkPseudoPath(t *testing.T, world *Ledger, tx *Tx) {
	open := world.Open()
	out := open.ApplyPseudo(tx)
	if out.Result == ter.TefEXCEPTION {
		t.Fatalf("ApplyPseudo panicked: %s", out.Detail)
	}
	if !out.Applied {
		if len(out.Changes) != 0 || out.Meta != nil || open.Len() != 0 {
			t.Fatalf("ApplyPseudo %s changed the ledger", out.Result)
		}
		return
	}
	if !IsPseudo(tx.Type()) || out.Result != ter.TesSUCCESS || out.FeeDestroyed != 0 {
		t.Fatalf("ApplyPseudo applied a %s with %s, fee %d", tx.Type(), out.Result, out.FeeDestroyed)
	}
	for _, c := range out.Changes {
		if c.Type == codec.EntryAccountRoot {
			t.Fatalf("a pseudo-transaction changed an account")
		}
	}
	if l := open.Close(CloseInfo{CloseTime: world.Header().CloseTime + 10, Resolution: 10}); l.Header().TotalCoins != world.Header().TotalCoins {
		t.Fatal("a pseudo-transaction changed the coins")
	}
}
