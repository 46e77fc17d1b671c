package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The envelope is byte-compatible with skywelld's where the libraries look:
// jingtum-lib matches responses by a numeric id and reads status, result and
// error_message.

func TestSuccessEnvelopeIsSkywelldsByteForByte(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	cl.send([]byte(`{"id":7,"command":"ping"}`))
	got := string(cl.waitID(7))
	if want := `{"id":7,"result":{},"status":"success","type":"response"}`; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestErrorEnvelopeLiftsTheErrorAndEchoesTheRequest(t *testing.T) {
	c := newChain(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	v := c.Validated()
	h := v.Hash()
	stranger := c.addr("stranger")
	cl.send([]byte(`{"id":3,"command":"account_info","account":"` + stranger + `","ledger_index":"validated","relation_type":null}`))
	got := string(cl.waitID(3))
	want := fmt.Sprintf(`{"account":"%s","error":"actNotFound","error_code":18,"error_message":"Account not found.","id":3,`+
		`"ledger_hash":"%X","ledger_index":%d,"request":{"account":"%s","command":"account_info","id":3,"ledger_index":"validated","relation_type":null},`+
		`"status":"error","type":"response","validated":true}`, stranger, h[:], v.Seq(), stranger)
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestMalformedJSONGetsSkywelldsJSONInvalid(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	for _, bad := range []string{`{"id":1,"command":`, `[1,2]`, `null`, `"ping"`, `{"id":1} trailing`} {
		cl.send([]byte(bad))
		m, ok := cl.next(5 * time.Second)
		if !ok {
			t.Fatalf("%q: no answer", bad)
		}
		d := decode(t, m)
		if d["type"] != "error" || d["error"] != "jsonInvalid" || d["value"] != bad || d["error_message"] == "" {
			t.Fatalf("%q: %s", bad, m)
		}
	}
	// The connection still serves.
	cl.result(map[string]any{"command": "ping"})
}

func TestUnknownCommandIsUnknownCmd(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	r := cl.call(map[string]any{"command": "no_such_thing", "foo": 1})
	if r["error"] != "unknownCmd" || num(r["error_code"]) != 30 || r["error_message"] != "Unknown method." ||
		r["status"] != "error" || r["type"] != "response" || field(r, "request", "command") != "no_such_thing" {
		t.Fatalf("%v", r)
	}
}

func TestMissingCommandIsAnsweredWithItsID(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	cl.send([]byte(`{"id":5,"foo":"bar"}`))
	r := decode(t, cl.waitID(5))
	if r["error"] != "missingCommand" || r["status"] != "error" || r["error_message"] == nil {
		t.Fatalf("%v", r)
	}
}

func TestIDIsEchoedExactlyAsSent(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	cl.send([]byte(`{"id":12345678901234,"command":"ping"}`))
	m, _ := cl.next(5 * time.Second)
	if !strings.HasPrefix(string(m), `{"id":12345678901234,`) {
		t.Fatalf("%s", m)
	}
	cl.send([]byte(`{"command":"ping"}`))
	m, _ = cl.next(5 * time.Second)
	if string(m) != `{"result":{},"status":"success","type":"response"}` {
		t.Fatalf("without an id: %s", m)
	}
}

func TestBinaryFramesAreRefused(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cl.c.Write(ctx, websocket.MessageBinary, []byte(`{"command":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	m, _ := cl.next(5 * time.Second)
	if d := decode(t, m); d["error"] != "wsTextRequired" {
		t.Fatalf("%s", m)
	}
}

func TestEveryRequestGetsExactlyOneResponse(t *testing.T) {
	c := newChain(t)
	s := testServer(t, c, nil)
	cl := dial(t, s)
	const n = 300
	cmds := []string{"ping", "server_info", "ledger_closed", "no_such", "account_info", "ledger"}
	for i := 0; i < n; i++ {
		b, _ := json.Marshal(map[string]any{"id": i, "command": cmds[i%len(cmds)], "account": c.addr("genesis")})
		cl.send(b)
	}
	seen := map[int]int{}
	for len(seen) < n {
		m, ok := cl.next(10 * time.Second)
		if !ok {
			t.Fatalf("%d responses, want %d", len(seen), n)
		}
		seen[num(decode(t, m)["id"])]++
	}
	cl.result(map[string]any{"command": "ping"}) // everything before it has been answered
	for id, k := range seen {
		if k != 1 || id < 0 || id >= n {
			t.Fatalf("id %d answered %d times", id, k)
		}
	}
	if m, ok := cl.next(100 * time.Millisecond); ok {
		t.Fatalf("extra message %s", m)
	}
}

func TestNonWebSocketGETGetsAHint(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	resp := httpGet(t, "http://"+s.WSAddr()+"/")
	if !strings.Contains(resp, "WebSocket") {
		t.Fatalf("%q", resp)
	}
}
