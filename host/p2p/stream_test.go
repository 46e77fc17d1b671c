package p2p

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRequestGetsTheHandlersAnswer(t *testing.T) {
	nw := startNet(t, 2, netOptions{})
	a, b := nw.hosts[0], nw.hosts[1]
	err := b.Handle("ledger", func(_ context.Context, from string, req []byte) ([]byte, error) {
		if string(req) == "fail" {
			return nil, errors.New("no ledger 42 here")
		}
		return []byte(fmt.Sprintf("ledger %s for %s", req, from)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resp, err := a.Request(ctx, b.ID(), "ledger", []byte("7"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "ledger 7 for " + a.ID(); string(resp) != want {
		t.Errorf("answer %q, want %q", resp, want)
	}
	// An empty request and an empty answer are fine.
	if err := b.Handle("empty", func(context.Context, string, []byte) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if resp, err := a.Request(ctx, b.ID(), "empty", nil); err != nil || len(resp) != 0 {
		t.Errorf("empty exchange: %q, %v", resp, err)
	}

	_, err = a.Request(ctx, b.ID(), "ledger", []byte("fail"))
	var re *RemoteError
	if !errors.As(err, &re) || re.Message != "no ledger 42 here" || re.Peer != b.ID() {
		t.Errorf("handler error came back as %v", err)
	}
	if _, err := a.Request(ctx, b.ID(), "nosuch", nil); err == nil {
		t.Error("request for a protocol nobody handles succeeded")
	}
	if _, err := a.Request(ctx, b.ID(), "Bad/Name", nil); err == nil {
		t.Error("request with an invalid protocol name succeeded")
	}
	if _, err := a.Request(ctx, "not a peer id", "ledger", nil); err == nil {
		t.Error("request to an invalid peer id succeeded")
	}
	if _, err := a.Request(ctx, nw.ids[0], "ledger", nil); !errors.Is(err, ErrUnknownPeer) {
		t.Errorf("request to itself: %v, want ErrUnknownPeer", err)
	}
	if err := b.Handle("ledger", func(context.Context, string, []byte) ([]byte, error) { return nil, nil }); err == nil {
		t.Error("a second handler for one protocol was accepted")
	}
	s := b.Stats().Streams
	if s.Served != 2 || s.HandlerErrors != 1 {
		t.Errorf("server stats %+v: want 2 served, 1 handler error", s)
	}
}

// Requests and answers are bounded on both sides: the requester will not
// send more than its MaxRequestSize nor read more than its MaxResponseSize,
// and the server will not read more than its MaxRequestSize nor send more
// than its MaxResponseSize.
func TestRequestAndResponseSizesAreLimited(t *testing.T) {
	nw := startNet(t, 2, netOptions{config: func(i int, c *Config) {
		c.MaxRequestSize = 1000
		c.MaxResponseSize = 5000
		if i == 0 { // the requester allows itself more than the server does
			c.MaxRequestSize = 4 << 20
			c.MaxResponseSize = 3000
		}
	}})
	a, b := nw.hosts[0], nw.hosts[1]
	if err := b.Handle("echo", func(_ context.Context, _ string, req []byte) ([]byte, error) {
		n := 0
		fmt.Sscan(string(req), &n)
		return bytes.Repeat([]byte("r"), n), nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Requester's own limit.
	if _, err := a.Request(ctx, b.ID(), "echo", make([]byte, 4<<20+1)); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("request above the requester's limit: %v, want ErrMessageTooLarge", err)
	}
	// Server's request limit (1000): answered with an error, not read; the
	// requester stops sending when the answer comes, even when the request
	// is far larger than the stream's flow-control window.
	var re *RemoteError
	for _, n := range []int{1500, 4 << 20} {
		big := []byte("5" + strings.Repeat(" ", n-1))
		start := time.Now()
		if _, err := a.Request(ctx, b.ID(), "echo", big); !errors.As(err, &re) || !strings.Contains(re.Message, "request larger than 1000") {
			t.Errorf("request of %d bytes, above the server's limit: %v", n, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("request of %d bytes, above the server's limit, took %v to be refused", n, d)
		}
	}
	// Exactly at the limits.
	if resp, err := a.Request(ctx, b.ID(), "echo", []byte("3000")); err != nil || len(resp) != 3000 {
		t.Errorf("answer at the requester's limit: %d bytes, %v", len(resp), err)
	}
	// Above the requester's answer limit (3000) but within the server's (5000).
	if _, err := a.Request(ctx, b.ID(), "echo", []byte("3001")); !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("answer above the requester's limit: %v, want ErrFrameTooLarge", err)
	}
	// Above the server's answer limit: the server refuses to send it.
	if _, err := a.Request(ctx, b.ID(), "echo", []byte("5001")); !errors.As(err, &re) || !strings.Contains(re.Message, "response larger than 5000") {
		t.Errorf("answer above the server's limit: %v", err)
	}
	if s := b.Stats().Streams; s.Oversized != 3 {
		t.Errorf("server stats %+v: want 3 oversized", s)
	}
}

// A request ends when the requester's context does; a handler's context
// ends after the server's RequestTimeout.
func TestRequestDeadlines(t *testing.T) {
	nw := startNet(t, 3, netOptions{config: func(i int, c *Config) {
		switch i {
		case 1:
			c.RequestTimeout = 300 * time.Millisecond
		case 2:
			c.RequestTimeout = 100 * time.Millisecond
		}
	}})
	a, b := nw.hosts[0], nw.hosts[1]
	handlerDone := make(chan time.Duration, 4)
	if err := b.Handle("stall", func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
		start := time.Now()
		<-ctx.Done()
		handlerDone <- time.Since(start)
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := a.Request(ctx, b.ID(), "stall", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request past its deadline: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("request took %v to give up after a 100ms deadline", d)
	}
	select {
	case d := <-handlerDone:
		if d < 250*time.Millisecond || d > 2*time.Second {
			t.Errorf("handler context lasted %v, want about the server's 300ms RequestTimeout", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the handler's context never ended")
	}

	// Without a deadline of its own, the request is bounded by the
	// server-side timeout: the handler's error comes back, marked as a
	// timeout.
	_, err = a.Request(context.Background(), b.ID(), "stall", nil)
	var re *RemoteError
	if !errors.As(err, &re) || !re.Timeout || !strings.Contains(re.Message, "deadline") {
		t.Errorf("request to a handler that times out: %v, want a *RemoteError with Timeout set", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("remote timeout %v is not a context.DeadlineExceeded", err)
	}
	<-handlerDone

	// The requester's own RequestTimeout counts like a deadline on ctx.
	short := nw.hosts[2]
	if _, err := short.Request(context.Background(), b.ID(), "stall", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request past the requester's RequestTimeout: %v, want context.DeadlineExceeded", err)
	}
	<-handlerDone

	// A canceled context is reported as such.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := a.Request(ctx, b.ID(), "stall", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("request whose context was canceled: %v, want context.Canceled", err)
	}
	<-handlerDone
}

// At most MaxConcurrentHandlers handlers run at once, MaxHandlersPerPeer
// for one peer; a request beyond that is answered ErrBusy at once.
func TestConcurrentHandlersAreLimited(t *testing.T) {
	nw := startNet(t, 3, netOptions{config: func(i int, c *Config) {
		c.MaxConcurrentHandlers = 3
		c.MaxHandlersPerPeer = 2
	}})
	server := nw.hosts[0]
	release := make(chan struct{})
	var running sync.WaitGroup
	if err := server.Handle("slow", func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
		running.Done()
		select {
		case <-release:
		case <-ctx.Done():
		}
		return []byte("done"), nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type result struct {
		resp []byte
		err  error
	}
	results := make(chan result, 8)
	call := func(from *Host) {
		resp, err := from.Request(ctx, server.ID(), "slow", nil)
		results <- result{resp, err}
	}
	// Peer 1 takes its two slots.
	running.Add(2)
	go call(nw.hosts[1])
	go call(nw.hosts[1])
	running.Wait()
	// A third from peer 1 is over its per-peer limit.
	if _, err := nw.hosts[1].Request(ctx, server.ID(), "slow", nil); !errors.Is(err, ErrBusy) {
		t.Errorf("third request from one peer: %v, want ErrBusy", err)
	}
	// Peer 2 takes the last slot; its second is over the total.
	running.Add(1)
	go call(nw.hosts[2])
	running.Wait()
	if _, err := nw.hosts[2].Request(ctx, server.ID(), "slow", nil); !errors.Is(err, ErrBusy) {
		t.Errorf("request over the total limit: %v, want ErrBusy", err)
	}
	close(release)
	for range 3 {
		if r := <-results; r.err != nil || string(r.resp) != "done" {
			t.Errorf("a request within the limits: %q, %v", r.resp, r.err)
		}
	}
	if s := server.Stats().Streams; s.Busy != 2 || s.Served != 3 {
		t.Errorf("server stats %+v: want 2 busy, 3 served", s)
	}
}

// Close ends running handlers (their context is canceled) and waits for
// them; requests in flight fail.
func TestCloseStopsHandlersAndRequests(t *testing.T) {
	nw := startNet(t, 2, netOptions{})
	a, b := nw.hosts[0], nw.hosts[1]
	started := make(chan struct{})
	if err := b.Handle("stall", func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := a.Request(context.Background(), b.ID(), "stall", nil)
		errc <- err
	}()
	select {
	case <-started:
	case err := <-errc:
		t.Fatalf("request ended before the handler started: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("request to a closed host succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request still waiting after the server closed")
	}
	if _, err := b.Request(context.Background(), a.ID(), "x", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("request from a closed host: %v, want ErrClosed", err)
	}
	if err := b.Handle("late", func(context.Context, string, []byte) ([]byte, error) { return nil, nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("handle on a closed host: %v, want ErrClosed", err)
	}
}

// A handler that panics answers "internal error"; the host keeps serving.
// Garbage on a request stream is refused without reaching the handler.
func TestBadRequestsAndPanickingHandlers(t *testing.T) {
	nw := startNet(t, 2, netOptions{})
	a, b := nw.hosts[0], nw.hosts[1]
	var calls atomic.Int32
	if err := b.Handle("fragile", func(_ context.Context, _ string, req []byte) ([]byte, error) {
		calls.Add(1)
		if string(req) == "bomb" {
			var m map[string]int
			m["boom"]++ // nil map: panics
		}
		return []byte("ok"), nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var re *RemoteError
	if _, err := a.Request(ctx, b.ID(), "fragile", []byte("bomb")); !errors.As(err, &re) || re.Message != "internal error" {
		t.Errorf("request to a panicking handler: %v, want a *RemoteError saying internal error", err)
	}
	if resp, err := a.Request(ctx, b.ID(), "fragile", []byte("fine")); err != nil || string(resp) != "ok" {
		t.Errorf("request after the panic: %q, %v", resp, err)
	}

	// Raw streams with malformed frames: an over-long varint, a non-minimal
	// length, a truncated frame.
	for _, raw := range [][]byte{
		bytes.Repeat([]byte{0xff}, 11),
		{0x80, 0x00},
		{0x05, 'a', 'b'},
	} {
		s, err := a.host.NewStream(ctx, b.host.ID(), b.protocolID("fragile"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write(raw); err != nil {
			t.Fatal(err)
		}
		_ = s.CloseWrite()
		_, _ = io.ReadAll(s) // the server resets: no answer
		_ = s.Close()
	}
	eventually(t, 5*time.Second, func() string {
		if n := b.Stats().Streams.BadFrames; n != 3 {
			return fmt.Sprintf("%d bad frames counted, want 3", n)
		}
		return ""
	})
	if n := calls.Load(); n != 2 {
		t.Errorf("handler ran %d times, want 2 (never for a malformed request)", n)
	}
	if s := b.Stats(); s.Panics != 1 {
		t.Errorf("stats %+v: want the panic counted", s)
	}
}

func TestReadFrame(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		max  int
		want string
		err  error
	}{
		{"empty frame", []byte{0}, 10, "", nil},
		{"short frame", []byte{3, 'a', 'b', 'c', 'x'}, 10, "abc", nil},
		{"at the limit", append([]byte{10}, bytes.Repeat([]byte("a"), 10)...), 10, strings.Repeat("a", 10), nil},
		{"above the limit", append([]byte{11}, bytes.Repeat([]byte("a"), 11)...), 10, "", ErrFrameTooLarge},
		{"huge announced length", []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 1 << 20, "", ErrFrameTooLarge},
		{"non-minimal length", []byte{0x81, 0x00, 'a'}, 10, "", ErrBadFrame},
		{"overflowing length", bytes.Repeat([]byte{0xff}, 10), 10, "", ErrBadFrame},
		{"truncated length", []byte{0x80}, 10, "", io.ErrUnexpectedEOF},
		{"truncated body", []byte{5, 'a'}, 10, "", io.ErrUnexpectedEOF},
		{"nothing", nil, 10, "", io.EOF},
		{"large frame in chunks", append([]byte{0x80, 0x80, 0x08}, bytes.Repeat([]byte("b"), 128<<10)...), 1 << 20, strings.Repeat("b", 128<<10), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readFrame(bufio.NewReader(bytes.NewReader(tc.in)), tc.max)
			if !errors.Is(err, tc.err) || (tc.err == nil && string(got) != tc.want) {
				t.Errorf("readFrame(%x...) = %d bytes, %v; want %d bytes, %v", tc.in[:min(len(tc.in), 8)], len(got), err, len(tc.want), tc.err)
			}
		})
	}
}

// FuzzReadFrame: nothing a peer sends makes readFrame panic or return more
// than the limit, and what appendFrame writes reads back.
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{3, 'a', 'b', 'c'}, 8)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 1<<20)
	f.Add([]byte{0x80, 0x00}, 4)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		max = max & 0xffff
		got, err := readFrame(bufio.NewReader(bytes.NewReader(in)), max)
		if err == nil && len(got) > max {
			t.Fatalf("read %d bytes with a limit of %d", len(got), max)
		}
		if len(in) <= max {
			back, err := readFrame(bufio.NewReader(bytes.NewReader(appendFrame(nil, in))), max)
			if err != nil || !bytes.Equal(back, in) {
				t.Fatalf("round trip of %d bytes: %d bytes, %v", len(in), len(back), err)
			}
		}
	})
}
