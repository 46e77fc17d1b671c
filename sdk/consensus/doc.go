// Package consensus is the SDK for consensus-engine plugins: an alternative
// engine behind the same Step interface as the node's built-in RBFT.
//
// A plugin author implements Engine (embedding UnimplementedEngine) and
// writes main as one call:
//
//	func main() { consensus.Serve(&engine{}) }
//
// An engine is a deterministic state machine: the node feeds it inputs
// (time, transactions available, blocks built, verified messages) and
// carries out the outputs it returns (build or validate a block, commit,
// persist a safety record, sign and broadcast). It does no I/O and holds no
// keys. The types mirror the node's in-process engine interface one to one;
// they are defined here because the SDK imports nothing from host.
//
// The node uses Protocol and Dispense to launch a plugin and gets a *Client,
// which implements Engine by calling the plugin over gRPC.
package consensus
