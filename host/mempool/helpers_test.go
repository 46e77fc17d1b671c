package mempool

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

var seedFlag = flag.Int64("seed", 0, "seed for randomized tests (0: time-based)")

func testSeed(t testing.TB) int64 {
	t.Helper()
	s := *seedFlag
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return s
}

var (
	keysMu sync.Mutex
	keys   = map[string]crypto.KeyPair{}
)

// key returns a named account's key pair, derived from its name: ed25519
// when the name starts with "ed-", secp256k1 otherwise. "genesis" is the
// genesis account.
func key(t testing.TB, name string) crypto.KeyPair {
	keysMu.Lock()
	defer keysMu.Unlock()
	if kp, ok := keys[name]; ok {
		return kp
	}
	var kp crypto.KeyPair
	if name == "genesis" {
		kp = crypto.GenesisKeyPair()
	} else {
		kt := crypto.Secp256k1
		if strings.HasPrefix(name, "ed-") {
			kt = crypto.Ed25519
		}
		var err error
		if kp, err = crypto.DeriveKeyPair(crypto.SeedFromPassphrase(name), kt); err != nil {
			t.Fatal(err)
		}
	}
	keys[name] = kp
	return kp
}

func id(t testing.TB, name string) codec.AccountID { return key(t, name).AccountID() }

// txOpt adjusts a transaction's JSON before it is signed.
type txOpt func(m map[string]any)

func fee(drops int64) txOpt       { return func(m map[string]any) { m["Fee"] = fmt.Sprint(drops) } }
func lastLedger(seq uint32) txOpt { return func(m map[string]any) { m["LastLedgerSequence"] = seq } }
func amount(drops int64) txOpt    { return func(m map[string]any) { m["Amount"] = fmt.Sprint(drops) } }
func memo(s string) txOpt {
	return func(m map[string]any) {
		m["Memos"] = []any{map[string]any{"Memo": map[string]any{"MemoData": fmt.Sprintf("%X", s)}}}
	}
}

// payment signs an SWT payment of 1 SWT (unless amount says otherwise) from
// one named account to another with the given sequence and a 10-drop fee.
func payment(t testing.TB, from string, seq uint32, to string, opts ...txOpt) *ledger.Tx {
	t.Helper()
	m := map[string]any{
		"TransactionType": "Payment",
		"Account":         id(t, from).String(),
		"Destination":     id(t, to).String(),
		"Amount":          "1000000",
		"Fee":             "10",
		"Flags":           0,
		"Sequence":        seq,
	}
	for _, o := range opts {
		o(m)
	}
	return sign(t, from, m)
}

func sign(t testing.TB, signer string, m map[string]any) *ledger.Tx {
	t.Helper()
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := codec.ParseJSON(js)
	if err != nil {
		t.Fatalf("tx JSON: %v", err)
	}
	if _, _, err := codec.Sign(obj, key(t, signer)); err != nil {
		t.Fatal(err)
	}
	tx, err := ledger.NewTx(obj)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// multiSigned builds a payment from an account with an empty
// SigningPubKey, signed by each named signer.
func multiSigned(t testing.TB, from string, seq uint32, to string, signers ...string) *ledger.Tx {
	t.Helper()
	m := map[string]any{
		"TransactionType": "Payment", "Account": id(t, from).String(), "Destination": id(t, to).String(),
		"Amount": "1000000", "Fee": "100", "Flags": 0, "Sequence": seq, "SigningPubKey": "",
	}
	js, _ := json.Marshal(m)
	obj, err := codec.ParseJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	signers = slices.Clone(signers)
	slices.SortFunc(signers, func(a, b string) int {
		x, y := id(t, a), id(t, b)
		return bytes.Compare(x[:], y[:])
	})
	var arr codec.Array
	for _, s := range signers {
		sig, err := key(t, s).Sign(codec.MultiSigningData(obj, id(t, s)))
		if err != nil {
			t.Fatal(err)
		}
		so := codec.NewObject(3)
		so.Set(sf.Account, id(t, s))
		so.Set(sf.SigningPubKey, key(t, s).PublicKey())
		so.Set(sf.TxnSignature, sig)
		arr = append(arr, codec.Item{Field: sf.Signer, Object: so})
	}
	obj.Set(sf.Signers, arr)
	tx, err := ledger.NewTx(obj)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// fundedLedger returns a validated ledger (sequence 2) in which each named
// account holds 1,000,000 SWT.
func fundedLedger(t testing.TB, names ...string) *ledger.Ledger {
	t.Helper()
	g, err := ledger.Genesis(ledger.GenesisConfig{
		Account:    id(t, "genesis"),
		TotalCoins: ledger.JingtumTotalCoins,
		Fees:       ledger.DefaultFees,
		CloseTime:  1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	open := g.Open()
	for i, n := range names {
		tx := payment(t, "genesis", uint32(i+1), n, amount(1_000_000_000_000))
		if out := open.Apply(tx); out.Result != ter.TesSUCCESS {
			t.Fatalf("funding %s: %s %s", n, out.Result, out.Detail)
		}
	}
	return open.Close(ledger.CloseInfo{CloseTime: 1010, Resolution: 10})
}

// testPool is a pool on a funded chain, with the chain's validated ledger.
type testPool struct {
	t testing.TB
	*Pool
	validated *ledger.Ledger
	now       uint32
}

func newTestPool(t testing.TB, cfg Config, names ...string) *testPool {
	t.Helper()
	l := fundedLedger(t, names...)
	return &testPool{t: t, Pool: New(cfg, l, crypto.Verify), validated: l, now: 1010}
}

// closeInfo returns the next close time.
func (tp *testPool) closeInfo() ledger.CloseInfo {
	tp.now += 10
	return ledger.CloseInfo{CloseTime: tp.now, Resolution: 10}
}

// closeAndAccept closes the open ledger and validates it, as the solo
// engine and the node do.
func (tp *testPool) closeAndAccept() *ledger.Ledger {
	tp.t.Helper()
	l, n := tp.CloseOpen(tp.closeInfo())
	if l == nil {
		tp.t.Fatal("CloseOpen returned no ledger")
	}
	if got := l.TxTree().Len(); got != n {
		tp.t.Fatalf("CloseOpen reported %d transactions, the ledger holds %d", n, got)
	}
	tp.Accept(l)
	tp.validated = l
	tp.check()
	return l
}

// foreign builds the ledger after the validated one from other
// transactions, as if consensus had decided a ledger this pool did not
// build.
func (tp *testPool) foreign(txs ...*ledger.Tx) *ledger.Ledger {
	tp.t.Helper()
	open := tp.validated.Open()
	for _, tx := range txs {
		if out := open.Apply(tx); !out.Applied {
			tp.t.Fatalf("foreign ledger: %s %s", out.Result, out.Detail)
		}
	}
	l := open.Close(ledger.CloseInfo{CloseTime: tp.now + 5, Resolution: 10})
	tp.now += 10
	return l
}

func (tp *testPool) accept(l *ledger.Ledger) {
	tp.t.Helper()
	tp.Accept(l)
	tp.validated = l
	tp.check()
}

// submit submits tx and requires the code and state.
func (tp *testPool) submit(tx *ledger.Tx, want ter.Code, state string) Result {
	tp.t.Helper()
	r := tp.Submit(tx)
	if r.Code != want || stateOf(r) != state {
		tp.t.Fatalf("submit %s seq %d: got %s %s (%s, err %v), want %s %s",
			tx.Account(), tx.Sequence(), r.Code, stateOf(r), r.Detail, r.Err, want, state)
	}
	tp.check()
	return r
}

func stateOf(r Result) string {
	switch {
	case r.Applied && r.Queued:
		return "applied+queued"
	case r.Applied:
		return "applied"
	case r.Queued:
		return "queued"
	}
	return "rejected"
}

// inOpen reports whether tx is in the open ledger.
func (tp *testPool) inOpen(tx *ledger.Tx) bool {
	var ok bool
	tp.Current(func(o *ledger.OpenLedger) { ok = o.Contains(tx.ID()) })
	return ok
}

// seq is the account's sequence in the open ledger.
func (tp *testPool) seq(name string) uint32 {
	var s uint32
	tp.Current(func(o *ledger.OpenLedger) {
		if r := o.Read(ledger.AccountKeylet(id(tp.t, name))); r != nil {
			s = r.UInt32(sf.Sequence)
		}
	})
	return s
}

func (tp *testPool) check() {
	tp.t.Helper()
	if err := tp.checkInvariants(); err != nil {
		tp.t.Fatal(err)
	}
}

func (tp *testPool) wantCounts(open, queued int) {
	tp.t.Helper()
	if got := tp.TxsAvailable(); got != open {
		tp.t.Fatalf("open ledger holds %d transactions, want %d", got, open)
	}
	if got := tp.Pending() - tp.TxsAvailable(); got != queued {
		tp.t.Fatalf("%d transactions queued, want %d", got, queued)
	}
}
