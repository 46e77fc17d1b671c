package ledger

import (
	"testing"

	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

func acctSet(fields map[string]any) map[string]any {
	return merge(map[string]any{"TransactionType": "AccountSet"}, fields)
}

func TestAccountSetFlagsAndFields(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "alice")
	for _, c := range []struct {
		set  uint32
		flag uint32
	}{{AsfRequireDest, LsfRequireDestTag}, {AsfRequireAuth, LsfRequireAuth}, {AsfDisallowSWT, LsfDisallowSWT}, {AsfGlobalFreeze, LsfGlobalFreeze}} {
		e.submit(ter.TesSUCCESS, "alice", acctSet(map[string]any{"SetFlag": c.set}))
		if e.root("alice").UInt32(sf.Flags)&c.flag == 0 {
			t.Fatalf("SetFlag %d did not set 0x%X", c.set, c.flag)
		}
		e.submit(ter.TesSUCCESS, "alice", acctSet(map[string]any{"ClearFlag": c.set}))
		if e.root("alice").UInt32(sf.Flags)&c.flag != 0 {
			t.Fatalf("ClearFlag %d did not clear 0x%X", c.set, c.flag)
		}
	}
	e.submit(ter.TemINVALID_FLAG, "alice", acctSet(map[string]any{"SetFlag": 1, "ClearFlag": 1}))
	e.submit(ter.TemBAD_TRANSFER_RATE, "alice", acctSet(map[string]any{"TransferRate": 999_999_999}))
	e.submit(ter.TemBAD_TRANSFER_RATE, "alice", acctSet(map[string]any{"TransferRate": 2_000_000_001}))
	e.submit(ter.TesSUCCESS, "alice", acctSet(map[string]any{"TransferRate": 1_500_000_000, "Domain": "6A742E6578616D706C65"}))
	if r := e.root("alice"); r.UInt32(sf.TransferRate) != 1_500_000_000 || string(r.Blob(sf.Domain)) != "jt.example" {
		t.Fatalf("root %v", r.JSON())
	}
	e.submit(ter.TesSUCCESS, "alice", acctSet(map[string]any{"TransferRate": 0, "Domain": ""}))
	if r := e.root("alice"); r.Has(sf.TransferRate) || r.Has(sf.Domain) {
		t.Fatalf("root %v", r.JSON())
	}
}

func TestNoFreezeIsPermanentAndPinsGlobalFreeze(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "gw")
	e.submit(ter.TesSUCCESS, "gw", acctSet(map[string]any{"SetFlag": AsfGlobalFreeze}))
	e.submit(ter.TesSUCCESS, "gw", acctSet(map[string]any{"SetFlag": AsfNoFreeze}))
	e.submit(ter.TesSUCCESS, "gw", acctSet(map[string]any{"ClearFlag": AsfGlobalFreeze}))
	if e.root("gw").UInt32(sf.Flags)&LsfGlobalFreeze == 0 {
		t.Fatal("global freeze lifted after NoFreeze")
	}
	e.submit(ter.TesSUCCESS, "gw", acctSet(map[string]any{"ClearFlag": AsfNoFreeze}))
	if e.root("gw").UInt32(sf.Flags)&LsfNoFreeze == 0 {
		t.Fatal("NoFreeze cleared")
	}
}

func TestRequireAuthNeedsAnEmptyOwnerDirectory(t *testing.T) {
	e := gateway(t, "alice")
	e.submit(ter.TecOWNERS, "alice", acctSet(map[string]any{"SetFlag": AsfRequireAuth}))
}

func TestRegularKeyCanSignAndMasterCanBeDisabled(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "alice")
	e.submit(ter.TefBAD_AUTH_MASTER, "alice", pay(e.addr("genesis"), "1000"), "mallory")
	e.submit(ter.TecNO_REGULAR_KEY, "alice", acctSet(map[string]any{"SetFlag": AsfDisableMaster}))
	e.submit(ter.TemMALFORMED, "alice", map[string]any{"TransactionType": "SetRegularKey", "RegularKey": e.addr("alice")})
	e.submit(ter.TesSUCCESS, "alice", map[string]any{"TransactionType": "SetRegularKey", "RegularKey": e.addr("ed-alice-regular")})
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("genesis"), "1000"), "ed-alice-regular")
	e.submit(ter.TefBAD_AUTH, "alice", pay(e.addr("genesis"), "1000"), "mallory")
	// Only the master key may disable itself.
	e.submit(ter.TecNEED_MASTER_KEY, "alice", acctSet(map[string]any{"SetFlag": AsfDisableMaster}), "ed-alice-regular")
	e.submit(ter.TesSUCCESS, "alice", acctSet(map[string]any{"SetFlag": AsfDisableMaster}))
	e.submit(ter.TefMASTER_DISABLED, "alice", pay(e.addr("genesis"), "1000"))
	// Removing the regular key now would lock the account.
	e.submit(ter.TecMASTER_DISABLED, "alice", map[string]any{"TransactionType": "SetRegularKey"}, "ed-alice-regular")
	e.submit(ter.TesSUCCESS, "alice", acctSet(map[string]any{"ClearFlag": AsfDisableMaster}), "ed-alice-regular")
	e.submit(ter.TesSUCCESS, "alice", pay(e.addr("genesis"), "1000"))
}

func TestAccountTxnIDTracksTheLastTransaction(t *testing.T) {
	e := newEnv(t)
	e.fund(100_000_000, "alice")
	e.submit(ter.TesSUCCESS, "alice", acctSet(map[string]any{"SetFlag": AsfAccountTxnID}))
	last := e.root("alice").Hash256(sf.AccountTxnID)
	e.submit(ter.TefWRONG_PRIOR, "alice", merge(pay(e.addr("genesis"), "1000"), map[string]any{"AccountTxnID": "00000000000000000000000000000000000000000000000000000000000000AA"}))
	out := e.apply(e.tx("alice", merge(pay(e.addr("genesis"), "1000"), map[string]any{"AccountTxnID": hexOf(last[:])})))
	if out.Result != ter.TesSUCCESS {
		t.Fatalf("%s: %s", out.Result, out.Detail)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2*len(b))
	for i, x := range b {
		out[2*i], out[2*i+1] = digits[x>>4], digits[x&15]
	}
	return string(out)
}
