// Package gatewaytest is the conformance suite for gateways: a plugin
// author runs it from go test, in process and against the built binary, to
// learn before a node does whether the gateway keeps the contract of
// sdk/gateway.
//
//	var suite = gatewaytest.Suite{NewBackend: newTestBank} // a fresh external system per check
//	func TestConforms(t *testing.T)       { suite.Run(t, func(*testing.T) gateway.Gateway { return &acme{} }) }
//	func TestBinaryConforms(t *testing.T) { suite.RunBinary(t, binPath) } // built in TestMain
//
// The suite cannot make deposits appear in an external system it does not
// know, so the author supplies a Backend: a test double of that system
// (or a sandbox of the real one) with the config that points a gateway at
// it and a way to add a confirmed deposit. The checks are about the
// contract:
//
//   - Info names the gateway (name, semver version) and, over the wire,
//     reports kind gateway and the SDK's API major; declared reserves are
//     well formed;
//   - Configure accepts the Backend's config and refuses malformed config
//     (not JSON, not an object, an unknown key, and Suite.InvalidConfigs)
//     with an error, not a panic or a dead plugin;
//   - WatchDeposits from the start yields the deposits in the order they
//     were made, well formed, then new ones as they are made;
//   - WatchDeposits from a deposit's cursor, on a fresh instance (as after
//     a restart), yields exactly the deposits after it: none again, none
//     skipped, in order;
//   - WatchDeposits returns promptly once its context is cancelled, with
//     no error or the context's, and the gateway goes on working;
//   - Redeem is idempotent on the redemption id, also when retried
//     concurrently and on a fresh instance with the same data directory;
//     different redemptions get different references; with
//     Backend.Payouts the suite also counts the money that moved;
//   - Redeem refuses malformed requests (an empty id, an amount that is
//     not a positive decimal, ...) with an error, not a panic, and pays
//     nothing.
//
// Waiting is bounded, never timed: a check waits up to ten seconds for a
// deposit or for WatchDeposits to return and fails if nothing happens; a
// gateway that polls its external system must poll often enough under the
// Backend's config.
//
// Imports: sdk/... and go-plugin only, never host (this package is part of
// the SDK third parties build against).
package gatewaytest
