// Package consensus defines the engine interface every consensus algorithm
// implements (the built-in solo and RBFT engines, and engine plugins), and the
// registry the node picks an engine from by name.
//
// An engine is a deterministic state machine in the style of etcd raft:
// Step takes one Input and returns the Outputs the caller must carry out, in
// order. Engines do no I/O, start no goroutines and read no clock: time
// arrives in Inputs. The node's driver owns timers, block building, storage
// and the network, and feeds their results back as Inputs. A PersistSafety
// output must be durably written before any later SignAndBroadcast is sent.
//
// host/node imports consensus; engines import only consensus and the ledger
// types they need.
package consensus
