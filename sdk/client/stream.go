package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// Stream names for Subscribe (spec/jingtum-wire.md §7.4).
const (
	StreamLedger       = "ledger"       // ledgerClosed messages
	StreamServer       = "server"       // serverStatus messages
	StreamTransactions = "transactions" // every validated transaction
)

// StreamMessage is a message the node pushes without a request: no id, and a
// type such as "ledgerClosed", "transaction" or "serverStatus".
type StreamMessage struct {
	Type string
	Raw  json.RawMessage // the whole message
	// Dropped counts the stream messages dropped just before this one
	// because the channel was full. Non-zero means the reader missed some.
	Dropped uint64
}

// Subscription is the answer to Subscribe.
type Subscription struct {
	// C delivers the stream messages. A Client has one stream channel:
	// every Subscribe on it returns the same C, which carries the messages
	// of all its subscriptions and is closed when the Client closes.
	C <-chan StreamMessage
	// Result is the node's answer. With the "ledger" stream it describes the
	// last closed ledger (ledger_index, ledger_hash, fee_base, reserve_base,
	// ...), which LedgerClosedEvent can decode.
	Result json.RawMessage
}

// Stream returns the client's stream channel (see Subscription.C).
func (c *Client) Stream() <-chan StreamMessage { return c.stream }

type subscribeParams struct {
	Streams  []string `json:"streams,omitempty"`
	Accounts []string `json:"accounts,omitempty"`
}

// Subscribe asks the node to push streams (StreamLedger, StreamServer,
// StreamTransactions, ...) and the transactions that affect accounts. See
// the package documentation for what happens when the caller reads slowly.
func (c *Client) Subscribe(ctx context.Context, streams, accounts []string) (*Subscription, error) {
	if len(streams) == 0 && len(accounts) == 0 {
		return nil, fmt.Errorf("client: subscribe: no streams or accounts")
	}
	res, err := c.Request(ctx, "subscribe", subscribeParams{streams, accounts})
	if err != nil {
		return nil, err
	}
	return &Subscription{C: c.stream, Result: res}, nil
}

// Unsubscribe stops streams and account streams.
func (c *Client) Unsubscribe(ctx context.Context, streams, accounts []string) error {
	if len(streams) == 0 && len(accounts) == 0 {
		return fmt.Errorf("client: unsubscribe: no streams or accounts")
	}
	_, err := c.Request(ctx, "unsubscribe", subscribeParams{streams, accounts})
	return err
}

// TransactionEvent is a "transaction" stream message.
type TransactionEvent struct {
	Hash             string
	TransactionType  string
	Account          string
	Sequence         uint32
	EngineResult     string // e.g. "tesSUCCESS"
	EngineResultCode int
	// Result is meta.TransactionResult, the result recorded in the ledger;
	// EngineResult when the message has no metadata.
	Result      string
	LedgerIndex uint32
	LedgerHash  string
	Validated   bool
	Transaction json.RawMessage // the transaction's fields
	Meta        json.RawMessage // its metadata (AffectedNodes, ...)
}

type transactionWire struct {
	Transaction      json.RawMessage `json:"transaction"`
	Meta             json.RawMessage `json:"meta"`
	EngineResult     string          `json:"engine_result"`
	EngineResultCode flexInt         `json:"engine_result_code"`
	LedgerIndex      flexUint32      `json:"ledger_index"`
	LedgerHash       string          `json:"ledger_hash"`
	Validated        bool            `json:"validated"`
}

type txFieldsWire struct {
	Hash            string     `json:"hash"`
	TransactionType string     `json:"TransactionType"`
	Account         string     `json:"Account"`
	Sequence        flexUint32 `json:"Sequence"`
}

type metaResultWire struct {
	TransactionResult string `json:"TransactionResult"`
}

// Transaction decodes a "transaction" stream message.
func (m StreamMessage) Transaction() (TransactionEvent, error) {
	if m.Type != "transaction" {
		return TransactionEvent{}, fmt.Errorf("client: a %q stream message is not a transaction", m.Type)
	}
	var w transactionWire
	if err := json.Unmarshal(m.Raw, &w); err != nil {
		return TransactionEvent{}, fmt.Errorf("client: transaction message: %w", err)
	}
	var f txFieldsWire
	if err := json.Unmarshal(w.Transaction, &f); err != nil || f.Hash == "" {
		return TransactionEvent{}, fmt.Errorf("client: transaction message without transaction.hash")
	}
	ev := TransactionEvent{
		Hash: f.Hash, TransactionType: f.TransactionType, Account: f.Account, Sequence: uint32(f.Sequence),
		EngineResult: w.EngineResult, EngineResultCode: int(w.EngineResultCode), Result: w.EngineResult,
		LedgerIndex: uint32(w.LedgerIndex), LedgerHash: w.LedgerHash, Validated: w.Validated,
		Transaction: w.Transaction, Meta: w.Meta,
	}
	var mr metaResultWire
	if len(w.Meta) > 0 && json.Unmarshal(w.Meta, &mr) == nil && mr.TransactionResult != "" {
		ev.Result = mr.TransactionResult
	}
	return ev, nil
}

// LedgerClosedEvent is a "ledgerClosed" stream message, or the result of
// subscribing to the "ledger" stream. Fees and reserves are in drops.
type LedgerClosedEvent struct {
	LedgerIndex      uint32 `json:"ledger_index"`
	LedgerHash       string `json:"ledger_hash"`
	LedgerTime       uint32 `json:"ledger_time"` // Ripple-epoch seconds
	FeeBase          int64  `json:"fee_base"`
	FeeRef           int64  `json:"fee_ref"`
	ReserveBase      int64  `json:"reserve_base"`
	ReserveInc       int64  `json:"reserve_inc"`
	TxnCount         int    `json:"txn_count"`
	ValidatedLedgers string `json:"validated_ledgers"`
}

type ledgerClosedWire struct {
	LedgerIndex      flexUint32 `json:"ledger_index"`
	LedgerHash       string     `json:"ledger_hash"`
	LedgerTime       flexUint32 `json:"ledger_time"`
	FeeBase          flexInt    `json:"fee_base"`
	FeeRef           flexInt    `json:"fee_ref"`
	ReserveBase      flexInt    `json:"reserve_base"`
	ReserveInc       flexInt    `json:"reserve_inc"`
	TxnCount         flexInt    `json:"txn_count"`
	ValidatedLedgers string     `json:"validated_ledgers"`
}

// DecodeLedgerClosed decodes a ledgerClosed message or a subscribe result.
func DecodeLedgerClosed(raw json.RawMessage) (LedgerClosedEvent, error) {
	var w ledgerClosedWire
	if err := decode("ledgerClosed", raw, &w); err != nil {
		return LedgerClosedEvent{}, err
	}
	return LedgerClosedEvent{
		LedgerIndex: uint32(w.LedgerIndex), LedgerHash: w.LedgerHash, LedgerTime: uint32(w.LedgerTime),
		FeeBase: int64(w.FeeBase), FeeRef: int64(w.FeeRef), ReserveBase: int64(w.ReserveBase),
		ReserveInc: int64(w.ReserveInc), TxnCount: int(w.TxnCount), ValidatedLedgers: w.ValidatedLedgers,
	}, nil
}

// LedgerClosed decodes a "ledgerClosed" stream message.
func (m StreamMessage) LedgerClosed() (LedgerClosedEvent, error) {
	if m.Type != "ledgerClosed" {
		return LedgerClosedEvent{}, fmt.Errorf("client: a %q stream message is not ledgerClosed", m.Type)
	}
	return DecodeLedgerClosed(m.Raw)
}
