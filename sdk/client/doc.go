// Package client is a Go client for a jtchain node's WebSocket API, the
// Jingtum dialect of rippled 0.29 (spec/jingtum-wire.md §7). It works on JSON
// only: build and sign transactions elsewhere (jtchain's host/codec, or any
// Jingtum library) and hand the signed blob to Submit.
//
//	c, err := client.Dial(ctx, "ws://127.0.0.1:5020", nil)
//	if err != nil { ... }
//	defer c.Close()
//	info, err := c.ServerInfo(ctx)
//	raw, err := c.Request(ctx, "ledger", map[string]any{"ledger_index": "validated"})
//
// # Requests
//
// Every request gets the next id on its connection; responses are matched to
// requests by id, in whatever order the node sends them. A response whose
// status is "error" becomes an *APIError (use errors.As; errors.Is(err,
// ErrNotFound) for the *NotFound codes). Requests are bounded two ways:
//
//   - Deadlines. A request ends when its context ends. If the context has no
//     deadline, Options.RequestTimeout (30 s by default) applies, so no call
//     waits forever on a node that never answers. A request abandoned this
//     way may still be executed by the node; its late response is dropped.
//   - Backpressure. At most Options.MaxInFlight requests (256 by default)
//     wait for responses at once. Further calls block, within their context,
//     until a slot frees.
//
// Request waits for the response; Go sends at once and reports completion on
// a channel, so one goroutine can pipeline many requests in order (the order
// of Go calls is the order on the wire).
//
// # Streams
//
// Subscribe asks for streams ("ledger", "server", "transactions", ...) and
// account streams. Stream messages of all subscriptions on a Client arrive, in
// order, on one buffered channel (Options.StreamBuffer, 1024 by default). The
// caller must drain it: when it is full, new stream messages are dropped so
// that responses to requests keep flowing. Drops are counted in Stats and
// reported on the next message delivered (StreamMessage.Dropped), so a caller
// always knows it missed something. The channel is closed when the Client
// closes.
//
// # Lifetime
//
// A Client is one WebSocket connection and is safe for concurrent use. It does
// not reconnect: when the connection is lost, pending and later requests fail
// with an error that matches ErrClosed, Done is closed and Err says why; dial a
// new Client to continue. Close ends the connection (with a normal close
// handshake when the node answers promptly) and stops every goroutine the
// Client started before it returns.
//
// This package is part of the SDK: it imports nothing from jtchain's host
// packages, and third-party programs may import it.
package client
