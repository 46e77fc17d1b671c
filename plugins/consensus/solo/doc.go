// Command solo is the single-validator consensus engine as a plugin: the
// node's own ledgers are final. It behaves exactly as the in-process engine
// host/consensus/solo does for the same inputs (the host's
// plugin_equivalence_test compares them step by step): it closes a ledger
// when transactions are waiting, at most every CloseInterval, at least
// every IdleInterval so subscribers see ledgers advance, and as soon as the
// open ledger holds half of LedgerTarget, keeping the other half as headroom
// for the submissions that arrive while the ledger is stored.
//
// It takes no options and no operator config. Like every plugin it imports
// only sdk/... and the standard library, never host.
package main
