// Package plugin is the plumbing every jtchain plugin kind shares: the
// per-kind go-plugin handshake, the Info a plugin reports about itself, the
// typed errors a host gets when a plugin cannot be started, and the Serve
// helper each kind's Serve is built on.
//
// Plugin authors do not use this package directly: they implement a kind's
// Go interface (sdk/consensus, ...) and call that kind's Serve. The node's
// launcher (host/plugin) uses it through the kind packages' Protocol values.
//
// Invariants: stdout is the go-plugin handshake, so nothing in a plugin
// process may write to it; Serve points the standard log package and hclog
// at stderr before serving. This package imports nothing from host (it is
// part of the SDK third parties build against).
package plugin
