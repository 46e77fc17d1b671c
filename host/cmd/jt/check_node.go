package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jtchain/jtchain/sdk/client"
)

// apiNode is a node's API at a ws:// or http:// URL, as jt check uses it:
// a request and its raw result, over either transport.
type apiNode struct {
	url     string
	timeout time.Duration
	ws      *client.Client // nil for HTTP JSON-RPC
	http    *http.Client
}

// checkURL accepts the endpoints jt check compares.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a node URL: want ws://HOST:PORT or http://HOST:PORT", s)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
		return nil
	}
	return fmt.Errorf("%q: want a ws://, wss://, http:// or https:// URL of a node's API", s)
}

// dialAPINode connects to a WebSocket API, or checks that an HTTP one
// answers; either way the node has answered a request when it returns.
func dialAPINode(ctx context.Context, u string, timeout time.Duration, maxInFlight int) (*apiNode, error) {
	n := &apiNode{url: u, timeout: timeout}
	if strings.HasPrefix(u, "ws") {
		dctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		c, err := client.Dial(dctx, u, &client.Options{RequestTimeout: timeout, MaxInFlight: maxInFlight})
		if err != nil {
			return nil, fmt.Errorf("cannot reach a node at %s: %w", u, errors.Unwrap(err))
		}
		n.ws = c
		return n, nil
	}
	n.http = &http.Client{Timeout: timeout}
	if _, err := n.request(ctx, "ping", nil); err != nil {
		return nil, fmt.Errorf("cannot reach a node at %s: %w", u, err)
	}
	return n, nil
}

func (n *apiNode) close() {
	if n.ws != nil {
		n.ws.Close()
	}
}

// request sends one command and returns its result; command errors are
// *client.APIError on both transports.
func (n *apiNode) request(ctx context.Context, command string, params map[string]any) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	if n.ws != nil {
		return n.ws.Request(ctx, command, params)
	}
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(map[string]any{"method": command, "params": []any{params}})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &env); err != nil || len(env.Result) == 0 {
		return nil, fmt.Errorf("%s: not a JSON-RPC answer: %.80s", command, b)
	}
	var status struct {
		Status  string          `json:"status"`
		Error   string          `json:"error"`
		Code    int             `json:"error_code"`
		Message string          `json:"error_message"`
		Request json.RawMessage `json:"request"`
	}
	json.Unmarshal(env.Result, &status)
	if status.Status == "error" || status.Error != "" {
		return nil, &client.APIError{Code: status.Error, Number: status.Code, Message: status.Message, Request: status.Request}
	}
	return env.Result, nil
}

// span is an inclusive range of ledger heights.
type span struct{ lo, hi uint32 }

// validatedRange reads server_info's complete_ledgers, capped at the
// validated ledger: the heights whose ledgers the node has and will not
// change.
func (n *apiNode) validatedRange(ctx context.Context) ([]span, error) {
	raw, err := n.request(ctx, "server_info", nil)
	if err != nil {
		return nil, fmt.Errorf("%s: server_info: %w", n.url, err)
	}
	var r struct {
		Info struct {
			CompleteLedgers string `json:"complete_ledgers"`
			Validated       *struct {
				Seq json.Number `json:"seq"`
			} `json:"validated_ledger"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%s: server_info: unexpected answer: %w", n.url, err)
	}
	spans, err := parseCompleteLedgers(r.Info.CompleteLedgers)
	if err != nil {
		return nil, fmt.Errorf("%s: server_info: %w", n.url, err)
	}
	if r.Info.Validated == nil {
		return nil, nil
	}
	top, err := strconv.ParseUint(r.Info.Validated.Seq.String(), 10, 32)
	if err != nil {
		return nil, fmt.Errorf("%s: server_info: validated_ledger.seq %q: %w", n.url, r.Info.Validated.Seq, err)
	}
	return intersect(spans, []span{{1, uint32(top)}}), nil
}

// ledgerHeader is what jt check compares at each height.
type ledgerHeader struct {
	LedgerHash      string `json:"ledger_hash"`
	ParentHash      string `json:"parent_hash"`
	TransactionHash string `json:"transaction_hash"`
	AccountHash     string `json:"account_hash"`
}

// headerFields are compared in this order and named in reports.
var headerFields = []struct {
	name string
	get  func(ledgerHeader) string
}{
	{"ledger_hash", func(h ledgerHeader) string { return h.LedgerHash }},
	{"parent_hash", func(h ledgerHeader) string { return h.ParentHash }},
	{"transaction_hash", func(h ledgerHeader) string { return h.TransactionHash }},
	{"account_hash", func(h ledgerHeader) string { return h.AccountHash }},
}

func (n *apiNode) header(ctx context.Context, seq uint32) (ledgerHeader, error) {
	raw, err := n.request(ctx, "ledger", map[string]any{"ledger_index": seq})
	if err != nil {
		return ledgerHeader{}, fmt.Errorf("%s: ledger %d: %w", n.url, seq, err)
	}
	var r struct {
		Ledger ledgerHeader `json:"ledger"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.Ledger.LedgerHash == "" {
		return ledgerHeader{}, fmt.Errorf("%s: ledger %d: unexpected answer: %.120s", n.url, seq, raw)
	}
	return r.Ledger, nil
}

// parseCompleteLedgers reads rippled's complete_ledgers: "empty", "5",
// "1-523" or a comma-separated list of those.
func parseCompleteLedgers(s string) ([]span, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "empty" {
		return nil, nil
	}
	var out []span
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(strings.TrimSpace(part), "-")
		lo, err1 := strconv.ParseUint(a, 10, 32)
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.ParseUint(b, 10, 32)
		}
		if err1 != nil || err2 != nil || lo > hi {
			return nil, fmt.Errorf("complete_ledgers %q is not a list of heights and ranges", s)
		}
		out = append(out, span{uint32(lo), uint32(hi)})
	}
	return normalize(out), nil
}

// normalize sorts spans and merges those that overlap or touch.
func normalize(in []span) []span {
	s := append([]span(nil), in...)
	for i := 1; i < len(s); i++ { // insertion sort: lists are short
		for j := i; j > 0 && s[j].lo < s[j-1].lo; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	var out []span
	for _, x := range s {
		if k := len(out) - 1; k >= 0 && uint64(x.lo) <= uint64(out[k].hi)+1 {
			out[k].hi = max(out[k].hi, x.hi)
			continue
		}
		out = append(out, x)
	}
	return out
}

// intersect returns the heights in both a and b (each normalized).
func intersect(a, b []span) []span {
	var out []span
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := max(a[i].lo, b[j].lo), min(a[i].hi, b[j].hi)
		if lo <= hi {
			out = append(out, span{lo, hi})
		}
		if a[i].hi < b[j].hi {
			i++
		} else {
			j++
		}
	}
	return out
}

func formatSpans(s []span) string {
	if len(s) == 0 {
		return "none"
	}
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprintf("%d-%d", x.lo, x.hi)
		if x.lo == x.hi {
			parts[i] = strconv.FormatUint(uint64(x.lo), 10)
		}
	}
	return strings.Join(parts, ",")
}
