package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/plugin"
	indexerv1 "github.com/jtchain/jtchain/sdk/proto/jt/indexer/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// The protocol tests run the SDK's two sides over an in-memory gRPC
// connection: the plugin side around a test indexer (or a raw server that
// breaks the protocol on purpose), the node side through Client.

// serveLocal serves what register registers on an in-memory connection
// and returns a connection to it; both end with t.
func serveLocal(t *testing.T, register func(*grpc.Server)) (*grpc.ClientConn, *grpc.Server) {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	register(srv)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	cc, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc, srv
}

// localClient serves impl as the SDK's Serve does and returns the node's
// client of it.
func localClient(t *testing.T, impl Indexer) (*Client, *grpc.Server) {
	t.Helper()
	cc, srv := serveLocal(t, func(s *grpc.Server) { register(s, impl) })
	return newClient(cc), srv
}

// recorder is an in-memory indexer that records how it is called.
type recorder struct {
	UnimplementedIndexer
	// beforeStore, if set, runs at the start of every Store; its error is
	// Store's.
	beforeStore func(ctx context.Context, seq uint32) error
	// answer, if set, answers Query.
	answer func(q Query) (QueryResult, error)

	mu       sync.Mutex
	ledgers  []Ledger
	stores   []uint32 // every Store call
	queries  []Query
	inStore  atomic.Int32
	overlaps atomic.Int32 // Store calls that overlapped another
}

func (r *recorder) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "recorder", Version: "1.0.0"}, nil
}

func (r *recorder) Store(ctx context.Context, l Ledger) error {
	if r.inStore.Add(1) > 1 {
		r.overlaps.Add(1)
	}
	defer r.inStore.Add(-1)
	r.mu.Lock()
	r.stores = append(r.stores, l.Seq)
	r.mu.Unlock()
	if r.beforeStore != nil {
		if err := r.beforeStore(ctx, l.Seq); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.ledgers); n > 0 && l.Seq <= r.ledgers[n-1].Seq {
		return nil
	}
	r.ledgers = append(r.ledgers, l)
	return nil
}

func (r *recorder) LastStored(context.Context) (uint32, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ledgers) == 0 {
		return 0, false, nil
	}
	return r.ledgers[len(r.ledgers)-1].Seq, true, nil
}

func (r *recorder) Query(_ context.Context, q Query) (QueryResult, error) {
	r.mu.Lock()
	r.queries = append(r.queries, q)
	r.mu.Unlock()
	if r.answer != nil {
		return r.answer(q)
	}
	return QueryResult{}, nil
}

func (r *recorder) storeCalls() []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint32(nil), r.stores...)
}

// feeding is a FeedRequest over chain that ends after ledger upTo and
// records the acknowledgements.
type feeding struct {
	chain []Ledger
	upTo  uint32
	mu    sync.Mutex
	acks  []uint32
	nexts []uint32
}

func (f *feeding) next(ctx context.Context, seq uint32) (Ledger, error) {
	f.mu.Lock()
	f.nexts = append(f.nexts, seq)
	f.mu.Unlock()
	if seq > f.upTo {
		return Ledger{}, io.EOF
	}
	return f.chain[seq-f.chain[0].Seq], nil
}

func (f *feeding) onAck(seq uint32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acks = append(f.acks, seq)
	return nil
}

func (f *feeding) request(cursor uint32, window int) FeedRequest {
	return FeedRequest{Cursor: cursor, Window: window, Next: f.next, OnAck: f.onAck}
}

func seqs(from, to uint32) []uint32 {
	var out []uint32
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFeedPipelinesUpToTheWindowAndAcknowledgesInOrder(t *testing.T) {
	const window = 3
	nextCalled := make(chan struct{})
	var once sync.Once
	rec := &recorder{}
	// Ledger 1 is stored only once the node asked for ledger 3: the node
	// must send ahead without waiting for acknowledgements.
	rec.beforeStore = func(ctx context.Context, seq uint32) error {
		if seq != 1 {
			return nil
		}
		select {
		case <-nextCalled:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c, _ := localClient(t, rec)
	f := &feeding{chain: testChain(1, 20), upTo: 20}
	var acked atomic.Int32
	var violations []string
	req := f.request(0, window)
	req.Next = func(ctx context.Context, seq uint32) (Ledger, error) {
		if inFlight := int(seq) - 1 - int(acked.Load()); inFlight >= window {
			violations = append(violations, fmt.Sprintf("Next(%d) with %d ledgers in flight", seq, inFlight))
		}
		if seq == 3 {
			once.Do(func() { close(nextCalled) })
		}
		return f.next(ctx, seq)
	}
	req.OnAck = func(seq uint32) error {
		acked.Add(1)
		return f.onAck(seq)
	}
	if err := c.Feed(testCtx(t), req); err != nil {
		t.Fatal(err)
	}
	if len(violations) > 0 {
		t.Errorf("the window of %d was exceeded: %v", window, violations)
	}
	if !reflect.DeepEqual(f.acks, seqs(1, 20)) {
		t.Errorf("acks = %v", f.acks)
	}
	if got := rec.storeCalls(); !reflect.DeepEqual(got, seqs(1, 20)) {
		t.Errorf("Store calls = %v", got)
	}
	if last, ok, err := c.LastStored(testCtx(t)); err != nil || !ok || last != 20 {
		t.Errorf("LastStored = %d, %v, %v", last, ok, err)
	}
}

func TestFeedStartsAfterTheSmallerOfCursorAndLastStored(t *testing.T) {
	chain := testChain(1, 15)
	tests := []struct {
		name          string
		cursor, first uint32
		wantFirst     uint32
	}{
		{"cursor equals the plugin's", 10, 0, 11},
		{"cursor behind the plugin", 8, 0, 9},
		{"cursor ahead of the plugin", 12, 0, 11},
		{"no cursor", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{ledgers: slices.Clone(chain[:10])}
			c, _ := localClient(t, rec)
			f := &feeding{chain: chain, upTo: 15}
			req := f.request(tt.cursor, 2)
			req.First = tt.first
			if err := c.Feed(testCtx(t), req); err != nil {
				t.Fatal(err)
			}
			if f.nexts[0] != tt.wantFirst || !reflect.DeepEqual(f.acks, seqs(tt.wantFirst, 15)) {
				t.Errorf("first Next %d, acks %v; want %d to 15", f.nexts[0], f.acks, tt.wantFirst)
			}
			if got := len(rec.ledgers); got != 15 {
				t.Errorf("the plugin holds %d ledgers, want 15 (replays must not duplicate)", got)
			}
		})
	}

	rec := &recorder{ledgers: slices.Clone(chain[:10])}
	c, _ := localClient(t, rec)
	req := (&feeding{chain: chain, upTo: 15}).request(10, 2)
	req.First = 12
	if err := c.Feed(testCtx(t), req); !errors.Is(err, ErrGap) {
		t.Errorf("a plugin that needs ledger 11 from a node that starts at 12: err = %v, want ErrGap", err)
	}
}

func TestFeedEndsWithThePluginsStoreError(t *testing.T) {
	rec := &recorder{beforeStore: func(_ context.Context, seq uint32) error {
		if seq == 5 {
			return errors.New("disk full")
		}
		return nil
	}}
	c, _ := localClient(t, rec)
	f := &feeding{chain: testChain(1, 9), upTo: 9}
	err := c.Feed(testCtx(t), f.request(0, 4))
	if err == nil || !strings.Contains(err.Error(), "store ledger 5: disk full") || errors.Is(err, ErrProtocol) {
		t.Fatalf("err = %v, want the plugin's Store error", err)
	}
	if !reflect.DeepEqual(f.acks, seqs(1, 4)) {
		t.Errorf("acks = %v, want 1 to 4", f.acks)
	}
	// The next feed, from the cursor the acks left, goes on at ledger 5.
	rec.beforeStore = nil
	f2 := &feeding{chain: f.chain, upTo: 9}
	if err := c.Feed(testCtx(t), f2.request(4, 4)); err != nil || !reflect.DeepEqual(f2.acks, seqs(5, 9)) {
		t.Errorf("resumed feed: acks %v, err %v", f2.acks, err)
	}
}

func TestThePluginSideRefusesGapsDisorderAndBrokenChains(t *testing.T) {
	chain := testChain(1, 14)
	wrongParent := cloneLedger(chain[1])
	wrongParent.ParentHash = Hash256{0xba, 0xd}
	badHash := encodeLedger(chain[1])
	badHash.Hash = []byte{1, 2}
	tests := []struct {
		name    string
		stored  int // ledgers the plugin holds
		send    []*indexerv1.ConsumeRequest
		acks    int
		code    codes.Code
		message string
	}{
		{"a ledger instead of open", 0, []*indexerv1.ConsumeRequest{ledgerMsg(chain[0])}, 0, codes.InvalidArgument, "must be open"},
		{"a gap after the last stored", 10, []*indexerv1.ConsumeRequest{openMsg(2), ledgerMsg(chain[11])}, 0, codes.FailedPrecondition, "ledger 12 would leave a gap: the plugin's last stored ledger is 10"},
		{"a ledger skipped", 0, []*indexerv1.ConsumeRequest{openMsg(2), ledgerMsg(chain[0]), ledgerMsg(chain[2])}, 1, codes.FailedPrecondition, "ledger 3 after ledger 1"},
		{"a wrong parent hash", 0, []*indexerv1.ConsumeRequest{openMsg(2), ledgerMsg(chain[0]), ledgerMsg(wrongParent)}, 1, codes.FailedPrecondition, "parent hash"},
		{"a malformed ledger", 0, []*indexerv1.ConsumeRequest{openMsg(2), {Request: &indexerv1.ConsumeRequest_Ledger{Ledger: badHash}}}, 0, codes.InvalidArgument, "ledger.hash is 2 bytes"},
		{"a second open", 0, []*indexerv1.ConsumeRequest{openMsg(2), openMsg(2)}, 0, codes.InvalidArgument, "want a ledger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{ledgers: slices.Clone(chain[:tt.stored])}
			cc, _ := serveLocal(t, func(s *grpc.Server) { register(s, rec) })
			stream, err := indexerv1.NewIndexerClient(cc).Consume(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tt.send {
				if err := stream.Send(m); err != nil {
					break // the plugin ended the stream; Recv says why
				}
			}
			acks := 0
			for {
				m, err := stream.Recv()
				if err != nil {
					if status.Code(err) != tt.code || !strings.Contains(err.Error(), tt.message) {
						t.Errorf("err = %v, want %s containing %q", err, tt.code, tt.message)
					}
					break
				}
				if m.GetAck() != nil {
					acks++
				}
			}
			if acks != tt.acks {
				t.Errorf("%d acks, want %d", acks, tt.acks)
			}
		})
	}

	// The node's side checks what Next returns before sending it.
	rec := &recorder{}
	c, _ := localClient(t, rec)
	for _, tt := range []struct {
		name string
		next func(seq uint32) Ledger
		want string
	}{
		{"wrong seq", func(uint32) Ledger { return chain[4] }, "Next returned ledger 5"},
		{"broken chain", func(seq uint32) Ledger {
			if seq == 2 {
				return wrongParent
			}
			return chain[seq-1]
		}, "next ledger 2: parent hash"},
		{"invalid ledger", func(seq uint32) Ledger { l := cloneLedger(chain[seq-1]); l.TxCount = 99; return l }, "tx count 99"},
	} {
		err := c.Feed(testCtx(t), FeedRequest{Start: func(uint32, bool) (uint32, error) { return 1, nil },
			Next: func(_ context.Context, seq uint32) (Ledger, error) { return tt.next(seq), nil }})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	c3, _ := localClient(t, &recorder{ledgers: slices.Clone(chain[:3])})
	if err := c3.Store(testCtx(t), chain[5]); err == nil || !strings.Contains(err.Error(), "ledger 6 would leave a gap") {
		t.Errorf("Store of ledger 6 after ledger 3: err = %v, want the gap refused", err)
	}
	if err := c3.Store(testCtx(t), chain[3]); err != nil {
		t.Errorf("Store of ledger 4 after ledger 3: %v", err)
	}
}

func openMsg(window uint32) *indexerv1.ConsumeRequest {
	return &indexerv1.ConsumeRequest{Request: &indexerv1.ConsumeRequest_Open{Open: &indexerv1.Open{Window: window}}}
}

func ledgerMsg(l Ledger) *indexerv1.ConsumeRequest {
	return &indexerv1.ConsumeRequest{Request: &indexerv1.ConsumeRequest_Ledger{Ledger: encodeLedger(l)}}
}

// rogue is a plugin side that breaks the Consume protocol as its mode
// says.
type rogue struct {
	indexerv1.UnimplementedIndexerServer
	mode string
}

func (r *rogue) Consume(stream indexerv1.Indexer_ConsumeServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	window := first.GetOpen().GetWindow()
	switch r.mode {
	case "window zero":
		window = 0
	case "window too big":
		window++
	case "ack before opened":
		return stream.Send(&indexerv1.ConsumeResponse{Response: &indexerv1.ConsumeResponse_Ack{Ack: &indexerv1.Ack{Seq: 1}}})
	case "never opens":
		<-stream.Context().Done()
		return nil
	}
	if err := stream.Send(&indexerv1.ConsumeResponse{Response: &indexerv1.ConsumeResponse_Opened{Opened: &indexerv1.Opened{Window: window}}}); err != nil {
		return err
	}
	for {
		m, err := stream.Recv()
		if err != nil {
			return nil
		}
		seq := m.GetLedger().GetSeq()
		ack := func(seq uint32) error {
			return stream.Send(&indexerv1.ConsumeResponse{Response: &indexerv1.ConsumeResponse_Ack{Ack: &indexerv1.Ack{Seq: seq}}})
		}
		switch r.mode {
		case "ack out of order":
			err = ack(seq + 1)
		case "ack twice":
			if err = ack(seq); err == nil {
				err = ack(seq)
			}
		case "end early":
			return nil
		case "never acks":
			<-stream.Context().Done()
			return nil
		default:
			err = ack(seq)
		}
		if err != nil {
			return err
		}
	}
}

func rogueClient(t *testing.T, mode string) *Client {
	t.Helper()
	cc, _ := serveLocal(t, func(s *grpc.Server) { indexerv1.RegisterIndexerServer(s, &rogue{mode: mode}) })
	return newClient(cc)
}

func TestFeedDetectsAPluginThatBreaksTheProtocol(t *testing.T) {
	for _, mode := range []string{"window zero", "window too big", "ack before opened", "ack out of order", "ack twice", "end early"} {
		t.Run(mode, func(t *testing.T) {
			f := &feeding{chain: testChain(1, 6), upTo: 6}
			err := rogueClient(t, mode).Feed(testCtx(t), f.request(0, 2))
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("err = %v, want ErrProtocol", err)
			}
			t.Logf("error: %v", err)
		})
	}
	f := &feeding{chain: testChain(1, 6), upTo: 6}
	if err := rogueClient(t, "").Feed(testCtx(t), f.request(0, 2)); err != nil || len(f.acks) != 6 {
		t.Errorf("the rogue in its honest mode: acks %v, err %v", f.acks, err)
	}
}

func TestFeedRunsEveryWaitForThePluginThroughCall(t *testing.T) {
	rec := &recorder{}
	c, _ := localClient(t, rec)
	f := &feeding{chain: testChain(1, 10), upTo: 10}
	req := f.request(0, 3)
	calls := 0
	req.Call = func(ctx context.Context, wait func(context.Context) error) error {
		calls++
		return wait(ctx)
	}
	if err := c.Feed(testCtx(t), req); err != nil {
		t.Fatal(err)
	}
	if calls != 1+10 {
		t.Errorf("%d calls, want one for the opening and one per acknowledgement (11)", calls)
	}

	// A plugin that stops answering is cut off by the caller's bound.
	bounded := func(ctx context.Context, wait func(context.Context) error) error {
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		return wait(ctx)
	}
	for _, mode := range []string{"never opens", "never acks"} {
		f := &feeding{chain: testChain(1, 3), upTo: 3}
		req := f.request(0, 2)
		req.Call = bounded
		if err := rogueClient(t, mode).Feed(testCtx(t), req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want the call's deadline", mode, err)
		}
	}
}

func TestFeedEndsWhenThePluginGoesAwayWhileIdle(t *testing.T) {
	rec := &recorder{}
	c, srv := localClient(t, rec)
	f := &feeding{chain: testChain(1, 3), upTo: 3}
	req := f.request(0, 2)
	// After ledger 3 the chain is idle: Next waits for a ledger that never
	// comes. Then the plugin goes away.
	req.Next = func(ctx context.Context, seq uint32) (Ledger, error) {
		if seq <= 3 {
			return f.next(ctx, seq)
		}
		<-ctx.Done()
		return Ledger{}, ctx.Err()
	}
	req.OnAck = func(seq uint32) error {
		if seq == 3 {
			go srv.Stop()
		}
		return f.onAck(seq)
	}
	err := c.Feed(testCtx(t), req)
	if err == nil || status.Code(err) != codes.Unavailable {
		t.Fatalf("err = %v (code %s), want Unavailable, which tells a node the plugin is gone", err, status.Code(err))
	}
	if !reflect.DeepEqual(f.acks, seqs(1, 3)) {
		t.Errorf("acks = %v", f.acks)
	}
}

func TestFeedReturnsTheContextsErrorWhenCancelled(t *testing.T) {
	c, _ := localClient(t, &recorder{})
	ctx, cancel := context.WithCancel(testCtx(t))
	f := &feeding{chain: testChain(1, 3), upTo: 3}
	req := f.request(0, 2)
	req.Next = func(ctx context.Context, seq uint32) (Ledger, error) {
		if seq <= 3 {
			return f.next(ctx, seq)
		}
		<-ctx.Done()
		return Ledger{}, ctx.Err()
	}
	req.OnAck = func(seq uint32) error {
		if seq == 2 {
			cancel()
		}
		return f.onAck(seq)
	}
	if err := c.Feed(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestConsumeStreamsAreServedOneAtATime(t *testing.T) {
	rec := &recorder{}
	c, _ := localClient(t, rec)
	chain := testChain(1, 6)

	// Feed A stores ledgers 1 to 3 and then waits for more; it keeps its
	// stream open.
	ctxA, cancelA := context.WithCancel(testCtx(t))
	idle := make(chan struct{})
	doneA := make(chan error, 1)
	fa := &feeding{chain: chain, upTo: 3}
	reqA := fa.request(0, 2)
	reqA.Next = func(ctx context.Context, seq uint32) (Ledger, error) {
		if seq <= 3 {
			return fa.next(ctx, seq)
		}
		close(idle)
		<-ctx.Done()
		return Ledger{}, ctx.Err()
	}
	go func() { doneA <- c.Feed(ctxA, reqA) }()
	<-idle

	// Feed B is not served while A's stream is open.
	fb := &feeding{chain: chain, upTo: 6}
	reqB := fb.request(3, 2)
	reqB.Call = func(ctx context.Context, wait func(context.Context) error) error {
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		return wait(ctx)
	}
	if err := c.Feed(testCtx(t), reqB); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second stream while the first is open: err = %v, want it to wait (and hit the deadline)", err)
	}
	cancelA()
	if err := <-doneA; !errors.Is(err, context.Canceled) {
		t.Errorf("feed A: %v", err)
	}
	reqB.Call = nil
	if err := c.Feed(testCtx(t), reqB); err != nil || !reflect.DeepEqual(fb.acks, seqs(4, 6)) {
		t.Errorf("feed B after A: acks %v, err %v", fb.acks, err)
	}
	if n := rec.overlaps.Load(); n != 0 {
		t.Errorf("%d Store calls overlapped", n)
	}
}

func TestQueryOverTheWireIsValidatedAndLimited(t *testing.T) {
	rec := &recorder{}
	c, _ := localClient(t, rec)
	ctx := testCtx(t)
	for _, limit := range []int{0, 7, MaxQueryLimit + 1, 1 << 30} {
		if _, err := c.Query(ctx, Query{Limit: limit}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []int
	for _, q := range rec.queries {
		seen = append(seen, q.Limit)
	}
	if want := []int{DefaultQueryLimit, 7, MaxQueryLimit, MaxQueryLimit}; !reflect.DeepEqual(seen, want) {
		t.Errorf("the plugin saw limits %v, want %v", seen, want)
	}

	if _, err := c.Query(ctx, Query{Limit: -1}); !errors.Is(err, ErrBadQuery) || len(rec.queries) != 4 {
		t.Errorf("negative limit: err %v, %d queries reached the plugin", err, len(rec.queries))
	}
	rec.answer = func(q Query) (QueryResult, error) {
		return QueryResult{}, fmt.Errorf("%w: marker x is foreign", ErrBadQuery)
	}
	_, err := c.Query(ctx, Query{Marker: []byte("x")})
	if !errors.Is(err, ErrBadQuery) || !strings.HasSuffix(err.Error(), ": bad indexer query: marker x is foreign") {
		t.Errorf("the plugin's ErrBadQuery: %v", err)
	}
	rec.answer = func(q Query) (QueryResult, error) {
		r := testChain(2, 1)[0].Records[0]
		return QueryResult{Records: []LedgerRecord{{LedgerSeq: 2, Record: r}, {LedgerSeq: 2, Record: r}}}, nil
	}
	if _, err := c.Query(ctx, Query{Limit: 1}); err == nil || errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "2 records for a limit of 1") {
		t.Errorf("an answer over the limit: %v", err)
	}
}

func TestUnimplementedMethodsReachTheHostAsErrUnimplemented(t *testing.T) {
	c, _ := localClient(t, UnimplementedIndexer{})
	ctx := testCtx(t)
	if err := c.Store(ctx, testChain(1, 1)[0]); !errors.Is(err, ErrUnimplemented) {
		t.Errorf("Store: %v", err)
	}
	if _, _, err := c.LastStored(ctx); !errors.Is(err, ErrUnimplemented) {
		t.Errorf("LastStored: %v", err)
	}
	if _, err := c.Query(ctx, Query{}); !errors.Is(err, ErrUnimplemented) {
		t.Errorf("Query: %v", err)
	}
	info, err := c.Info(ctx)
	if err != nil || info.Kind != "indexer" || info.APIMajor != APIMajor || info.APIMinor != APIMinor {
		t.Errorf("Info = %+v, %v", info, err)
	}
}
