package rpc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestJSONRPCSuccessAndErrorShapes(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	code, body := httpCall(t, s, `{"method":"ping","params":[{}]}`)
	if code != 200 || string(body) != `{"result":{"status":"success"}}` {
		t.Fatalf("ping: %d %s", code, body)
	}
	code, body = httpCall(t, s, `{"method":"server_info","id":9}`)
	var r map[string]any
	json.Unmarshal(body, &r)
	if code != 200 || field(r, "result", "status") != "success" || field(r, "result", "info", "validated_ledger", "hash") != hashOf(c.Validated()) || num(r["id"]) != 9 {
		t.Fatalf("server_info: %d %s", code, body)
	}
	stranger := c.addr("stranger")
	code, body = httpCall(t, s, `{"method":"account_info","params":[{"account":"`+stranger+`","ledger_index":"validated"}]}`)
	v := c.Validated()
	want := fmt.Sprintf(`{"result":{"account":"%s","error":"actNotFound","error_code":18,"error_message":"Account not found.","ledger_hash":"%s","ledger_index":%d,`+
		`"request":{"account":"%s","command":"account_info","ledger_index":"validated"},"status":"error","validated":true}}`, stranger, hashOf(v), v.Seq(), stranger)
	if code != 200 || string(body) != want {
		t.Fatalf("error shape:\ngot  %s\nwant %s", body, want)
	}
	code, body = httpCall(t, s, `{"method":"nope","params":[{}]}`)
	if code != 200 || !strings.Contains(string(body), `"error":"unknownCmd","error_code":30,"error_message":"Unknown method."`) {
		t.Fatalf("unknown: %d %s", code, body)
	}
}

func TestJSONRPCServesTheSameCommands(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, c, nil)
	tx := c.tx("alice", pay(c.addr("bob"), "1000"))
	for _, req := range []string{
		`{"method":"ledger","params":[{"ledger_index":"validated","transactions":true}]}`,
		`{"method":"account_lines","params":[{"account":"` + c.addr("alice") + `","ledger_index":"validated"}]}`,
		`{"method":"account_tx","params":[{"account":"` + c.addr("alice") + `","ledger_index_min":-1,"ledger_index_max":-1}]}`,
		`{"method":"tx","params":[{"transaction":"` + fmt.Sprintf("%X", c.txs[c.Validated().Seq()][0].Tx.ID()) + `"}]}`,
		`{"method":"submit","params":[{"tx_blob":"` + fmt.Sprintf("%X", tx.Blob()) + `"}]}`,
		`{"method":"sign","params":[{"secret":"` + c.secret("bob") + `","tx_json":{"TransactionType":"Payment","Account":"` + c.addr("bob") + `","Amount":"1","Destination":"` + c.addr("alice") + `"}}]}`,
		`{"method":"wallet_propose","params":[{"passphrase":"x"}]}`,
		`{"method":"fee"}`,
	} {
		code, body := httpCall(t, s, req)
		var r map[string]any
		json.Unmarshal(body, &r)
		if code != 200 || field(r, "result", "status") != "success" {
			t.Errorf("%s: %d %s", req, code, body)
		}
	}
}

func TestJSONRPCTransportErrors(t *testing.T) {
	s := testServer(t, newChain(t), func(cfg *Config) { cfg.MaxBodyBytes = 2048 })
	for _, tc := range []struct {
		body string
		code int
		text string
	}{
		{`{"method":`, 400, "Unable to parse request"},
		{`{"params":[]}`, 400, "Null method"},
		{`{"method":5}`, 400, "method is not string"},
		{`{"method":""}`, 400, "method is empty"},
		{`{"method":"ping","params":{}}`, 400, "params unparseable"},
		{`{"method":"ping","params":[5]}`, 400, "params unparseable"},
		{`{"method":"ping","pad":"` + strings.Repeat("x", 3000) + `"}`, http.StatusRequestEntityTooLarge, "Request too large"},
	} {
		code, body := httpCall(t, s, tc.body)
		if code != tc.code || !strings.Contains(string(body), tc.text) {
			t.Errorf("%.40s: %d %q", tc.body, code, body)
		}
	}
	if got := httpGet(t, "http://"+s.HTTPAddr()+"/"); !strings.Contains(got, "JSON-RPC") {
		t.Errorf("GET: %q", got)
	}
}
