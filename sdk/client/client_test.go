package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequestNumbersRequestsAndReturnsTheirResults(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, nil)
	ctx := testCtx(t)
	for i := 0; i < 3; i++ {
		raw, err := c.Request(ctx, "echo", map[string]any{"n": i, "id": "evil", "command": "evil"})
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Request map[string]any `json:"request"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatal(err)
		}
		// Our id and command win over the params' keys of the same name.
		if res.Request["id"] != float64(i) || res.Request["command"] != "echo" || res.Request["n"] != float64(i) {
			t.Fatalf("request %d arrived as %v", i, res.Request)
		}
	}
	// No params, a raw object, and a struct.
	if _, err := c.Request(ctx, "echo", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Request(ctx, "echo", json.RawMessage(` {"a": [1, 2]} `)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Request(ctx, "echo", struct {
		A string `json:"a"`
	}{"x"}); err != nil {
		t.Fatal(err)
	}
	got := f.received()
	if len(got) != 6 || got[4]["a"].([]any)[1] != float64(2) || got[5]["a"] != "x" {
		t.Fatalf("server saw %v", got)
	}
}

func TestParamsThatAreNotAnObjectAreRejectedBeforeSending(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, nil)
	for _, p := range []any{[]int{1}, "str", json.RawMessage(`{"a":`), 5} {
		if _, err := c.Request(testCtx(t), "echo", p); err == nil {
			t.Errorf("params %v accepted", p)
		}
	}
	if _, err := c.Request(testCtx(t), "", nil); err == nil {
		t.Error("empty command accepted")
	}
	if n := len(f.received()); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

func TestErrorResponsesBecomeAPIErrors(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, nil)
	_, err := c.Request(testCtx(t), "error", map[string]any{"account": "jX"})
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %T %v", err, err)
	}
	if ae.Code != "actNotFound" || ae.Number != 18 || ae.Message != "Account not found." {
		t.Fatalf("%+v", ae)
	}
	if !strings.Contains(string(ae.Request), `"account":"jX"`) {
		t.Fatalf("request not echoed: %s", ae.Request)
	}
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrClosed) {
		t.Fatal("actNotFound should match ErrNotFound only")
	}
	if want := "node error actNotFound (18): Account not found."; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	_, err = c.Request(testCtx(t), "no_such_command", nil)
	if !errors.As(err, &ae) || ae.Code != CodeUnknownCmd || errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestConcurrentRequestsGetTheirOwnResponses(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, &Options{MaxInFlight: 8})
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Later requests answer sooner, so responses arrive out of order.
			ms := (64 - i) % 7
			raw, err := c.Request(ctx, "delay", map[string]any{"ms": ms})
			if err != nil {
				errs <- err
				return
			}
			var res struct{ MS int }
			if err := json.Unmarshal(raw, &res); err != nil || res.MS != ms {
				errs <- fmt.Errorf("request with ms=%d got %s", ms, raw)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s := c.Stats(); s.Responses != 64 || s.InFlight != 0 || s.Unmatched != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestRequestEndsAtItsDeadlineWhenTheNodeNeverAnswers(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Request(ctx, "never", nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
	if s := c.Stats(); s.InFlight != 0 {
		t.Fatalf("the slot was not released: %+v", s)
	}
	// The connection is still usable.
	if _, err := c.Request(testCtx(t), "echo", nil); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultRequestTimeoutAppliesWithoutADeadline(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, &Options{RequestTimeout: 50 * time.Millisecond})
	_, err := c.Request(context.Background(), "never", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
}

func TestLateResponsesAreDroppedNotMisrouted(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Request(ctx, "delay", map[string]any{"ms": 200}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	// The next request must get its own answer, not the late one.
	raw, err := c.Request(testCtx(t), "delay", map[string]any{"ms": 300})
	if err != nil || !strings.Contains(string(raw), `"ms":300`) {
		t.Fatalf("got %s, %v", raw, err)
	}
	if s := c.Stats(); s.Unmatched != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestInFlightRequestsAreBounded(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, &Options{MaxInFlight: 2})
	ctx := testCtx(t)
	actx, cancelA := context.WithCancel(ctx)
	defer cancelA()
	a := c.Go(actx, "hold", nil)
	b := c.Go(ctx, "hold", nil)
	// A third request cannot start while two wait.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := c.Request(short, "echo", nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "free request slot") {
		t.Fatalf("got %v", err)
	}
	if s := c.Stats(); s.InFlight != 2 {
		t.Fatalf("in flight %d", s.InFlight)
	}
	// A blocked caller proceeds as soon as a slot frees.
	done := make(chan error, 1)
	go func() {
		_, err := c.Request(ctx, "release", nil)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("release ran while two requests were in flight: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancelA() // abandoning a frees its slot
	if _, err := a.Wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("a: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("release: %v", err)
	}
	if _, err := b.Wait(); err != nil {
		t.Fatalf("b: %v", err)
	}
}

func TestGoWritesRequestsInCallOrder(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, &Options{MaxInFlight: 1000})
	ctx := testCtx(t)
	calls := make([]*Call, 500)
	for i := range calls {
		calls[i] = c.Go(ctx, "echo", map[string]int{"n": i})
	}
	for _, call := range calls {
		if _, err := call.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range f.received() {
		if r["n"] != float64(i) {
			t.Fatalf("request %d arrived as %v", i, r)
		}
	}
}

func TestSubscribeDeliversStreamMessagesInOrder(t *testing.T) {
	f := newFakeNode(t)
	f.setResult("subscribe", `{"fee_base":10,"fee_ref":10,"ledger_hash":"AB","ledger_index":7,"ledger_time":607469770,"reserve_base":10000000,"reserve_inc":1000000,"server_status":"full","validated_ledgers":"1-7"}`)
	c := dial(t, f, nil)
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, []string{StreamLedger, StreamTransactions}, []string{"jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh"})
	if err != nil {
		t.Fatal(err)
	}
	req := f.received()[0]
	if fmt.Sprint(req["streams"]) != "[ledger transactions]" || fmt.Sprint(req["accounts"]) != "[jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh]" {
		t.Fatalf("subscribe sent %v", req)
	}
	lc, err := DecodeLedgerClosed(sub.Result)
	if err != nil || lc.LedgerIndex != 7 || lc.ReserveBase != 10_000_000 || lc.FeeBase != 10 {
		t.Fatalf("%+v %v", lc, err)
	}
	txMsg := map[string]any{
		"type": "transaction", "engine_result": "tesSUCCESS", "engine_result_code": 0,
		"ledger_hash": "CD", "ledger_index": 8, "status": "closed", "validated": true,
		"transaction": map[string]any{"hash": "EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2",
			"TransactionType": "Payment", "Account": "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", "Sequence": 1},
		"meta": map[string]any{"TransactionResult": "tesSUCCESS", "AffectedNodes": []any{}},
	}
	ledgerMsg := map[string]any{"type": "ledgerClosed", "ledger_index": 8, "ledger_hash": "CD", "ledger_time": 607469773,
		"fee_base": 10, "fee_ref": 10, "reserve_base": 10000000, "reserve_inc": 1000000, "txn_count": 1, "validated_ledgers": "1-8"}
	if _, err := c.Request(ctx, "push", map[string]any{"messages": []any{txMsg, ledgerMsg}}); err != nil {
		t.Fatal(err)
	}
	m := <-sub.C
	ev, err := m.Transaction()
	if err != nil || ev.Hash != "EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2" || !ev.Validated ||
		ev.Result != "tesSUCCESS" || ev.LedgerIndex != 8 || ev.Sequence != 1 || ev.Account != "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz" {
		t.Fatalf("%+v %v", ev, err)
	}
	if _, err := m.LedgerClosed(); err == nil {
		t.Fatal("a transaction decoded as ledgerClosed")
	}
	m = <-c.Stream()
	lc, err = m.LedgerClosed()
	if err != nil || lc.LedgerIndex != 8 || lc.TxnCount != 1 || lc.ValidatedLedgers != "1-8" || m.Dropped != 0 {
		t.Fatalf("%+v %v", lc, err)
	}
	if err := c.Unsubscribe(ctx, []string{StreamLedger}, nil); err == nil {
		t.Fatal("unsubscribe is not in the fake's results; want unknownCmd")
	}
	if _, err := c.Subscribe(ctx, nil, nil); err == nil {
		t.Fatal("empty subscribe accepted")
	}
}

func TestASlowStreamReaderLosesMessagesButNotResponses(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, &Options{StreamBuffer: 2})
	ctx := testCtx(t)
	var msgs []any
	for i := 0; i < 10; i++ {
		msgs = append(msgs, map[string]any{"type": "ledgerClosed", "ledger_index": i})
	}
	// Nobody reads the stream while the node pushes 10 messages; the
	// response still arrives.
	if _, err := c.Request(ctx, "push", map[string]any{"messages": msgs}); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.StreamMessages != 2 || s.StreamDropped != 8 {
		t.Fatalf("stats %+v", s)
	}
	for i := 0; i < 2; i++ {
		if m := <-c.Stream(); m.Dropped != 0 {
			t.Fatalf("message %d: dropped %d", i, m.Dropped)
		}
	}
	// The next delivered message reports the gap.
	if _, err := c.Request(ctx, "push", map[string]any{"messages": msgs[:1]}); err != nil {
		t.Fatal(err)
	}
	if m := <-c.Stream(); m.Dropped != 8 {
		t.Fatalf("gap not reported: %+v", m)
	}
}

func TestBadFramesAreCountedAndIgnored(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, nil)
	ctx := testCtx(t)
	frames := []any{
		"not json", "[1,2]", "null", `{"id":"abc","result":{}}`, `{"id":-1,"result":{}}`, `{}`, `"str"`,
		`{"id":99999,"status":"success","type":"response","result":{}}`, // no such request
		`{"type":"response","status":"success","result":{}}`,            // no id
	}
	if _, err := c.Request(ctx, "raw", map[string]any{"frames": frames}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Request(ctx, "binary", map[string]any{"frame": "\x00\x01garbage"}); err != nil {
		t.Fatal(err)
	}
	s := c.Stats()
	if s.BadFrames != 8 || s.Unmatched != 2 || s.StreamMessages != 0 {
		t.Fatalf("stats %+v", s)
	}
	if _, err := c.Request(ctx, "echo", nil); err != nil {
		t.Fatal(err)
	}
}

func TestAnOversizedMessageClosesTheConnection(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, &Options{ReadLimit: 1024})
	_, err := c.Request(testCtx(t), "raw", map[string]any{"frames": []any{strings.Repeat("x", 4096)}})
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
	<-c.Done()
}

func TestLostConnectionFailsPendingAndLaterRequests(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, nil)
	ctx := testCtx(t)
	pending := c.Go(ctx, "never", nil)
	_, err := c.Request(ctx, "drop", nil)
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
	if _, err := pending.Wait(); !errors.Is(err, ErrClosed) {
		t.Fatalf("pending: %v", err)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed")
	}
	if !errors.Is(c.Err(), ErrClosed) || !strings.Contains(c.Err().Error(), "closed") {
		t.Fatalf("Err %v", c.Err())
	}
	if _, err := c.Request(ctx, "echo", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("after loss: %v", err)
	}
	// The stream channel is closed too.
	for range c.Stream() {
	}
	c.Close()
	noClientGoroutines(t)
}

func TestCloseStopsEveryGoroutineAndFailsPendingRequests(t *testing.T) {
	f := newFakeNode(t)
	ctx := testCtx(t)
	var clients []*Client
	var calls []*Call
	for i := 0; i < 3; i++ {
		c, err := Dial(ctx, f.url(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Subscribe(ctx, []string{StreamLedger}, nil); err == nil {
			t.Fatal("the fake has no subscribe result")
		}
		calls = append(calls, c.Go(ctx, "never", nil), c.Go(context.Background(), "never", nil))
		clients = append(clients, c)
	}
	for _, c := range clients {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		c.Close() // twice is fine
		if _, err := c.Request(ctx, "echo", nil); !errors.Is(err, ErrClosed) {
			t.Fatalf("after Close: %v", err)
		}
		if _, ok := <-c.Stream(); ok {
			t.Fatal("stream channel open after Close")
		}
	}
	for _, call := range calls {
		if _, err := call.Wait(); !errors.Is(err, ErrClosed) {
			t.Fatalf("pending call: %v", err)
		}
	}
	noClientGoroutines(t)
}

func TestCloseIsBoundedWhenTheNodeIgnoresTheCloseHandshake(t *testing.T) {
	f := newFakeNode(t)
	c := dial(t, f, &Options{CloseTimeout: 100 * time.Millisecond})
	// The node stops reading, so it never answers the close frame.
	call := c.Go(testCtx(t), "stall", map[string]any{"ms": 3000})
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	c.Close()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
	if _, err := call.Wait(); !errors.Is(err, ErrClosed) {
		t.Fatalf("pending call: %v", err)
	}
	noClientGoroutines(t)
}

func TestDialFailsClearly(t *testing.T) {
	ctx := testCtx(t)
	_, err := Dial(ctx, "ws://127.0.0.1:1", nil)
	if err == nil || !strings.Contains(err.Error(), "ws://127.0.0.1:1") {
		t.Fatalf("got %v", err)
	}
	_, err = Dial(ctx, "ftp://x", nil)
	if err == nil {
		t.Fatal("ftp accepted")
	}
}

func TestDialContextBoundsOnlyTheHandshake(t *testing.T) {
	f := newFakeNode(t)
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Dial(ctx, f.url(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cancel()
	if _, err := c.Request(testCtx(t), "echo", nil); err != nil {
		t.Fatal(err)
	}
}

func TestFrame(t *testing.T) {
	cases := []struct {
		params string
		want   string
	}{
		{"", `{"id":3,"command":"x\"y"}`},
		{"{}", `{"id":3,"command":"x\"y"}`},
		{"{ }", `{"id":3,"command":"x\"y"}`},
		{`{"a":1}`, `{"a":1,"id":3,"command":"x\"y"}`},
	}
	for _, c := range cases {
		var p []byte
		if c.params != "" {
			p = []byte(c.params)
		}
		if got := string(frame(3, `x"y`, p)); got != c.want {
			t.Errorf("frame(%q) = %s, want %s", c.params, got, c.want)
		}
	}
}
