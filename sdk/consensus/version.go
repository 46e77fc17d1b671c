package consensus

// APIMajor is the consensus protocol major this SDK speaks (the package
// jt.consensus.v1 and go-plugin's negotiated version).
const APIMajor = 1

// APIMinor is the highest minor of APIMajor this SDK implements. Every
// additive change to jt.consensus.v1 or jt.base.v1 bumps it.
const APIMinor = 0

// CapRestore is the capability of an engine that implements Restorer. The
// SDK declares it for the plugin; the node restarts only such engines.
const CapRestore = "consensus.restore"
