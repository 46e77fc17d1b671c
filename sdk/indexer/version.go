package indexer

// APIMajor is the indexer protocol major this SDK speaks (the package
// jt.indexer.v1 and go-plugin's negotiated version).
const APIMajor = 1

// APIMinor is the highest minor of APIMajor this SDK implements. Every
// additive change to jt.indexer.v1 or jt.base.v1 bumps it.
const APIMinor = 0
