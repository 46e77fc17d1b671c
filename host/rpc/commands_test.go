package rpc

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

// newWorld is a small history: gw issues CNY, alice and bob hold 100 each;
// alice authorizes bob for 10 CNY, gw freezes 5 of alice's CNY, alice has a
// signer list {bob, carol} with quorum 2, and alice paid bob 1 SWT. Four
// ledgers after genesis.
func newWorld(t testing.TB) *chain {
	t.Helper()
	c := newChain(t)
	c.fund(1_000_000_000, "gw", "alice", "bob", "carol")
	c.close()
	gw := c.addr("gw")
	for _, h := range []string{"alice", "bob"} {
		c.apply(ter.TesSUCCESS, h, map[string]any{"TransactionType": "TrustSet", "LimitAmount": iou("1000", "CNY", gw)})
		c.apply(ter.TesSUCCESS, "gw", pay(c.addr(h), iou("100", "CNY", gw)))
	}
	c.close()
	c.apply(ter.TesSUCCESS, "alice", map[string]any{"TransactionType": "RelationSet", "Target": c.addr("bob"),
		"RelationType": 1, "LimitAmount": iou("10", "CNY", gw)})
	c.apply(ter.TesSUCCESS, "gw", map[string]any{"TransactionType": "RelationSet", "Target": c.addr("alice"),
		"RelationType": 3, "LimitAmount": iou("5", "CNY", gw)})
	c.apply(ter.TesSUCCESS, "alice", signerListSet(c, 2, "bob", "carol"))
	c.close()
	c.apply(ter.TesSUCCESS, "alice", pay(c.addr("bob"), "1000000"))
	c.close()
	return c
}

func signerListSet(c *chain, quorum int, names ...string) map[string]any {
	var list []any
	for _, n := range names {
		list = append(list, map[string]any{"SignerEntry": map[string]any{"Account": c.addr(n), "SignerWeight": 1}})
	}
	return map[string]any{"TransactionType": "SignerListSet", "SignerQuorum": quorum, "SignerEntries": list}
}

func hashOf(l *ledger.Ledger) string { h := l.Hash(); return fmt.Sprintf("%X", h[:]) }

func TestServerInfoHasTheFieldsJingtumLibReads(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	info := dial(t, s).result(map[string]any{"command": "server_info"})["info"].(map[string]any)
	v := c.Validated()
	checks := map[string]any{
		"build_version": "0.29.60", "complete_ledgers": fmt.Sprintf("1-%d", v.Seq()), "hostid": "TEST",
		"pubkey_node": c.status.PubkeyNode, "peers": 3.0, "validation_quorum": 3.0, "load_factor": 1.0, "io_latency_ms": 1.0,
	}
	for k, want := range checks {
		if info[k] != want {
			t.Errorf("info.%s = %v, want %v", k, info[k], want)
		}
	}
	if st, _ := info["server_state"].(string); !strings.HasPrefix(st, "full   01:30:") {
		t.Errorf("server_state %q, want skywelld's 'full   H:MM:SS'", st)
	}
	vl := info["validated_ledger"].(map[string]any)
	if vl["hash"] != hashOf(v) || num(vl["seq"]) != int(v.Seq()) || vl["base_fee_swt"] != 0.00001 ||
		vl["reserve_base_swt"] != 10.0 || vl["reserve_inc_swt"] != 1.0 {
		t.Errorf("validated_ledger %v", vl)
	}
	for _, k := range []string{"last_close", "uptime", "startup_time"} {
		if info[k] == nil {
			t.Errorf("no info.%s", k)
		}
	}
}

func TestServerStateUsesMachineUnits(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	st := dial(t, s).result(map[string]any{"command": "server_state"})["state"].(map[string]any)
	vl := st["validated_ledger"].(map[string]any)
	if num(st["load_base"]) != 256 || num(st["load_factor"]) != 256 || num(vl["base_fee"]) != 10 ||
		num(vl["reserve_base"]) != 10_000_000 || num(vl["reserve_inc"]) != 1_000_000 || vl["close_time"] == nil || st["hostid"] != nil {
		t.Fatalf("%v", st)
	}
}

func TestServerStatusIsAlwaysAnOnlineState(t *testing.T) {
	c := newChain(t)
	c.status.ServerState = "disconnected"
	s := testServer(t, c, nil)
	r := dial(t, s).result(map[string]any{"command": "subscribe", "streams": []string{"server"}})
	if r["server_status"] != "full" {
		t.Fatalf("server_status %v: jingtum-lib stops sending on anything but an online state", r["server_status"])
	}
}

func TestLedgerClosedAndLedgerCurrent(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	v := c.Validated()
	r := cl.result(map[string]any{"command": "ledger_closed"})
	if r["ledger_hash"] != hashOf(v) || num(r["ledger_index"]) != int(v.Seq()) {
		t.Fatalf("%v", r)
	}
	r = cl.result(map[string]any{"command": "ledger_current"})
	if num(r["ledger_current_index"]) != int(v.Seq())+1 {
		t.Fatalf("%v", r)
	}
}

func TestLedgerObjectHasSkywelldsShape(t *testing.T) {
	if got := closeTimeHuman(607471210); got != "2019-Apr-01 22:00:10" {
		t.Fatalf("close_time_human %q", got)
	}
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	v := c.Validated()
	h := v.Header()
	r := cl.result(map[string]any{"command": "ledger", "ledger_index": "validated", "transactions": true})
	l := r["ledger"].(map[string]any)
	seq := fmt.Sprint(v.Seq())
	want := map[string]any{
		"accepted": true, "closed": true, "hash": hashOf(v), "ledger_hash": hashOf(v), "ledger_index": seq, "seqNum": seq,
		"parent_hash": fmt.Sprintf("%X", h.ParentHash[:]), "account_hash": fmt.Sprintf("%X", h.AccountHash[:]),
		"transaction_hash": fmt.Sprintf("%X", h.TxHash[:]), "total_coins": fmt.Sprint(h.TotalCoins), "totalCoins": fmt.Sprint(h.TotalCoins),
		"close_time": float64(h.CloseTime), "close_time_human": closeTimeHuman(h.CloseTime), "close_time_resolution": 10.0,
	}
	for k, w := range want {
		if l[k] != w {
			t.Errorf("ledger.%s = %v, want %v", k, l[k], w)
		}
	}
	if r["ledger_hash"] != hashOf(v) || num(r["ledger_index"]) != int(v.Seq()) || r["validated"] != true {
		t.Errorf("lookup fields %v", r)
	}
	txs := l["transactions"].([]any)
	if len(txs) != 1 || txs[0] != fmt.Sprintf("%X", c.txs[v.Seq()][0].Tx.ID()) {
		t.Errorf("transactions %v", txs)
	}
	// Expanded, with metadata.
	r = cl.result(map[string]any{"command": "ledger", "ledger_index": float64(v.Seq() - 2), "transactions": true, "expand": true})
	exp := r["ledger"].(map[string]any)["transactions"].([]any)
	if len(exp) != 4 {
		t.Fatalf("%d expanded transactions", len(exp))
	}
	var ids []string
	for _, e := range exp {
		tx := e.(map[string]any)
		if tx["hash"] == nil || field(tx, "metaData", "TransactionResult") != "tesSUCCESS" {
			t.Fatalf("expanded tx %v", tx)
		}
		ids = append(ids, tx["hash"].(string))
	}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("transactions not in tree order: %v", ids)
	}
}

func TestLedgerSelection(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	v := c.Validated()
	second, _ := c.LedgerBySeq(2)
	for name, req := range map[string]map[string]any{
		"number":         {"ledger_index": 2},
		"numeric string": {"ledger_index": "2"},
		"hash":           {"ledger_hash": hashOf(second)},
		"legacy ledger":  {"ledger": 2},
	} {
		req["command"] = "ledger"
		r := cl.result(req)
		if field(r, "ledger", "hash") != hashOf(second) {
			t.Errorf("%s: %v", name, r)
		}
	}
	// No parameters: skywelld's {closed, open}.
	r := cl.result(map[string]any{"command": "ledger"})
	if field(r, "closed", "ledger", "hash") != hashOf(v) || field(r, "open", "ledger", "closed") != false ||
		field(r, "open", "ledger", "ledger_index") != fmt.Sprint(v.Seq()+1) {
		t.Errorf("no params: %v", r)
	}
	r = cl.result(map[string]any{"command": "ledger", "ledger_index": "current"})
	if num(r["ledger_current_index"]) != int(v.Seq()+1) || r["validated"] != false {
		t.Errorf("current: %v", r)
	}
	// A stored ledger whose state is gone is served from its header.
	c.noState[2] = true
	r = cl.result(map[string]any{"command": "ledger", "ledger_index": 2, "transactions": true})
	if field(r, "ledger", "hash") != hashOf(second) || len(field(r, "ledger", "transactions").([]any)) != 4 {
		t.Errorf("no state: %v", r)
	}
	e := cl.call(map[string]any{"command": "account_info", "account": c.addr("alice"), "ledger_index": 2})
	if e["error"] != "lgrNotFound" || num(e["error_code"]) != 20 {
		t.Errorf("state of an old ledger: %v", e)
	}
	for _, bad := range []map[string]any{
		{"ledger_index": 999}, {"ledger_hash": strings.Repeat("AB", 32)},
	} {
		bad["command"] = "ledger"
		e := cl.call(bad)
		if e["error"] != "lgrNotFound" || e["error_message"] != "ledgerNotFound" {
			t.Errorf("%v: %v", bad, e)
		}
	}
	for _, bad := range []map[string]any{{"ledger_index": "latest"}, {"ledger_hash": "XYZ"}, {"ledger_hash": 5}} {
		bad["command"] = "ledger"
		if e := cl.call(bad); e["error"] != "invalidParams" {
			t.Errorf("%v: %v", bad, e)
		}
	}
}

func TestLedgerEntry(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	v := c.Validated()
	alice := c.addr("alice")
	r := cl.result(map[string]any{"command": "ledger_entry", "account_root": alice, "ledger_index": "validated"})
	if field(r, "node", "Account") != alice || field(r, "node", "LedgerEntryType") != "AccountRoot" ||
		r["index"] != fmt.Sprintf("%X", ledger.AccountKeylet(c.id("alice")).Key) || r["ledger_hash"] != hashOf(v) {
		t.Fatalf("account_root: %v", r)
	}
	// By index: binary unless asked otherwise, as skywelld.
	k := ledger.TrustLineKeylet(c.id("alice"), c.id("gw"), mustCurrency("CNY")).Key
	r = cl.result(map[string]any{"command": "ledger_entry", "index": fmt.Sprintf("%X", k), "ledger_index": "validated"})
	blob, _ := r["node_binary"].(string)
	if obj, err := codec.Decode(mustHex(blob)); err != nil || codec.EntryType(obj.UInt16(sf.LedgerEntryType)) != codec.EntrySkywellState {
		t.Fatalf("index: %v %v", r, err)
	}
	r = cl.result(map[string]any{"command": "ledger_entry", "skywell_state": map[string]any{"accounts": []string{c.addr("gw"), alice}, "currency": "CNY"}, "ledger_index": "validated"})
	if field(r, "node", "Balance", "currency") != "CNY" {
		t.Fatalf("skywell_state: %v", r)
	}
	r = cl.result(map[string]any{"command": "ledger_entry", "directory": map[string]any{"owner": alice}, "ledger_index": "validated"})
	if idx, _ := field(r, "node", "Indexes").([]any); len(idx) != 3 {
		t.Fatalf("owner directory: %v", r)
	}
	e := cl.call(map[string]any{"command": "ledger_entry", "account_root": c.addr("nobody")})
	if e["error"] != "entryNotFound" || e["error_message"] == nil || e["ledger_current_index"] == nil {
		t.Fatalf("not found: %v", e)
	}
	if e := cl.call(map[string]any{"command": "ledger_entry"}); e["error"] != "unknownOption" {
		t.Fatalf("no selector: %v", e)
	}
}

func TestAccountInfo(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	v := c.Validated()
	alice := c.addr("alice")
	// jingtum-lib's request, with the relation_type it always sends.
	r := cl.result(map[string]any{"command": "account_info", "account": alice, "ledger_index": "validated", "relation_type": nil})
	d := r["account_data"].(map[string]any)
	if d["Account"] != alice || d["LedgerEntryType"] != "AccountRoot" || num(d["Sequence"]) != 5 || num(d["OwnerCount"]) != 3 ||
		d["index"] != fmt.Sprintf("%X", ledger.AccountKeylet(c.id("alice")).Key) || d["PreviousTxnID"] == nil {
		t.Fatalf("account_data %v", d)
	}
	if _, ok := d["Balance"].(string); !ok {
		t.Fatalf("Balance must be a drops string: %v", d["Balance"])
	}
	if r["ledger_hash"] != hashOf(v) || num(r["ledger_index"]) != int(v.Seq()) || r["validated"] != true {
		t.Fatalf("%v", r)
	}
	// The open ledger sees a transaction that is not validated yet.
	c.apply(ter.TesSUCCESS, "alice", pay(c.addr("bob"), "1"))
	r = cl.result(map[string]any{"command": "account_info", "account": alice})
	if num(field(r, "account_data", "Sequence")) != 6 || num(r["ledger_current_index"]) != int(v.Seq()+1) || r["validated"] != false {
		t.Fatalf("current: %v", r)
	}
	if e := cl.call(map[string]any{"command": "account_info", "account": "jNotAnAddress"}); e["error"] != "actMalformed" || num(e["error_code"]) != 33 {
		t.Fatalf("malformed: %v", e)
	}
	if e := cl.call(map[string]any{"command": "account_info"}); e["error"] != "invalidParams" || e["error_message"] != "Missing field 'account'." {
		t.Fatalf("missing: %v", e)
	}
}

func TestAccountLines(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	gw, alice := c.addr("gw"), c.addr("alice")
	r := cl.result(map[string]any{"command": "account_lines", "account": alice, "ledger_index": "validated", "relation_type": nil})
	lines := r["lines"].([]any)
	if len(lines) != 1 || r["account"] != alice || r["validated"] != true {
		t.Fatalf("%v", r)
	}
	want := map[string]any{"account": gw, "balance": "100", "currency": "CNY", "limit": "1000", "limit_peer": "0", "quality_in": 0.0, "quality_out": 0.0}
	for k, w := range want {
		if lines[0].(map[string]any)[k] != w {
			t.Errorf("line.%s = %v, want %v", k, lines[0].(map[string]any)[k], w)
		}
	}
	// The issuer's side: negative balance, limits swapped.
	r = cl.result(map[string]any{"command": "account_lines", "account": gw, "ledger_index": "validated"})
	lines = r["lines"].([]any)
	if len(lines) != 2 {
		t.Fatalf("gw lines %v", lines)
	}
	for _, l := range lines {
		l := l.(map[string]any)
		if l["balance"] != "-100" || l["limit"] != "0" || l["limit_peer"] != "1000" {
			t.Errorf("gw line %v", l)
		}
	}
	// Peer filter and paging.
	r = cl.result(map[string]any{"command": "account_lines", "account": gw, "peer": c.addr("bob"), "ledger_index": "validated"})
	if l := r["lines"].([]any); len(l) != 1 || l[0].(map[string]any)["account"] != c.addr("bob") {
		t.Fatalf("peer: %v", r)
	}
	r = cl.result(map[string]any{"command": "account_lines", "account": gw, "limit": 1, "ledger_index": "validated"})
	first := r["lines"].([]any)
	marker, _ := r["marker"].(string)
	if len(first) != 1 || marker == "" || num(r["limit"]) != 1 {
		t.Fatalf("page 1: %v", r)
	}
	r = cl.result(map[string]any{"command": "account_lines", "account": gw, "limit": 1, "marker": marker, "ledger_index": "validated"})
	second := r["lines"].([]any)
	if len(second) != 1 || r["marker"] != nil || second[0].(map[string]any)["account"] == first[0].(map[string]any)["account"] {
		t.Fatalf("page 2: %v", r)
	}
	if e := cl.call(map[string]any{"command": "account_lines", "account": c.addr("nobody"), "ledger_index": "validated"}); e["error"] != "actNotFound" {
		t.Fatalf("unknown: %v", e)
	}
}

func TestAccountRelation(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	gw, alice, bob := c.addr("gw"), c.addr("alice"), c.addr("bob")
	r := cl.result(map[string]any{"command": "account_relation", "relation_type": 1, "account": alice, "ledger_index": "validated"})
	lines := r["lines"].([]any)
	if len(lines) != 1 {
		t.Fatalf("%v", r)
	}
	want := map[string]any{"account": bob, "limit_peer": bob, "currency": "CNY", "issuer": gw, "limit": "10", "relation_type": "1"}
	for k, w := range want {
		if lines[0].(map[string]any)[k] != w {
			t.Errorf("authorize.%s = %v, want %v", k, lines[0].(map[string]any)[k], w)
		}
	}
	r = cl.result(map[string]any{"command": "account_relation", "relation_type": 3, "account": gw, "ledger_index": "validated"})
	if l := r["lines"].([]any); len(l) != 1 || l[0].(map[string]any)["account"] != alice || l[0].(map[string]any)["limit"] != "5" {
		t.Fatalf("freeze: %v", r)
	}
	if l := cl.result(map[string]any{"command": "account_relation", "relation_type": 3, "account": alice, "ledger_index": "validated"})["lines"].([]any); len(l) != 0 {
		t.Fatalf("alice holds no freeze: %v", l)
	}
	r = cl.result(map[string]any{"command": "account_relation", "relation_type": 0, "account": alice, "ledger_index": "validated"})
	if l := r["lines"].([]any); len(l) != 1 || l[0].(map[string]any)["balance"] != "100" {
		t.Fatalf("trust: %v", r)
	}
	if e := cl.call(map[string]any{"command": "account_relation", "account": alice}); e["error"] != "invalidParams" {
		t.Fatalf("no type: %v", e)
	}
}

func TestAccountCurrencies(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	r := dial(t, s).result(map[string]any{"command": "account_currencies", "account": c.addr("alice"), "ledger_index": "validated", "relation_type": nil})
	if fmt.Sprint(r["receive_currencies"]) != "[CNY]" || fmt.Sprint(r["send_currencies"]) != "[CNY]" || r["validated"] != true {
		t.Fatalf("%v", r)
	}
}

func TestAccountObjects(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	alice := c.addr("alice")
	r := cl.result(map[string]any{"command": "account_objects", "account": alice, "ledger_index": "validated"})
	objs := r["account_objects"].([]any)
	types := map[string]int{}
	for _, o := range objs {
		o := o.(map[string]any)
		if o["index"] == nil {
			t.Fatalf("object without index: %v", o)
		}
		types[o["LedgerEntryType"].(string)]++
	}
	if types["SkywellState"] != 1 || types["Relation"] != 1 || types["SignerList"] != 1 || len(objs) != 3 {
		t.Fatalf("objects %v", types)
	}
	// swtc-lib's signer list lookup, with a type filter.
	r = cl.result(map[string]any{"command": "account_objects", "account": alice, "type": "signer_list", "ledger_index": "validated"})
	if l := r["account_objects"].([]any); len(l) != 1 || num(l[0].(map[string]any)["SignerQuorum"]) != 2 {
		t.Fatalf("signer_list: %v", r)
	}
	var seen []any
	req := map[string]any{"command": "account_objects", "account": alice, "limit": 2, "ledger_index": "validated"}
	for i := 0; i < 3; i++ {
		r = cl.result(req)
		seen = append(seen, r["account_objects"].([]any)...)
		if r["marker"] == nil {
			break
		}
		req["marker"] = r["marker"]
	}
	if len(seen) != 3 {
		t.Fatalf("paged %d objects", len(seen))
	}
	if e := cl.call(map[string]any{"command": "account_objects", "account": alice, "type": "bogus"}); e["error"] != "invalidParams" {
		t.Fatalf("bad type: %v", e)
	}
	// No offers exist before the DEX; the command still answers.
	r = cl.result(map[string]any{"command": "account_offers", "account": alice, "ledger_index": "validated", "relation_type": nil})
	if l, ok := r["offers"].([]any); !ok || len(l) != 0 || r["account"] != alice || r["validated"] != true {
		t.Fatalf("account_offers: %v", r)
	}
}

func TestAccountTxPagesBothWays(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	alice := c.addr("alice")
	// alice: funded, trust, paid CNY, relation, (gw's freeze on her),
	// signer list, payment to bob: 7 transactions.
	collect := func(forward bool) []map[string]any {
		var out []map[string]any
		req := map[string]any{"command": "account_tx", "account": alice, "ledger_index_min": 0, "ledger_index_max": -1, "limit": 2, "forward": forward}
		for i := 0; i < 10; i++ {
			r := cl.result(req)
			if num(r["ledger_index_min"]) != 1 || num(r["ledger_index_max"]) != int(c.Validated().Seq()) || r["account"] != alice {
				t.Fatalf("%v", r)
			}
			for _, it := range r["transactions"].([]any) {
				out = append(out, it.(map[string]any))
			}
			if r["marker"] == nil {
				return out
			}
			req["marker"] = r["marker"]
		}
		t.Fatal("paging did not end")
		return nil
	}
	fwd, back := collect(true), collect(false)
	if len(fwd) != 7 || len(back) != 7 {
		t.Fatalf("forward %d, backward %d transactions, want 7", len(fwd), len(back))
	}
	for i := range fwd {
		a, b := fwd[i], back[len(back)-1-i]
		if field(a, "tx", "hash") != field(b, "tx", "hash") {
			t.Fatalf("orders differ at %d", i)
		}
	}
	for i, it := range fwd {
		tx := it["tx"].(map[string]any)
		if tx["hash"] == nil || tx["date"] == nil || tx["inLedger"] == nil || tx["ledger_index"] != tx["inLedger"] ||
			it["validated"] != true || field(it, "meta", "TransactionResult") != "tesSUCCESS" || field(it, "meta", "AffectedNodes") == nil {
			t.Fatalf("item %d: %v", i, it)
		}
		if i > 0 && num(tx["ledger_index"]) < num(fwd[i-1]["tx"].(map[string]any)["ledger_index"]) {
			t.Fatal("forward is not oldest first")
		}
	}
	last := fwd[len(fwd)-1]
	if field(last, "tx", "TransactionType") != "Payment" || field(last, "meta", "delivered_amount") != "1000000" {
		t.Fatalf("payment: %v", last)
	}
	// A narrower range.
	r := cl.result(map[string]any{"command": "account_tx", "account": alice, "ledger_index_min": 3, "ledger_index_max": 3})
	if n := len(r["transactions"].([]any)); n != 2 {
		t.Fatalf("ledger 3 has %d of alice's transactions", n)
	}
	if e := cl.call(map[string]any{"command": "account_tx", "account": alice, "ledger_index_min": 4, "ledger_index_max": 2}); e["error"] != "lgrIdxsInvalid" {
		t.Fatalf("inverted range: %v", e)
	}
}

func TestTxCommand(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	v := c.Validated()
	p := c.txs[v.Seq()][0]
	id := p.Tx.ID()
	r := cl.result(map[string]any{"command": "tx", "transaction": fmt.Sprintf("%X", id)})
	if r["hash"] != fmt.Sprintf("%X", id) || r["Account"] != c.addr("alice") || r["Amount"] != "1000000" ||
		num(r["inLedger"]) != int(v.Seq()) || num(r["ledger_index"]) != int(v.Seq()) || num(r["date"]) != int(v.Header().CloseTime) ||
		r["validated"] != true || field(r, "meta", "delivered_amount") != "1000000" || field(r, "meta", "TransactionResult") != "tesSUCCESS" {
		t.Fatalf("%v", r)
	}
	if e := cl.call(map[string]any{"command": "tx", "transaction": strings.Repeat("00", 32)}); e["error"] != "txnNotFound" || num(e["error_code"]) != 27 {
		t.Fatalf("unknown: %v", e)
	}
	if e := cl.call(map[string]any{"command": "tx", "transaction": "abc"}); e["error"] != "notImpl" {
		t.Fatalf("malformed: %v", e)
	}
}

func TestFeeCommand(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	r := dial(t, s).result(map[string]any{"command": "fee"})
	if field(r, "drops", "base_fee") != "10" || field(r, "drops", "open_ledger_fee") != "10" || field(r, "levels", "reference_level") != "256" ||
		num(r["ledger_current_index"]) != int(c.Validated().Seq()+1) || r["max_queue_size"] != "1000" {
		t.Fatalf("%v", r)
	}
}

func TestWalletProposeIsAdminOnly(t *testing.T) {
	c := newChain(t)
	s := testServer(t, c, nil)
	r := dial(t, s).result(map[string]any{"command": "wallet_propose", "passphrase": "masterpassphrase"})
	if r["master_seed"] != "snoPBjXtMeMyMHUVTgbuqAfg1SUTb" || r["account_id"] != "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh" ||
		r["public_key_hex"] != "0330E7FC9D56BB25D6893BA3F317AE5BCF33B3291BD63DB32654A313222F7FD020" || r["key_type"] != "secp256k1" ||
		r["master_seed_hex"] != "DEDCE9CE67B451D852FD4E846FCDE31C" {
		t.Fatalf("%v", r)
	}
	r = dial(t, s).result(map[string]any{"command": "wallet_propose", "key_type": "ed25519"})
	if !strings.HasPrefix(r["master_seed"].(string), "sEd") || !strings.HasPrefix(r["public_key_hex"].(string), "ED") {
		t.Fatalf("ed25519: %v", r)
	}
	pub := testServer(t, c, func(cfg *Config) { cfg.AdminIPs = nil })
	if e := dial(t, pub).call(map[string]any{"command": "wallet_propose"}); e["error"] != "noPermission" || num(e["error_code"]) != 6 {
		t.Fatalf("non-admin: %v", e)
	}
}
