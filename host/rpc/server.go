package rpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/hashicorp/go-hclog"
)

// Server serves the WebSocket API and HTTP JSON-RPC from a Backend and
// publishes ledger, server and transaction streams.
//
// Lifetime: New, then Start binds the listeners; Shutdown stops accepting,
// closes every WebSocket with a close frame (1001 going away) and waits for
// all of the server's goroutines. Publish and PublishServerStatus may be
// called at any time from any goroutine and never block.
type Server struct {
	cfg     Config
	backend Backend
	log     hclog.Logger
	admins  adminSet
	ipLimit *ipLimiter
	subs    *registry
	// recordLimit rate-limits unsigned records per client IP (blhr_submit).
	recordLimit atomic.Pointer[ipLimiter]

	// baseCtx is cancelled when shutdown starts; requests derive from it.
	baseCtx    context.Context
	cancelBase context.CancelFunc

	mu       sync.Mutex
	started  bool
	closing  bool
	sessions map[*session]struct{}
	perIP    map[netip.Addr]int
	conns    int // WebSocket connections admitted and not yet released
	// wg counts every goroutine the server owns: the serve loops, the
	// publisher and one per WebSocket connection.
	wg sync.WaitGroup

	wsSrv, httpSrv         *http.Server
	wsAddr, httpAddr       string
	wsSigning, httpSigning bool

	running atomic.Bool
	events  chan pubEvent
	pubStop chan struct{}
	// dropped counts stream events lost because the publisher fell behind.
	dropped atomic.Uint64
}

// New checks cfg and returns a server that is not listening yet.
func New(cfg Config, b Backend, log hclog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errors.New("rpc: a Backend is required")
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg:        cfg,
		backend:    b,
		log:        log,
		admins:     parseAdminSet(cfg.AdminIPs),
		ipLimit:    newIPLimiter(cfg.IPRequestsPerSecond, cfg.ipBurst()),
		subs:       newRegistry(),
		baseCtx:    ctx,
		cancelBase: cancel,
		sessions:   make(map[*session]struct{}),
		perIP:      make(map[netip.Addr]int),
		events:     make(chan pubEvent, publishQueue),
		pubStop:    make(chan struct{}),
	}, nil
}

// Start binds the configured listeners and starts serving. ctx bounds only
// the binding; the server runs until Shutdown.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("rpc: server already started")
	}
	var lc net.ListenConfig
	var wsLn, httpLn net.Listener
	if s.cfg.WSListen != "" {
		ln, err := lc.Listen(ctx, "tcp", s.cfg.WSListen)
		if err != nil {
			return fmt.Errorf("rpc: listening for WebSocket clients on %s: %w", s.cfg.WSListen, err)
		}
		// Headroom above MaxConnections so that clients over the cap get a
		// clear 503 instead of waiting in the accept queue.
		wsLn = newLimitListener(ln, s.cfg.MaxConnections+s.cfg.MaxConnections/8+16)
	}
	if s.cfg.HTTPListen != "" {
		ln, err := lc.Listen(ctx, "tcp", s.cfg.HTTPListen)
		if err != nil {
			if wsLn != nil {
				wsLn.Close()
			}
			return fmt.Errorf("rpc: listening for JSON-RPC clients on %s: %w", s.cfg.HTTPListen, err)
		}
		httpLn = newLimitListener(ln, s.cfg.MaxConnections)
	}
	s.started = true
	s.running.Store(true)
	errLog := s.log.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Debug})
	if wsLn != nil {
		s.wsAddr = wsLn.Addr().String()
		s.wsSigning = s.cfg.signingAllowed(wsLn.Addr())
		s.wsSrv = &http.Server{
			Handler:           http.HandlerFunc(s.serveWS),
			ReadHeaderTimeout: 10 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          errLog,
		}
		s.serve(s.wsSrv, wsLn)
		s.log.Info("WebSocket API listening", "addr", s.wsAddr, "server_signing", s.wsSigning)
	}
	if httpLn != nil {
		s.httpAddr = httpLn.Addr().String()
		s.httpSigning = s.cfg.signingAllowed(httpLn.Addr())
		s.httpSrv = &http.Server{
			Handler:           http.HandlerFunc(s.serveHTTP),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      s.cfg.RequestTimeout + s.cfg.WriteTimeout,
			IdleTimeout:       60 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          errLog,
		}
		s.serve(s.httpSrv, httpLn)
		s.log.Info("JSON-RPC API listening", "addr", s.httpAddr, "server_signing", s.httpSigning)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.publisher()
	}()
	return nil
}

func (s *Server) serve(srv *http.Server, ln net.Listener) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("API listener stopped", "addr", ln.Addr().String(), "error", err)
		}
	}()
}

// WSAddr is the WebSocket listener's bound address ("" when off or not
// started). Tests bind to 127.0.0.1:0 and read the port here.
func (s *Server) WSAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wsAddr
}

// HTTPAddr is the JSON-RPC listener's bound address ("" when off).
func (s *Server) HTTPAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.httpAddr
}

// Shutdown stops accepting, closes every WebSocket with 1001 "server
// shutting down" and waits for all goroutines. If ctx ends first, remaining
// connections are dropped without a handshake; Shutdown still waits for the
// goroutines (which then end promptly) and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.started || s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	s.running.Store(false)
	sessions := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()

	s.cancelBase()
	var errs []error
	for _, srv := range []*http.Server{s.wsSrv, s.httpSrv} {
		if srv == nil {
			continue
		}
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			srv.Close()
		}
	}
	for _, sess := range sessions {
		sess.kill(websocket.StatusGoingAway, "server shutting down")
	}
	close(s.pubStop)

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
		s.mu.Lock()
		for sess := range s.sessions {
			sess.forceClose()
		}
		s.mu.Unlock()
		<-done
	}
	return errors.Join(errs...)
}

// admitConn enforces the connection caps before the upgrade and registers
// the connection's goroutine with the server.
func (s *Server) admitConn(ip netip.Addr, admin bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	if s.conns >= s.cfg.MaxConnections {
		s.log.Warn("refusing a WebSocket client: connection limit reached", "remote", ip, "limit", s.cfg.MaxConnections)
		return false
	}
	if !admin && s.perIP[ip] >= s.cfg.MaxConnectionsPerIP {
		s.log.Info("refusing a WebSocket client: per-address connection limit reached", "remote", ip, "limit", s.cfg.MaxConnectionsPerIP)
		return false
	}
	s.perIP[ip]++
	s.conns++
	s.wg.Add(1)
	return true
}

func (s *Server) releaseConn(ip netip.Addr) {
	s.mu.Lock()
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	s.conns--
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) addSession(sess *session) {
	s.mu.Lock()
	s.sessions[sess] = struct{}{}
	closing := s.closing
	s.mu.Unlock()
	if closing {
		sess.kill(websocket.StatusGoingAway, "server shutting down")
	}
}

func (s *Server) removeSession(sess *session) {
	s.subs.remove(sess)
	s.mu.Lock()
	delete(s.sessions, sess)
	s.mu.Unlock()
}

// limitListener caps the connections accepted at once; Accept waits for a
// slot, and Close wakes it.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
