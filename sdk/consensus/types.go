package consensus

import (
	"encoding/json"
	"time"
)

// AccountID is a 20-byte account id (a validator's identity).
type AccountID [20]byte

// Hash256 is a 32-byte hash (block ids, seeds).
type Hash256 [32]byte

// Validator is a member of the validator set of a height.
type Validator struct {
	Address   AccountID // the validator's identity (node key account id)
	PublicKey []byte    // node public key, verifies its messages
}

// Block identifies a candidate or decided ledger. Payload is engine-defined
// bytes that travel with proposals.
type Block struct {
	Height   uint64
	ID       Hash256 // the engine's id of the block
	ParentID Hash256
	Payload  []byte
}

// Input is one event given to Step: one of the types below.
type Input interface{ isInput() }

type (
	// StartHeight begins consensus on Height, the ledger after ParentID.
	StartHeight struct {
		Height     uint64
		ParentID   Hash256
		Validators []Validator
		Seed       Hash256
		Now        time.Time
	}
	// Tick reports the time; engines use it for their own deadlines.
	Tick struct{ Now time.Time }
	// TxsAvailable says how many transactions wait to go into a ledger.
	TxsAvailable struct {
		Count int
		Now   time.Time
	}
	// Timeout fires a ScheduleTimeout the engine asked for.
	Timeout struct {
		Kind   TimeoutKind
		Height uint64
		Round  int32
	}
	// BlockBuilt answers BuildBlock.
	BlockBuilt struct {
		Height uint64
		Round  int32
		Block  Block
	}
	// Validated answers Validate.
	Validated struct {
		BlockID Hash256
		OK      bool
	}
	// Message is a consensus message from a validator (or this node's own,
	// looped back) whose Signature the node has already checked over the
	// engine's sign bytes of Payload. Engines keep signatures for
	// certificates and evidence.
	Message struct {
		From      AccountID
		Payload   []byte
		Signature []byte
	}
)

func (StartHeight) isInput()  {}
func (Tick) isInput()         {}
func (TxsAvailable) isInput() {}
func (Timeout) isInput()      {}
func (BlockBuilt) isInput()   {}
func (Validated) isInput()    {}
func (Message) isInput()      {}

// TimeoutKind names a consensus timer.
type TimeoutKind uint8

// The timers; the values equal the node's and the proto enum's.
const (
	TimeoutPropose TimeoutKind = iota + 1
	TimeoutPrevote
	TimeoutPrecommit
	TimeoutCommit
)

// Output is one effect returned by Step: one of the types below.
type Output interface{ isOutput() }

type (
	// BuildBlock asks the node to build a candidate for Height from the
	// pending transactions and answer with BlockBuilt.
	BuildBlock struct {
		Height uint64
		Round  int32
	}
	// Validate asks the node to execute Block and answer with Validated.
	Validate struct{ Block Block }
	// Commit says Block is decided: the node stores it with Certificate in
	// one synced write, then starts the next height.
	Commit struct {
		Block       Block
		Certificate []byte
	}
	// ScheduleTimeout asks for a Timeout input after Delay.
	ScheduleTimeout struct {
		Kind   TimeoutKind
		Height uint64
		Round  int32
		Delay  time.Duration
	}
	// PersistSafety must be fsynced before any following SignAndBroadcast.
	PersistSafety struct{ Record []byte }
	// SignAndBroadcast asks the node to sign Payload with the node key and
	// send it to the validators.
	SignAndBroadcast struct{ Payload []byte }
	// Evidence reports provable misbehaviour.
	Evidence struct{ Payload []byte }
	// Rebroadcast asks the node to send already-signed messages again.
	Rebroadcast struct{ Messages []Message }
	// RequestCatchUp asks the node to fetch decided ledgers from peers.
	RequestCatchUp struct{ Height uint64 }
)

func (BuildBlock) isOutput()       {}
func (Validate) isOutput()         {}
func (Commit) isOutput()           {}
func (ScheduleTimeout) isOutput()  {}
func (PersistSafety) isOutput()    {}
func (SignAndBroadcast) isOutput() {}
func (Evidence) isOutput()         {}
func (Rebroadcast) isOutput()      {}
func (RequestCatchUp) isOutput()   {}

// Params are what the node tells an engine about its chain and itself.
type Params struct {
	// ChainID separates this chain's signatures from every other chain's.
	ChainID       string
	Self          AccountID
	CloseInterval time.Duration // least time between ledgers while transactions wait
	IdleInterval  time.Duration // most time between ledgers when nothing happens
	// LedgerTarget is the open ledger size past which fees escalate; an
	// engine may close early when it is reached (0: no early close).
	LedgerTarget int
	// Options holds engine-specific settings from the node config.
	Options map[string]string
	// Safety is the last PersistSafety record the engine emitted before the
	// node stopped (nil on first start); the engine resumes from it and
	// never signs anything it would contradict.
	Safety []byte
}

// ConfigureRequest is the engine's configuration, sent once per launch
// before any Step.
type ConfigureRequest struct {
	// APIMinor is the negotiated minor: the smaller of the node's and the
	// plugin's. The engine must not use features newer than it.
	APIMinor uint32
	// HostCapabilities name optional node features the engine may use.
	HostCapabilities []string
	// Config is the operator's config for this plugin, already validated
	// against its ConfigSchema (nil when there is none).
	Config json.RawMessage
	// DataDir is a private directory for this instance, never the node DB.
	DataDir string
	Params  Params
}

// ConfigureResponse is empty; it exists so fields can be added.
type ConfigureResponse struct{}

// StepRequest is a batch of inputs, applied in order.
type StepRequest struct{ Inputs []Input }

// StepResponse holds the outputs of every input of the batch, concatenated
// in input order; the node carries them out in that order.
type StepResponse struct{ Outputs []Output }

// RestoreRequest carries what a restarted engine rebuilds its state from.
type RestoreRequest struct {
	Safety        []byte // the last PersistSafety record the node wrote
	LastCommitted uint64 // height of the last ledger the node committed
}

// RestoreResponse is empty; it exists so fields can be added.
type RestoreResponse struct{}
