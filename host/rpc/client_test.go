package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hashicorp/go-hclog"
)

// testServer starts a Server for b on 127.0.0.1:0 (both APIs) and shuts it
// down when the test ends, failing the test if any goroutine it started is
// still running afterwards.
func testServer(t *testing.T, b Backend, edit func(*Config)) *Server {
	t.Helper()
	baseline := runtime.NumGoroutine()
	cfg := DefaultConfig()
	cfg.WSListen, cfg.HTTPListen = "127.0.0.1:0", "127.0.0.1:0"
	if edit != nil {
		edit(&cfg)
	}
	level := hclog.Off
	if os.Getenv("RPC_TEST_LOG") != "" {
		level = hclog.Debug
	}
	s, err := New(cfg, b, hclog.New(&hclog.LoggerOptions{Name: "rpc", Level: level}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		checkGoroutines(t, baseline)
	})
	return s
}

// checkGoroutines waits for the goroutine count to return to baseline.
func checkGoroutines(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			var b bytes.Buffer
			pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Errorf("goroutines leaked: %d running, %d before the server started\n%s", runtime.NumGoroutine(), baseline, b.String())
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wsClient is a WebSocket client that reads in the background.
type wsClient struct {
	t      *testing.T
	c      *websocket.Conn
	msgs   chan []byte
	done   chan struct{}
	err    error // why reading stopped; valid after done
	mu     sync.Mutex
	stash  [][]byte // messages read while waiting for something else
	nextID int
}

func dial(t *testing.T, s *Server) *wsClient {
	t.Helper()
	return dialAddr(t, s.WSAddr())
}

func dialAddr(t *testing.T, addr string) *wsClient {
	t.Helper()
	c, err := dialRaw(addr)
	if err != nil {
		t.Fatal(err)
	}
	cl := &wsClient{t: t, c: c, msgs: make(chan []byte, 100000), done: make(chan struct{})}
	go func() {
		defer close(cl.done)
		for {
			_, data, err := c.Read(context.Background())
			if err != nil {
				cl.err = err
				return
			}
			cl.msgs <- data
		}
	}()
	t.Cleanup(func() {
		c.Close(websocket.StatusNormalClosure, "")
		c.CloseNow()
		<-cl.done
	})
	return cl
}

func dialRaw(addr string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/", &websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(64 << 20)
	return c, nil
}

func (cl *wsClient) send(raw []byte) {
	cl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cl.c.Write(ctx, websocket.MessageText, raw); err != nil {
		cl.t.Fatalf("write: %v", err)
	}
}

// next returns the next message, stashed ones first.
func (cl *wsClient) next(timeout time.Duration) ([]byte, bool) {
	cl.mu.Lock()
	if len(cl.stash) > 0 {
		m := cl.stash[0]
		cl.stash = cl.stash[1:]
		cl.mu.Unlock()
		return m, true
	}
	cl.mu.Unlock()
	select {
	case m := <-cl.msgs:
		return m, true
	case <-time.After(timeout):
		return nil, false
	case <-cl.done:
		select {
		case m := <-cl.msgs:
			return m, true
		default:
			return nil, false
		}
	}
}

// callRaw sends req with a fresh id and returns the raw response for it,
// stashing stream messages that arrive first.
func (cl *wsClient) callRaw(req map[string]any) []byte {
	cl.t.Helper()
	cl.nextID++
	id := cl.nextID
	req["id"] = id
	b, _ := json.Marshal(req)
	cl.send(b)
	return cl.waitID(id)
}

func (cl *wsClient) waitID(id int) []byte {
	cl.t.Helper()
	var other [][]byte
	defer func() {
		cl.mu.Lock()
		cl.stash = append(other, cl.stash...)
		cl.mu.Unlock()
	}()
	deadline := time.After(10 * time.Second)
	for {
		var m []byte
		select {
		case m = <-cl.msgs:
		case <-deadline:
			cl.t.Fatalf("no response to request %d", id)
		case <-cl.done:
			select {
			case m = <-cl.msgs:
			default:
				cl.t.Fatalf("connection closed while waiting for response %d: %v", id, cl.err)
			}
		}
		var env struct {
			ID *json.Number `json:"id"`
		}
		json.Unmarshal(m, &env)
		if env.ID != nil && env.ID.String() == strconv.Itoa(id) {
			return m
		}
		other = append(other, m)
	}
}

// call returns the decoded response.
func (cl *wsClient) call(req map[string]any) map[string]any {
	cl.t.Helper()
	return decode(cl.t, cl.callRaw(req))
}

// result calls and requires success, returning "result".
func (cl *wsClient) result(req map[string]any) map[string]any {
	cl.t.Helper()
	resp := cl.call(req)
	if resp["status"] != "success" {
		cl.t.Fatalf("%v: %v", req["command"], resp)
	}
	return resp["result"].(map[string]any)
}

// stream waits for the next stream message of the given type.
func (cl *wsClient) stream(typ string) map[string]any {
	cl.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, ok := cl.next(time.Until(deadline))
		if !ok {
			cl.t.Fatalf("no %s message", typ)
		}
		d := decode(cl.t, m)
		if d["type"] == typ {
			return d
		}
	}
}

// closed waits for the server to close the connection and returns the
// close status.
func (cl *wsClient) closed(timeout time.Duration) (websocket.StatusCode, string) {
	cl.t.Helper()
	select {
	case <-cl.done:
	case <-time.After(timeout):
		cl.t.Fatal("connection still open")
	}
	var ce websocket.CloseError
	if errors.As(cl.err, &ce) {
		return ce.Code, ce.Reason
	}
	return -1, cl.err.Error()
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, b)
	}
	return m
}

// httpCall posts a JSON-RPC request and returns the status and body.
func httpCall(t *testing.T, s *Server, body string) (int, []byte) {
	t.Helper()
	return httpCallAddr(t, s.HTTPAddr(), body)
}

func httpCallAddr(t *testing.T, addr, body string) (int, []byte) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, err := cl.Post("http://"+addr+"/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// num reads a JSON number (decoded as float64) as an int.
func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case json.Number:
		n, _ := x.Int64()
		return int(n)
	}
	return -1
}

func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
