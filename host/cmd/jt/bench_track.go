package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/sdk/client"
)

// txRec is what the bench knows about one submitted transaction.
type txRec struct {
	account   int
	seq       uint32
	sent      time.Time
	submit    string // engine_result, "error: ...", or "" while waiting for the response
	validated time.Time
	final     string // the validated result; "" until seen
	open      bool   // counted in tracker.outstanding
}

// tracker follows every submitted transaction from submission to
// validation. It is shared by the senders, the result collectors and the
// stream watcher.
type tracker struct {
	mu          sync.Mutex
	recs        map[codec.Hash256]*txRec
	order       []codec.Hash256 // in submission order
	submitted   int64
	accepted    int64
	queued      int64
	committed   int64 // validated tesSUCCESS seen on the stream
	outstanding int64 // may still validate
	lastValid   time.Time
	broken      []bool
	nBroken     int
}

func newTracker(accounts int) *tracker {
	return &tracker{recs: make(map[codec.Hash256]*txRec), broken: make([]bool, accounts)}
}

func (t *tracker) sent(tx signedTx, at time.Time) {
	t.mu.Lock()
	t.recs[tx.hash] = &txRec{account: tx.account, seq: tx.seq, sent: at, open: true}
	t.order = append(t.order, tx.hash)
	t.submitted++
	t.outstanding++
	t.mu.Unlock()
}

// held reports whether a submit result means the node holds the transaction
// to apply later. jtd's mempool answers a queued transaction with the ter
// code it waits on (terPRE_SEQ for an earlier sequence, terRETRY when the
// open ledger is full); rippled's queue says terQUEUED. terNO_ACCOUNT is
// never held.
func held(result string) bool {
	return resultClass(result) == "ter" && result != "terNO_ACCOUNT"
}

// submitResult records the node's answer to a submit. Results that mean the
// transaction was not applied and will not be (tel, tem, tef, terNO_ACCOUNT)
// break the account's sequence chain: its later transactions cannot apply,
// so the account stops sending.
func (t *tracker) submitResult(hash codec.Hash256, result string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.recs[hash]
	if r == nil {
		return
	}
	r.submit = result
	class := resultClass(result)
	switch {
	case class == "tes":
		t.accepted++
	case held(result):
		t.queued++
	case class == "tec", class == "":
		// tec: applied, the sequence is used; "": a request error, fate unknown.
	default:
		if r.final == "" && r.open {
			r.open = false
			t.outstanding--
		}
		if !t.broken[r.account] {
			t.broken[r.account] = true
			t.nBroken++
		}
	}
}

func resultClass(token string) string { return client.SubmitResult{EngineResult: token}.Class() }

// validated records a transaction seen in a validated ledger.
func (t *tracker) validated(hash codec.Hash256, result string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.recs[hash]
	if r == nil || r.final != "" {
		return // not ours (e.g. funding), or seen twice
	}
	r.final, r.validated = result, at
	if r.open {
		r.open = false
		t.outstanding--
	}
	if result == "tesSUCCESS" {
		t.committed++
	}
	if at.After(t.lastValid) {
		t.lastValid = at
	}
}

func (t *tracker) isBroken(account int) (broken, all bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.broken[account], t.nBroken == len(t.broken)
}

type trackerSnapshot struct{ submitted, accepted, committed, outstanding int64 }

func (t *tracker) snapshot() trackerSnapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	return trackerSnapshot{t.submitted, t.accepted, t.committed, t.outstanding}
}

// classifySubmit turns a submit call's outcome into a result token.
func classifySubmit(raw []byte, err error) string {
	if err != nil {
		var ae *client.APIError
		switch {
		case errors.As(err, &ae):
			return "error: " + ae.Code
		case errors.Is(err, client.ErrClosed):
			return "error: connection closed"
		case errors.Is(err, context.DeadlineExceeded):
			return "error: timeout"
		case errors.Is(err, context.Canceled):
			return "error: canceled"
		}
		return "error: " + err.Error()
	}
	res, err := client.DecodeSubmitResult(raw)
	if err != nil {
		return "error: bad response"
	}
	return res.EngineResult
}

// unconfirmed counts accepted or queued payments that neither the stream
// nor the accounts' validated sequences (validatedSeq) show as committed.
func (t *tracker) unconfirmed(validatedSeq []uint32) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, h := range t.order {
		rec := t.recs[h]
		if rec.final != "" || validatedSeq[rec.account] > rec.seq {
			continue
		}
		if resultClass(rec.submit) == "tes" || held(rec.submit) {
			n++
		}
	}
	return n
}

// finish fills the counts of r. validatedSeq, when not nil, holds each
// account's sequence in the last validated ledger: a transaction below it
// was committed even if the stream did not show it.
func (t *tracker) finish(r *benchReport, start time.Time, validatedSeq []uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r.Submitted, r.Accepted, r.Queued = t.submitted, t.accepted, t.queued
	r.Rejected = map[string]int64{}
	r.FailedInLedger = map[string]int64{}
	r.StalledAccounts = t.nBroken
	var lat []time.Duration
	for _, h := range t.order {
		rec := t.recs[h]
		switch {
		case rec.final == "tesSUCCESS":
			r.Committed++
			lat = append(lat, rec.validated.Sub(rec.sent))
		case rec.final != "":
			r.FailedInLedger[rec.final]++
		case validatedSeq != nil && validatedSeq[rec.account] > rec.seq:
			// The sequence was used in a validated ledger; a payment
			// between funded bench accounts succeeds.
			r.Committed++
			r.CommittedUnobserved++
		case rec.submit == "":
			r.Rejected["error: no response"]++
		case resultClass(rec.submit) == "tes", held(rec.submit):
			r.Lost++
		default:
			r.Rejected[rec.submit]++
		}
	}
	r.Latency = summarizeLatency(lat)
	if !t.lastValid.IsZero() {
		r.CommitTime = t.lastValid.Sub(start).Seconds()
	}
}
