package vm

// APIMajor is the vm protocol major this SDK speaks (the package jt.vm.v1
// and go-plugin's negotiated version).
const APIMajor = 1

// APIMinor is the highest minor of APIMajor this SDK implements. Every
// additive change to jt.vm.v1 or jt.base.v1 bumps it.
const APIMinor = 0
