package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// SubmitResult is the node's preliminary verdict on a submitted transaction:
// the result of applying it to the open ledger. Only a validated ledger makes
// it final (see Tx and the transactions stream).
type SubmitResult struct {
	EngineResult        string // e.g. "tesSUCCESS", "terPRE_SEQ", "tecUNFUNDED_PAYMENT"
	EngineResultCode    int
	EngineResultMessage string
	TxBlob              string
	Hash                string          // tx_json.hash
	TxJSON              json.RawMessage // the transaction as the node decoded it
	Raw                 json.RawMessage // the whole result
}

// Class is the result's class: "tes" (applied), "tec" (fee claimed, no other
// effect), "tef", "tel", "tem", "ter" (not applied), or "" if unknown.
func (r SubmitResult) Class() string { return resultClass(r.EngineResult) }

func resultClass(token string) string {
	if len(token) < 3 {
		return ""
	}
	switch c := token[:3]; c {
	case "tes", "tec", "tef", "tel", "tem", "ter":
		return c
	}
	return ""
}

type submitWire struct {
	EngineResult        string          `json:"engine_result"`
	EngineResultCode    flexInt         `json:"engine_result_code"`
	EngineResultMessage string          `json:"engine_result_message"`
	TxBlob              string          `json:"tx_blob"`
	TxJSON              json.RawMessage `json:"tx_json"`
}

// DecodeSubmitResult decodes the result of a submit request, for callers
// that send it with Go or Request.
func DecodeSubmitResult(raw json.RawMessage) (SubmitResult, error) {
	var w submitWire
	if err := decode("submit", raw, &w); err != nil {
		return SubmitResult{}, err
	}
	if w.EngineResult == "" {
		return SubmitResult{}, fmt.Errorf("client: submit: the result has no engine_result")
	}
	r := SubmitResult{
		EngineResult: w.EngineResult, EngineResultCode: int(w.EngineResultCode),
		EngineResultMessage: w.EngineResultMessage, TxBlob: w.TxBlob, TxJSON: w.TxJSON, Raw: raw,
	}
	var h struct {
		Hash string `json:"hash"`
	}
	if len(w.TxJSON) > 0 && json.Unmarshal(w.TxJSON, &h) == nil {
		r.Hash = h.Hash
	}
	return r, nil
}

// Submit sends a signed transaction blob (hex) to the node. A result that is
// not tesSUCCESS is not an error: inspect EngineResult.
func (c *Client) Submit(ctx context.Context, txBlob string) (SubmitResult, error) {
	if len(txBlob) == 0 || len(txBlob)%2 != 0 || !isHex(txBlob) {
		return SubmitResult{}, fmt.Errorf("client: submit: the blob must be non-empty hex")
	}
	raw, err := c.Request(ctx, "submit", map[string]string{"tx_blob": txBlob})
	if err != nil {
		return SubmitResult{}, err
	}
	return DecodeSubmitResult(raw)
}

// TxResult is a transaction looked up by hash.
type TxResult struct {
	Hash            string
	TransactionType string
	Account         string
	Destination     string
	Sequence        uint32
	LedgerIndex     uint32 // 0 while not in a closed ledger
	Date            uint32 // Ripple-epoch seconds of its ledger's close
	Validated       bool
	Result          string          // meta.TransactionResult, e.g. "tesSUCCESS"
	Meta            json.RawMessage // AffectedNodes, TransactionIndex, ...
	Raw             json.RawMessage // the whole result: transaction fields plus the above
}

type txWire struct {
	Hash            string          `json:"hash"`
	TransactionType string          `json:"TransactionType"`
	Account         string          `json:"Account"`
	Destination     string          `json:"Destination"`
	Sequence        flexUint32      `json:"Sequence"`
	LedgerIndex     flexUint32      `json:"ledger_index"`
	InLedger        flexUint32      `json:"inLedger"`
	Date            flexUint32      `json:"date"`
	Validated       bool            `json:"validated"`
	Meta            json.RawMessage `json:"meta"`
}

// Tx looks up a transaction by its hash (64 hex digits). A transaction the
// node does not know is an *APIError matching ErrNotFound.
func (c *Client) Tx(ctx context.Context, hash string) (TxResult, error) {
	if len(hash) != 64 || !isHex(hash) {
		return TxResult{}, fmt.Errorf("client: tx: %q is not a transaction hash (64 hex digits)", hash)
	}
	raw, err := c.Request(ctx, "tx", map[string]string{"transaction": hash})
	if err != nil {
		return TxResult{}, err
	}
	var w txWire
	if err := decode("tx", raw, &w); err != nil {
		return TxResult{}, err
	}
	r := TxResult{
		Hash: w.Hash, TransactionType: w.TransactionType, Account: w.Account, Destination: w.Destination,
		Sequence: uint32(w.Sequence), LedgerIndex: uint32(w.LedgerIndex), Date: uint32(w.Date),
		Validated: w.Validated, Meta: w.Meta, Raw: raw,
	}
	if r.LedgerIndex == 0 {
		r.LedgerIndex = uint32(w.InLedger)
	}
	var mr metaResultWire
	if len(w.Meta) > 0 && json.Unmarshal(w.Meta, &mr) == nil {
		r.Result = mr.TransactionResult
	}
	return r, nil
}
