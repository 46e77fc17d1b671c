// Package rpc is the node's client API: the Jingtum WebSocket API (rippled
// 0.29 dialect, spec/jingtum-wire.md §7) and the same commands as HTTP
// JSON-RPC on the admin port, with subscriptions (ledger, server,
// transactions and account streams) and limits on sizes, rates and
// subscribers. It serves from a Backend that host/node implements.
package rpc
