package rpc

import (
	"errors"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

// Backend is what the API serves from. host/node implements it; tests use a
// fake. Every method is safe for concurrent use, and none blocks for long:
// ledgers returned are immutable.
type Backend interface {
	// Status describes the node for server_info, server_state and streams.
	Status() Status
	// Validated returns the latest validated ledger, with its state.
	Validated() *ledger.Ledger
	// LedgerBySeq and LedgerByHash return a validated ledger with its state
	// while the node keeps it in memory; ErrNoState for older stored ledgers
	// (use Header and LedgerTxs), ErrLedgerNotFound for unknown ones.
	LedgerBySeq(seq uint32) (*ledger.Ledger, error)
	LedgerByHash(h codec.Hash256) (*ledger.Ledger, error)
	// Header and HeaderByHash read any stored ledger's header.
	Header(seq uint32) (ledger.Header, error)
	HeaderByHash(h codec.Hash256) (ledger.Header, error)
	// LedgerTxs returns a stored ledger's transactions in application order.
	LedgerTxs(seq uint32) ([]ledger.TxWithMeta, error)
	// Tx finds a validated transaction by id (ErrTxNotFound if unknown).
	Tx(id codec.Hash256) (TxRecord, error)
	// AccountTx pages through the validated transactions that affected an account.
	AccountTx(q AccountTxQuery) (AccountTxPage, error)
	// Current runs fn with the open ledger the node is building (read-only;
	// fn must not keep view after returning).
	Current(fn func(view ledger.ReadView))
	// Submit gives a decoded, signed transaction to the node. The signature
	// has not been checked yet: the node checks it (once, cached).
	Submit(tx *ledger.Tx) SubmitResult
	// Fees reports fee parameters and the current load.
	Fees() FeeStatus
	// CompleteLedgers is the range of validated ledgers the node stores.
	CompleteLedgers() (min, max uint32)
}

// Errors a Backend returns.
var (
	ErrLedgerNotFound = errors.New("ledger not found")
	ErrNoState        = errors.New("ledger state is no longer kept in memory")
	ErrTxNotFound     = errors.New("transaction not found")
	// ErrBusy marks a SubmitResult.Err that says the node cannot take the
	// transaction now (a full queue, too many from one account); clients see
	// rippled's tooBusy. Wrap it: fmt.Errorf("queue full: %w", rpc.ErrBusy).
	// A bad signature should wrap crypto.ErrBadSignature (as
	// ledger.VerifySignatures does); clients then see invalidTransaction.
	ErrBusy = errors.New("node is too busy")
)

// Status is the node's state as server_info reports it.
type Status struct {
	BuildVersion string
	HostID       string
	PubkeyNode   string // node public key, "n..."
	ServerState  string // always an online state the JS libraries accept ("full", "proposing", ...)
	Peers        int
	Validators   int
	Started      time.Time
	NetworkID    uint32
	Engine       string // consensus engine name
	// Consensus is the engine's round state for consensus_info and
	// server_info (height, round, step, validators, proposer, ...); nil for
	// an engine without rounds.
	Consensus map[string]any
}

// TxRecord is a validated transaction with where it landed.
type TxRecord struct {
	ledger.TxWithMeta
	LedgerSeq  uint32
	LedgerHash codec.Hash256
	CloseTime  uint32 // Ripple epoch seconds of its ledger
}

// AccountTxQuery selects an account's transactions. MinSeq/MaxSeq bound the
// ledgers (0 means the oldest / newest stored). Marker continues a page.
type AccountTxQuery struct {
	Account codec.AccountID
	MinSeq  uint32
	MaxSeq  uint32
	Forward bool // oldest first when true, newest first otherwise
	Limit   int
	Marker  *AccountTxMarker
}

// AccountTxMarker is rippled's paging marker {ledger, seq}: the position of
// the next transaction to return.
type AccountTxMarker struct {
	Ledger uint32 `json:"ledger"`
	Seq    uint32 `json:"seq"`
}

// AccountTxPage is one page of results; Marker is nil on the last page.
type AccountTxPage struct {
	Transactions []TxRecord
	MinSeq       uint32 // the ledger range actually searched
	MaxSeq       uint32
	Marker       *AccountTxMarker
}

// SubmitResult is the preliminary result of applying a submitted
// transaction to the open ledger.
type SubmitResult struct {
	Result ter.Code
	Detail string
	// Applied: the transaction is in the open ledger (tes or tec).
	// Queued: it waits for an earlier sequence (ter) and will be retried.
	Applied bool
	Queued  bool
	// Err is set when the node refused the transaction before applying it
	// (bad signature, full queue, too many from one account).
	Err error
}

// FeeStatus is the fee and load picture for the fee command and streams.
type FeeStatus struct {
	Fees           ledger.Fees
	LoadBase       uint32 // 256
	LoadFactor     uint32 // >= 256 when the open ledger is over its target
	OpenLedgerSize int    // transactions in the open ledger
	TargetSize     int    // per-ledger target before fees escalate
	QueueSize      int    // transactions waiting
	MaxQueueSize   int
	MinimumFee     int64 // drops to enter the open ledger now
}
