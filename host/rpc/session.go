package rpc

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/jtchain/jtchain/host/codec"
)

// session is one WebSocket client: its send queue, its subscriptions and the
// means to disconnect it. Its goroutines (reader, worker, writer) belong to
// the connection's handler, which waits for them before returning.
type session struct {
	ip      netip.Addr
	admin   bool
	signing bool

	// out is the bounded send queue the writer drains. Responses wait for
	// room; stream messages never wait (see push).
	out chan []byte
	// done is closed when the reader has stopped: the connection is over.
	done chan struct{}

	killOnce sync.Once
	// killCtx ends when the session is told to close; killCh is its Done.
	killCtx    context.Context
	killCancel context.CancelFunc
	killCh     <-chan struct{}
	killCode   websocket.StatusCode
	killReason string

	// raw is the hijacked TCP connection, closed to force a stuck client
	// off when a shutdown deadline passes.
	rawMu sync.Mutex
	raw   net.Conn

	// Subscriptions, guarded by the registry's lock.
	streams  streamSet
	accounts map[codec.AccountID]struct{}
}

func newSession(ip netip.Addr, admin, signing bool, queue int) *session {
	ctx, cancel := context.WithCancel(context.Background())
	return &session{
		ip: ip, admin: admin, signing: signing,
		out:     make(chan []byte, queue),
		done:    make(chan struct{}),
		killCtx: ctx, killCancel: cancel, killCh: ctx.Done(),
	}
}

// kill asks the writer to close the connection with code and reason. It
// never blocks, so the publisher and the reader may call it.
func (s *session) kill(code websocket.StatusCode, reason string) {
	s.killOnce.Do(func() {
		s.killCode, s.killReason = code, reason
		s.killCancel()
	})
}

func (s *session) killed() bool {
	select {
	case <-s.killCh:
		return true
	default:
		return false
	}
}

// push queues a stream message without waiting. A subscriber whose queue is
// full is too slow: it is disconnected (close code 4000, skywelld's
// crTooSlow) so that it cannot hold memory or the node back.
// It reports false when it dropped the session.
func (s *session) push(msg []byte) bool {
	select {
	case <-s.done:
		return true
	case <-s.killCh:
		return true
	default:
	}
	select {
	case s.out <- msg:
		return true
	default:
		s.kill(closeTooSlow, "client too slow: send queue full")
		return false
	}
}

// pushBy queues a stream message, waiting until deadline for room. A ledger
// publishes all its transactions at once, so a full queue alone does not
// make a subscriber slow; one that cannot make room by the deadline is, and
// is disconnected like push does. It reports false when it dropped the session.
func (s *session) pushBy(msg []byte, deadline time.Time) bool {
	select {
	case <-s.done:
		return true
	case <-s.killCh:
		return true
	case s.out <- msg:
		return true
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case s.out <- msg:
		return true
	case <-s.done:
		return true
	case <-s.killCh:
		return true
	case <-t.C:
		s.kill(closeTooSlow, "client too slow: send queue full")
		return false
	}
}

// reply queues a response, waiting for room; false if the connection ended.
// A response with room in the queue is always queued, even when the session
// is closing: the writer delivers queued answers before the close frame.
func (s *session) reply(msg []byte) bool {
	select {
	case s.out <- msg:
		return true
	default:
	}
	select {
	case s.out <- msg:
		return true
	case <-s.done:
		return false
	case <-s.killCh:
		return false
	}
}

func (s *session) setRaw(c net.Conn) {
	s.rawMu.Lock()
	s.raw = c
	s.rawMu.Unlock()
}

// forceClose drops the TCP connection without a close handshake.
func (s *session) forceClose() {
	s.rawMu.Lock()
	c := s.raw
	s.rawMu.Unlock()
	if c != nil {
		c.Close()
	}
}

// closeTooSlow is skywelld's private close code for a client that cannot
// keep up (websocket/Handler.h crTooSlow).
const closeTooSlow websocket.StatusCode = 4000
