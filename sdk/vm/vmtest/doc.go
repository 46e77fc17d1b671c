// Package vmtest is the conformance suite for contract runtimes: a plugin
// author runs it from go test, in process and against the built binary, to
// learn before a node does whether the runtime keeps the contract of
// sdk/vm.
//
//	var suite = vmtest.Suite{Calls: ..., State: ...} // sample calls in the runtime's own code
//	func TestConforms(t *testing.T)       { suite.Run(t, func(*testing.T) vm.Runtime { return &runtime{} }) }
//	func TestBinaryConforms(t *testing.T) { suite.RunBinary(t, binPath) } // built in TestMain
//
// The suite cannot write contracts for a runtime it does not know, so the
// author supplies sample calls (Suite.Calls) and the state they run
// against (Suite.State). The checks are about the contract, not about what
// the samples compute:
//
//   - Info names the runtime (name, semver version, semantics) and, over
//     the wire, reports kind vm and the SDK's API major;
//   - Configure accepts Suite.Config and refuses malformed config (not
//     JSON, not an object, an unknown key, and Suite.InvalidConfigs) with an
//     error, not a panic or a dead plugin;
//   - Validate accepts the samples' code and refuses empty code, code one
//     byte over the size limit and Suite.InvalidCode, naming a problem;
//   - Execute of an empty batch gives no results and no error;
//   - Execute returns exactly one result per call, in call order: a batch
//     gives what its calls give one by one, and reversing the batch
//     reverses the results;
//   - Execute is deterministic: the same batch against the same state
//     gives identical results twice on one runtime and on a fresh one;
//   - Execute respects the gas limit: gas used never exceeds it, every call
//     costs gas, and one unit less than a call used makes it run out of gas
//     without writes;
//   - Execute reads state only through the StateReader: each call's read
//     set is exactly the keys it was served, with the values served, and a
//     batch run again against changed state reads the new values;
//   - a StateReader that fails makes Execute fail rather than turn the
//     failure into a call's result.
//
// Concurrency: the suite calls a runtime from one goroutine at a time.
//
// Imports: sdk/... and go-plugin only, never host (this package is part of
// the SDK third parties build against).
package vmtest
