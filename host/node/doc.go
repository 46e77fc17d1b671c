// Package node wires a jtchain node together: it opens storage, loads or
// creates the chain from its genesis file, and runs the mempool, the
// consensus engine's driver loop and the client API.
//
// One goroutine, the driver loop in Run, owns consensus and ledger closing;
// the API reads immutable ledgers and submits through the mempool, which
// has its own lock. A ledger is published to clients only after it is
// durably stored, so anything a client saw as validated survives a crash.
//
// Only host/cmd/jtd, tests, and (for the block format and genesis files of
// `jt blhr verify`) host/cmd/jt and host/blhr/rbftcheck import node.
package node
