package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/sdk/client"
)

// newBenchAccounts makes n fresh accounts of key type kt, deriving keys on
// all cores.
func newBenchAccounts(n int, kt crypto.KeyType) ([]benchAccount, error) {
	accounts := make([]benchAccount, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				seed, err := crypto.NewSeed(nil)
				if err == nil {
					var kp crypto.KeyPair
					if kp, err = crypto.DeriveKeyPair(seed, kt); err == nil {
						accounts[i] = benchAccount{kp: kp, id: kp.AccountID(), address: kp.AccountID().String()}
					}
				}
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	return accounts, errors.Join(errs...)
}

// fundWindow is how many funding payments are submitted before their
// results are read.
const fundWindow = 256

// fundStallRounds is how many rounds without progress funding tolerates.
const fundStallRounds = 20

// funding sends one payment from the funder to each account, with
// consecutive sequences, and waits until all are validated.
type funding struct {
	cl       *client.Client
	timeout  time.Duration // per request
	funder   crypto.KeyPair
	startSeq uint32 // the funder's next sequence
	clk      clock
	logf     func(format string, a ...any)
}

// run submits the payments in windows and waits until they are validated.
// A window stops at the first payment the node refuses for now (tel: fee
// escalation, a full queue); jt then waits a moment, asks the node which
// sequence the funder is at, and resubmits from there. If validation stalls
// (a held payment was dropped), it resubmits from the funder's sequence too.
func (f *funding) run(ctx context.Context, accounts []benchAccount, amount, fee int64, deadline time.Time) error {
	blobs := make([]signedTx, len(accounts))
	fid := f.funder.AccountID()
	for i := range accounts {
		tx, err := signPayment(f.funder, fid, accounts[i].id, f.startSeq+uint32(i), fee, amount)
		if err != nil {
			return err
		}
		blobs[i] = tx
	}
	target := f.startSeq + uint32(len(blobs))
	from := 0
	for {
		if err := f.submitFrom(ctx, accounts, blobs, from, deadline); err != nil {
			return err
		}
		seq, done, err := f.waitValidated(ctx, target, deadline)
		if err != nil || done {
			return err
		}
		// Stalled: resubmit what the node no longer holds.
		from = max(0, int(seq)-int(f.startSeq))
		f.logf("funding: validation stalled at %d of %d; resubmitting the rest", from, len(blobs))
	}
}

// submitFrom submits blobs[from:] until the node has taken all of them.
func (f *funding) submitFrom(ctx context.Context, accounts []benchAccount, blobs []signedTx, from int, deadline time.Time) error {
	fid := f.funder.AccountID().String()
	next, stalled := from, 0
	var lastProblem string
	for next < len(blobs) {
		if f.clk.Now().After(deadline) {
			return fmt.Errorf("funding did not finish in time: %d of %d payments taken by the node (last problem: %s)", next, len(blobs), lastProblem)
		}
		end := min(next+fundWindow, len(blobs))
		rctx, cancel := context.WithTimeout(ctx, f.timeout)
		calls := make([]*client.Call, 0, end-next)
		for i := next; i < end; i++ {
			calls = append(calls, f.cl.Go(rctx, "submit", blobs[i].params))
		}
		progress, refused := 0, false
		var fatal error
		for i, call := range calls {
			raw, err := call.Wait()
			if refused || fatal != nil {
				continue
			}
			if err != nil {
				if errors.Is(err, client.ErrClosed) || ctx.Err() != nil {
					fatal = fmt.Errorf("funding: %w", err)
				} else {
					lastProblem, refused = err.Error(), true
				}
				continue
			}
			res, err := client.DecodeSubmitResult(raw)
			if err != nil {
				fatal = fmt.Errorf("funding: %w", err)
				continue
			}
			switch r := res.EngineResult; {
			case res.Class() == "tes", held(r), r == "tefALREADY", r == "tefPAST_SEQ":
				progress++
			case res.Class() == "tel":
				lastProblem, refused = r+": "+res.EngineResultMessage, true
			default:
				fatal = fmt.Errorf("funding payment %d of %d (to %s, sequence %d) failed: %s: %s",
					next+i+1, len(blobs), accounts[next+i].address, blobs[next+i].seq, r, res.EngineResultMessage)
			}
		}
		cancel()
		if fatal != nil {
			return fatal
		}
		next += progress
		if !refused {
			stalled = 0
			continue
		}
		// Let a ledger close, then resume from the funder's sequence.
		if !f.clk.Sleep(ctx, 500*time.Millisecond) {
			return ctx.Err()
		}
		rctx, cancel = context.WithTimeout(ctx, f.timeout)
		ai, err := f.cl.AccountInfo(rctx, fid, client.SelectCurrent)
		cancel()
		if err != nil {
			return fmt.Errorf("funding: reading the funder's sequence: %w", err)
		}
		if done := int(ai.Sequence) - int(f.startSeq); done > next {
			next = done
		}
		if progress == 0 {
			if stalled++; stalled >= fundStallRounds {
				return fmt.Errorf("funding is stuck at payment %d of %d: %s", next+1, len(blobs), lastProblem)
			}
		} else {
			stalled = 0
		}
		f.logf("funding: %d of %d taken; retrying after: %s", next, len(blobs), lastProblem)
	}
	return nil
}

// fundingStall is how long the funder's validated sequence may stand still
// below the target before jt resubmits.
const fundingStall = 15 * time.Second

// waitValidated waits until the funder's validated sequence reaches target,
// which means every funding payment is in a validated ledger (done). It
// returns early, not done, with the funder's current sequence when the
// validated sequence stops moving for fundingStall.
func (f *funding) waitValidated(ctx context.Context, target uint32, deadline time.Time) (cur uint32, done bool, err error) {
	addr := f.funder.AccountID().String()
	var last uint32
	lastMove := f.clk.Now()
	for {
		rctx, cancel := context.WithTimeout(ctx, f.timeout)
		ai, err := f.cl.AccountInfo(rctx, addr, client.SelectValidated)
		cancel()
		switch {
		case err == nil && ai.Sequence >= target:
			return ai.Sequence, true, nil
		case errors.Is(err, client.ErrClosed), ctx.Err() != nil:
			return 0, false, fmt.Errorf("waiting for the funding to validate: %w", err)
		case err == nil && ai.Sequence != last:
			last, lastMove = ai.Sequence, f.clk.Now()
		}
		now := f.clk.Now()
		if now.After(deadline) {
			got := "unknown"
			if err == nil {
				got = fmt.Sprint(ai.Sequence)
			}
			return 0, false, fmt.Errorf("the funding payments were not validated in time (funder's validated sequence %s, want %d): is the node closing ledgers?", got, target)
		}
		if last != 0 && now.Sub(lastMove) > fundingStall {
			rctx, cancel := context.WithTimeout(ctx, f.timeout)
			cur, err := f.cl.AccountInfo(rctx, addr, client.SelectCurrent)
			cancel()
			if err == nil {
				return cur.Sequence, false, nil
			}
		}
		if !f.clk.Sleep(ctx, 250*time.Millisecond) {
			return 0, false, ctx.Err()
		}
	}
}

// readSequences sets each account's starting sequence from the validated
// ledger, pipelining the requests over the connections.
func readSequences(ctx context.Context, conns []*client.Client, accounts []benchAccount) error {
	seqs, err := validatedSequences(ctx, conns, accounts)
	if err != nil {
		return err
	}
	for i := range accounts {
		if seqs[i] == 0 {
			return fmt.Errorf("account %s was not created by its funding payment", accounts[i].address)
		}
		accounts[i].seq = seqs[i]
	}
	return nil
}

// validatedSequences reads each account's Sequence in the validated ledger
// (0 for an account that does not exist), pipelining the requests over the
// connections. Each request has the client's request timeout; the first
// failure stops the rest, so a dead node costs one timeout, not one per
// account.
func validatedSequences(ctx context.Context, conns []*client.Client, accounts []benchAccount) ([]uint32, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seqs := make([]uint32, len(accounts))
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for ci, cl := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			calls := make(chan struct {
				call *client.Call
				i    int
			}, 64)
			go func() {
				defer close(calls)
				for i := ci; i < len(accounts) && ctx.Err() == nil; i += len(conns) {
					call := cl.Go(ctx, "account_info", map[string]any{"account": accounts[i].address, "ledger_index": client.SelectValidated})
					calls <- struct {
						call *client.Call
						i    int
					}{call, i}
				}
			}()
			for c := range calls {
				raw, err := c.call.Wait()
				if errors.Is(err, client.ErrNotFound) || errs[ci] != nil {
					continue
				}
				if err == nil {
					seqs[c.i], err = sequenceOf(raw)
				}
				if err != nil {
					errs[ci] = fmt.Errorf("account_info %s: %w", accounts[c.i].address, err)
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	return seqs, errors.Join(errs...)
}

// sequenceOf reads account_data.Sequence from an account_info result.
func sequenceOf(raw json.RawMessage) (uint32, error) {
	var ai struct {
		AccountData struct {
			Sequence json.Number `json:"Sequence"`
		} `json:"account_data"`
	}
	if err := json.Unmarshal(raw, &ai); err != nil {
		return 0, err
	}
	seq, err := strconv.ParseInt(ai.AccountData.Sequence.String(), 10, 64)
	if err != nil || seq <= 0 || seq > math.MaxUint32 {
		return 0, fmt.Errorf("no valid Sequence in %.200s", raw)
	}
	return uint32(seq), nil
}

// fundingAmount is what each account gets: the reserve, plus the fees and
// amounts of its share of the run with 50% headroom, plus 1 SWT.
func fundingAmount(reserve int64, txsPerAccount int64, fee, amount int64) int64 {
	return reserve + dropsPerSWT + (txsPerAccount*(fee+amount)*3)/2
}
