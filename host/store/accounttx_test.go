package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

type txPos struct {
	seq, index uint32
	id         codec.Hash256
}

// paymentIndex is what account_tx must return for a history of payments,
// computed from the ledgers without the store's code: each payment belongs
// to its sender and its destination.
func paymentIndex(t *testing.T, ls []*ledger.Ledger) map[codec.AccountID][]txPos {
	t.Helper()
	idx := map[codec.AccountID][]txPos{}
	for _, l := range ls {
		txs, err := l.Transactions()
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range txs {
			p := txPos{l.Seq(), tx.Index(), tx.Tx.ID()}
			dst, _ := tx.Tx.Object().LookupAccount(sf.Destination)
			idx[tx.Tx.Account()] = append(idx[tx.Tx.Account()], p)
			if dst != tx.Tx.Account() {
				idx[dst] = append(idx[dst], p)
			}
		}
	}
	return idx
}

// pageAll follows markers from q until the last page and returns every
// record's position, checking each page's size and marker.
func pageAll(t *testing.T, s *Store, q AccountTxQuery, want int) []txPos {
	t.Helper()
	limit := q.Limit
	if limit == 0 {
		limit = AccountTxDefaultLimit
	}
	limit = min(limit, AccountTxMaxLimit)
	var got []txPos
	for pages := 0; ; pages++ {
		if pages > want+1 {
			t.Fatalf("%+v: more than %d pages", q, pages)
		}
		p, err := s.AccountTx(q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		for _, r := range p.Transactions {
			h, err := s.Header(r.LedgerSeq)
			if err != nil || r.LedgerHash != h.Hash() || r.CloseTime != h.CloseTime {
				t.Fatalf("record in ledger %d carries hash %X close %d; header %X %d (%v)", r.LedgerSeq, r.LedgerHash, r.CloseTime, h.Hash(), h.CloseTime, err)
			}
			got = append(got, txPos{r.LedgerSeq, r.Index(), r.Tx.ID()})
		}
		remaining := want - (len(got) - len(p.Transactions))
		if len(p.Transactions) != min(limit, remaining) {
			t.Fatalf("%+v: page of %d, want %d", q, len(p.Transactions), min(limit, remaining))
		}
		if p.Marker == nil {
			return got
		}
		if len(p.Transactions) != limit {
			t.Fatalf("%+v: short page of %d with a marker", q, len(p.Transactions))
		}
		q.Marker = p.Marker
	}
}

func TestAccountTxPagesVisitEveryTransactionExactlyOnce(t *testing.T) {
	s := openTest(t, "", testConfig())
	c, ls := history(t, s, rand.New(rand.NewPCG(7, 7)), 6, 15, 8)
	index := paymentIndex(t, ls)
	last := ls[len(ls)-1].Seq()
	accounts := []codec.AccountID{c.genesis.AccountID(), {0xAB}} // one that never transacted
	for _, a := range c.accounts {
		accounts = append(accounts, a.AccountID())
	}
	bounds := [][2]uint32{{0, 0}, {3, 0}, {0, 9}, {5, 11}, {7, 7}, {last + 1, 0}, {0, last + 50}}
	for _, a := range accounts {
		for _, b := range bounds {
			var want []txPos
			for _, p := range index[a] {
				if p.seq >= b[0] && (b[1] == 0 || p.seq <= b[1]) {
					want = append(want, p)
				}
			}
			for _, forward := range []bool{true, false} {
				w := slices.Clone(want)
				if !forward {
					slices.Reverse(w)
				}
				for _, limit := range []int{1, 2, 3, 7, 0, 1000} {
					q := AccountTxQuery{Account: a, MinSeq: b[0], MaxSeq: b[1], Forward: forward, Limit: limit}
					got := pageAll(t, s, q, len(w))
					if !slices.Equal(got, w) {
						t.Fatalf("%s bounds %v forward=%v limit %d:\n got %v\nwant %v", a, b, forward, limit, got, w)
					}
				}
			}
		}
	}
}

func TestAccountTxReportsTheSearchedRangeAndRejectsBadQueries(t *testing.T) {
	s := openTest(t, "", testConfig())
	if p, err := s.AccountTx(AccountTxQuery{}); err != nil || len(p.Transactions) != 0 || p.Marker != nil {
		t.Fatalf("empty store: %+v %v", p, err)
	}
	c, ls := history(t, s, rand.New(rand.NewPCG(8, 8)), 4, 5, 5)
	last := ls[len(ls)-1].Seq()
	a := c.accounts[0].AccountID()

	p, err := s.AccountTx(AccountTxQuery{Account: a, MinSeq: 2, MaxSeq: 1000})
	if err != nil || p.LedgerMin != 2 || p.LedgerMax != last {
		t.Fatalf("searched %d..%d (%v), want 2..%d", p.LedgerMin, p.LedgerMax, err, last)
	}
	if _, err := s.AccountTx(AccountTxQuery{Account: a, Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
	if _, err := s.AccountTx(AccountTxQuery{Account: a, MinSeq: 5, MaxSeq: 4}); err == nil {
		t.Error("MinSeq above MaxSeq accepted")
	}
	// A marker outside the bounds is clamped to them, never escapes them.
	all := pageAll(t, s, AccountTxQuery{Account: a, Forward: true}, len(paymentIndex(t, ls)[a]))
	p, err = s.AccountTx(AccountTxQuery{Account: a, Forward: true, MinSeq: 3, Marker: &Marker{Ledger: 1}})
	if err != nil || len(p.Transactions) == 0 || p.Transactions[0].LedgerSeq < 3 {
		t.Fatalf("forward marker before MinSeq: %+v %v", p, err)
	}
	p, err = s.AccountTx(AccountTxQuery{Account: a, Marker: &Marker{Ledger: last + 10}})
	if err != nil || len(p.Transactions) != len(all) {
		t.Fatalf("backward marker past the end: %d records %v, want %d", len(p.Transactions), err, len(all))
	}
}

// An account is indexed for every transaction that touched it, even one
// that names it nowhere but in the metadata: an issuer whose trust lines a
// holder-to-holder payment ripples through.
func TestAccountTxIncludesAccountsFoundOnlyInMetadata(t *testing.T) {
	s := openTest(t, "", testConfig())
	c := newChain(t, 4)
	must := mustLedger(t)
	gw, alice, bob, carol := c.accounts[0], c.accounts[1], c.accounts[2], c.accounts[3]
	cny, err := codec.ParseCurrency("CNY")
	if err != nil {
		t.Fatal(err)
	}
	iou := func(v string) codec.Amount {
		x, err := codec.ParseValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return codec.NewIssued(x, cny, gw.AccountID())
	}
	trust := func(kp crypto.KeyPair) func(*ledger.OpenLedger) error {
		return func(o *ledger.OpenLedger) error {
			return submit(o, kp, func(obj *codec.STObject) {
				obj.Set(sf.TransactionType, uint16(codec.TxTrustSet))
				obj.Set(sf.LimitAmount, iou("1000"))
			})
		}
	}
	pay := func(from crypto.KeyPair, to codec.AccountID, amt codec.Amount) func(*ledger.OpenLedger) error {
		return func(o *ledger.OpenLedger) error {
			return submit(o, from, func(obj *codec.STObject) {
				obj.Set(sf.TransactionType, uint16(codec.TxPayment))
				obj.Set(sf.Destination, to)
				obj.Set(sf.Amount, amt)
			})
		}
	}
	g := c.closed
	ls := []*ledger.Ledger{g, must(c.fund(1_000_000_000))}
	for _, step := range []func(*ledger.OpenLedger) error{
		trust(alice), trust(bob),
		pay(gw, alice.AccountID(), iou("100")),
		pay(alice, bob.AccountID(), iou("10")), // ripples through gw's two lines
		func(o *ledger.OpenLedger) error { // fails (tecPATH_DRY): carol has no line
			tx, err := sign(o, gw, func(obj *codec.STObject) {
				obj.Set(sf.TransactionType, uint16(codec.TxPayment))
				obj.Set(sf.Destination, carol.AccountID())
				obj.Set(sf.Amount, iou("1"))
			})
			if err != nil {
				return err
			}
			if out := o.Apply(tx); !out.Applied || out.Result.String() != "tecPATH_DRY" {
				return fmt.Errorf("want an applied tecPATH_DRY, got %s applied=%v", out.Result, out.Applied)
			}
			return nil
		},
	} {
		ls = append(ls, must(c.build(step)))
	}
	for _, l := range ls {
		if err := s.SaveLedger(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Ledgers: 2 fund, 3 alice trusts, 4 bob trusts, 5 gw->alice, 6 alice->bob, 7 gw->carol (tec).
	for _, w := range []struct {
		name string
		kp   crypto.KeyPair
		seqs []uint32
	}{
		{"gw", gw, []uint32{2, 3, 4, 5, 6, 7}}, // 3, 4 and 6 only through LowLimit/HighLimit in the metadata
		{"alice", alice, []uint32{2, 3, 5, 6}},
		{"bob", bob, []uint32{2, 4, 6}},
		{"carol", carol, []uint32{2, 7}}, // 7 only as the failed payment's Destination
	} {
		p, err := s.AccountTx(AccountTxQuery{Account: w.kp.AccountID(), Forward: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []uint32
		for _, r := range p.Transactions {
			got = append(got, r.LedgerSeq)
		}
		if !slices.Equal(got, w.seqs) {
			t.Errorf("%s: transactions in ledgers %v, want %v", w.name, got, w.seqs)
		}
	}
}
