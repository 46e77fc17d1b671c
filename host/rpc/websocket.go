package rpc

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// serveWS is the WebSocket listener's handler. It upgrades on any path
// (jingtum-lib connects to "/", others to a path), then runs the connection
// in this goroutine until it ends.
//
// Per connection there are three goroutines: this one reads frames and
// applies rate limits; a worker handles requests one at a time, so every
// request gets exactly one response and submits from one client keep their
// order; a writer drains the bounded send queue and performs the close
// handshake. This goroutine waits for the other two before returning.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") {
		hint(w, "This is the jtchain WebSocket API (Jingtum/skywelld dialect): connect with a WebSocket client, e.g. jingtum-lib new Remote({server: 'ws://host:port'}).\n")
		return
	}
	ip := remoteIP(r)
	admin := s.admins.contains(ip)
	if !s.admitConn(ip, admin) {
		http.Error(w, "too many connections", http.StatusServiceUnavailable)
		return
	}
	defer s.releaseConn(ip)

	sess := newSession(ip, admin, s.wsSigning, s.cfg.SendQueue)
	rec := &hijackRecorder{ResponseWriter: w, sess: sess}
	ws, err := websocket.Accept(rec, r, &websocket.AcceptOptions{
		// Jingtum clients are Node programs and browser DApps served from
		// anywhere; skywelld checks no Origin either.
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "remote", r.RemoteAddr, "error", err)
		return
	}
	ws.SetReadLimit(int64(s.cfg.MaxFrameBytes))
	s.addSession(sess)
	defer s.removeSession(sess)

	reqs := make(chan queuedRequest, 16)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.writeLoop(ws, sess) }()
	go func() { defer wg.Done(); s.workLoop(sess, reqs) }()
	s.readLoop(ws, sess, reqs)
	close(sess.done)
	wg.Wait()
	ws.CloseNow()
}

// killGrace is how long a write in progress may finish once its session
// is being closed.
const killGrace = time.Second

// closeGrace bounds the close handshake.
const closeGrace = 2 * time.Second

type queuedRequest struct {
	data   []byte
	warn   bool
	binary bool
}

func (s *Server) readLoop(ws *websocket.Conn, sess *session, reqs chan<- queuedRequest) {
	connBucket := newBucket(s.cfg.RequestsPerSecond, float64(s.cfg.RequestsBurst), time.Now())
	for {
		// The read context is never cancelled: cancelling it would drop the
		// TCP connection without a close frame. Closing goes through the
		// writer (kill) or ends with the peer.
		typ, data, err := ws.Read(context.Background())
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				s.log.Debug("client sent an oversized message", "remote", sess.ip, "limit", s.cfg.MaxFrameBytes)
			}
			return
		}
		if sess.killed() {
			continue // drain until the close handshake completes
		}
		warn := false
		if !sess.admin {
			now := time.Now()
			v := worse(connBucket.take(now), s.ipLimit.take(sess.ip, now))
			if v == drop {
				s.log.Info("disconnecting a client over its request rate", "remote", sess.ip)
				sess.kill(websocket.StatusPolicyViolation, "threshold exceeded")
				continue
			}
			warn = v == warnLoad
		}
		select {
		case reqs <- queuedRequest{data: data, warn: warn, binary: typ != websocket.MessageText}:
		case <-sess.killCh:
		}
	}
}

func (s *Server) workLoop(sess *session, reqs <-chan queuedRequest) {
	for {
		select {
		case q := <-reqs:
			var resp []byte
			if q.binary {
				// skywelld only accepts text messages (Handler.h).
				resp = marshal(map[string]any{"type": "error", "error": "wsTextRequired", "error_message": "Send requests as text frames."})
			} else {
				resp = s.handleFrame(s.baseCtx, sess, q.data, q.warn)
			}
			if !sess.reply(resp) {
				return
			}
		case <-sess.done:
			return
		}
	}
}

func (s *Server) writeLoop(ws *websocket.Conn, sess *session) {
	for {
		select {
		case msg := <-sess.out:
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
			// A write still blocked killGrace after the session was told to
			// close belongs to a client that does not read: give up on it
			// (which drops the connection) rather than wait WriteTimeout.
			stop := context.AfterFunc(sess.killCtx, func() { time.AfterFunc(killGrace, cancel) })
			err := ws.Write(ctx, websocket.MessageText, msg)
			stop()
			cancel()
			if err != nil {
				// A timed-out write has already closed the connection; the
				// reader sees that and ends the session.
				s.log.Debug("websocket write failed", "remote", sess.ip, "error", err)
				sess.kill(websocket.StatusPolicyViolation, "write failed")
				ws.CloseNow()
				return
			}
		case <-sess.killCh:
			// Answers already queued were produced for requests the node
			// handled (a pipelined submit may have applied): write them
			// before the close frame, within killGrace, so a client sees
			// every answer and the load warnings before the disconnect.
			s.drainQueued(ws, sess)
			// A peer that does not read cannot take the close frame nor
			// answer it; after closeGrace the TCP connection is dropped.
			t := time.AfterFunc(closeGrace, sess.forceClose)
			if err := ws.Close(sess.killCode, sess.killReason); err != nil {
				s.log.Debug("websocket close", "remote", sess.ip, "error", err)
			}
			t.Stop()
			return
		case <-sess.done:
			return
		}
	}
}

// drainQueued writes the messages queued when the session was told to close,
// giving up at killGrace (a client that does not read must not hold us).
func (s *Server) drainQueued(ws *websocket.Conn, sess *session) {
	ctx, cancel := context.WithTimeout(context.Background(), killGrace)
	defer cancel()
	for n := len(sess.out); n > 0; n-- {
		select {
		case msg := <-sess.out:
			if err := ws.Write(ctx, websocket.MessageText, msg); err != nil {
				return
			}
		default:
			return
		}
	}
}

// hijackRecorder lets the server keep the TCP connection that
// coder/websocket hijacks, to force it closed at a shutdown deadline.
type hijackRecorder struct {
	http.ResponseWriter
	sess *session
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("rpc: connection cannot be hijacked")
	}
	c, rw, err := hj.Hijack()
	if err == nil {
		h.sess.setRaw(c)
	}
	return c, rw, err
}

func headerHas(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func remoteIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap().WithZone("")
}

func hint(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(text))
}
