package store

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// chain builds real ledgers for tests: a genesis ledger, then ledgers of
// signed payments between a set of funded accounts. It is deterministic for
// a given seed and account count, so a crashed child process and its parent
// can rebuild the same accounts.
type chain struct {
	closed   *ledger.Ledger
	genesis  crypto.KeyPair
	accounts []crypto.KeyPair
	byID     map[codec.AccountID]crypto.KeyPair
	now      uint32
	// records, when set, gives the BLHR records build seals into ledger seq
	// after its transactions.
	records func(seq uint32) []ledger.SealedRecord
}

const chainCloseStart = 1000

func newChain(t testing.TB, accounts int) *chain {
	t.Helper()
	c, err := makeChain(accounts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func makeChain(accounts int) (*chain, error) {
	gk := crypto.GenesisKeyPair()
	g, err := ledger.Genesis(ledger.GenesisConfig{
		Account:    gk.AccountID(),
		TotalCoins: ledger.JingtumTotalCoins,
		Fees:       ledger.DefaultFees,
		CloseTime:  chainCloseStart,
	})
	if err != nil {
		return nil, err
	}
	c := &chain{closed: g, genesis: gk, byID: map[codec.AccountID]crypto.KeyPair{gk.AccountID(): gk}, now: chainCloseStart}
	for i := range accounts {
		kp, err := crypto.DeriveKeyPair(crypto.SeedFromPassphrase(fmt.Sprintf("store-test-%d", i)), crypto.Ed25519)
		if err != nil {
			return nil, err
		}
		c.accounts = append(c.accounts, kp)
		c.byID[kp.AccountID()] = kp
	}
	return c, nil
}

// resume continues a chain from a ledger loaded from a store.
func (c *chain) resume(l *ledger.Ledger) {
	c.closed = l
	c.now = l.Header().CloseTime
}

// payment is one transfer of drops between two keys.
type payment struct {
	from  crypto.KeyPair
	to    codec.AccountID
	drops int64
}

// next applies the payments to a new ledger on top of the last one, closes it
// and returns it. Every payment must succeed.
func (c *chain) next(pays []payment) (*ledger.Ledger, error) {
	return c.build(func(open *ledger.OpenLedger) error { return pay(open, pays) })
}

func pay(open *ledger.OpenLedger, pays []payment) error {
	for _, p := range pays {
		err := submit(open, p.from, func(o *codec.STObject) {
			o.Set(sf.TransactionType, uint16(codec.TxPayment))
			o.Set(sf.Amount, codec.NewNative(p.drops))
			o.Set(sf.Destination, p.to)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// build runs fn on a new open ledger, then closes it.
func (c *chain) build(fn func(open *ledger.OpenLedger) error) (*ledger.Ledger, error) {
	open := c.closed.Open()
	if err := fn(open); err != nil {
		return nil, err
	}
	if c.records != nil {
		open.SealRecords(c.records(c.closed.Seq()+1), blhrRoot)
	}
	c.now += 10
	c.closed = open.Close(ledger.CloseInfo{CloseTime: c.now, Resolution: 10})
	return c.closed, nil
}

// submit signs a transaction from kp (Account, Sequence, Fee and Flags are
// filled in; fill sets the rest) and applies it; it must succeed.
func submit(open *ledger.OpenLedger, kp crypto.KeyPair, fill func(*codec.STObject)) error {
	tx, err := sign(open, kp, fill)
	if err != nil {
		return err
	}
	if out := open.Apply(tx); out.Result != ter.TesSUCCESS {
		return fmt.Errorf("%s from %s: %s (%s)", tx.Type(), kp.AccountID(), out.Result, out.Detail)
	}
	return nil
}

// sign builds and signs a transaction from kp for the open ledger.
func sign(open *ledger.OpenLedger, kp crypto.KeyPair, fill func(*codec.STObject)) (*ledger.Tx, error) {
	seq := uint32(1)
	if root := open.Read(ledger.AccountKeylet(kp.AccountID())); root != nil {
		seq = root.UInt32(sf.Sequence)
	}
	obj := codec.NewObject(10)
	obj.Set(sf.Flags, uint32(0))
	obj.Set(sf.Sequence, seq)
	obj.Set(sf.Fee, codec.NewNative(10))
	obj.Set(sf.Account, kp.AccountID())
	fill(obj)
	if _, _, err := codec.Sign(obj, kp); err != nil {
		return nil, err
	}
	return ledger.NewTx(obj)
}

// fund pays each account from genesis, in one ledger.
func (c *chain) fund(drops int64) (*ledger.Ledger, error) {
	pays := make([]payment, len(c.accounts))
	for i, a := range c.accounts {
		pays[i] = payment{from: c.genesis, to: a.AccountID(), drops: drops}
	}
	return c.next(pays)
}

// random builds a ledger of n payments between random funded accounts.
func (c *chain) random(rng *rand.Rand, n int) (*ledger.Ledger, error) {
	pays := make([]payment, n)
	for i := range pays {
		from := rng.IntN(len(c.accounts))
		to := rng.IntN(len(c.accounts) - 1)
		if to >= from {
			to++
		}
		pays[i] = payment{from: c.accounts[from], to: c.accounts[to].AccountID(), drops: 1 + rng.Int64N(1000)}
	}
	return c.next(pays)
}

// withRecords builds a ledger of the payments with recs sealed after them.
func (c *chain) withRecords(pays []payment, recs []ledger.SealedRecord) (*ledger.Ledger, error) {
	return c.build(func(open *ledger.OpenLedger) error {
		if err := pay(open, pays); err != nil {
			return err
		}
		open.SealRecords(recs, blhrRoot)
		return nil
	})
}

// blhrRoot is the root function ledger.SealRecords takes.
func blhrRoot(ids []codec.Hash256) codec.Hash256 {
	r, err := blhr.Root(ids)
	if err != nil {
		panic(err) // only for no ids, which SealRecords never passes
	}
	return r
}

// unsignedRecord makes an unsigned record whose id derives from tag and
// whose encoding is size bytes derived from tag.
func unsignedRecord(tag string, size int) ledger.SealedRecord {
	id := codec.Hash256(sha256.Sum256([]byte(tag)))
	enc := make([]byte, size)
	for i := range enc {
		enc[i] = id[i%len(id)] ^ byte(i>>5)
	}
	return ledger.SealedRecord{ID: id, Encoding: enc}
}

func mustLedger(t testing.TB) func(*ledger.Ledger, error) *ledger.Ledger {
	return func(l *ledger.Ledger, err error) *ledger.Ledger {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
}
