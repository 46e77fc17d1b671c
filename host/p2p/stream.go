package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Handler answers one request from a configured peer. ctx expires after
// Config.RequestTimeout or when the host closes. The returned bytes may be
// at most Config.MaxResponseSize; a returned error reaches the requester as
// a *RemoteError carrying its text (so it must not leak secrets), and a
// panic as a *RemoteError saying "internal error". Handlers run
// concurrently; a handler may keep req.
type Handler func(ctx context.Context, from string, req []byte) ([]byte, error)

// protocolID is the libp2p protocol of a request/response protocol name: the
// chain id is part of it, so a request never reaches another chain's node.
func (h *Host) protocolID(name string) protocol.ID {
	return protocol.ID("/jtchain/" + h.cfg.ChainID + "/req/" + name + "/1")
}

// Handle serves the request/response protocol name (lower-case letters,
// digits, '.', '_', '-'; e.g. "ledger", "txset") with handler; call it
// before peers need the protocol. Requests are bounded by MaxRequestSize
// (a larger one is refused unread, with a *RemoteError), answers by
// MaxResponseSize, and receiving the request plus running the handler by
// RequestTimeout. At most MaxConcurrentHandlers requests are served at once
// (and MaxHandlersPerPeer for one peer), counting from the moment a stream
// opens: a request beyond that is answered with ErrBusy at once rather than
// queued.
func (h *Host) Handle(name string, handler Handler) error {
	if err := validProtocolName(name); err != nil {
		return err
	}
	if handler == nil {
		return fmt.Errorf("p2p: handle %s: handler is nil", name)
	}
	pid := h.protocolID(name)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return ErrClosed
	}
	if _, dup := h.protocols[pid]; dup {
		h.mu.Unlock()
		return fmt.Errorf("p2p: protocol %s already has a handler", name)
	}
	h.protocols[pid] = struct{}{}
	h.mu.Unlock()
	h.host.SetStreamHandler(pid, func(s network.Stream) { h.serve(s, handler) })
	return nil
}

// serve answers one inbound stream. It runs on a goroutine libp2p starts;
// Close waits for it.
//
// The handler slot is taken before the request is read, so a peer that opens
// many streams and sends slowly holds at most MaxHandlersPerPeer of them (and
// as many request buffers). The request must arrive, and the handler must
// return, within RequestTimeout of the stream opening; the answer then has
// another RequestTimeout to be written, so a handler that ran out of time can
// still say so.
func (h *Host) serve(s network.Stream, handler Handler) {
	if !h.track() {
		_ = s.Reset()
		return
	}
	defer h.wg.Done()
	ps, ok := h.peers[s.Conn().RemotePeer()]
	if !ok { // the gater admits configured peers only; belt and braces
		_ = s.Reset()
		return
	}
	deadline := time.Now().Add(h.cfg.RequestTimeout)
	_ = s.SetReadDeadline(deadline)
	_ = s.SetWriteDeadline(deadline.Add(h.cfg.RequestTimeout))
	stop := context.AfterFunc(h.ctx, func() { _ = s.Reset() })
	defer stop()

	if !h.acquireHandler(ps) {
		h.streamStats.busy.Add(1)
		_ = writeResponse(s, statusBusy, nil)
		_ = s.Close()
		return
	}
	defer h.releaseHandler(ps)

	req, err := readFrame(bufio.NewReader(s), h.cfg.MaxRequestSize)
	if err != nil {
		if errors.Is(err, ErrFrameTooLarge) {
			h.streamStats.oversized.Add(1)
			_ = writeResponse(s, statusError, fmt.Appendf(nil, "request larger than %d bytes", h.cfg.MaxRequestSize))
			_ = s.Close()
			return
		}
		h.streamStats.badFrames.Add(1)
		_ = s.Reset()
		return
	}

	copies := 1
	if h.chaos != nil {
		plan := h.chaos.planRequest(ps.text, h.selfID)
		if plan.drop {
			h.streamStats.chaosDropped.Add(1)
			_ = s.ResetWithError(chaosResetCode)
			return
		}
		if plan.delay > 0 && !h.sleep(plan.delay) {
			_ = s.Reset()
			return
		}
		copies = plan.copies
	}

	ctx, cancel := context.WithDeadline(h.ctx, deadline)
	defer cancel()
	resp, herr := h.runHandler(ctx, handler, s.Protocol(), ps.text, req)
	for i := 1; i < copies; i++ {
		// A duplicated request: the first answer is the one sent.
		_, _ = h.runHandler(ctx, handler, s.Protocol(), ps.text, req)
	}
	switch {
	case herr != nil:
		h.streamStats.handlerErrors.Add(1)
		status := statusError
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			status = statusTimeout
		}
		msg := herr.Error()
		if len(msg) > maxErrorText {
			msg = msg[:maxErrorText]
		}
		err = writeResponse(s, status, []byte(msg))
	case len(resp) > h.cfg.MaxResponseSize:
		h.streamStats.oversized.Add(1)
		h.log.Warn("handler answer too large", "protocol", s.Protocol(), "bytes", len(resp), "limit", h.cfg.MaxResponseSize)
		err = writeResponse(s, statusError, fmt.Appendf(nil, "response larger than %d bytes", h.cfg.MaxResponseSize))
	default:
		h.streamStats.served.Add(1)
		err = writeResponse(s, statusOK, resp)
	}
	if err != nil {
		_ = s.Reset()
		return
	}
	_ = s.Close()
}

// runHandler calls handler, turning a panic into an error: a request a
// handler cannot cope with must not take the node down.
func (h *Host) runHandler(ctx context.Context, handler Handler, proto protocol.ID, from string, req []byte) (resp []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			h.panics.Add(1)
			h.log.Error("request handler panicked", "protocol", proto, "peer", from, "panic", r, "stack", string(debug.Stack()))
			resp, err = nil, errors.New("internal error")
		}
	}()
	return handler(ctx, from, req)
}

func (h *Host) acquireHandler(ps *peerState) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.handlers >= h.cfg.MaxConcurrentHandlers || ps.handlers >= h.cfg.MaxHandlersPerPeer {
		return false
	}
	h.handlers++
	ps.handlers++
	return true
}

func (h *Host) releaseHandler(ps *peerState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handlers--
	ps.handlers--
}

// Request sends req to the configured peer's handler of protocol name and
// returns its answer. It dials the peer if no connection is open (unless the
// peer was configured without addresses: such peers are only reached while
// they are connected to us). Errors:
//
//   - ErrUnknownPeer: peerID is not in Config.Peers;
//   - ErrMessageTooLarge: req is above this host's MaxRequestSize;
//   - ErrFrameTooLarge: the answer is above this host's MaxResponseSize (a
//     server refusing to send an answer above its own limit, or to read a
//     request above its own, gives a *RemoteError saying so);
//   - ErrBusy: the peer is running as many handlers as it allows;
//   - *RemoteError: the handler returned an error; if the handler ran out of
//     the server's RequestTimeout, errors.Is(err, context.DeadlineExceeded)
//     holds as well;
//   - an error wrapping ctx.Err() (context.DeadlineExceeded once ctx's
//     deadline or this host's RequestTimeout has passed, whichever is
//     earlier; context.Canceled if ctx was canceled);
//   - ErrDropped: the chaos layer dropped the request or its answer;
//   - ErrClosed: this host closed.
func (h *Host) Request(ctx context.Context, peerID, name string, req []byte) ([]byte, error) {
	h.streamStats.requests.Add(1)
	resp, err := h.request(ctx, peerID, name, req)
	if err != nil {
		h.streamStats.requestFailures.Add(1)
	}
	return resp, err
}

func (h *Host) request(ctx context.Context, peerID, name string, req []byte) ([]byte, error) {
	if h.isClosed() {
		return nil, ErrClosed
	}
	if err := validProtocolName(name); err != nil {
		return nil, err
	}
	id, err := peer.Decode(peerID)
	if err != nil {
		return nil, fmt.Errorf("p2p: request %s: peer %q: %w", name, peerID, err)
	}
	ps, ok := h.peers[id]
	if !ok {
		return nil, fmt.Errorf("request %s to %s: %w", name, peerID, ErrUnknownPeer)
	}
	if len(req) > h.cfg.MaxRequestSize {
		h.streamStats.oversized.Add(1)
		return nil, fmt.Errorf("request %s of %d bytes (limit %d): %w", name, len(req), h.cfg.MaxRequestSize, ErrMessageTooLarge)
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.RequestTimeout)
	defer cancel()
	stopOnClose := context.AfterFunc(h.ctx, cancel)
	defer stopOnClose()

	// fail explains err, or the reason the exchange was cut short: once ctx
	// is done every stream error is a consequence of that (the stream is
	// reset when ctx ends), so ctx's error is the one returned.
	fail := func(err error) error {
		switch {
		case h.isClosed():
			err = ErrClosed
		case ctx.Err() != nil:
			err = ctx.Err()
		case isChaosReset(err):
			err = ErrDropped
		}
		return fmt.Errorf("p2p: request %s to %s: %w", name, ps.text, err)
	}
	if h.chaos != nil && h.chaos.cut(h.selfID, ps.text) {
		h.streamStats.chaosDropped.Add(1)
		return nil, fail(ErrDropped)
	}

	// Past the swarm's dial backoff, as in keepConnected: a peer that was
	// down a moment ago may be back, and ctx bounds the attempt.
	s, err := h.host.NewStream(network.WithForceDirectDial(ctx, "jtchain request"), id, h.protocolID(name))
	if err != nil {
		return nil, fail(err)
	}
	// Ending ctx resets the stream, which ends any read or write in
	// progress; no stream deadline is set, so that the error seen is ctx's.
	stop := context.AfterFunc(ctx, func() { _ = s.Reset() })
	defer stop()
	// Write while reading: a busy or size-limiting server answers without
	// reading the request, and a large request would otherwise wait for
	// flow-control credit that never comes.
	written := make(chan error, 1)
	go func() {
		err := writeFrame(s, req)
		if err == nil {
			err = s.CloseWrite()
		}
		written <- err
	}()
	frame, err := readFrame(bufio.NewReader(s), h.cfg.MaxResponseSize+1)
	select {
	case <-written:
	default: // answered before the request was sent in full: stop sending
		_ = s.Reset()
		<-written
	}
	if err != nil {
		_ = s.Reset()
		if errors.Is(err, ErrFrameTooLarge) {
			h.streamStats.oversized.Add(1)
		}
		return nil, fail(err)
	}
	_ = s.Close()
	if len(frame) == 0 {
		return nil, fail(fmt.Errorf("empty response: %w", ErrBadFrame))
	}
	if h.chaos != nil {
		plan := h.chaos.planResponse(ps.text, h.selfID)
		if plan.drop {
			h.streamStats.chaosDropped.Add(1)
			return nil, fail(ErrDropped)
		}
		if plan.delay > 0 {
			t := time.NewTimer(plan.delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, fail(ctx.Err())
			}
		}
	}
	switch frame[0] {
	case statusOK:
		return frame[1:], nil
	case statusBusy:
		return nil, fmt.Errorf("request %s to %s: %w", name, ps.text, ErrBusy)
	case statusError, statusTimeout:
		return nil, &RemoteError{Peer: ps.text, Protocol: name, Message: string(frame[1:]), Timeout: frame[0] == statusTimeout}
	}
	return nil, fail(fmt.Errorf("unknown response status %d: %w", frame[0], ErrBadFrame))
}

// chaosResetCode is the stream error code a server resets a request with
// when its chaos layer drops it, so the requester can say ErrDropped.
const chaosResetCode network.StreamErrorCode = 0x4a540001

func isChaosReset(err error) bool {
	var se *network.StreamError
	return errors.As(err, &se) && se.Remote && se.ErrorCode == chaosResetCode
}
