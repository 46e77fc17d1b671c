// Package rpc is the node's client API: the Jingtum WebSocket API (rippled
// 0.29 dialect, spec/jingtum-wire.md §7) and the same commands as HTTP
// JSON-RPC on the admin port, with subscriptions (ledger, server,
// transactions and account streams) and limits on sizes, rates and
// subscribers. It serves from a Backend that host/node implements.
//
// Compatibility is the point: unmodified jingtum-lib and swtc-lib clients
// drive the node, so envelopes, error tokens and numbers (skywelld's
// ErrorCodes.h numbering), field names and number-versus-string choices
// follow skywelld 0.29. Every deliberate difference is documented on the
// command it affects.
//
// Layout: one command per file, named after the command (account_info.go,
// submit.go, ...), each registering itself in the command table; the
// transport is server.go (lifetime, listeners, caps), websocket.go and
// session.go (one connection), http.go (JSON-RPC), dispatch.go (envelope),
// streams.go (subscriptions and Publish) and ratelimit.go.
//
// Invariants: every request gets exactly one response; no input panics the
// node (handlers are recovered and answer "internal"); nothing a client
// does makes Publish wait or grows memory without bound (bounded frames,
// bodies, send queues, subscriptions and connections); account secrets are
// taken only on listeners Config.ServerSigning allows; every goroutine
// belongs to the Server and ends in Shutdown.
//
// Only host/node (and tests) should import rpc.
package rpc
