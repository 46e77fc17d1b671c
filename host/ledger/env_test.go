package ledger

import (
	"encoding/json"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
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

// env is a small chain for tests: a genesis ledger, an open ledger, and
// named accounts with deterministic keys.
type env struct {
	t      testing.TB
	closed *Ledger
	open   *OpenLedger
	keys   map[string]crypto.KeyPair
	now    uint32
	// verify checks every signature before applying, as the node does.
	verify bool
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with a genesis config that adjust may change.
func newEnvWith(t testing.TB, adjust func(e *env, g *GenesisConfig)) *env {
	t.Helper()
	e := &env{t: t, keys: map[string]crypto.KeyPair{"genesis": crypto.GenesisKeyPair()}, now: 1000, verify: true}
	cfg := GenesisConfig{
		Account:    crypto.GenesisKeyPair().AccountID(),
		TotalCoins: JingtumTotalCoins,
		Fees:       DefaultFees,
		CloseTime:  1000,
	}
	if adjust != nil {
		adjust(e, &cfg)
	}
	g, err := Genesis(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.closed = g
	e.open = g.Open()
	return e
}

// newValidatorEnv starts a chain whose genesis validators are the named
// accounts: each name's key pair is that validator's node key, so the
// validator's account is the named account, and its VRF key is made from
// its name. The validators' accounts are funded in the first open ledger.
func newValidatorEnv(t testing.TB, validators ...string) *env {
	t.Helper()
	e := newEnvWith(t, func(e *env, g *GenesisConfig) {
		for _, v := range validators {
			g.Validators = append(g.Validators, GenesisValidator{NodePublicKey: e.key(v).PublicKey(), VRFPublicKey: e.vrfKey(v)})
		}
	})
	e.fund(1_000_000_000, validators...)
	return e
}

// vrfKey is a validator's 32-byte VRF public key: an ed25519 public key (an
// Edwards point, as ECVRF-EDWARDS25519 keys are) derived from its name.
func (e *env) vrfKey(name string) []byte { return e.key("ed-vrf-" + name).PublicKey()[1:] }

// key returns the key pair of a named account, made from its name.
func (e *env) key(name string) crypto.KeyPair {
	if kp, ok := e.keys[name]; ok {
		return kp
	}
	kt := crypto.Secp256k1
	if len(name) > 3 && name[:3] == "ed-" {
		kt = crypto.Ed25519
	}
	kp, err := crypto.DeriveKeyPair(crypto.SeedFromPassphrase(name), kt)
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[name] = kp
	return kp
}

func (e *env) id(name string) codec.AccountID { return e.key(name).AccountID() }

func (e *env) addr(name string) string { return e.id(name).String() }

// tx builds a transaction from JSON-ish fields, filling Account, Sequence
// and Fee when absent, and signs it with signer's key.
func (e *env) tx(from string, fields map[string]any, signer ...string) *Tx {
	e.t.Helper()
	m := map[string]any{"Account": e.addr(from), "Fee": "10", "Flags": 0}
	for k, v := range fields {
		m[k] = v
	}
	if _, ok := m["Sequence"]; !ok {
		root := e.open.Read(AccountKeylet(e.id(from)))
		seq := uint32(1)
		if root != nil {
			seq = root.UInt32(sf.Sequence)
		}
		m["Sequence"] = seq
	}
	js, _ := json.Marshal(m)
	obj, err := codec.ParseJSON(js)
	if err != nil {
		e.t.Fatalf("tx JSON: %v", err)
	}
	kp := e.key(from)
	if len(signer) > 0 {
		kp = e.key(signer[0])
	}
	if _, _, err := codec.Sign(obj, kp); err != nil {
		e.t.Fatal(err)
	}
	tx, err := NewTx(obj)
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

func (e *env) apply(tx *Tx) Outcome {
	e.t.Helper()
	if e.verify {
		if err := VerifySignatures(tx, crypto.Verify); err != nil {
			e.t.Fatalf("signature: %v", err)
		}
	}
	return e.open.Apply(tx)
}

// submit applies a transaction and requires the given result.
func (e *env) submit(want ter.Code, from string, fields map[string]any, signer ...string) Outcome {
	e.t.Helper()
	out := e.apply(e.tx(from, fields, signer...))
	if out.Result != want {
		e.t.Fatalf("%s %v: got %s (%s), want %s", from, fields["TransactionType"], out.Result, out.Detail, want)
	}
	return out
}

func (e *env) close() *Ledger {
	e.now += 10
	e.closed = e.open.Close(CloseInfo{CloseTime: e.now, Resolution: 10})
	e.open = e.closed.Open()
	return e.closed
}

// fund pays drops of SWT from genesis to each named account.
func (e *env) fund(drops int64, names ...string) {
	e.t.Helper()
	for _, n := range names {
		e.submit(ter.TesSUCCESS, "genesis", pay(e.addr(n), fmt.Sprint(drops)))
	}
}

func (e *env) root(name string) *codec.STObject { return e.open.Read(AccountKeylet(e.id(name))) }

func (e *env) balance(name string) int64 {
	r := e.root(name)
	if r == nil {
		return 0
	}
	a, _ := r.Amount(sf.Balance)
	return a.Drops()
}

func (e *env) owners(name string) uint32 { return e.root(name).UInt32(sf.OwnerCount) }

// held is how much of issuer's currency holder holds (negative: owes).
func (e *env) held(holder, issuer, cur string) codec.Value {
	c, err := codec.ParseCurrency(cur)
	if err != nil {
		e.t.Fatal(err)
	}
	line := e.open.Read(TrustLineKeylet(e.id(holder), e.id(issuer), c))
	if line == nil {
		return codec.ZeroValue
	}
	return lineBalance(line, sideOf(e.id(holder), e.id(issuer)))
}

func val(s string) codec.Value {
	v, err := codec.ParseValue(s)
	if err != nil {
		panic(err)
	}
	return v
}

func pay(to string, amount any) map[string]any {
	return map[string]any{"TransactionType": "Payment", "Destination": to, "Amount": amount}
}

func iou(value, cur, issuer string) map[string]any {
	return map[string]any{"value": value, "currency": cur, "issuer": issuer}
}

func trust(value, cur, issuer string) map[string]any {
	return map[string]any{"TransactionType": "TrustSet", "LimitAmount": iou(value, cur, issuer)}
}

// affected returns the metadata's AffectedNodes as (kind, entry type) pairs.
func affected(meta *codec.STObject) map[string]int {
	out := map[string]int{}
	for _, it := range meta.Array(sf.AffectedNodes) {
		t := codec.EntryType(it.Object.UInt16(sf.LedgerEntryType))
		out[it.Field.Name+"/"+t.String()]++
	}
	return out
}
