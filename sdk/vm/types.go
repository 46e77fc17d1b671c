package vm

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/jtchain/jtchain/sdk/plugin"
)

// Limits the SDK enforces on both sides of the wire, so a batch that is too
// big fails with an error that says so instead of a gRPC transport error.
// The whole request and the whole response of an Execute must each also
// fit plugin.MaxMessageSize.
const (
	// MaxCodeSize is the largest code Validate accepts; a runtime may set a
	// smaller limit of its own.
	MaxCodeSize = 1 << 20
	// MaxBatchCalls is the most calls one Execute may carry; the node
	// splits bigger batches.
	MaxBatchCalls = 4096
	// MaxKeySize is the longest state key a runtime may read.
	MaxKeySize = 4096
)

// AccountID is a 20-byte ledger account id (a caller, a contract).
type AccountID [20]byte

// Hash256 is a 32-byte hash (ledger hashes, code hashes, seeds).
type Hash256 [32]byte

// ConfigureRequest is the runtime's configuration, sent once per launch
// before any other call but Info.
type ConfigureRequest struct {
	// APIMinor is the negotiated minor: the smaller of the node's and the
	// plugin's. The runtime must not use features newer than it.
	APIMinor uint32
	// HostCapabilities name optional node features the runtime may use.
	HostCapabilities []string
	// Config is the operator's config for this plugin (a JSON object),
	// already validated against its ConfigSchema; nil when there is none.
	Config json.RawMessage
	// ChainID names the chain the node serves.
	ChainID string
	// DataDir is a private directory for this instance, never the node DB.
	// A runtime's results must not depend on anything it keeps there.
	DataDir string
}

// Decode reads Config into v, a pointer to the runtime's config struct,
// strictly: a key v has no field for, a value of the wrong type, trailing
// data or a config that is not a JSON object is an error, since a misspelt
// setting that is silently ignored changes a chain-level component without
// anyone noticing. An empty config leaves v as it is (its defaults).
func (r ConfigureRequest) Decode(v any) error { return plugin.DecodeConfig(r.Config, v) }

// ConfigureResponse is empty; it exists so fields can be added.
type ConfigureResponse struct{}

// ValidateRequest carries code a contract deploy wants to install.
type ValidateRequest struct{ Code []byte }

// ValidateResponse says whether the code may be deployed.
type ValidateResponse struct {
	// Problems say why the code is refused, each naming the problem; none
	// means it is accepted.
	Problems []string
}

// OK reports whether the code was accepted.
func (r ValidateResponse) OK() bool { return len(r.Problems) == 0 }

// Call is one contract call.
type Call struct {
	// CodeHash identifies Code; the node guarantees that equal hashes mean
	// equal code, so a runtime may cache compiled code by it.
	CodeHash Hash256
	Code     []byte
	// Contract is the account of the contract being called. Its state keys
	// are StateKey(Contract, key), and its writes must stay among them.
	Contract AccountID
	Input    []byte
	Context  CallContext
	// GasLimit is the most gas the call may use. Every call costs gas, so a
	// call with GasLimit 0 runs out of gas.
	GasLimit uint64
}

// CallContext is everything a call may know about its surroundings: the
// only sources of time and randomness a runtime may use.
type CallContext struct {
	// LedgerIndex is the height of the ledger that committed the call, and
	// LedgerHash its hash; the snapshot is the state after that ledger.
	LedgerIndex uint64
	LedgerHash  Hash256
	// CloseTime is that ledger's close time (UTC; compare with Equal).
	CloseTime time.Time
	// Caller is the account that sent the call.
	Caller AccountID
	// Seed is randomness the node derived from committed data, equal on
	// every executor.
	Seed Hash256
}

// ExecuteRequest is a batch of calls and the snapshot they run against.
type ExecuteRequest struct {
	Calls []Call
	// State reads the snapshot. It is valid only until Execute returns; its
	// errors must fail Execute (see Runtime.Execute).
	State StateReader
}

// ExecuteResponse holds one Result per call, in call order.
type ExecuteResponse struct{ Results []Result }

// Status is the outcome of a call.
type Status uint8

// The statuses; the values equal the proto enum's. The zero Status is not
// a valid outcome.
const (
	StatusOK       Status = iota + 1 // the call succeeded; its writes and events apply
	StatusReverted                   // the contract refused the call
	StatusOutOfGas                   // the call needed more than its GasLimit
	StatusError                      // the call failed in the runtime (bad code, a trap)
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusReverted:
		return "reverted"
	case StatusOutOfGas:
		return "out_of_gas"
	case StatusError:
		return "error"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Result is the outcome of one call.
type Result struct {
	Status Status
	Output []byte
	// GasUsed is at most the call's GasLimit.
	GasUsed uint64
	// Writes and Events are applied only for StatusOK; other results must
	// carry none.
	Writes []Write
	// ReadSet lists every key the call read with what it saw (see
	// Recorder), for the settlement-time conflict check: a result settles
	// only if none of these keys changed since the snapshot.
	ReadSet []Read
	Events  []Event
	// Error is a human-readable reason for a status other than StatusOK.
	Error string
}

// Write sets Key to Value, or deletes Key.
type Write struct {
	Key    []byte
	Value  []byte
	Delete bool
}

// Read records one key a call read: whether it existed and the SHA-256 of
// the value seen (zero when it did not exist). ReadOf builds one.
type Read struct {
	Key       []byte
	Found     bool
	ValueHash Hash256
}

// Event is something a call reports to ledger subscribers.
type Event struct {
	Name string
	Data []byte
}
