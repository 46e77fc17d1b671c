package client

import (
	"context"
	"encoding/json"
)

// ServerInfo is the essential part of server_info's "info" object
// (spec/jingtum-wire.md §7.3). Raw holds the whole object.
type ServerInfo struct {
	BuildVersion     string
	CompleteLedgers  string // e.g. "1-2064052,2106781-2838574"
	HostID           string
	PubkeyNode       string
	ServerState      string // e.g. "full", possibly followed by its duration
	Peers            int
	LoadFactor       float64
	ValidationQuorum int
	Uptime           int64   // seconds, if the node reports it
	ConvergeTime     float64 // seconds the last consensus round took
	Proposers        int
	// ValidatedLedger is nil until the node has validated a ledger.
	ValidatedLedger *LedgerSummary
	ClosedLedger    *LedgerSummary
	Raw             json.RawMessage
}

// LedgerSummary is server_info's validated_ledger or closed_ledger. Fees are
// in drops (the node reports them in SWT).
type LedgerSummary struct {
	Seq         uint32
	Hash        string
	Age         int64 // seconds since it closed
	BaseFee     int64
	ReserveBase int64
	ReserveInc  int64
}

type serverInfoWire struct {
	Info json.RawMessage `json:"info"`
}

type infoWire struct {
	BuildVersion     string             `json:"build_version"`
	CompleteLedgers  string             `json:"complete_ledgers"`
	HostID           string             `json:"hostid"`
	PubkeyNode       string             `json:"pubkey_node"`
	ServerState      string             `json:"server_state"`
	Peers            flexInt            `json:"peers"`
	LoadFactor       flexFloat          `json:"load_factor"`
	ValidationQuorum flexInt            `json:"validation_quorum"`
	Uptime           flexInt            `json:"uptime"`
	LastClose        *lastCloseWire     `json:"last_close"`
	ValidatedLedger  *ledgerSummaryWire `json:"validated_ledger"`
	ClosedLedger     *ledgerSummaryWire `json:"closed_ledger"`
}

type lastCloseWire struct {
	ConvergeTimeS flexFloat `json:"converge_time_s"`
	Proposers     flexInt   `json:"proposers"`
}

// Jingtum names the SWT fields *_swt; rippled 0.29 called them *_xrp.
type ledgerSummaryWire struct {
	Seq            flexUint32 `json:"seq"`
	Hash           string     `json:"hash"`
	Age            flexInt    `json:"age"`
	BaseFeeSWT     *swtDrops  `json:"base_fee_swt"`
	ReserveBaseSWT *swtDrops  `json:"reserve_base_swt"`
	ReserveIncSWT  *swtDrops  `json:"reserve_inc_swt"`
	BaseFeeXRP     *swtDrops  `json:"base_fee_xrp"`
	ReserveBaseXRP *swtDrops  `json:"reserve_base_xrp"`
	ReserveIncXRP  *swtDrops  `json:"reserve_inc_xrp"`
}

func (w *ledgerSummaryWire) summary() *LedgerSummary {
	if w == nil {
		return nil
	}
	pick := func(a, b *swtDrops) int64 {
		if a != nil {
			return int64(*a)
		}
		if b != nil {
			return int64(*b)
		}
		return 0
	}
	return &LedgerSummary{
		Seq: uint32(w.Seq), Hash: w.Hash, Age: int64(w.Age),
		BaseFee:     pick(w.BaseFeeSWT, w.BaseFeeXRP),
		ReserveBase: pick(w.ReserveBaseSWT, w.ReserveBaseXRP),
		ReserveInc:  pick(w.ReserveIncSWT, w.ReserveIncXRP),
	}
}

// ServerInfo asks for server_info.
func (c *Client) ServerInfo(ctx context.Context) (ServerInfo, error) {
	raw, err := c.Request(ctx, "server_info", nil)
	if err != nil {
		return ServerInfo{}, err
	}
	var outer serverInfoWire
	if err := decode("server_info", raw, &outer); err != nil {
		return ServerInfo{}, err
	}
	var w infoWire
	if err := decode("server_info", outer.Info, &w); err != nil {
		return ServerInfo{}, err
	}
	info := ServerInfo{
		BuildVersion: w.BuildVersion, CompleteLedgers: w.CompleteLedgers, HostID: w.HostID,
		PubkeyNode: w.PubkeyNode, ServerState: w.ServerState, Peers: int(w.Peers),
		LoadFactor: float64(w.LoadFactor), ValidationQuorum: int(w.ValidationQuorum), Uptime: int64(w.Uptime),
		ValidatedLedger: w.ValidatedLedger.summary(), ClosedLedger: w.ClosedLedger.summary(),
		Raw: outer.Info,
	}
	if w.LastClose != nil {
		info.ConvergeTime, info.Proposers = float64(w.LastClose.ConvergeTimeS), int(w.LastClose.Proposers)
	}
	return info, nil
}

// LedgerRef names a ledger.
type LedgerRef struct {
	LedgerIndex uint32
	LedgerHash  string
}

type ledgerRefWire struct {
	LedgerIndex flexUint32 `json:"ledger_index"`
	LedgerHash  string     `json:"ledger_hash"`
}

// LedgerClosed asks for the last closed ledger (ledger_closed).
func (c *Client) LedgerClosed(ctx context.Context) (LedgerRef, error) {
	raw, err := c.Request(ctx, "ledger_closed", nil)
	if err != nil {
		return LedgerRef{}, err
	}
	var w ledgerRefWire
	if err := decode("ledger_closed", raw, &w); err != nil {
		return LedgerRef{}, err
	}
	return LedgerRef{LedgerIndex: uint32(w.LedgerIndex), LedgerHash: w.LedgerHash}, nil
}

// FeeInfo is the answer to the fee command (rippled's shape): the open
// ledger's size and the fees, in drops, that get a transaction into it.
type FeeInfo struct {
	LedgerCurrentIndex uint32
	CurrentLedgerSize  int
	ExpectedLedgerSize int
	CurrentQueueSize   int
	MaxQueueSize       int
	BaseFee            int64 // the minimum fee of a reference transaction
	MedianFee          int64
	MinimumFee         int64 // to enter the queue
	OpenLedgerFee      int64 // to enter the open ledger now
	Raw                json.RawMessage
}

type feeWire struct {
	LedgerCurrentIndex flexUint32 `json:"ledger_current_index"`
	CurrentLedgerSize  flexInt    `json:"current_ledger_size"`
	ExpectedLedgerSize flexInt    `json:"expected_ledger_size"`
	CurrentQueueSize   flexInt    `json:"current_queue_size"`
	MaxQueueSize       flexInt    `json:"max_queue_size"`
	Drops              struct {
		BaseFee       flexInt `json:"base_fee"`
		MedianFee     flexInt `json:"median_fee"`
		MinimumFee    flexInt `json:"minimum_fee"`
		OpenLedgerFee flexInt `json:"open_ledger_fee"`
	} `json:"drops"`
}

// Fee asks for the current fee levels (fee). Nodes that predate the command
// answer with an *APIError whose Code is CodeUnknownCmd.
func (c *Client) Fee(ctx context.Context) (FeeInfo, error) {
	raw, err := c.Request(ctx, "fee", nil)
	if err != nil {
		return FeeInfo{}, err
	}
	var w feeWire
	if err := decode("fee", raw, &w); err != nil {
		return FeeInfo{}, err
	}
	return FeeInfo{
		LedgerCurrentIndex: uint32(w.LedgerCurrentIndex), CurrentLedgerSize: int(w.CurrentLedgerSize),
		ExpectedLedgerSize: int(w.ExpectedLedgerSize), CurrentQueueSize: int(w.CurrentQueueSize),
		MaxQueueSize: int(w.MaxQueueSize), BaseFee: int64(w.Drops.BaseFee), MedianFee: int64(w.Drops.MedianFee),
		MinimumFee: int64(w.Drops.MinimumFee), OpenLedgerFee: int64(w.Drops.OpenLedgerFee), Raw: raw,
	}, nil
}
