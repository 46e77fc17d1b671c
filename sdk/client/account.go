package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// Ledger selectors for the ledger argument of account queries. A decimal
// ledger sequence or a 64-hex ledger hash also work; "" leaves the choice to
// the node (rippled picks "current").
const (
	SelectValidated = "validated" // the latest ledger the network agreed on: final
	SelectClosed    = "closed"    // the latest closed ledger, not yet validated
	SelectCurrent   = "current"   // the open ledger: includes transactions not yet closed
)

// selectLedger adds the ledger selector to params the way the JS libraries
// do (spec/jingtum-wire.md §7.2): a number or a name in ledger_index, a hash
// in ledger_hash.
func selectLedger(params map[string]any, ledger string) {
	switch {
	case ledger == "":
	case isDecimal(ledger):
		n, err := strconv.ParseUint(ledger, 10, 32)
		if err == nil {
			params["ledger_index"] = n
			return
		}
		params["ledger_index"] = ledger
	case len(ledger) == 64 && isHex(ledger):
		params["ledger_hash"] = ledger
	default:
		params["ledger_index"] = ledger
	}
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// AccountInfo is account_info's AccountRoot with where it was read. Balance
// is in drops (1 SWT = 1,000,000 drops).
type AccountInfo struct {
	Account           string
	Balance           int64
	Flags             uint32
	OwnerCount        uint32
	Sequence          uint32 // the sequence the account's next transaction must use
	PreviousTxnID     string
	PreviousTxnLgrSeq uint32
	RegularKey        string
	LedgerIndex       uint32 // ledger_index, or ledger_current_index for the open ledger
	LedgerHash        string
	Validated         bool
	Raw               json.RawMessage // the whole result
}

type accountInfoWire struct {
	AccountData struct {
		Account           string     `json:"Account"`
		Balance           flexInt    `json:"Balance"`
		Flags             flexUint32 `json:"Flags"`
		OwnerCount        flexUint32 `json:"OwnerCount"`
		Sequence          flexUint32 `json:"Sequence"`
		PreviousTxnID     string     `json:"PreviousTxnID"`
		PreviousTxnLgrSeq flexUint32 `json:"PreviousTxnLgrSeq"`
		RegularKey        string     `json:"RegularKey"`
	} `json:"account_data"`
	LedgerIndex        flexUint32 `json:"ledger_index"`
	LedgerCurrentIndex flexUint32 `json:"ledger_current_index"`
	LedgerHash         string     `json:"ledger_hash"`
	Validated          bool       `json:"validated"`
}

// AccountInfo reads an account in the selected ledger (see SelectValidated).
// An unknown account is an *APIError matching ErrNotFound.
func (c *Client) AccountInfo(ctx context.Context, account, ledger string) (AccountInfo, error) {
	params := map[string]any{"account": account}
	selectLedger(params, ledger)
	raw, err := c.Request(ctx, "account_info", params)
	if err != nil {
		return AccountInfo{}, err
	}
	var w accountInfoWire
	if err := decode("account_info", raw, &w); err != nil {
		return AccountInfo{}, err
	}
	d := w.AccountData
	if d.Account == "" {
		return AccountInfo{}, fmt.Errorf("client: account_info: the result has no account_data")
	}
	ai := AccountInfo{
		Account: d.Account, Balance: int64(d.Balance), Flags: uint32(d.Flags), OwnerCount: uint32(d.OwnerCount),
		Sequence: uint32(d.Sequence), PreviousTxnID: d.PreviousTxnID, PreviousTxnLgrSeq: uint32(d.PreviousTxnLgrSeq),
		RegularKey: d.RegularKey, LedgerIndex: uint32(w.LedgerIndex), LedgerHash: w.LedgerHash,
		Validated: w.Validated, Raw: raw,
	}
	if ai.LedgerIndex == 0 {
		ai.LedgerIndex = uint32(w.LedgerCurrentIndex)
	}
	return ai, nil
}

// TrustLine is one line of account_lines, seen from the queried account:
// Account is the peer, Balance is positive when the peer owes the account.
// Amounts are decimal strings.
type TrustLine struct {
	Account        string `json:"account"`
	Balance        string `json:"balance"`
	Currency       string `json:"currency"`
	Limit          string `json:"limit"`
	LimitPeer      string `json:"limit_peer"`
	QualityIn      uint32 `json:"quality_in"`
	QualityOut     uint32 `json:"quality_out"`
	NoSkywell      bool   `json:"no_skywell"`
	NoSkywellPeer  bool   `json:"no_skywell_peer"`
	Authorized     bool   `json:"authorized"`
	PeerAuthorized bool   `json:"peer_authorized"`
	Freeze         bool   `json:"freeze"`
	FreezePeer     bool   `json:"freeze_peer"`
}

type trustLineWire struct {
	Account        string     `json:"account"`
	Balance        string     `json:"balance"`
	Currency       string     `json:"currency"`
	Limit          string     `json:"limit"`
	LimitPeer      string     `json:"limit_peer"`
	QualityIn      flexUint32 `json:"quality_in"`
	QualityOut     flexUint32 `json:"quality_out"`
	NoSkywell      bool       `json:"no_skywell"`
	NoSkywellPeer  bool       `json:"no_skywell_peer"`
	Authorized     bool       `json:"authorized"`
	PeerAuthorized bool       `json:"peer_authorized"`
	Freeze         bool       `json:"freeze"`
	FreezePeer     bool       `json:"freeze_peer"`
}

type accountLinesWire struct {
	Lines  []trustLineWire `json:"lines"`
	Marker json.RawMessage `json:"marker"`
}

// maxLinePages bounds the pages AccountLines follows.
const maxLinePages = 1000

// AccountLines returns all of an account's trust lines in the selected
// ledger, following the node's paging markers.
func (c *Client) AccountLines(ctx context.Context, account, ledger string) ([]TrustLine, error) {
	var lines []TrustLine
	var marker json.RawMessage
	for page := 0; ; page++ {
		if page == maxLinePages {
			return lines, fmt.Errorf("client: account_lines: more than %d pages", maxLinePages)
		}
		params := map[string]any{"account": account}
		selectLedger(params, ledger)
		if marker != nil {
			params["marker"] = marker
		}
		raw, err := c.Request(ctx, "account_lines", params)
		if err != nil {
			return lines, err
		}
		var w accountLinesWire
		if err := decode("account_lines", raw, &w); err != nil {
			return lines, err
		}
		for _, l := range w.Lines {
			lines = append(lines, TrustLine{
				Account: l.Account, Balance: l.Balance, Currency: l.Currency, Limit: l.Limit, LimitPeer: l.LimitPeer,
				QualityIn: uint32(l.QualityIn), QualityOut: uint32(l.QualityOut), NoSkywell: l.NoSkywell,
				NoSkywellPeer: l.NoSkywellPeer, Authorized: l.Authorized, PeerAuthorized: l.PeerAuthorized,
				Freeze: l.Freeze, FreezePeer: l.FreezePeer,
			})
		}
		if len(w.Marker) == 0 || bytes.Equal(w.Marker, []byte("null")) {
			return lines, nil
		}
		if bytes.Equal(w.Marker, marker) {
			return lines, fmt.Errorf("client: account_lines: the node returned the same marker twice")
		}
		marker = w.Marker
	}
}
