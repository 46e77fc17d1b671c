package consensus

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/jtchain/jtchain/host/codec"
)

// Engine is a consensus algorithm as a pure state machine.
type Engine interface {
	// Step applies one input and returns the effects, in the order the
	// caller must carry them out.
	Step(in Input) []Output
}

// Validator is a member of the validator set of a height.
type Validator struct {
	Address   codec.AccountID // the validator's identity (node key account id)
	PublicKey []byte          // node public key, verifies its messages
}

// Block identifies a candidate or decided ledger. Payload is engine-defined
// bytes that travel with proposals (RBFT puts the transaction list there);
// the solo engine leaves it empty.
type Block struct {
	Height   uint64
	ID       codec.Hash256 // the engine's id of the block (solo: the ledger hash; RBFT: rbft.BlockID(Payload))
	ParentID codec.Hash256
	Payload  []byte
}

// Inputs.
type (
	// Input is one event given to Step.
	Input interface{ isInput() }

	// StartHeight begins consensus on Height, the ledger after ParentID.
	StartHeight struct {
		Height     uint64
		ParentID   codec.Hash256
		Validators []Validator
		Seed       codec.Hash256
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
		BlockID codec.Hash256
		OK      bool
	}
	// Message is a consensus message from a validator (or this node's own,
	// looped back), whose Signature the driver has already checked over the
	// engine's sign bytes of Payload. Engines keep signatures for
	// certificates and evidence.
	Message struct {
		From      codec.AccountID
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

const (
	TimeoutPropose TimeoutKind = iota + 1
	TimeoutPrevote
	TimeoutPrecommit
	TimeoutCommit
)

// Outputs.
type (
	// Output is one effect returned by Step.
	Output interface{ isOutput() }

	// BuildBlock asks the driver to build a candidate for Height from the
	// pending transactions and answer with BlockBuilt.
	BuildBlock struct {
		Height uint64
		Round  int32
	}
	// Validate asks the driver to execute Block and answer with Validated.
	Validate struct{ Block Block }
	// Commit says Block is decided: the driver stores it with Certificate in
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
	// SignAndBroadcast asks the driver to sign Payload with the node key and
	// send it to the validators.
	SignAndBroadcast struct{ Payload []byte }
	// Evidence reports provable misbehaviour.
	Evidence struct{ Payload []byte }
	// Rebroadcast asks the driver to send already-signed messages again
	// (gossip is best-effort; spec/rbft.md §9).
	Rebroadcast struct{ Messages []Message }
	// RequestCatchUp asks the driver to fetch decided ledgers from peers.
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
	Self          codec.AccountID
	CloseInterval time.Duration // least time between ledgers while transactions wait
	IdleInterval  time.Duration // most time between ledgers when nothing happens
	// LedgerTarget is the open ledger size past which fees escalate; an
	// engine may close early when it is reached (0: no early close).
	LedgerTarget int
	// Options holds engine-specific settings from the node config.
	Options map[string]string
	// Safety is the last PersistSafety record the engine emitted before the
	// node stopped (nil on first start); the engine resumes from it and never
	// signs anything it would contradict.
	Safety []byte
}

// Factory creates an engine.
type Factory func(p Params) (Engine, error)

var (
	regMu    sync.Mutex
	registry = map[string]Factory{}
)

// Register makes an engine available by name. Registering a name twice is a
// programming error.
func Register(name string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("consensus: engine " + name + " registered twice")
	}
	registry[name] = f
}

// New creates the named engine.
func New(name string, p Params) (Engine, error) {
	regMu.Lock()
	f, ok := registry[name]
	regMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("consensus: unknown engine %q (known: %v)", name, Names())
	}
	return f(p)
}

// Names lists the registered engines, sorted.
func Names() []string {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
