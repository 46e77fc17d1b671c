package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/sdk/client"
)

// Limits the bad-input node runs with (DESIGN.md §4: limits on sizes, rates
// and queue lengths everywhere). admin_ips is emptied so that the loopback
// test clients are not exempt from the rate limits.
const (
	badInputRate     = 50 // requests_per_second and requests_burst of one connection
	badInputMaxFrame = 65536
	badInputMaxConns = 12 // max_connections_per_ip
)

// TestBadInputGetsClearErrorsAndNodeKeepsServing sends a real jtd every kind
// of bad input a client can send, over WebSocket and JSON-RPC, and checks
// that each gets skywelld's error (token, Jingtum error_code, error_message),
// that none changes the ledger, and that a well-behaved client on its own
// connection gets correct answers throughout.
func TestBadInputGetsClearErrorsAndNodeKeepsServing(t *testing.T) {
	n := newDevNode(t,
		"admin_ips = []",
		fmt.Sprintf("requests_per_second = %d", badInputRate),
		fmt.Sprintf("requests_burst = %d", badInputRate),
		fmt.Sprintf("max_frame_bytes = %d", badInputMaxFrame),
		fmt.Sprintf("max_body_bytes = %d", badInputMaxFrame),
		fmt.Sprintf("max_connections_per_ip = %d", badInputMaxConns),
	)
	n.start()
	ctx := ctxFor(t, 50*time.Second)
	c := n.dial(ctx)

	// Alice has a used sequence (for tefPAST_SEQ) and funds to pay fees.
	genesis, alice := genesisTestAccount(t), newTestAccount(t, "badinput-alice")
	gseq, err := nextSequence(ctx, c, genesis.addr)
	if err != nil {
		t.Fatal(err)
	}
	fund, fundHash, err := signTx(genesis.kp, payment(genesis, gseq, alice.addr, "1000000000"))
	if err != nil {
		t.Fatal(err)
	}
	if err := submitOK(ctx, c, fund); err != nil {
		t.Fatal(err)
	}
	if _, err := waitValidated(ctx, c, fundHash); err != nil {
		t.Fatal(err)
	}
	back, backHash, err := signTx(alice.kp, payment(alice, 1, genesis.addr, "1000000"))
	if err != nil {
		t.Fatal(err)
	}
	if err := submitOK(ctx, c, back); err != nil {
		t.Fatal(err)
	}
	if _, err := waitValidated(ctx, c, backHash); err != nil {
		t.Fatal(err)
	}
	before := takeLedgerSnapshot(ctx, t, c, alice.addr, genesis.addr)
	aseq := before.accounts[alice.addr].Sequence // 2: sequence 1 is used

	polite := startPoliteClient(ctx, t, n, before)

	// A valid payment from alice that the cases below spoil one way each.
	good, goodHash, err := signTx(alice.kp, payment(alice, aseq, genesis.addr, "1000"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("MalformedJSON", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		for _, frame := range []string{`{"id":1,"command":`, `[1,2]`, `null`, `"server_info"`, `{"id":1,"command":"ping"} {}`, "\xff\xfe", ``} {
			resp := roundTrip(ctx, t, ws, frame)
			// The node echoes the frame as a JSON string: invalid UTF-8
			// comes back as U+FFFD, as encoding/json writes it.
			var value string
			json.Unmarshal([]byte(jsonText(frame)), &value)
			if resp["type"] != "error" || resp["error"] != "jsonInvalid" || resp["value"] != value ||
				!strings.HasPrefix(strOf(resp["error_message"]), "Received invalid JSON") || hasKey(resp, "error_code") {
				t.Errorf("frame %q: want skywelld's jsonInvalid error with error_message and the frame as value, got %s", frame, jsonText(resp))
			}
		}
		if err := ws.Write(ctx, websocket.MessageBinary, []byte(`{"id":1,"command":"ping"}`)); err != nil {
			t.Fatal(err)
		}
		resp := readFrame(ctx, t, ws)
		if resp["type"] != "error" || resp["error"] != "wsTextRequired" || strOf(resp["error_message"]) == "" {
			t.Errorf("binary frame: want wsTextRequired with error_message, got %s", jsonText(resp))
		}
		wantError(t, roundTrip(ctx, t, ws, `{"id":7,"streams":["ledger"]}`), 7, "missingCommand", 0, "Missing command entry.")
		// The connection survives all of that.
		wantSuccess(t, roundTrip(ctx, t, ws, `{"id":8,"command":"ping"}`), 8)

		for body, want := range map[string]string{
			`{"method":`:                       "Unable to parse request",
			`[{"method":"ping"}]`:              "Unable to parse request",
			`{"params":[{}]}`:                  "Null method",
			`{"method":7,"params":[{}]}`:       "method is not string",
			`{"method":"ping","params":{}}`:    "params unparseable",
			`{"method":"ping","params":["x"]}`: "params unparseable",
		} {
			code, text := postRawRPC(ctx, t, n, body)
			if code != http.StatusBadRequest || strings.TrimSpace(text) != want {
				t.Errorf("JSON-RPC %s: want 400 %q (rippled's wording), got %d %q", body, want, code, text)
			}
		}
	})

	t.Run("UnknownCommand", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		wantError(t, roundTrip(ctx, t, ws, `{"id":3,"command":"no_such_command"}`), 3, "unknownCmd", 30, "Unknown method.")
		wantError(t, roundTrip(ctx, t, ws, `{"id":4,"command":42}`), 4, "unknownCmd", 30, "Unknown method.")
		wantError(t, roundTrip(ctx, t, ws, `{"id":5,"command":""}`), 5, "unknownCmd", 30, "Unknown method.")
		wantRPCError(t, postRPC(ctx, t, n, "no_such_command", map[string]any{}), "unknownCmd", 30, "Unknown method.")
	})

	t.Run("InvalidParams", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		nobody := newTestAccount(t, "badinput-nobody").addr
		cases := []struct {
			frame, token string
			code         int
			message      string
		}{
			{`{"id":1,"command":"account_info"}`, "invalidParams", 29, "Missing field 'account'."},
			{`{"id":2,"command":"account_info","account":"notanaddress"}`, "actMalformed", 33, "Account malformed."},
			{`{"id":3,"command":"account_info","account":12}`, "actMalformed", 33, "Account malformed."},
			{`{"id":4,"command":"account_info","account":"` + nobody + `"}`, "actNotFound", 18, "Account not found."},
			{`{"id":5,"command":"tx"}`, "invalidParams", 29, "Invalid parameters."},
			{`{"id":6,"command":"tx","transaction":"zz"}`, "notImpl", 65, "Not implemented."},
			{`{"id":7,"command":"tx","transaction":"` + strings.Repeat("AB", 32) + `"}`, "txnNotFound", 27, "Transaction not found."},
			{`{"id":8,"command":"ledger","ledger_index":"abc"}`, "invalidParams", 29, "ledgerIndexMalformed"},
			{`{"id":9,"command":"ledger","ledger_index":99999999}`, "lgrNotFound", 20, "ledgerNotFound"},
			{`{"id":10,"command":"account_tx","account":"` + alice.addr + `","limit":"x"}`, "invalidParams", 29, "Invalid field 'limit', not integer."},
			{`{"id":11,"command":"submit"}`, "invalidParams", 29, "Missing field 'secret'."},
			{`{"id":12,"command":"wallet_propose"}`, "noPermission", 6, "You don't have permission for this command."},
		}
		for _, tc := range cases {
			var req map[string]any
			if err := json.Unmarshal([]byte(tc.frame), &req); err != nil {
				t.Fatal(err)
			}
			id, _ := req["id"].(float64)
			wantError(t, roundTrip(ctx, t, ws, tc.frame), int(id), tc.token, tc.code, tc.message)
		}
		wantRPCError(t, postRPC(ctx, t, n, "account_info", map[string]any{}), "invalidParams", 29, "Missing field 'account'.")
		wantRPCError(t, postRPC(ctx, t, n, "ledger", map[string]any{"ledger_index": "abc"}), "invalidParams", 29, "ledgerIndexMalformed")
		// An unknown stream is one of skywelld's string-only errors: no
		// error_code, but an error_message all the same.
		resp := roundTrip(ctx, t, ws, `{"id":13,"command":"subscribe","streams":["no_such_stream"]}`)
		wantError(t, resp, 13, "unknownStream", 0, "")
	})

	// jingtum-lib's default: the node signs with the secret sent along.
	t.Run("ServerSigning", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		secret := crypto.EncodeSecret(crypto.SeedFromPassphrase(alice.name), crypto.Secp256k1)
		pay := func(fields map[string]any) map[string]any {
			m := map[string]any{"TransactionType": "Payment", "Account": alice.addr, "Destination": genesis.addr, "Amount": "1000"}
			for k, v := range fields {
				m[k] = v
			}
			return m
		}
		cases := []struct {
			secret  string
			txJSON  any
			token   string
			code    int
			message string
		}{
			{crypto.GenesisSecret, pay(nil), "badSecret", 40, "Secret does not match account."},
			{"", pay(nil), "badSeed", 41, "Disallowed seed."},
			{secret, "x", "invalidParams", 29, "Invalid field 'tx_json', not object."},
			{secret, map[string]any{"Account": alice.addr}, "invalidParams", 29, "Missing field 'tx_json.TransactionType'."},
			{secret, pay(map[string]any{"Account": "nope"}), "srcActMalformed", 56, "Invalid field 'tx_json.Account'."},
			{secret, pay(map[string]any{"Account": newTestAccount(t, "badinput-nobody").addr}), "srcActNotFound", 58, "Source account not found."},
			{secret, pay(map[string]any{"TransactionType": "NoSuchType"}), "invalidParams", 29, ""},
		}
		for i, tc := range cases {
			req := map[string]any{"id": i, "command": "submit", "secret": tc.secret, "tx_json": tc.txJSON}
			wantError(t, roundTrip(ctx, t, ws, jsonText(req)), i, tc.token, tc.code, tc.message)
		}
		// Signed, then refused by the transaction engine: answered with the
		// engine result, as rippled does.
		for i, tc := range []struct {
			fields map[string]any
			token  string
			code   int
		}{
			{map[string]any{"Amount": "-5"}, "temBAD_AMOUNT", -298},
			{map[string]any{"Destination": alice.addr}, "temREDUNDANT", -273},
			{map[string]any{"Fee": "1"}, "telINSUF_FEE_P", -394},
		} {
			req := map[string]any{"id": 100 + i, "command": "submit", "secret": secret, "tx_json": pay(tc.fields)}
			wantEngineResult(t, roundTrip(ctx, t, ws, jsonText(req)), 100+i, tc.token, tc.code)
		}
	})

	t.Run("InvalidTxBlob", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		const msg = "The tx_blob is an invalid parameter, parsing failure."
		for i, blob := range []any{"zz", "ABCD", "", 123, good[:len(good)-10], good + "00", "0" + good} {
			frame := jsonText(map[string]any{"id": i, "command": "submit", "tx_blob": blob})
			wantError(t, roundTrip(ctx, t, ws, frame), i, "txBlobInvalid", 63, msg)
		}
		wantRPCError(t, postRPC(ctx, t, n, "submit", map[string]any{"tx_blob": "zz"}), "txBlobInvalid", 63, msg)
		wantRPCError(t, postRPC(ctx, t, n, "submit", map[string]any{"tx_blob": good[:40]}), "txBlobInvalid", 63, msg)
	})

	t.Run("BadSignature", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		// A flipped bit inside the signature's R value (the DER stays
		// well-formed), and a signature that is not DER at all.
		flipped := resign(t, good, func(o *codec.STObject) {
			sig := append([]byte(nil), o.Blob(sf.TxnSignature)...)
			sig[10] ^= 0x01
			o.Set(sf.TxnSignature, sig)
		})
		garbage := resign(t, good, func(o *codec.STObject) { o.Set(sf.TxnSignature, []byte{0x30, 0x01, 0x00}) })
		badKey := resign(t, good, func(o *codec.STObject) {
			pk := append([]byte(nil), o.Blob(sf.SigningPubKey)...)
			pk[0] = 0x05 // no such point encoding
			o.Set(sf.SigningPubKey, pk)
		})
		const why = "fails local checks: Invalid signature."
		for i, blob := range []string{flipped, garbage, badKey} {
			resp := roundTrip(ctx, t, ws, jsonText(map[string]any{"id": i, "command": "submit", "tx_blob": blob}))
			// rippled's Submit.cpp: error invalidTransaction with the reason
			// in error_exception (and error_message for swtc-lib), no
			// error_code.
			wantError(t, resp, i, "invalidTransaction", 0, why)
			if resp["error_exception"] != why {
				t.Errorf("bad signature %d: want error_exception %q, got %s", i, why, jsonText(resp))
			}
		}
		r := postRPC(ctx, t, n, "submit", map[string]any{"tx_blob": flipped})
		wantRPCError(t, r, "invalidTransaction", 0, why)

		// A valid signature by a key that is not alice's.
		mallory := newTestAccount(t, "badinput-mallory")
		forged, _, err := signTx(mallory.kp, payment(alice, aseq, mallory.addr, "1000"))
		if err != nil {
			t.Fatal(err)
		}
		wantEngineResult(t, roundTrip(ctx, t, ws, jsonText(map[string]any{"id": 9, "command": "submit", "tx_blob": forged})), 9, "tefBAD_AUTH_MASTER", -183)
	})

	t.Run("WrongSequence", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		past, _, err := signTx(alice.kp, payment(alice, aseq-1, genesis.addr, "1000"))
		if err != nil {
			t.Fatal(err)
		}
		wantEngineResult(t, roundTrip(ctx, t, ws, jsonText(map[string]any{"id": 1, "command": "submit", "tx_blob": past})), 1, "tefPAST_SEQ", -190)
		zero, _, err := signTx(alice.kp, payment(alice, 0, genesis.addr, "1000"))
		if err != nil {
			t.Fatal(err)
		}
		wantEngineResult(t, roundTrip(ctx, t, ws, jsonText(map[string]any{"id": 2, "command": "submit", "tx_blob": zero})), 2, "tefPAST_SEQ", -190)
		// Beyond the mempool's sequence_window (64): refused, not held.
		future, _, err := signTx(alice.kp, payment(alice, aseq+1000, genesis.addr, "1000"))
		if err != nil {
			t.Fatal(err)
		}
		resp := roundTrip(ctx, t, ws, jsonText(map[string]any{"id": 3, "command": "submit", "tx_blob": future}))
		wantError(t, resp, 3, "invalidTransaction", 0, "")
		if !strings.Contains(strOf(resp["error_message"]), "sequence too far ahead") {
			t.Errorf("far-future sequence: want an error_message that says the sequence is too far ahead, got %s", jsonText(resp))
		}
	})

	t.Run("FeeTooLow", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		for i, fee := range []string{"9", "1"} {
			f := payment(alice, aseq, genesis.addr, "1000")
			f["Fee"] = fee
			cheap, _, err := signTx(alice.kp, f)
			if err != nil {
				t.Fatal(err)
			}
			wantEngineResult(t, roundTrip(ctx, t, ws, jsonText(map[string]any{"id": i, "command": "submit", "tx_blob": cheap})), i, "telINSUF_FEE_P", -394)
		}
	})

	t.Run("OversizedFrame", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		big := `{"id":1,"command":"ping","pad":"` + strings.Repeat("x", badInputMaxFrame) + `"}`
		if err := ws.Write(ctx, websocket.MessageText, []byte(big)); err != nil {
			t.Fatalf("writing the oversized frame: %v", err)
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, data, err := ws.Read(rctx)
		if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
			t.Errorf("oversized frame: want the connection closed with 1009 (message too big), got %v %q", err, data)
		}
		// HTTP bodies have their own bound.
		code, text := postRawRPC(ctx, t, n, `{"method":"ping","params":[{}],"pad":"`+strings.Repeat("x", badInputMaxFrame)+`"}`)
		if code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized JSON-RPC body: want 413, got %d %q", code, text)
		}
		// Others are served.
		wantSuccess(t, roundTrip(ctx, t, dialRaw(ctx, t, n), `{"id":2,"command":"ping"}`), 2)
	})

	// A client that sends faster than requests_per_second: skywelld's (and
	// rippled's) resource manager first answers with "warning":"load", then
	// disconnects with 1008.
	t.Run("FloodWaitingForEachAnswer", func(t *testing.T) {
		ws := dialRaw(ctx, t, n)
		fctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		var plain, warned int
		var closeErr error
		start := time.Now()
		var firstWarning time.Duration
		for i := 0; i < 10*badInputRate && closeErr == nil; i++ {
			m, err := exchange(fctx, ws, fmt.Sprintf(`{"id":%d,"command":"ping"}`, i))
			switch {
			case err != nil:
				closeErr = err
			case m["status"] != "success" || m["id"] != float64(i):
				t.Errorf("flood: unexpected answer to request %d: %s", i, jsonText(m))
			case m["warning"] == "load":
				if warned == 0 {
					firstWarning = time.Since(start)
				}
				warned++
			case warned > 0:
				t.Errorf("flood: an answer without the load warning after %d with it: %s", warned, jsonText(m))
			default:
				plain++
			}
		}
		t.Logf("flood, one request at a time: %d plain answers, %d with \"warning\":\"load\", then %v", plain, warned, closeErr)
		wantPolicyClose(t, closeErr)
		// The bucket refills during the flood, so a few more than the burst
		// may pass; the warning stage lasts about another burst.
		if most := badInputRate + int(firstWarning.Seconds()*badInputRate) + 1; plain < badInputRate || plain > most {
			t.Errorf("flood: %d plain answers before the warnings (in %v); with a burst of %d and %d/s want %d to %d",
				plain, firstWarning, badInputRate, badInputRate, badInputRate, most)
		}
		if warned < badInputRate/2 {
			t.Errorf("flood: only %d answers carried \"warning\":\"load\" before the disconnect; want about the burst, %d", warned, badInputRate)
		}
		// The same address may connect again and is served.
		wantSuccess(t, roundTrip(ctx, t, dialRaw(ctx, t, n), `{"id":1,"command":"ping"}`), 1)
	})

	// The same flood from a client that pipelines its requests: all of
	// them in one TCP write, then it reads. The node accepts about two
	// bursts of requests (the first plain, the second with the warning)
	// before it disconnects; it must deliver the answers it has produced
	// before its close frame, or the client never learns it was warned.
	t.Run("FloodPipelined", func(t *testing.T) {
		const rounds, sent = 5, 8 * badInputRate
		var burst []byte
		for i := 0; i < sent; i++ {
			burst = append(burst, maskedTextFrame([]byte(fmt.Sprintf(`{"id":%d,"command":"ping"}`, i)))...)
		}
		for round := 0; round < rounds; round++ {
			conn, br := dialBareWS(ctx, t, n)
			conn.SetDeadline(time.Now().Add(15 * time.Second))
			if _, err := conn.Write(burst); err != nil {
				t.Fatalf("writing the flood: %v", err)
			}
			var plain, warned int
			var closeErr error
			for closeErr == nil {
				op, payload, err := readServerFrame(br)
				switch {
				case err != nil:
					closeErr = err
				case op == 0x8:
					closeErr = closeFrameError(payload)
				case op != 0x1:
					t.Errorf("flood: unexpected frame opcode %#x", op)
				default:
					var m map[string]any
					if err := json.Unmarshal(payload, &m); err != nil || m["status"] != "success" {
						t.Errorf("flood: unexpected frame %s", payload)
					} else if m["warning"] == "load" {
						warned++
					} else {
						plain++
					}
				}
			}
			conn.Close()
			t.Logf("pipelined flood %d: %d requests sent, %d plain answers, %d with \"warning\":\"load\", then %v", round, sent, plain, warned, closeErr)
			wantPolicyClose(t, closeErr)
			// Requests still waiting for the worker when the node decides
			// to disconnect may go unanswered (they were not handled); the
			// answers it has already produced may not.
			if plain < badInputRate || warned < badInputRate-17 {
				t.Errorf("NODE BUG: pipelined flood %d: the node disconnected with 1008 after delivering %d plain and %d warned answers, "+
					"but it handled at least %d plain and, with at most 16 requests queued for the worker, over %d warned ones "+
					"(requests_burst = %d; a client that waits for each answer gets %d and %d): it closes without writing the "+
					"answers already in the send queue (host/rpc/websocket.go writeLoop selects sess.killCh and sess.out at "+
					"random), so the client loses answers to requests the node served, and may never see \"warning\":\"load\"",
					round, plain, warned, badInputRate, badInputRate-17, badInputRate, badInputRate, badInputRate)
			}
		}
		wantSuccess(t, roundTrip(ctx, t, dialRaw(ctx, t, n), `{"id":1,"command":"ping"}`), 1)
	})

	t.Run("ConnectionCap", func(t *testing.T) {
		// Earlier subtests' connections may still be closing; the polite
		// client and c hold two. Open until refused.
		var open []*websocket.Conn
		defer func() {
			for _, ws := range open {
				ws.CloseNow()
			}
		}()
		var refused *http.Response
		for len(open) <= badInputMaxConns {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			ws, resp, err := websocket.Dial(dctx, n.url(), nil)
			cancel()
			if err != nil {
				refused = resp
				break
			}
			open = append(open, ws)
		}
		switch {
		case refused == nil:
			t.Fatalf("opened %d connections from one address past max_connections_per_ip = %d", len(open)+2, badInputMaxConns)
		case refused.StatusCode != http.StatusServiceUnavailable:
			t.Errorf("connection over the cap: want HTTP 503, got %d", refused.StatusCode)
		case len(open)+2 > badInputMaxConns:
			t.Errorf("%d connections were accepted with max_connections_per_ip = %d", len(open)+2, badInputMaxConns)
		}
		for _, ws := range open {
			ws.Close(websocket.StatusNormalClosure, "")
		}
		open = nil
		// Freed slots are usable again.
		deadline := time.Now().Add(10 * time.Second)
		for {
			dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			ws, _, err := websocket.Dial(dctx, n.url(), nil)
			cancel()
			if err == nil {
				ws.CloseNow()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no new connection accepted 10s after closing the others: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	// Let two more ledgers close, so that anything wrongly accepted would be
	// in a validated ledger by now, and compare.
	waitLedgers(ctx, t, c, before.ledger+2)
	after := takeLedgerSnapshot(ctx, t, c, alice.addr, genesis.addr)
	before.compare(t, after)
	polite.stop(t)

	// The node still takes alice's next transaction.
	if err := submitOK(ctx, c, good); err != nil {
		t.Fatalf("alice's valid payment after the bad input: %v", err)
	}
	if r, err := waitValidated(ctx, c, goodHash); err != nil || r.Result != "tesSUCCESS" {
		t.Fatalf("alice's valid payment: %v %+v", err, r)
	}
	checkNoPanics(t, n)
}

// dialBareWS opens a WebSocket connection by hand (RFC 6455), so that a
// test can put many frames into one TCP write.
func dialBareWS(ctx context.Context, t *testing.T, n *devNode) (net.Conn, *bufio.Reader) {
	t.Helper()
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addr := fmt.Sprintf("127.0.0.1:%d", n.wsPort)
	conn, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("WebSocket handshake: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("WebSocket handshake: %s", resp.Status)
	}
	return conn, br
}

// maskedTextFrame is a client's text frame (clients must mask).
func maskedTextFrame(payload []byte) []byte {
	b := []byte{0x81}
	switch n := len(payload); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n < 1<<16:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	mask := [4]byte{0x6a, 0x74, 0x63, 0x68}
	b = append(b, mask[:]...)
	for i, c := range payload {
		b = append(b, c^mask[i%4])
	}
	return b
}

// readServerFrame reads one unmasked frame from the server.
func readServerFrame(br *bufio.Reader) (opcode byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var e [2]byte
		if _, err := io.ReadFull(br, e[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(e[0])<<8 | uint64(e[1])
	case 127:
		var e [8]byte
		if _, err := io.ReadFull(br, e[:]); err != nil {
			return 0, nil, err
		}
		n = 0
		for _, x := range e {
			n = n<<8 | uint64(x)
		}
	}
	if h[1]&0x80 != 0 || h[0]&0x80 == 0 || n > 16<<20 {
		return 0, nil, fmt.Errorf("unexpected frame header %#x %#x (length %d)", h[0], h[1], n)
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(br, payload); err != nil {
		return 0, nil, err
	}
	return h[0] & 0x0f, payload, nil
}

// closeFrameError turns a close frame's payload into the error coder/websocket
// gives for it.
func closeFrameError(payload []byte) error {
	if len(payload) < 2 {
		return websocket.CloseError{Code: websocket.StatusNoStatusRcvd}
	}
	return websocket.CloseError{Code: websocket.StatusCode(int(payload[0])<<8 | int(payload[1])), Reason: string(payload[2:])}
}

// wantPolicyClose checks that a connection ended with rippled's 1008
// "threshold exceeded" close.
func wantPolicyClose(t *testing.T, err error) {
	t.Helper()
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || ce.Reason != "threshold exceeded" {
		t.Errorf("flood: want the connection closed with 1008 \"threshold exceeded\", got %v", err)
	}
}

// ledgerSnapshot is what the rejected inputs must leave as it was.
type ledgerSnapshot struct {
	ledger     uint32
	totalCoins uint64
	accounts   map[string]client.AccountInfo // validated
	current    map[string]client.AccountInfo // open ledger
}

func takeLedgerSnapshot(ctx context.Context, t *testing.T, c *client.Client, addrs ...string) ledgerSnapshot {
	t.Helper()
	l, err := getLedger(ctx, c, "validated", false)
	if err != nil {
		t.Fatal(err)
	}
	s := ledgerSnapshot{ledger: l.Index, totalCoins: l.TotalCoins, accounts: map[string]client.AccountInfo{}, current: map[string]client.AccountInfo{}}
	for _, a := range addrs {
		v, err := c.AccountInfo(ctx, a, fmt.Sprint(l.Index))
		if err != nil {
			t.Fatal(err)
		}
		cur, err := c.AccountInfo(ctx, a, client.SelectCurrent)
		if err != nil {
			t.Fatal(err)
		}
		s.accounts[a], s.current[a] = v, cur
	}
	return s
}

func (s ledgerSnapshot) compare(t *testing.T, after ledgerSnapshot) {
	t.Helper()
	if after.totalCoins != s.totalCoins {
		t.Errorf("total_coins went from %d (ledger %d) to %d (ledger %d): a rejected transaction burnt a fee",
			s.totalCoins, s.ledger, after.totalCoins, after.ledger)
	}
	for a, b := range s.accounts {
		for _, pair := range [][2]client.AccountInfo{{b, after.accounts[a]}, {s.current[a], after.current[a]}} {
			x, y := pair[0], pair[1]
			if x.Balance != y.Balance || x.Sequence != y.Sequence || x.OwnerCount != y.OwnerCount || x.PreviousTxnID != y.PreviousTxnID {
				t.Errorf("account %s changed under rejected input: balance %d -> %d, sequence %d -> %d, owner count %d -> %d, last tx %s -> %s",
					a, x.Balance, y.Balance, x.Sequence, y.Sequence, x.OwnerCount, y.OwnerCount, x.PreviousTxnID, y.PreviousTxnID)
			}
		}
	}
}

// politeClient is the well-behaved client: server_info and account_info on its
// own connection every 200 ms, each answer checked.
type politeClient struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	rounds int
	errs   []string
}

func startPoliteClient(ctx context.Context, t *testing.T, n *devNode, want ledgerSnapshot) *politeClient {
	t.Helper()
	ws := dialRaw(ctx, t, n)
	wctx, cancel := context.WithCancel(ctx)
	w := &politeClient{cancel: cancel, done: make(chan struct{})}
	fail := func(format string, args ...any) {
		w.mu.Lock()
		w.errs = append(w.errs, time.Now().Format("15:04:05.000 ")+fmt.Sprintf(format, args...))
		w.mu.Unlock()
	}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		id, lastSeq := 0, 0.0
		for {
			select {
			case <-wctx.Done():
				return
			case <-tick.C:
			}
			id++
			resp, err := exchange(wctx, ws, fmt.Sprintf(`{"id":%d,"command":"server_info"}`, id))
			if wctx.Err() != nil {
				return
			}
			if err != nil {
				fail("server_info: %v", err)
				return // the connection is gone: nothing more to learn
			}
			info, _ := digJSON(resp, "result", "info").(map[string]any)
			seq, _ := digJSON(info, "validated_ledger", "seq").(float64)
			if resp["status"] != "success" || resp["id"] != float64(id) || hasKey(resp, "warning") || info["server_state"] == nil || seq < lastSeq || seq == 0 {
				fail("server_info: %s", jsonText(resp))
			}
			lastSeq = seq
			for addr, ai := range want.accounts {
				id++
				resp, err := exchange(wctx, ws, fmt.Sprintf(`{"id":%d,"command":"account_info","account":%q,"ledger_index":"validated"}`, id, addr))
				if wctx.Err() != nil {
					return
				}
				if err != nil {
					fail("account_info: %v", err)
					return
				}
				bal, _ := digJSON(resp, "result", "account_data", "Balance").(string)
				sq, _ := digJSON(resp, "result", "account_data", "Sequence").(float64)
				if resp["status"] != "success" || resp["id"] != float64(id) || hasKey(resp, "warning") ||
					bal != fmt.Sprint(ai.Balance) || uint32(sq) != ai.Sequence {
					fail("account_info %s: want balance %d sequence %d, got %s", addr, ai.Balance, ai.Sequence, jsonText(resp))
				}
			}
			w.mu.Lock()
			w.rounds++
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *politeClient) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.errs {
		t.Errorf("well-behaved client: %s", e)
	}
	if w.rounds < 5 {
		t.Errorf("the well-behaved client completed only %d rounds", w.rounds)
	}
	t.Logf("well-behaved client: %d rounds of server_info + account_info, all correct: %v", w.rounds, len(w.errs) == 0)
}

// dialRaw opens a bare WebSocket connection, closed when the test ends.
func dialRaw(ctx context.Context, t *testing.T, n *devNode) *websocket.Conn {
	t.Helper()
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, n.url(), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", n.url(), err)
	}
	ws.SetReadLimit(16 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

// exchange writes one text frame and reads the next frame, within 10 s.
func exchange(ctx context.Context, ws *websocket.Conn, frame string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	_, data, err := ws.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("the node answered with something that is not a JSON object: %q", data)
	}
	return m, nil
}

func roundTrip(ctx context.Context, t *testing.T, ws *websocket.Conn, frame string) map[string]any {
	t.Helper()
	m, err := exchange(ctx, ws, frame)
	if err != nil {
		t.Fatalf("request %.200q: %v", frame, err)
	}
	return m
}

func readFrame(ctx context.Context, t *testing.T, ws *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, data, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not a JSON object: %q", data)
	}
	return m
}

// wantError checks a WebSocket error response (spec/jingtum-wire.md §7.1):
// the error lifted to the top level, error_code when the error has a number
// (0: skywelld sends none), always an error_message (message "" accepts any
// non-empty one), the request echoed and the id echoed as a number.
func wantError(t *testing.T, resp map[string]any, id int, token string, code int, message string) {
	t.Helper()
	ok := resp["status"] == "error" && resp["type"] == "response" && resp["id"] == float64(id) && hasKey(resp, "request")
	if !ok || !errorFieldsMatch(resp, token, code, message) {
		t.Errorf("want error %s (error_code %d, error_message %q) for id %d, got %s", token, code, message, id, jsonText(resp))
	}
}

// wantRPCError checks a JSON-RPC error: the same fields inside "result".
func wantRPCError(t *testing.T, reply map[string]any, token string, code int, message string) {
	t.Helper()
	res, _ := reply["result"].(map[string]any)
	if res == nil || res["status"] != "error" || !hasKey(res, "request") || !errorFieldsMatch(res, token, code, message) {
		t.Errorf("JSON-RPC: want error %s (error_code %d, error_message %q) in result, got %s", token, code, message, jsonText(reply))
	}
}

func errorFieldsMatch(m map[string]any, token string, code int, message string) bool {
	msg, _ := m["error_message"].(string)
	if m["error"] != token || msg == "" || (message != "" && msg != message) {
		return false
	}
	if code == 0 {
		return !hasKey(m, "error_code")
	}
	return m["error_code"] == float64(code)
}

func wantSuccess(t *testing.T, resp map[string]any, id int) {
	t.Helper()
	if resp["status"] != "success" || resp["type"] != "response" || resp["id"] != float64(id) || !hasKey(resp, "result") {
		t.Errorf("want a success response for id %d, got %s", id, jsonText(resp))
	}
}

// wantEngineResult checks a submit that the node answered with a
// preliminary engine result (status success, as rippled answers tef/tel).
func wantEngineResult(t *testing.T, resp map[string]any, id int, token string, code int) {
	t.Helper()
	res, _ := resp["result"].(map[string]any)
	if resp["status"] != "success" || resp["id"] != float64(id) || res == nil ||
		res["engine_result"] != token || res["engine_result_code"] != float64(code) || strOf(res["engine_result_message"]) == "" {
		t.Errorf("want engine_result %s (%d) with a message, got %s", token, code, jsonText(resp))
	}
}

var rpcHTTPClient = &http.Client{Timeout: 10 * time.Second}

// postRaw sends a JSON-RPC body and returns the status and body.
func postRawRPC(ctx context.Context, t *testing.T, n *devNode, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.httpURL(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := rpcHTTPClient.Do(req)
	if err != nil {
		t.Fatalf("JSON-RPC %.100s: %v", body, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("JSON-RPC %.100s: reading the answer: %v", body, err)
	}
	return resp.StatusCode, string(b)
}

// post calls method over JSON-RPC and decodes the 200 answer.
func postRPC(ctx context.Context, t *testing.T, n *devNode, method string, params map[string]any) map[string]any {
	t.Helper()
	code, body := postRawRPC(ctx, t, n, jsonText(map[string]any{"method": method, "params": []any{params}}))
	var m map[string]any
	if err := json.NewDecoder(bytes.NewReader([]byte(body))).Decode(&m); code != http.StatusOK || err != nil {
		t.Fatalf("JSON-RPC %s: want 200 with a JSON object, got %d %q", method, code, body)
	}
	return m
}

// waitLedgers waits until the validated ledger is at least seq.
func waitLedgers(ctx context.Context, t *testing.T, c *client.Client, seq uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		l, err := getLedger(ctx, c, "validated", false)
		if err != nil {
			t.Fatal(err)
		}
		if l.Index >= seq {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the validated ledger stayed at %d, below %d", l.Index, seq)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// checkNoPanics fails the test if the node logged a recovered panic.
func checkNoPanics(t *testing.T, n *devNode) {
	t.Helper()
	for _, line := range strings.Split(n.logs(), "\n") {
		if strings.Contains(strings.ToLower(line), "panic") {
			t.Errorf("the node logged a panic: %s", line)
		}
	}
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func strOf(v any) string { s, _ := v.(string); return s }

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// resign decodes a signed blob, lets edit change it, and encodes it again
// without signing: the signature no longer matches.
func resign(t *testing.T, blob string, edit func(*codec.STObject)) string {
	t.Helper()
	b, err := hex.DecodeString(blob)
	if err != nil {
		t.Fatal(err)
	}
	o, err := codec.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	edit(o)
	return strings.ToUpper(hex.EncodeToString(o.Encode()))
}

// dig walks nested objects.
func digJSON(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
