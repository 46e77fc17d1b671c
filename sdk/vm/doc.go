// Package vm is the SDK for contract-runtime plugins (DESIGN.md §6):
// deploy-time validation and batched execution of contract calls against a
// snapshot of contract state that the node serves.
//
// A plugin author implements Runtime (embedding UnimplementedRuntime) and
// writes main as one call:
//
//	func main() { vm.Serve(&runtime{}) }
//
// The node sends calls in batches, one Execute per batch (typically the
// calls a ledger committed). Every call of a batch runs against the same
// snapshot: a call does not see the writes of the calls before it, which
// the node applies only when the results settle. A runtime reads state
// only through ExecuteRequest.State, which is valid until Execute returns;
// over the wire it is a service the node serves for that one Execute
// through go-plugin's GRPCBroker, which this package hides.
//
// Determinism is the contract: the same calls against the same snapshot
// give byte-identical results on every machine, because every executor of
// a call must attest the same result. Time and randomness come only from
// CallContext; there is no clock, no global randomness, no map iteration
// order and no floating point in anything that reaches a Result.
//
// The node uses Protocol and Dispense to launch a plugin and gets a
// *Client, which implements Runtime by calling the plugin over gRPC.
//
// Imports: sdk/plugin, the generated protos, go-plugin and gRPC; never
// host (this package is part of the SDK third parties build against).
package vm
