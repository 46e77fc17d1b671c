package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	indexerv1 "github.com/jtchain/jtchain/sdk/proto/jt/indexer/v1"
	"google.golang.org/protobuf/proto"
)

// FeedRequest says what Client.Feed sends and what it tells the node.
type FeedRequest struct {
	// Cursor is the node's durable cursor: the highest ledger the plugin
	// acknowledged (0: none; ledgers start at 1).
	Cursor uint32
	// First is the oldest ledger the node can send (0 means 1). A plugin
	// that holds nothing starts there.
	First uint32
	// Start, if set, picks the first ledger to send from the plugin's last
	// stored ledger instead of ResumeFrom(Cursor, First, ...).
	Start func(last uint32, hasLast bool) (uint32, error)
	// Window is the most ledgers in flight, sent but not acknowledged (0:
	// DefaultWindow; at most MaxWindow). The plugin may grant fewer.
	Window int
	// Next returns ledger seq, waiting until it is committed; it must
	// return when ctx ends. Returning io.EOF ends the feed: Feed returns nil
	// once every ledger sent is acknowledged. Feed calls it from a goroutine
	// of its own, one call at a time, seq after seq.
	Next func(ctx context.Context, seq uint32) (Ledger, error)
	// OnAck, if set, is called with each ledger the plugin acknowledged, in
	// order, from Feed's goroutine: the plugin has stored seq durably. The
	// node persists its cursor (seq) here; an error ends the feed.
	OnAck func(seq uint32) error
	// Call, if set, runs every wait for the plugin: for its answer to the
	// stream's opening and, one at a time, for the acknowledgement of the
	// oldest ledger in flight. It must call wait with a context that ends
	// no later than ctx and return wait's error; a node bounds and counts
	// the waits there as calls (host/plugin passes its supervisor's). Feed
	// calls it from its own goroutine, never concurrently. Nil: waits end
	// only with ctx. Waiting for Next is never a call.
	Call func(ctx context.Context, wait func(ctx context.Context) error) error
}

// ErrGap is wrapped by the error of a feed whose plugin needs ledgers older
// than FeedRequest.First: the node no longer has what the plugin missed.
var ErrGap = errors.New("indexer: the plugin needs ledgers the node no longer has")

// ErrProtocol is wrapped by the error of a feed whose plugin broke the
// Consume protocol: an acknowledgement out of order or for nothing sent, a
// window it was not asked for, a stream it ended early.
var ErrProtocol = errors.New("indexer plugin broke the Consume protocol")

// ResumeFrom is the first ledger to send to a plugin whose last stored
// ledger is last (hasLast false: none), given the node's cursor (0: none)
// and the oldest ledger the node has (0 means 1): the ledger after the
// smaller of cursor and last, so neither side's loss goes unnoticed. The
// plugin may see again a ledger it stored but whose acknowledgement the
// node did not persist; Indexer.Store is idempotent for that. If either
// side holds nothing the feed starts at first; if the plugin needs ledgers
// older than first, the error wraps ErrGap.
func ResumeFrom(cursor, first, last uint32, hasLast bool) (uint32, error) {
	first = max(first, 1)
	if cursor == 0 || !hasLast {
		return first, nil
	}
	start := uint64(min(cursor, last)) + 1
	if start < uint64(first) {
		return 0, fmt.Errorf("%w: the next ledger it needs is %d (node cursor %d, plugin's last stored %d), the oldest the node has is %d: rebuild the plugin's data from an empty data directory",
			ErrGap, start, cursor, last, first)
	}
	if start > 1<<32-1 {
		return 0, fmt.Errorf("indexer: ledger %d is past the last ledger sequence", start)
	}
	return uint32(start), nil
}

// Feed sends ledgers to the plugin over one Consume stream until Next
// returns io.EOF (then it returns nil once everything sent is
// acknowledged), ctx ends, or something fails: the plugin's Store (the
// plugin's error), the stream, Next, OnAck or Call. It asks for Window
// ledgers in flight, starts where Start (or ResumeFrom) says given the
// plugin's last stored ledger, and calls OnAck for every acknowledgement
// in order, so a node that persists seq in OnAck keeps the cursor Feed
// needs next time: a failed feed loses nothing, and the next one resends
// what was in flight.
func (c *Client) Feed(ctx context.Context, req FeedRequest) error {
	if req.Next == nil {
		return errors.New("indexer: FeedRequest.Next is nil")
	}
	call := req.Call
	if call == nil {
		call = func(ctx context.Context, wait func(context.Context) error) error { return wait(ctx) }
	}
	asked := grantWindow(uint32(min(max(req.Window, 0), MaxWindow)))

	// The stream ends with the first failure, whose error is its cause.
	streamCtx, cancel := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel: the goroutines return once the stream is gone
	defer cancel(nil)
	stream, err := c.indexer.Consume(streamCtx)
	if err != nil {
		return fromStatus("Consume", err)
	}
	f := &feeder{req: req, stream: stream, ctx: streamCtx, fail: cancel, in: make(chan *indexerv1.ConsumeResponse, asked+1), eof: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.receive()
	}()
	// An Open that cannot be sent shows as the stream's error below.
	if err := stream.Send(&indexerv1.ConsumeRequest{Request: &indexerv1.ConsumeRequest_Open{Open: &indexerv1.Open{Window: asked}}}); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("indexer plugin: Consume: open: %w", err)
	}

	var opened *indexerv1.Opened
	err = call(ctx, func(ctx context.Context) error {
		m, err := f.recv(ctx)
		if err != nil {
			return err
		}
		opened = m.GetOpened()
		if opened == nil || opened.GetWindow() == 0 || opened.GetWindow() > asked {
			return fmt.Errorf("%w: answered open (window %d) with %v", ErrProtocol, asked, m)
		}
		return nil
	})
	if err != nil {
		return f.result(ctx, err)
	}
	start, err := ResumeFrom(req.Cursor, req.First, opened.GetLastStored(), opened.GetHasLastStored())
	if req.Start != nil {
		start, err = req.Start(opened.GetLastStored(), opened.GetHasLastStored())
	}
	if err != nil {
		return err
	}
	f.slots = make(chan struct{}, opened.GetWindow())
	f.sent = make(chan uint32, opened.GetWindow())
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.produce(start)
	}()

	for {
		seq, more, early, err := f.nextSent(ctx)
		if err != nil {
			return f.result(ctx, err)
		}
		if !more {
			return f.result(ctx, f.prodErr) // nil when Next said io.EOF
		}
		if err := call(ctx, func(ctx context.Context) error { return f.awaitAck(ctx, seq, early) }); err != nil {
			return f.result(ctx, err)
		}
		if req.OnAck != nil {
			if err := req.OnAck(seq); err != nil {
				return fmt.Errorf("indexer: OnAck(%d): %w", seq, err)
			}
		}
		<-f.slots
	}
}

// feeder is one Feed's state. Three goroutines share it: Feed's own reads
// acknowledgements and calls OnAck, receive reads the stream, produce calls
// Next and sends.
type feeder struct {
	req    FeedRequest
	stream indexerv1.Indexer_ConsumeClient
	// ctx is the stream's: it ends when Feed's does or with fail, whose
	// first error is its cause.
	ctx  context.Context
	fail context.CancelCauseFunc

	in chan *indexerv1.ConsumeResponse // messages from the plugin, in order

	slots chan struct{} // a token per ledger in flight
	// sent carries each ledger's seq, pushed before the ledger is sent so
	// that its acknowledgement can never arrive first; closed when produce
	// stops, after it set prodErr.
	sent    chan uint32
	prodErr error
	// eof is closed when Next said io.EOF, before the node's side of the
	// stream is closed: the plugin ending the stream after that is the
	// normal end.
	eof chan struct{}
}

// receive passes the plugin's messages to in until the stream ends.
func (f *feeder) receive() {
	for {
		m, err := f.stream.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				// Normal after the last acknowledgement; otherwise the
				// plugin gave up on the stream without saying why.
				f.fail(fmt.Errorf("%w: the plugin ended the stream while ledgers were unacknowledged", ErrProtocol))
			} else {
				f.fail(fromStatus("Consume", err))
			}
			return
		}
		select {
		case f.in <- m:
		case <-f.ctx.Done():
			return
		}
	}
}

// recv returns the plugin's next message. Messages that arrived before the
// stream failed are returned before the failure.
func (f *feeder) recv(ctx context.Context) (*indexerv1.ConsumeResponse, error) {
	select {
	case m := <-f.in:
		return m, nil
	default:
	}
	select {
	case m := <-f.in:
		return m, nil
	case <-f.ctx.Done():
		select {
		case m := <-f.in:
			return m, nil
		default:
			return nil, context.Cause(f.ctx)
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// nextSent waits, idle, for the next ledger sent: its seq, or more false
// when produce stopped. A message from the plugin while nothing is in
// flight is an acknowledgement that overtook the seq's push (early) or a
// protocol error.
func (f *feeder) nextSent(ctx context.Context) (seq uint32, more bool, early *indexerv1.ConsumeResponse, err error) {
	select {
	case seq, more = <-f.sent:
		return seq, more, nil, nil
	default:
	}
	select {
	case seq, more = <-f.sent:
		return seq, more, nil, nil
	case m := <-f.in:
		select {
		case seq, more = <-f.sent:
			if more {
				return seq, true, m, nil
			}
		default:
		}
		return 0, false, nil, fmt.Errorf("%w: %v while no ledger was in flight", ErrProtocol, m)
	case <-f.ctx.Done():
		select {
		case seq, more = <-f.sent:
			return seq, more, nil, nil
		case <-f.eof:
			// produce is about to close sent (or has one more seq, whose
			// missing acknowledgement is then the error).
			seq, more = <-f.sent
			return seq, more, nil, nil
		default:
			return 0, false, nil, context.Cause(f.ctx)
		}
	case <-ctx.Done():
		return 0, false, nil, ctx.Err()
	}
}

func (f *feeder) awaitAck(ctx context.Context, seq uint32, early *indexerv1.ConsumeResponse) error {
	m := early
	if m == nil {
		var err error
		if m, err = f.recv(ctx); err != nil {
			return err
		}
	}
	ack := m.GetAck()
	if ack == nil || ack.GetSeq() != seq {
		return fmt.Errorf("%w: %v while waiting for the acknowledgement of ledger %d", ErrProtocol, m, seq)
	}
	return nil
}

// result is the error Feed returns for err: ctx's when it ended.
func (f *feeder) result(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// produce sends ledgers from start on, never more than the window ahead of
// the acknowledgements. When it stops early prodErr says why.
func (f *feeder) produce(start uint32) {
	defer close(f.sent)
	var prev Ledger
	for seq := uint64(start); ; seq++ {
		select {
		case f.slots <- struct{}{}:
		case <-f.ctx.Done():
			f.prodErr = context.Cause(f.ctx)
			return
		}
		if seq > 1<<32-1 {
			f.prodErr = errors.New("indexer: past the last ledger sequence")
			return
		}
		l, err := f.req.Next(f.ctx, uint32(seq))
		if err != nil && f.ctx.Err() != nil {
			f.prodErr = context.Cause(f.ctx) // Next gave up because the stream ended
			return
		}
		if errors.Is(err, io.EOF) {
			close(f.eof)
			if err := f.stream.CloseSend(); err != nil {
				f.fail(fmt.Errorf("indexer plugin: Consume: close: %w", err))
			}
			return
		}
		if err == nil {
			err = checkNext(l, uint32(seq), prev)
		}
		if err != nil {
			f.prodErr = fmt.Errorf("indexer: next ledger %d: %w", seq, err)
			return
		}
		pb := encodeLedger(l)
		if n := proto.Size(pb); n > MaxLedgerSize {
			f.prodErr = fmt.Errorf("indexer: ledger %d is %d bytes encoded, more than %d", seq, n, MaxLedgerSize)
			return
		}
		f.sent <- l.Seq
		if err := f.stream.Send(&indexerv1.ConsumeRequest{Request: &indexerv1.ConsumeRequest_Ledger{Ledger: pb}}); err != nil {
			// io.EOF: the stream ended, and the receiver has the reason,
			// which the wait for this ledger's acknowledgement reports.
			if !errors.Is(err, io.EOF) {
				f.fail(fmt.Errorf("indexer plugin: Consume: send ledger %d: %w", seq, err))
			}
			f.prodErr = fmt.Errorf("indexer plugin: Consume: the stream ended: %w", err)
			return
		}
		prev = l
	}
}

// checkNext checks that Next returned ledger seq, well formed, following
// prev (zero before the first).
func checkNext(l Ledger, seq uint32, prev Ledger) error {
	if l.Seq != seq {
		return fmt.Errorf("Next returned ledger %d", l.Seq)
	}
	if err := l.Validate(); err != nil {
		return err
	}
	if prev.Seq != 0 && l.ParentHash != prev.Hash {
		return fmt.Errorf("parent hash %s is not the hash %s of ledger %d", l.ParentHash, prev.Hash, prev.Seq)
	}
	return nil
}
