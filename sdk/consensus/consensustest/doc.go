// Package consensustest is the conformance suite for consensus engines: a
// plugin author runs it from go test, in process and against the built
// binary, to learn before a node does whether the engine keeps the contract
// of sdk/consensus.
//
//	func TestConforms(t *testing.T)       { consensustest.Run(t, func(*testing.T) consensus.Engine { return &engine{} }) }
//	func TestBinaryConforms(t *testing.T) { consensustest.RunBinary(t, binPath) } // built in TestMain
//
// The checks are about the contract, not any one algorithm, so solo, raft
// and RBFT as a plugin all pass them:
//
//   - Info names the engine (name, semver version, semantics) and, over the
//     wire, reports kind consensus and the SDK's API major;
//   - Configure accepts valid Params and refuses malformed ones (an unknown
//     option, plus any the Suite adds) with an error, not a panic or a dead
//     plugin; Step after a refused Configure is an error too;
//   - Step with an empty batch returns no outputs and no error;
//   - inputs a node delivers in ordinary operation but the engine did not
//     ask for (garbage messages, verdicts on unknown blocks, timers and
//     answers for other heights) are ignored without an error;
//   - two fresh engines fed the same seeded random input sequence return
//     identical outputs, and every output is well formed (a Commit carries
//     a block with a height and an id and never contradicts an earlier
//     Commit, a ScheduleTimeout has a positive delay, no output names a
//     height the engine was never started on).
//
// Randomized checks log their seed; -seed replays one. The package
// registers the -seed flag unless the test binary already has one, so a
// test package that imports it reads the seed with Seed instead of
// defining its own flag.
//
// Concurrency: the node calls an engine from one goroutine (Info, then
// Configure, then Step after Step), so engines need no locks, and the suite
// calls them the same way; it never calls Step concurrently.
//
// Imports: sdk/... and go-plugin only, never host (this package is part of
// the SDK third parties build against).
package consensustest
