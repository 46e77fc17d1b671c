package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// fakeNode is a one-node chain behind the WebSocket API, for testing jt
// without jtd: real transaction decoding, signature checks and ledger rules
// (host/ledger), a ledger close every closeEvery, and the streams. It
// implements what jt uses: server_info, account_info, account_lines (empty
// unless overridden), submit, tx, ledger_closed, subscribe.
type fakeNode struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	closed    *ledger.Ledger
	open      *ledger.OpenLedger
	closeTime uint32
	txs       map[codec.Hash256]fakeTxLoc
	subs      map[*fakeSub]bool
	blobs     []string // every submitted tx_blob, in arrival order
	// override answers a command instead of the fake (result, or an error
	// token); nil or ok=false falls through.
	override func(cmd string, req map[string]any) (result any, errToken string, ok bool)
	// beforeApply may refuse a submitted transaction with a result token.
	beforeApply func(tx *ledger.Tx) (token string, refuse bool)

	conns map[*websocket.Conn]bool

	stop chan struct{}
	wg   sync.WaitGroup
}

func (f *fakeNode) setOverride(fn func(cmd string, req map[string]any) (any, string, bool)) {
	f.mu.Lock()
	f.override = fn
	f.mu.Unlock()
}

// setBeforeApply installs a hook; it runs with the node locked.
func (f *fakeNode) setBeforeApply(fn func(tx *ledger.Tx) (string, bool)) {
	f.mu.Lock()
	f.beforeApply = fn
	f.mu.Unlock()
}

// dropConnections closes every client connection, as a crashing node would.
func (f *fakeNode) dropConnections() {
	f.mu.Lock()
	conns := f.conns
	f.conns = map[*websocket.Conn]bool{}
	f.mu.Unlock()
	for c := range conns {
		c.CloseNow()
	}
}

type fakeTxLoc struct {
	tm     ledger.TxWithMeta
	ledger *ledger.Ledger
}

type fakeSub struct {
	conn     *websocket.Conn
	txs      bool
	ledgers  bool
	accounts map[string]bool
}

func newFakeNode(t *testing.T, closeEvery time.Duration) *fakeNode {
	t.Helper()
	g, err := ledger.Genesis(ledger.GenesisConfig{
		Account: crypto.GenesisKeyPair().AccountID(), TotalCoins: ledger.JingtumTotalCoins,
		Fees: ledger.DefaultFees, CloseTime: 1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeNode{t: t, closed: g, open: g.Open(), closeTime: 1000,
		txs: map[codec.Hash256]fakeTxLoc{}, subs: map[*fakeSub]bool{}, conns: map[*websocket.Conn]bool{}, stop: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		tick := time.NewTicker(closeEvery)
		defer tick.Stop()
		for {
			select {
			case <-f.stop:
				return
			case <-tick.C:
				f.closeLedger()
			}
		}
	}()
	t.Cleanup(f.shutdown)
	return f
}

func (f *fakeNode) shutdown() {
	select {
	case <-f.stop:
		return
	default:
	}
	close(f.stop)
	f.wg.Wait()
	f.srv.Close()
	f.dropConnections()
}

func (f *fakeNode) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

// fund pays drops of SWT from genesis to addr and closes a ledger.
func (f *fakeNode) fund(addr string, drops int64) {
	f.t.Helper()
	f.mu.Lock()
	g := crypto.GenesisKeyPair()
	root := f.open.Read(ledger.AccountKeylet(g.AccountID()))
	tx := map[string]any{"TransactionType": "Payment", "Account": g.AccountID().String(), "Destination": addr,
		"Amount": fmt.Sprint(drops), "Fee": "10", "Flags": 0, "Sequence": root.JSON()["Sequence"]}
	blob, _, err := signTxJSON(tx, g)
	if err != nil {
		f.t.Fatal(err)
	}
	ltx, err := ledger.DecodeTx(blob)
	if err != nil {
		f.t.Fatal(err)
	}
	if out := f.open.Apply(ltx); out.Result != ter.TesSUCCESS {
		f.t.Fatalf("funding %s: %v", addr, out.Result)
	}
	f.mu.Unlock()
	f.closeLedger()
}

func (f *fakeNode) submittedBlobs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.blobs...)
}

func (f *fakeNode) closeLedger() {
	f.mu.Lock()
	f.closeTime++
	l := f.open.Close(ledger.CloseInfo{CloseTime: f.closeTime, Resolution: 10})
	f.closed, f.open = l, l.Open()
	txs, err := l.Transactions()
	if err != nil {
		f.mu.Unlock()
		f.t.Errorf("fake node: %v", err)
		return
	}
	type out struct {
		sub *fakeSub
		msg []byte
	}
	var msgs []out
	hash := fmt.Sprintf("%X", l.Hash())
	for _, tm := range txs {
		f.txs[tm.Tx.ID()] = fakeTxLoc{tm, l}
		tj := tm.Tx.JSON()
		m, _ := json.Marshal(map[string]any{"type": "transaction", "transaction": tj, "meta": tm.Meta.JSON(),
			"engine_result": tm.Result().Token(), "engine_result_code": int(tm.Result()), "engine_result_message": tm.Result().Message(),
			"ledger_hash": hash, "ledger_index": l.Seq(), "status": "closed", "validated": true})
		for s := range f.subs {
			if s.txs || s.accounts[fmt.Sprint(tj["Account"])] || s.accounts[fmt.Sprint(tj["Destination"])] {
				msgs = append(msgs, out{s, m})
			}
		}
	}
	lm, _ := json.Marshal(map[string]any{"type": "ledgerClosed", "ledger_index": l.Seq(), "ledger_hash": hash,
		"ledger_time": f.closeTime, "fee_base": 10, "fee_ref": 10, "reserve_base": 10_000_000, "reserve_inc": 1_000_000,
		"txn_count": len(txs), "validated_ledgers": fmt.Sprintf("1-%d", l.Seq())})
	for s := range f.subs {
		if s.ledgers {
			msgs = append(msgs, out{s, lm})
		}
	}
	f.mu.Unlock()
	for _, o := range msgs {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = o.sub.conn.Write(ctx, websocket.MessageText, o.msg)
		cancel()
	}
}

func (f *fakeNode) serve(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	sub := &fakeSub{conn: conn, accounts: map[string]bool{}}
	f.mu.Lock()
	f.conns[conn] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.subs, sub)
		delete(f.conns, conn)
		f.mu.Unlock()
	}()
	ctx := r.Context()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var req map[string]any
		if json.Unmarshal(data, &req) != nil {
			continue
		}
		cmd, _ := req["command"].(string)
		result, errTok := f.handle(cmd, req, sub)
		resp := map[string]any{"id": req["id"], "type": "response"}
		if errTok != "" {
			code, msg := fakeErrors[errTok].code, fakeErrors[errTok].msg
			resp["status"], resp["error"], resp["error_code"], resp["error_message"], resp["request"] = "error", errTok, code, msg, req
		} else {
			resp["status"], resp["result"] = "success", result
		}
		b, _ := json.Marshal(resp)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			return
		}
	}
}

var fakeErrors = map[string]struct {
	code int
	msg  string
}{
	"actNotFound": {18, "Account not found."}, "txnNotFound": {27, "Transaction not found."},
	"invalidParams": {29, "Invalid parameters."}, "unknownCmd": {30, "Unknown command."},
	"txBlobInvalid":      {63, "The tx_blob is an invalid parameter, parsing failure."},
	"invalidTransaction": {0, "fails local checks: Invalid signature."},
}

func (f *fakeNode) handle(cmd string, req map[string]any, sub *fakeSub) (any, string) {
	f.mu.Lock()
	override := f.override
	f.mu.Unlock()
	if override != nil {
		if res, tok, ok := override(cmd, req); ok {
			return res, tok
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	closedHash := fmt.Sprintf("%X", f.closed.Hash())
	switch cmd {
	case "server_info":
		return map[string]any{"info": map[string]any{
			"build_version": "fake-1", "complete_ledgers": fmt.Sprintf("1-%d", f.closed.Seq()), "hostid": "FAKE",
			"pubkey_node": "n9KAa2zVWjPHgfzsE3iZ8HAbzJtPrnoh4H2M2HgE7dfqtvyEb1KJ", "server_state": "full", "peers": 0,
			"load_factor": 1, "validation_quorum": 1, "uptime": 3725,
			"validated_ledger": map[string]any{"seq": f.closed.Seq(), "hash": closedHash, "age": 1,
				"base_fee_swt": 0.00001, "reserve_base_swt": 10, "reserve_inc_swt": 1},
		}}, ""
	case "ledger_closed":
		return map[string]any{"ledger_hash": closedHash, "ledger_index": f.closed.Seq()}, ""
	case "subscribe":
		for _, s := range asStrings(req["streams"]) {
			switch s {
			case "transactions":
				sub.txs = true
			case "ledger":
				sub.ledgers = true
			}
		}
		for _, a := range asStrings(req["accounts"]) {
			sub.accounts[a] = true
		}
		f.subs[sub] = true
		return map[string]any{"fee_base": 10, "fee_ref": 10, "ledger_hash": closedHash, "ledger_index": f.closed.Seq(),
			"ledger_time": f.closeTime, "reserve_base": 10_000_000, "reserve_inc": 1_000_000, "server_status": "full",
			"validated_ledgers": fmt.Sprintf("1-%d", f.closed.Seq())}, ""
	case "account_info":
		addr, _ := req["account"].(string)
		id, err := crypto.ParseAddress(addr)
		if err != nil {
			return nil, "invalidParams"
		}
		var view interface {
			Read(ledger.Keylet) *codec.STObject
		} = f.open
		validated := req["ledger_index"] == "validated"
		if validated {
			view = f.closed
		}
		root := view.Read(ledger.AccountKeylet(id))
		if root == nil {
			return nil, "actNotFound"
		}
		res := map[string]any{"account_data": root.JSON(), "validated": validated}
		if validated {
			res["ledger_index"], res["ledger_hash"] = f.closed.Seq(), closedHash
		} else {
			res["ledger_current_index"] = f.open.Seq()
		}
		return res, ""
	case "account_lines":
		return map[string]any{"account": req["account"], "lines": []any{}}, ""
	case "submit":
		blobHex, _ := req["tx_blob"].(string)
		blob, err := hex.DecodeString(blobHex)
		if err != nil {
			return nil, "txBlobInvalid"
		}
		tx, err := ledger.DecodeTx(blob)
		if err != nil {
			return nil, "txBlobInvalid"
		}
		if err := ledger.VerifySignatures(tx, crypto.Verify); err != nil {
			return nil, "invalidTransaction"
		}
		f.blobs = append(f.blobs, strings.ToUpper(blobHex))
		var code ter.Code
		if f.beforeApply != nil {
			if tok, refuse := f.beforeApply(tx); refuse {
				code, _ = ter.Parse(tok)
			}
		}
		if code == 0 {
			code = f.open.Apply(tx).Result
		}
		return map[string]any{"engine_result": code.Token(), "engine_result_code": int(code),
			"engine_result_message": code.Message(), "tx_blob": blobHex, "tx_json": tx.JSON()}, ""
	case "tx":
		h, _ := req["transaction"].(string)
		var id codec.Hash256
		if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
			return nil, "invalidParams"
		} else {
			copy(id[:], b)
		}
		loc, ok := f.txs[id]
		if !ok {
			return nil, "txnNotFound"
		}
		res := loc.tm.Tx.JSON()
		res["meta"], res["inLedger"], res["ledger_index"], res["validated"] = loc.tm.Meta.JSON(), loc.ledger.Seq(), loc.ledger.Seq(), true
		res["date"] = loc.ledger.Header().CloseTime
		return res, ""
	}
	return nil, "unknownCmd"
}

func asStrings(v any) []string {
	var out []string
	if a, ok := v.([]any); ok {
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
