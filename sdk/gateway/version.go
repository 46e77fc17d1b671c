package gateway

// APIMajor is the gateway protocol major this SDK speaks (the package
// jt.gateway.v1 and go-plugin's negotiated version).
const APIMajor = 1

// APIMinor is the highest minor of APIMajor this SDK implements. Every
// additive change to jt.gateway.v1 or jt.base.v1 bumps it.
const APIMinor = 0

// CapReserves is the capability of a gateway that implements
// ReservesReporter. The SDK declares it for the plugin.
const CapReserves = "gateway.reserves"
