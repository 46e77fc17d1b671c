package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
)

// FuzzHandleRequest feeds arbitrary bytes to the WebSocket request handler
// (no network) over a real chain. Every input must get exactly one frame
// back: a JSON object that is a response echoing the request's id, or
// skywelld's jsonInvalid error.
func FuzzHandleRequest(f *testing.F) {
	c := newWorld(f)
	alice, bob, gw := c.addr("alice"), c.addr("bob"), c.addr("gw")
	tx := c.tx("alice", pay(bob, "1000"))
	seeds := []string{
		`{"id":0,"command":"subscribe","streams":["ledger","server","transactions"]}`,
		`{"id":1,"command":"server_info"}`,
		`{"id":2,"command":"ledger_closed"}`,
		`{"id":3,"command":"ledger","ledger_index":3,"transactions":true,"expand":true}`,
		`{"id":4,"command":"account_info","relation_type":null,"account":"` + alice + `","ledger_index":"validated"}`,
		`{"id":5,"command":"submit","tx_blob":"` + fmt.Sprintf("%X", tx.Blob()) + `"}`,
		`{"id":6,"command":"submit","secret":"` + c.secret("alice") + `","tx_json":{"Flags":0,"Fee":10000,"TransactionType":"Payment","Account":"` + alice + `","Amount":"1","Destination":"` + bob + `"}}`,
		`{"command":"tx","transaction":"` + fmt.Sprintf("%X", tx.ID()) + `"}`,
		`{"command":"account_lines","account":"` + gw + `","limit":1,"marker":"00"}`,
		`{"command":"account_relation","relation_type":1,"account":"` + alice + `"}`,
		`{"command":"account_tx","account":"` + alice + `","ledger_index_min":0,"ledger_index_max":-1,"limit":2,"marker":{"ledger":3,"seq":1}}`,
		`{"command":"account_objects","account":"` + alice + `","type":"state"}`,
		`{"command":"account_currencies","account":"` + alice + `"}`,
		`{"command":"ledger_entry","skywell_state":{"accounts":["` + alice + `","` + gw + `"],"currency":"CNY"}}`,
		`{"command":"ledger_entry","directory":{"owner":"` + alice + `","sub_index":1e400}}`,
		`{"command":"sign_for","account":"` + bob + `","secret":"` + c.secret("bob") + `","tx_json":{"TransactionType":"Payment","Account":"` + alice + `","Amount":"1","Destination":"` + gw + `"}}`,
		`{"command":"submit_multisigned","tx_json":{"TransactionType":"Payment","Account":"` + alice + `","Fee":30.000000000000004,"Signers":[]}}`,
		`{"command":"wallet_propose","passphrase":"masterpassphrase"}`,
		`{"command":"fee"}`, `{"command":"ping","id":[1,{"a":null}]}`, `{"command":5}`, `{}`, `[]`, `nul`, "\xff\xfe",
		`{"command":"unsubscribe","accounts":["` + bob + `"]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	cfg := DefaultConfig()
	s, err := New(cfg, c, nil)
	if err != nil {
		f.Fatal(err)
	}
	sess := newSession(netip.MustParseAddr("127.0.0.1"), true, true, cfg.SendQueue)
	f.Fuzz(func(t *testing.T, data []byte) {
		out := s.handleFrame(context.Background(), sess, data, false)
		resp, err := decodeRequest(out)
		if err != nil {
			t.Fatalf("answer is not a JSON object: %v: %q", err, out)
		}
		req, err := decodeRequest(data)
		if err != nil {
			if resp["error"] != "jsonInvalid" {
				t.Fatalf("invalid request answered %q", out)
			}
			return
		}
		if resp["type"] != "response" || (resp["status"] != "success" && resp["status"] != "error") {
			t.Fatalf("answer %q", out)
		}
		if id, ok := req["id"]; ok {
			want, _ := json.Marshal(id)
			got, _ := json.Marshal(resp["id"])
			if string(want) != string(got) {
				t.Fatalf("id %s echoed as %s", want, got)
			}
		}
	})
}
