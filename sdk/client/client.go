package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Options tune a Client. The zero value (or nil) gives the defaults.
type Options struct {
	// MaxInFlight bounds the requests waiting for a response at once; more
	// calls block until a slot frees or their context ends. Default 256.
	MaxInFlight int
	// RequestTimeout applies to requests whose context has no deadline.
	// Default 30 s; negative means no timeout.
	RequestTimeout time.Duration
	// StreamBuffer is the capacity of the stream message channel. When it is
	// full, new stream messages are dropped (and counted). Default 1024.
	StreamBuffer int
	// ReadLimit is the largest message accepted from the node; a larger one
	// closes the connection. Default 16 MiB.
	ReadLimit int64
	// WriteTimeout bounds writing one request to the connection; a node that
	// does not read for this long is treated as gone. Default 10 s.
	WriteTimeout time.Duration
	// CloseTimeout bounds how long Close waits for the node to answer the
	// close handshake before dropping the connection. Default 2 s.
	CloseTimeout time.Duration
	// HTTPHeader is sent with the WebSocket handshake (e.g. authorization).
	HTTPHeader http.Header
	// HTTPClient makes the handshake request (proxies, TLS settings).
	HTTPClient *http.Client
}

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.MaxInFlight <= 0 {
		out.MaxInFlight = 256
	}
	if out.RequestTimeout == 0 {
		out.RequestTimeout = 30 * time.Second
	}
	if out.StreamBuffer <= 0 {
		out.StreamBuffer = 1024
	}
	if out.ReadLimit <= 0 {
		out.ReadLimit = 16 << 20
	}
	if out.WriteTimeout <= 0 {
		out.WriteTimeout = 10 * time.Second
	}
	if out.CloseTimeout <= 0 {
		out.CloseTimeout = 2 * time.Second
	}
	return out
}

// Client is a connection to a node's WebSocket API. See the package
// documentation for its guarantees.
type Client struct {
	url  string
	opts Options
	conn *websocket.Conn

	// ctx lives as long as the connection; cancelling it drops the
	// connection and stops the read and write loops.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	slots  chan struct{} // one token per request waiting for a response
	sendq  chan []byte   // encoded requests for the write loop
	nextID atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]*Call
	err     error // why the client closed; set once, under mu
	done    chan struct{}

	stream  chan StreamMessage // sent to only by the read loop, which closes it
	dropped uint64             // stream messages dropped since the last delivery (read loop only)

	closeOnce sync.Once

	sent, responses, delivered, streamDropped, unmatched, badFrames atomic.Uint64
}

// Dial connects to the node's WebSocket API at url ("ws://host:port" or
// "wss://..."). ctx bounds the handshake only. opts may be nil.
func Dial(ctx context.Context, url string, opts *Options) (*Client, error) {
	o := opts.withDefaults()
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPHeader:      o.HTTPHeader,
		HTTPClient:      o.HTTPClient,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", url, err)
	}
	conn.SetReadLimit(o.ReadLimit)
	cctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		url:     url,
		opts:    o,
		conn:    conn,
		ctx:     cctx,
		cancel:  cancel,
		slots:   make(chan struct{}, o.MaxInFlight),
		sendq:   make(chan []byte, o.MaxInFlight),
		pending: make(map[uint64]*Call),
		done:    make(chan struct{}),
		stream:  make(chan StreamMessage, o.StreamBuffer),
	}
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	return c, nil
}

// URL is the address the client dialled.
func (c *Client) URL() string { return c.url }

// Call is a request sent with Go. Result and Err are valid once Done is
// closed.
type Call struct {
	Command string
	Result  json.RawMessage // the response's "result"
	Err     error           // *APIError, a context error, or one matching ErrClosed

	done   chan struct{}
	stop   func() bool        // stops the context watcher; set under Client.mu
	cancel context.CancelFunc // the default request timeout, if one applies
}

// Done is closed when the call completes.
func (call *Call) Done() <-chan struct{} { return call.done }

// Wait blocks until the call completes and returns its result.
func (call *Call) Wait() (json.RawMessage, error) {
	<-call.done
	return call.Result, call.Err
}

func (call *Call) finish(result json.RawMessage, err error) *Call {
	call.Result, call.Err = result, err
	if call.cancel != nil {
		call.cancel()
	}
	close(call.done)
	return call
}

// Request sends command with params and waits for the response's result.
// params is nil, or anything that encodes to a JSON object (a map, a struct,
// or a json.RawMessage holding an object); its "id" and "command" keys, if
// any, are overridden. Errors are *APIError for error responses, the
// context's error (wrapped) when ctx ends first, or match ErrClosed.
func (c *Client) Request(ctx context.Context, command string, params any) (json.RawMessage, error) {
	return c.Go(ctx, command, params).Wait()
}

// Go sends a request and returns without waiting for the response. It blocks
// only while MaxInFlight requests are already waiting (or until ctx ends).
// Requests started by successive Go calls from one goroutine are written to
// the connection in that order.
func (c *Client) Go(ctx context.Context, command string, params any) *Call {
	call := &Call{Command: command, done: make(chan struct{})}
	if command == "" {
		return call.finish(nil, errors.New("client: empty command"))
	}
	body, err := encodeParams(params)
	if err != nil {
		return call.finish(nil, fmt.Errorf("client: %s: %w", command, err))
	}
	if _, ok := ctx.Deadline(); !ok && c.opts.RequestTimeout > 0 {
		ctx, call.cancel = context.WithTimeout(ctx, c.opts.RequestTimeout)
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return call.finish(nil, fmt.Errorf("client: %s: waiting for a free request slot: %w", command, ctx.Err()))
	case <-c.done:
		return call.finish(nil, c.Err())
	}

	id := c.nextID.Add(1) - 1
	msg := frame(id, command, body)

	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		<-c.slots
		return call.finish(nil, err)
	}
	c.pending[id] = call
	// The watcher runs in its own goroutine and takes c.mu, so call.stop is
	// set before it can complete the call.
	call.stop = context.AfterFunc(ctx, func() {
		c.complete(id, nil, fmt.Errorf("client: %s: no response: %w", command, ctx.Err()), false)
	})
	c.mu.Unlock()

	select {
	case c.sendq <- msg:
	case <-c.done: // the call was completed with the close error
	case <-ctx.Done(): // the watcher completes the call
	}
	return call
}

// complete ends the pending call id, if it is still pending, and reports
// whether it was. response says the node answered it.
func (c *Client) complete(id uint64, result json.RawMessage, err error, response bool) bool {
	c.mu.Lock()
	call, ok := c.pending[id]
	if ok {
		delete(c.pending, id)
	}
	c.mu.Unlock()
	if !ok {
		return false
	}
	call.stop()
	if response {
		c.responses.Add(1) // before the caller can see the result
	}
	<-c.slots
	call.finish(result, err)
	return true
}

// shutdown records why the client closed, fails every pending call, and
// closes done. The first reason wins.
func (c *Client) shutdown(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	calls := c.pending
	c.pending = make(map[uint64]*Call)
	close(c.done)
	c.mu.Unlock()
	for _, call := range calls {
		call.stop()
		<-c.slots
		call.finish(nil, err)
	}
}

// Close closes the connection, fails pending requests with ErrClosed, closes
// the stream channel and waits for the client's goroutines to stop. It is
// safe to call more than once and from several goroutines.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.shutdown(&closedError{})
		graceful := make(chan struct{})
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			defer close(graceful)
			// Waits for the node's close frame, which the read loop reads.
			_ = c.conn.Close(websocket.StatusNormalClosure, "")
		}()
		t := time.NewTimer(c.opts.CloseTimeout)
		select {
		case <-graceful:
		case <-t.C:
		}
		t.Stop()
		c.cancel() // drops the connection if the handshake did not finish
		c.wg.Wait()
	})
	return nil
}

// Done is closed when the client is closed or its connection is lost.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is nil while the client is open; afterwards it matches ErrClosed and
// says why the connection ended.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Stats are counters since Dial.
type Stats struct {
	Sent           uint64 // requests written to the connection
	Responses      uint64 // responses matched to a pending request
	InFlight       int    // requests waiting for a response now
	StreamMessages uint64 // stream messages delivered to the channel
	StreamDropped  uint64 // stream messages dropped because the channel was full
	Unmatched      uint64 // responses for no pending request (late, after a timeout)
	BadFrames      uint64 // frames that were not a JSON object with a valid id
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{
		Sent:           c.sent.Load(),
		Responses:      c.responses.Load(),
		InFlight:       len(c.slots),
		StreamMessages: c.delivered.Load(),
		StreamDropped:  c.streamDropped.Load(),
		Unmatched:      c.unmatched.Load(),
		BadFrames:      c.badFrames.Load(),
	}
}

func (c *Client) writeLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.ctx.Done():
			return
		case msg := <-c.sendq:
			ctx, cancel := context.WithTimeout(c.ctx, c.opts.WriteTimeout)
			err := c.conn.Write(ctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				if c.ctx.Err() == nil {
					c.shutdown(&closedError{fmt.Errorf("write: %w", err)})
					c.cancel()
				}
				return
			}
			c.sent.Add(1)
		}
	}
}

func (c *Client) readLoop() {
	defer c.wg.Done()
	defer close(c.stream)
	for {
		_, data, err := c.conn.Read(c.ctx)
		if err != nil {
			c.shutdown(&closedError{readError(err)})
			c.cancel()
			return
		}
		c.handle(data)
	}
}

func readError(err error) error {
	if s := websocket.CloseStatus(err); s == websocket.StatusNormalClosure || s == websocket.StatusGoingAway {
		return fmt.Errorf("the node closed the connection (%v)", s)
	}
	return fmt.Errorf("read: %w", err)
}

// envelope is every field of a response or stream message the client reads
// (spec/jingtum-wire.md §7.1).
type envelope struct {
	ID             json.RawMessage `json:"id"`
	Type           string          `json:"type"`
	Status         string          `json:"status"`
	Result         json.RawMessage `json:"result"`
	Error          string          `json:"error"`
	ErrorCode      json.RawMessage `json:"error_code"`
	ErrorMessage   string          `json:"error_message"`
	ErrorException string          `json:"error_exception"`
	Request        json.RawMessage `json:"request"`
}

func (c *Client) handle(data []byte) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		c.badFrames.Add(1)
		return
	}
	if len(env.ID) > 0 && !bytes.Equal(env.ID, []byte("null")) {
		id, ok := parseID(env.ID)
		if !ok {
			c.badFrames.Add(1)
			return
		}
		var result json.RawMessage
		var err error
		if env.Status == "error" || env.Error != "" {
			err = apiError(&env)
		} else {
			result = env.Result
		}
		if !c.complete(id, result, err, true) {
			c.unmatched.Add(1)
		}
		return
	}
	switch env.Type {
	case "":
		c.badFrames.Add(1) // neither a response nor a stream message
		return
	case "response":
		c.unmatched.Add(1) // a response without an id cannot be routed
		return
	}
	msg := StreamMessage{Type: env.Type, Raw: data, Dropped: c.dropped}
	select {
	case c.stream <- msg:
		c.dropped = 0
		c.delivered.Add(1)
	default:
		c.dropped++
		c.streamDropped.Add(1)
	}
}

func apiError(env *envelope) *APIError {
	e := &APIError{Code: env.Error, Message: env.ErrorMessage, Request: env.Request}
	if e.Message == "" {
		e.Message = env.ErrorException
	}
	if e.Code == "" {
		e.Code = "error"
	}
	if n, ok := parseInt(env.ErrorCode); ok {
		e.Number = int(n)
	}
	return e
}

// parseID reads an echoed id: a JSON number, or a string of digits from a
// node that quotes it.
func parseID(raw json.RawMessage) (uint64, bool) {
	s := string(raw)
	if len(s) >= 2 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	id, err := strconv.ParseUint(s, 10, 64)
	return id, err == nil
}

// encodeParams returns params as a JSON object, or nil for no params.
func encodeParams(params any) ([]byte, error) {
	var b []byte
	switch p := params.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		if !json.Valid(p) {
			return nil, errors.New("params are not valid JSON")
		}
		b = p
	default:
		var err error
		if b, err = json.Marshal(params); err != nil {
			return nil, fmt.Errorf("encoding params: %w", err)
		}
	}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, errors.New("params must be a JSON object")
	}
	return b, nil
}

// frame builds {...params, "id": id, "command": command}. The id and command
// come last so that they win over any "id"/"command" key in params: JSON
// parsers keep the last of duplicate keys.
func frame(id uint64, command string, params []byte) []byte {
	cmd, _ := json.Marshal(command) // a string always encodes
	buf := make([]byte, 0, len(params)+len(cmd)+40)
	buf = append(buf, '{')
	if len(params) > 0 {
		inner := bytes.TrimSpace(params[1 : len(params)-1])
		if len(inner) > 0 {
			buf = append(buf, inner...)
			buf = append(buf, ',')
		}
	}
	buf = append(buf, `"id":`...)
	buf = strconv.AppendUint(buf, id, 10)
	buf = append(buf, `,"command":`...)
	buf = append(buf, cmd...)
	return append(buf, '}')
}
