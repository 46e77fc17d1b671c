package rpc

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// chain is a fake Backend over real ledgers: a genesis ledger, an open
// ledger that transactions apply to, and closed ledgers kept in memory.
// Tests build history with tx/apply/close, exactly as the node would.
type chain struct {
	t testing.TB

	mu      sync.Mutex
	closed  []*ledger.Ledger // closed[i] has seq i+1
	txs     map[uint32][]ledger.TxWithMeta
	byID    map[codec.Hash256]TxRecord
	open    *ledger.OpenLedger
	keys    map[string]crypto.KeyPair
	now     uint32
	noState map[uint32]bool

	status Status
	fees   FeeStatus
	// submitted are the transactions Submit accepted, in order.
	submitted []*ledger.Tx
}

func newChain(t testing.TB) *chain {
	t.Helper()
	g, err := ledger.Genesis(ledger.GenesisConfig{
		Account:    crypto.GenesisKeyPair().AccountID(),
		TotalCoins: ledger.JingtumTotalCoins,
		Fees:       ledger.DefaultFees,
		CloseTime:  607469770,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{
		t:       t,
		closed:  []*ledger.Ledger{g},
		txs:     map[uint32][]ledger.TxWithMeta{},
		byID:    map[codec.Hash256]TxRecord{},
		keys:    map[string]crypto.KeyPair{"genesis": crypto.GenesisKeyPair()},
		now:     607469770,
		noState: map[uint32]bool{},
		status: Status{
			BuildVersion: "0.29.60", HostID: "TEST", PubkeyNode: "n9KFgztij6QLsCk4AqDFteyJRJjMFRWV85h75wpaohRm6wVNRmDS",
			ServerState: "full", Peers: 3, Validators: 4, Started: time.Now().Add(-90 * time.Minute), Engine: "solo",
		},
		fees: FeeStatus{Fees: ledger.DefaultFees, LoadBase: 256, LoadFactor: 256, TargetSize: 50, MaxQueueSize: 1000, MinimumFee: 10},
	}
	c.open = g.Open()
	return c
}

// key is a named account's key pair, derived from its name.
func (c *chain) key(name string) crypto.KeyPair {
	c.t.Helper()
	if kp, ok := c.keys[name]; ok {
		return kp
	}
	kp, err := crypto.DeriveKeyPair(crypto.SeedFromPassphrase(name), crypto.Secp256k1)
	if err != nil {
		c.t.Fatal(err)
	}
	c.keys[name] = kp
	return kp
}

func (c *chain) id(name string) codec.AccountID { return c.key(name).AccountID() }
func (c *chain) addr(name string) string        { return c.id(name).String() }

// secret is the "s..." secret of a named account.
func (c *chain) secret(name string) string {
	if name == "genesis" {
		return "snoPBjXtMeMyMHUVTgbuqAfg1SUTb"
	}
	return crypto.EncodeSecret(crypto.SeedFromPassphrase(name), crypto.Secp256k1)
}

// tx builds and signs a transaction from JSON-like fields, filling Account,
// Fee, Flags and Sequence (from the open ledger) when absent.
func (c *chain) tx(from string, fields map[string]any) *ledger.Tx {
	c.t.Helper()
	m := map[string]any{"Account": c.addr(from), "Fee": "10000", "Flags": 0}
	for k, v := range fields {
		m[k] = v
	}
	if _, ok := m["Sequence"]; !ok {
		c.mu.Lock()
		root := c.open.Read(ledger.AccountKeylet(c.id(from)))
		c.mu.Unlock()
		seq := uint32(1)
		if root != nil {
			seq = root.UInt32(sf.Sequence)
		}
		m["Sequence"] = seq
	}
	js, _ := json.Marshal(m)
	obj, err := codec.ParseJSON(js)
	if err != nil {
		c.t.Fatalf("tx JSON: %v", err)
	}
	if _, _, err := codec.Sign(obj, c.key(from)); err != nil {
		c.t.Fatal(err)
	}
	tx, err := ledger.NewTx(obj)
	if err != nil {
		c.t.Fatal(err)
	}
	return tx
}

// apply applies a transaction to the open ledger and requires want.
func (c *chain) apply(want ter.Code, from string, fields map[string]any) *ledger.Tx {
	c.t.Helper()
	tx := c.tx(from, fields)
	c.mu.Lock()
	out := c.open.Apply(tx)
	c.mu.Unlock()
	if out.Result != want {
		c.t.Fatalf("%s %v: got %s (%s), want %s", from, fields["TransactionType"], out.Result, out.Detail, want)
	}
	return tx
}

// close seals the open ledger and records it as validated.
func (c *chain) close() (*ledger.Ledger, []ledger.TxWithMeta) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now += 10
	l := c.open.Close(ledger.CloseInfo{CloseTime: c.now, Resolution: 10})
	c.closed = append(c.closed, l)
	c.open = l.Open()
	txs, err := l.Transactions()
	if err != nil {
		c.t.Fatal(err)
	}
	c.txs[l.Seq()] = txs
	for _, t := range txs {
		c.byID[t.Tx.ID()] = TxRecord{TxWithMeta: t, LedgerSeq: l.Seq(), LedgerHash: l.Hash(), CloseTime: l.Header().CloseTime}
	}
	return l, txs
}

func pay(to string, amount any) map[string]any {
	return map[string]any{"TransactionType": "Payment", "Destination": to, "Amount": amount}
}

func iou(value, cur, issuer string) map[string]any {
	return map[string]any{"value": value, "currency": cur, "issuer": issuer}
}

// fund pays drops from genesis to each named account.
func (c *chain) fund(drops int64, names ...string) {
	c.t.Helper()
	for _, n := range names {
		c.apply(ter.TesSUCCESS, "genesis", pay(c.addr(n), fmt.Sprint(drops)))
	}
}

// Backend.

func (c *chain) Status() Status { c.mu.Lock(); defer c.mu.Unlock(); return c.status }

func (c *chain) Validated() *ledger.Ledger {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed[len(c.closed)-1]
}

func (c *chain) LedgerBySeq(seq uint32) (*ledger.Ledger, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq == 0 || int(seq) > len(c.closed) {
		return nil, ErrLedgerNotFound
	}
	if c.noState[seq] {
		return nil, ErrNoState
	}
	return c.closed[seq-1], nil
}

func (c *chain) LedgerByHash(h codec.Hash256) (*ledger.Ledger, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.closed {
		if l.Hash() == h {
			if c.noState[l.Seq()] {
				return nil, ErrNoState
			}
			return l, nil
		}
	}
	return nil, ErrLedgerNotFound
}

func (c *chain) Header(seq uint32) (ledger.Header, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq == 0 || int(seq) > len(c.closed) {
		return ledger.Header{}, ErrLedgerNotFound
	}
	return c.closed[seq-1].Header(), nil
}

func (c *chain) HeaderByHash(h codec.Hash256) (ledger.Header, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.closed {
		if l.Hash() == h {
			return l.Header(), nil
		}
	}
	return ledger.Header{}, ErrLedgerNotFound
}

func (c *chain) LedgerTxs(seq uint32) ([]ledger.TxWithMeta, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq == 0 || int(seq) > len(c.closed) {
		return nil, ErrLedgerNotFound
	}
	return c.txs[seq], nil
}

func (c *chain) Tx(id codec.Hash256) (TxRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byID[id]
	if !ok {
		return TxRecord{}, ErrTxNotFound
	}
	return r, nil
}

// AccountTx pages like rippled's accountTxPage: positions are (ledger,
// index); the marker is the position of the next transaction to return.
func (c *chain) AccountTx(q AccountTxQuery) (AccountTxPage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lo, hi := q.MinSeq, q.MaxSeq
	if lo == 0 {
		lo = 1
	}
	if hi == 0 || int(hi) > len(c.closed) {
		hi = uint32(len(c.closed))
	}
	var all []TxRecord
	for seq := lo; seq <= hi; seq++ {
		for _, t := range c.txs[seq] {
			if slices.Contains(affectedAccounts(t), q.Account) {
				all = append(all, c.byID[t.Tx.ID()])
			}
		}
	}
	if !q.Forward {
		slices.Reverse(all)
	}
	start := 0
	if q.Marker != nil {
		start = len(all)
		for i, r := range all {
			if r.LedgerSeq == q.Marker.Ledger && r.Index() == q.Marker.Seq {
				start = i
				break
			}
		}
	}
	all = all[start:]
	page := AccountTxPage{MinSeq: lo, MaxSeq: hi}
	if q.Limit > 0 && len(all) > q.Limit {
		next := all[q.Limit]
		page.Marker = &AccountTxMarker{Ledger: next.LedgerSeq, Seq: next.Index()}
		all = all[:q.Limit]
	}
	page.Transactions = all
	return page, nil
}

func (c *chain) Current(fn func(view ledger.ReadView)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn(c.open)
}

// Submit checks signatures as the node does, then applies.
func (c *chain) Submit(tx *ledger.Tx) SubmitResult {
	if err := ledger.VerifySignatures(tx, crypto.Verify); err != nil {
		return SubmitResult{Err: err}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.open.Apply(tx)
	if out.Applied {
		c.submitted = append(c.submitted, tx)
	}
	return SubmitResult{Result: out.Result, Detail: out.Detail, Applied: out.Applied}
}

func (c *chain) Fees() FeeStatus { c.mu.Lock(); defer c.mu.Unlock(); return c.fees }

func (c *chain) CompleteLedgers() (uint32, uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return 1, uint32(len(c.closed))
}

var _ Backend = (*chain)(nil)

func mustCurrency(s string) codec.Currency {
	c, err := codec.ParseCurrency(s)
	if err != nil {
		panic(err)
	}
	return c
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
