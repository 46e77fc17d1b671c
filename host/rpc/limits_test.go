package rpc

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

func TestOversizedFrameClosesWith1009(t *testing.T) {
	s := testServer(t, newChain(t), func(cfg *Config) { cfg.MaxFrameBytes = 1024 })
	cl := dial(t, s)
	cl.result(map[string]any{"command": "ping"})
	big := `{"command":"ping","pad":"` + strings.Repeat("x", 4000) + `"}`
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cl.c.Write(ctx, websocket.MessageText, []byte(big))
	if code, _ := cl.closed(5 * time.Second); code != websocket.StatusMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
}

func TestFloodingConnectionIsWarnedThenDisconnectedWhileOthersAreServed(t *testing.T) {
	c := newChain(t)
	s := testServer(t, c, func(cfg *Config) {
		cfg.AdminIPs = nil // loopback is an ordinary client here
		cfg.RequestsPerSecond, cfg.RequestsBurst = 1, 10
		cfg.IPRequestsPerSecond = 100000
	})
	flood, calm := dial(t, s), dial(t, s)
	// Past its burst a client is served with a warning...
	warned := false
	for i := 0; i < 15 && !warned; i++ {
		warned = flood.call(map[string]any{"command": "ping"})["warning"] == "load"
	}
	if !warned {
		t.Fatal("no response carried warning: load")
	}
	// ...and one more burst later it is disconnected.
	for i := 0; i < 200; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := flood.c.Write(ctx, websocket.MessageText, []byte(`{"id":1,"command":"ping"}`))
		cancel()
		if err != nil {
			break
		}
	}
	if code, reason := flood.closed(5 * time.Second); code != websocket.StatusPolicyViolation || reason != "threshold exceeded" {
		t.Fatalf("closed with %d %q, want 1008 threshold exceeded", code, reason)
	}
	// The other connection from the same address is unaffected.
	for i := 0; i < 5; i++ {
		if r := calm.call(map[string]any{"command": "ping"}); r["status"] != "success" || r["warning"] != nil {
			t.Fatalf("calm client: %v", r)
		}
	}
}

func TestSlowSubscriberIsDroppedAndPublishNeverBlocks(t *testing.T) {
	c := newWorld(t)
	for i := 0; i < 40; i++ {
		c.apply(ter.TesSUCCESS, "genesis", map[string]any{"TransactionType": "Payment", "Destination": c.addr("bob"), "Amount": "1000",
			"Memos": []any{map[string]any{"Memo": map[string]any{"MemoData": strings.Repeat("AB", 200)}}}})
	}
	l, txs := c.close()
	s := testServer(t, c, func(cfg *Config) { cfg.SendQueue = 64 })

	// A client that subscribes and then never reads again.
	ws, err := dialSmallBuffer(s.WSAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws.Write(ctx, websocket.MessageText, []byte(`{"id":1,"command":"subscribe","streams":["transactions"]}`))
	if _, _, err := ws.Read(ctx); err != nil {
		t.Fatal(err)
	}
	healthy := dial(t, s)
	healthy.result(map[string]any{"command": "subscribe", "streams": []string{"ledger"}})

	deadline := time.Now().Add(30 * time.Second)
	var slowest time.Duration
	for len(s.subs.snapshot(streamTransactions)) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the slow subscriber was never dropped")
		}
		start := time.Now()
		s.Publish(l, txs)
		if d := time.Since(start); d > slowest {
			slowest = d
		}
		// Ledgers come seconds apart: let the publisher catch up, so only
		// the client that stopped reading falls behind.
		for len(s.events) > 0 {
			time.Sleep(time.Millisecond)
		}
	}
	if slowest > 50*time.Millisecond {
		t.Errorf("Publish blocked for %v", slowest)
	}
	// The healthy subscriber still gets ledgers.
	healthy.stream("ledgerClosed")
	healthy.result(map[string]any{"command": "ping"})
}

// dialSmallBuffer connects with a tiny receive buffer, so a client that
// stops reading fills the server's send queue quickly.
func dialSmallBuffer(addr string) (*websocket.Conn, error) {
	tr := &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, a)
		if err == nil {
			conn.(*net.TCPConn).SetReadBuffer(4096)
		}
		return conn, err
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr, &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	return ws, err
}

func TestConnectionCaps(t *testing.T) {
	c := newChain(t)
	s := testServer(t, c, func(cfg *Config) { cfg.MaxConnections = 2 })
	dial(t, s)
	dial(t, s)
	if ws, err := dialRaw(s.WSAddr()); err == nil {
		ws.CloseNow()
		t.Fatal("a third connection was accepted with max_connections 2")
	}
	perIP := testServer(t, c, func(cfg *Config) { cfg.AdminIPs, cfg.MaxConnectionsPerIP = nil, 1 })
	dial(t, perIP)
	if ws, err := dialRaw(perIP.WSAddr()); err == nil {
		ws.CloseNow()
		t.Fatal("a second connection from one address was accepted with max_connections_per_ip 1")
	}
}

func TestShutdownClosesConnectionsWithGoingAway(t *testing.T) {
	s := testServer(t, newChain(t), nil)
	cl := dial(t, s)
	cl.result(map[string]any{"command": "subscribe", "streams": []string{"ledger"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if code, reason := cl.closed(5 * time.Second); code != websocket.StatusGoingAway || reason != "server shutting down" {
		t.Fatalf("closed with %d %q", code, reason)
	}
	if _, err := dialRaw(s.WSAddr()); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
	s.Publish(c0(t), nil) // after shutdown: a no-op, not a panic
}

func c0(t *testing.T) *ledger.Ledger { return newChain(t).Validated() }

type panicky struct{ *chain }

func (panicky) Status() Status { panic("status exploded") }
func (p panicky) Current(fn func(ledger.ReadView)) {
	p.chain.Current(func(v ledger.ReadView) { fn(v); panic("current exploded") })
}

func TestHandlerPanicsAnswerInternal(t *testing.T) {
	c := newWorld(t)
	s := testServer(t, panicky{c}, nil)
	cl := dial(t, s)
	for _, cmd := range []string{"server_info", "ledger_current"} {
		if r := cl.call(map[string]any{"command": cmd}); r["error"] != "internal" || num(r["error_code"]) != 64 {
			t.Fatalf("%s: %v", cmd, r)
		}
	}
	cl.result(map[string]any{"command": "ping"})
}

func TestExpiredRequestAnswersTooBusy(t *testing.T) {
	c := newWorld(t)
	s, err := New(DefaultConfig(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	params := map[string]any{"command": "account_tx", "account": c.addr("alice")}
	_, rerr := s.run(&request{ctx: ctx, srv: s, params: params}, "account_tx")
	if rerr == nil || rerr.token != "tooBusy" {
		t.Fatalf("%v", rerr)
	}
}

func TestHTTPRateLimitAnswers503(t *testing.T) {
	s := testServer(t, newChain(t), func(cfg *Config) {
		cfg.AdminIPs = nil
		cfg.IPRequestsPerSecond, cfg.IPRequestsBurst = 0.001, 2
	})
	var codes []int
	warned := false
	for i := 0; i < 8; i++ {
		code, body := httpCall(t, s, `{"method":"ping"}`)
		codes = append(codes, code)
		if code == 200 {
			var r map[string]any
			json.Unmarshal(body, &r)
			warned = warned || r["warning"] == "load"
		}
	}
	if codes[0] != 200 || codes[len(codes)-1] != http.StatusServiceUnavailable || !warned {
		t.Fatalf("codes %v, warned %v", codes, warned)
	}
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cfg.WSListen = "nope"
	cfg.ServerSigning = "maybe"
	cfg.MaxFrameBytes = 0
	cfg.RequestsPerSecond = 0
	cfg.AdminIPs = []string{"not an ip"}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("accepted a broken config")
	}
	for _, want := range []string{"ws_listen", "server_signing", "max_frame_bytes", "requests_per_second", "admin_ips"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem reported for %s in %v", want, err)
		}
	}
	if _, err := New(cfg, newChain(t), nil); err == nil {
		t.Fatal("New accepted a broken config")
	}
}
