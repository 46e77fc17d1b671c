package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeNode is an in-test WebSocket server that speaks the API envelope
// (spec/jingtum-wire.md §7.1). Commands:
//
//	echo            result {"request": <the request>}
//	error           an actNotFound error response
//	never, hold     no response (hold ones are answered by release)
//	release         answers every held request, then itself
//	delay {ms}      answers after ms milliseconds (requests run concurrently)
//	push {messages} sends each message as a frame, then answers
//	raw {frames}    sends each string as a text frame, then answers
//	binary {frame}  sends frame as a binary frame, then answers
//	stall {ms}      stops reading for ms milliseconds, without answering
//	drop            closes the connection without answering
//
// Any other command is answered by funcs (a function of the request), from
// results (a result JSON), or with unknownCmd.
type fakeNode struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	results  map[string]string
	funcs    map[string]func(req map[string]any) any
	requests []map[string]any // every request received, in order
	held     []heldRequest
}

type heldRequest struct {
	conn *websocket.Conn
	id   json.RawMessage
}

func newFakeNode(t *testing.T) *fakeNode {
	t.Helper()
	f := &fakeNode{t: t, results: map[string]string{}, funcs: map[string]func(map[string]any) any{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNode) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

func (f *fakeNode) setResult(command, result string) {
	f.mu.Lock()
	f.results[command] = result
	f.mu.Unlock()
}

func (f *fakeNode) setFunc(command string, fn func(req map[string]any) any) {
	f.mu.Lock()
	if fn == nil {
		delete(f.funcs, command)
	} else {
		f.funcs[command] = fn
	}
	f.mu.Unlock()
}

func (f *fakeNode) received() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.requests...)
}

func (f *fakeNode) serve(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := r.Context()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var req map[string]any
		var raw map[string]json.RawMessage
		if json.Unmarshal(data, &req) != nil || json.Unmarshal(data, &raw) != nil {
			continue
		}
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.mu.Unlock()
		id := raw["id"]
		cmd, _ := req["command"].(string)
		send := func(v any) {
			b, _ := json.Marshal(v)
			_ = conn.Write(ctx, websocket.MessageText, b)
		}
		success := func(result any) {
			send(map[string]any{"id": id, "status": "success", "type": "response", "result": result})
		}
		switch cmd {
		case "echo":
			success(map[string]any{"request": req})
		case "error":
			send(map[string]any{"id": id, "status": "error", "type": "response", "error": "actNotFound",
				"error_code": 18, "error_message": "Account not found.", "request": req})
		case "never":
		case "hold":
			f.mu.Lock()
			f.held = append(f.held, heldRequest{conn, id})
			f.mu.Unlock()
		case "release":
			f.mu.Lock()
			held := f.held
			f.held = nil
			f.mu.Unlock()
			for _, h := range held {
				b, _ := json.Marshal(map[string]any{"id": h.id, "status": "success", "type": "response", "result": map[string]any{}})
				_ = h.conn.Write(ctx, websocket.MessageText, b)
			}
			success(map[string]any{"released": len(held)})
		case "delay":
			ms, _ := req["ms"].(float64)
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(ms) * time.Millisecond)
				success(map[string]any{"ms": ms})
			}()
		case "push":
			msgs, _ := req["messages"].([]any)
			for _, m := range msgs {
				send(m)
			}
			success(map[string]any{})
		case "raw":
			frames, _ := req["frames"].([]any)
			for _, fr := range frames {
				_ = conn.Write(ctx, websocket.MessageText, []byte(fr.(string)))
			}
			success(map[string]any{})
		case "binary":
			fr, _ := req["frame"].(string)
			_ = conn.Write(ctx, websocket.MessageBinary, []byte(fr))
			success(map[string]any{})
		case "stall": // stop reading (and answering) for ms milliseconds
			ms, _ := req["ms"].(float64)
			time.Sleep(time.Duration(ms) * time.Millisecond)
		case "drop":
			conn.CloseNow()
			return
		default:
			f.mu.Lock()
			res, ok := f.results[cmd]
			fn := f.funcs[cmd]
			f.mu.Unlock()
			if fn != nil {
				success(fn(req))
			} else if ok {
				success(json.RawMessage(res))
			} else {
				send(map[string]any{"id": id, "status": "error", "type": "response", "error": "unknownCmd",
					"error_code": 30, "error_message": "Unknown command.", "request": req})
			}
		}
	}
}

func dial(t *testing.T, f *fakeNode, opts *Options) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, f.url(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// noClientGoroutines fails the test if, within a grace period, any goroutine
// is still running client code.
func noClientGoroutines(t *testing.T) {
	t.Helper()
	var stacks string
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "sdk/client.(*Client)") {
			return
		}
	}
	t.Fatalf("client goroutines still running:\n%s", stacks)
}
