package store

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
)

// Readers running while ledgers are saved see whole ledgers only: every
// LoadLatest passes Rebuild's root checks, and every transaction a page
// returns resolves by id.
func TestReadersSeeWholeLedgersWhileSaving(t *testing.T) {
	s := openTest(t, "", testConfig())
	c, _ := history(t, s, rand.New(rand.NewPCG(10, 10)), 8, 1, 5)
	stop := make(chan struct{})
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	reader := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := fn(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	reader(func() error {
		l, err := s.LoadLatest()
		if err != nil {
			return err
		}
		if _, hi, _ := s.Range(); hi < l.Seq() {
			return errors.New("Range behind a loaded ledger")
		}
		return nil
	})
	reader(func() error {
		p, err := s.AccountTx(AccountTxQuery{Account: c.accounts[0].AccountID(), Limit: 5})
		if err != nil {
			return err
		}
		for _, r := range p.Transactions {
			if _, err := s.Tx(r.Tx.ID()); err != nil {
				return err
			}
		}
		return nil
	})
	rng := rand.New(rand.NewPCG(10, 11))
	for range 40 {
		l := mustLedger(t)(c.random(rng, rng.IntN(20)))
		if err := s.SaveLedger(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
