package rpc

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

// jingtum-lib sends this on every connect; the result is its connect
// callback's argument and must carry server_status.
func TestSubscribeResponseHasTheRealNodesFields(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	r := dial(t, s).result(map[string]any{"command": "subscribe", "streams": []string{"ledger", "server", "transactions"}})
	v := c.Validated()
	want := map[string]any{
		"fee_base": 10.0, "fee_ref": 10.0, "hostid": "TEST", "ledger_hash": hashOf(v), "ledger_index": float64(v.Seq()),
		"ledger_time": float64(v.Header().CloseTime), "load_base": 256.0, "load_factor": 256.0, "pubkey_node": c.status.PubkeyNode,
		"reserve_base": 10_000_000.0, "reserve_inc": 1_000_000.0, "server_status": "full", "validated_ledgers": fmt.Sprintf("1-%d", v.Seq()),
	}
	for k, w := range want {
		if r[k] != w {
			t.Errorf("%s = %v, want %v", k, r[k], w)
		}
	}
	if rnd, _ := r["random"].(string); !regexp.MustCompile(`^[0-9A-F]{64}$`).MatchString(rnd) {
		t.Errorf("random %q", r["random"])
	}
	// Subscribing to the ledger alone still says the server is online.
	r = dial(t, s).result(map[string]any{"command": "subscribe", "streams": []string{"ledger"}})
	if r["server_status"] != "full" || r["ledger_hash"] == nil {
		t.Errorf("ledger only: %v", r)
	}
}

func TestPublishSendsLedgerClosedThenEachTransaction(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	cl.result(map[string]any{"command": "subscribe", "streams": []string{"ledger", "server", "transactions"}})
	c.apply(ter.TesSUCCESS, "alice", pay(c.addr("bob"), iou("2", "CNY", c.addr("gw"))))
	c.apply(ter.TesSUCCESS, "carol", pay(c.addr("bob"), "3000000"))
	l, txs := c.close()
	s.Publish(l, txs)

	lc := cl.stream("ledgerClosed")
	want := map[string]any{
		"ledger_index": float64(l.Seq()), "ledger_hash": hashOf(l), "ledger_time": float64(l.Header().CloseTime),
		"fee_base": 10.0, "fee_ref": 10.0, "reserve_base": 10_000_000.0, "reserve_inc": 1_000_000.0, "txn_count": 2.0,
		"validated_ledgers": fmt.Sprintf("1-%d", l.Seq()),
	}
	for k, w := range want {
		if lc[k] != w {
			t.Errorf("ledgerClosed.%s = %v, want %v", k, lc[k], w)
		}
	}
	for i, tx := range txs {
		m := cl.stream("transaction")
		if field(m, "transaction", "hash") != fmt.Sprintf("%X", tx.Tx.ID()) {
			t.Fatalf("transaction %d: %v", i, m)
		}
		if num(field(m, "transaction", "date")) != int(l.Header().CloseTime) || m["engine_result"] != "tesSUCCESS" ||
			num(m["engine_result_code"]) != 0 || m["engine_result_message"] != tesMessage || m["ledger_hash"] != hashOf(l) ||
			num(m["ledger_index"]) != int(l.Seq()) || m["status"] != "closed" || m["validated"] != true ||
			field(m, "meta", "AffectedNodes") == nil || field(m, "meta", "delivered_amount") == nil {
			t.Fatalf("transaction %d: %v", i, m)
		}
	}
}

func TestAccountSubscriptionGetsOnlyTransactionsThatAffectIt(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	cl.result(map[string]any{"command": "subscribe", "accounts": []string{c.addr("carol")}})
	other := c.apply(ter.TesSUCCESS, "alice", pay(c.addr("bob"), "1000"))
	l1, t1 := c.close()
	mine := c.apply(ter.TesSUCCESS, "alice", pay(c.addr("carol"), "1000"))
	l2, t2 := c.close()
	s.Publish(l1, t1)
	s.Publish(l2, t2)
	m := cl.stream("transaction")
	if field(m, "transaction", "hash") != fmt.Sprintf("%X", mine.ID()) {
		t.Fatalf("first message is not carol's transaction (alice→bob is %X): %v", other.ID(), m)
	}
	// gw follows its currency: a trust line to gw names it as an issuer.
	cl.result(map[string]any{"command": "subscribe", "accounts": []string{c.addr("gw")}})
	trust := c.apply(ter.TesSUCCESS, "carol", map[string]any{"TransactionType": "TrustSet", "LimitAmount": iou("50", "CNY", c.addr("gw"))})
	l3, t3 := c.close()
	s.Publish(l3, t3)
	m = cl.stream("transaction")
	if field(m, "transaction", "hash") != fmt.Sprintf("%X", trust.ID()) {
		t.Fatalf("trust line: %v", m)
	}
}

func TestUnsubscribeStopsAStream(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	cl.result(map[string]any{"command": "subscribe", "streams": []string{"ledger"}})
	cl.result(map[string]any{"command": "unsubscribe", "streams": []string{"ledger"}})
	cl.result(map[string]any{"command": "subscribe", "accounts": []string{c.addr("bob")}})
	tx := c.apply(ter.TesSUCCESS, "alice", pay(c.addr("bob"), "1000"))
	l, txs := c.close()
	s.Publish(l, txs)
	m, _ := cl.next(10 * time.Second)
	if d := decode(t, m); d["type"] != "transaction" || field(d, "transaction", "hash") != fmt.Sprintf("%X", tx.ID()) {
		t.Fatalf("after unsubscribing from ledger: %s", m)
	}
	cl.result(map[string]any{"command": "unsubscribe", "accounts": []string{c.addr("bob")}})
	if subs := s.subs.snapshot(streamLedger); len(subs) != 0 || len(s.subs.accounts) != 0 {
		t.Fatalf("registry not empty: %d ledger, %d accounts", len(subs), len(s.subs.accounts))
	}
}

func TestPublishServerStatus(t *testing.T) {
	c := newChain(t)
	c.fees.LoadFactor = 512
	s := testServer(t, c, nil)
	cl := dial(t, s)
	cl.result(map[string]any{"command": "subscribe", "streams": []string{"server"}})
	s.PublishServerStatus()
	m := cl.stream("serverStatus")
	if m["server_status"] != "full" || num(m["load_base"]) != 256 || num(m["load_factor"]) != 512 {
		t.Fatalf("%v", m)
	}
}

func TestSubscribeErrors(t *testing.T) {
	c := newChain(t)
	s := testServer(t, c, func(cfg *Config) { cfg.MaxSubscriptions = 2 })
	cl := dial(t, s)
	cases := []struct {
		req   map[string]any
		token string
	}{
		{map[string]any{"streams": []string{"ledger", "bogus"}}, "unknownStream"},
		{map[string]any{"streams": []any{5}}, "malformedStream"},
		{map[string]any{"streams": "ledger"}, "invalidParams"},
		{map[string]any{"accounts": []string{"jNope"}}, "malformedAccount"},
		{map[string]any{"accounts": []string{}}, "malformedAccount"},
		{map[string]any{"accounts": []string{c.addr("a"), c.addr("b"), c.addr("c")}}, "invalidParams"},
	}
	for _, tc := range cases {
		tc.req["command"] = "subscribe"
		if r := cl.call(tc.req); r["error"] != tc.token || r["error_message"] == nil {
			t.Errorf("%v: %v", tc.req, r)
		}
	}
	// Nothing was subscribed by the failed requests.
	if n := len(s.subs.snapshot(streamLedger)); n != 0 {
		t.Fatalf("%d ledger subscribers after errors", n)
	}
	cl.result(map[string]any{"command": "subscribe", "accounts": []string{c.addr("a"), c.addr("b")}})
	code, body := httpCall(t, s, `{"method":"subscribe","params":[{"streams":["ledger"]}]}`)
	if code != 200 || !regexp.MustCompile(`"error":"invalidParams"`).Match(body) {
		t.Fatalf("subscribe over HTTP: %d %s", code, body)
	}
}

func TestTransactionMessageJSONMatchesTheMapForm(t *testing.T) {
	c := newWorld(t)
	var all []ledger.TxWithMeta
	for seq := uint32(2); seq <= c.Validated().Seq(); seq++ {
		txs, err := c.LedgerTxs(seq)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, txs...)
	}
	if len(all) < 8 {
		t.Fatalf("only %d transactions to compare", len(all))
	}
	for _, tx := range all {
		direct := transactionMessageJSON(tx, 7, codec.Hash256{1, 2, 3}, 123456)
		viaMap := marshal(transactionMessage(tx, 7, codec.Hash256{1, 2, 3}, 123456))
		var a, b any
		if err := json.Unmarshal(direct, &a); err != nil {
			t.Fatalf("direct form is not JSON: %v\n%s", err, direct)
		}
		json.Unmarshal(viaMap, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("forms differ:\n%s\n%s", direct, viaMap)
		}
	}
}
