package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/sdk/client"
)

// senderQueue is how many due transactions may wait for one connection's
// sender before the pacer blocks (and starts to lag).
const senderQueue = 1024

// loadRun is the measured part of a bench: paced submissions spread over
// several connections. Each account always uses the same connection, so its
// transactions reach the node in sequence order.
type loadRun struct {
	conns    []*client.Client
	tr       *tracker
	ps       *presigner
	clk      clock
	rate     float64
	total    int64
	duration time.Duration
	timeout  time.Duration

	mu       sync.Mutex
	abortMsg string
	maxLag   time.Duration // the latest a transaction went out after its due time
	cancel   context.CancelFunc
	skipped  int64
}

// queued is a transaction waiting for its connection's sender.
type queued struct {
	tx  signedTx
	due time.Time
}

func (lr *loadRun) noteLag(lag time.Duration) {
	lr.mu.Lock()
	lr.maxLag = max(lr.maxLag, lag)
	lr.mu.Unlock()
}

// abort stops the run early; the first reason is kept.
func (lr *loadRun) abort(msg string) {
	lr.mu.Lock()
	if lr.abortMsg == "" {
		lr.abortMsg = msg
	}
	lr.mu.Unlock()
	lr.cancel()
}

func (lr *loadRun) aborted() string {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	return lr.abortMsg
}

type pendingSubmit struct {
	call *client.Call
	hash codec.Hash256
}

// run paces the transactions out from start until the schedule is done, the
// duration is over or ctx ends (Ctrl-C), then waits for the answers to what
// was sent. Submitting stops at start+duration even if backpressure kept
// some transactions from going out: the run never outlasts its duration.
// Submit requests live on callCtx, so a stopped run still collects the
// answers to what it already sent. It returns when the last submit was
// written (sent), besides how the pacing went.
func (lr *loadRun) run(ctx, callCtx context.Context, start time.Time) (pr paceResult, sent time.Time) {
	ctx, lr.cancel = context.WithCancel(ctx)
	defer lr.cancel()
	ctx, cancelEnd := context.WithDeadline(ctx, start.Add(lr.duration))
	defer cancelEnd()
	queues := make([]chan queued, len(lr.conns))
	var senders, collectors sync.WaitGroup
	for i, cl := range lr.conns {
		q := make(chan queued, senderQueue)
		queues[i] = q
		inflight := make(chan pendingSubmit, senderQueue)
		senders.Add(1)
		go func() {
			defer senders.Done()
			defer close(inflight)
			maxLag := time.Duration(0)
			defer func() { lr.noteLag(maxLag) }()
			for item := range q {
				if ctx.Err() != nil {
					continue // stopping: due but never sent
				}
				now := lr.clk.Now()
				maxLag = max(maxLag, now.Sub(item.due))
				lr.tr.sent(item.tx, now)
				inflight <- pendingSubmit{cl.Go(callCtx, "submit", item.tx.params), item.tx.hash}
			}
		}()
		collectors.Add(1)
		go func() {
			defer collectors.Done()
			for p := range inflight {
				raw, err := p.call.Wait()
				lr.tr.submitResult(p.hash, classifySubmit(raw, err))
				switch {
				case errors.Is(err, client.ErrClosed):
					lr.abort(fmt.Sprintf("connection %d to the node was lost: %v", i+1, err))
				case errors.Is(err, context.DeadlineExceeded):
					lr.abort(fmt.Sprintf("the node did not answer a submit within %s (overloaded or stuck?)", lr.timeout))
				}
			}
		}()
	}

	emit := func(_ int64, due time.Time) bool {
		for {
			tx, ok, err := lr.ps.next(ctx)
			if err != nil {
				lr.abort(err.Error())
				return false
			}
			if !ok {
				return false
			}
			broken, all := lr.tr.isBroken(tx.account)
			if all {
				lr.abort("every account stalled: the node rejected a transaction of each (see the results)")
				return false
			}
			if broken {
				lr.skipped++
				continue
			}
			select {
			case queues[tx.account%len(queues)] <- queued{tx, due}:
				return true
			case <-ctx.Done():
				return false
			}
		}
	}
	pr = pace(ctx, lr.clk, start, lr.rate, lr.total, emit)
	for _, q := range queues {
		close(q)
	}
	senders.Wait()
	sent = lr.clk.Now()
	collectors.Wait()
	lr.noteLag(pr.MaxLag)
	return pr, sent
}

// streamTx is the part of a transaction stream message the bench reads,
// decoded in one pass.
type streamTx struct {
	Transaction struct {
		Hash string `json:"hash"`
	} `json:"transaction"`
	Meta struct {
		TransactionResult string `json:"TransactionResult"`
	} `json:"meta"`
	EngineResult string `json:"engine_result"`
	Validated    bool   `json:"validated"`
}

// watchStream feeds validated transactions from the stream to the tracker
// until the stream channel closes. It returns how many messages the client
// dropped and why the stream ended, if it ended early.
func watchStream(stream <-chan client.StreamMessage, tr *tracker, clk clock, ledgers func(client.StreamMessage)) (dropped uint64) {
	for m := range stream {
		dropped += m.Dropped
		switch m.Type {
		case "transaction":
			var st streamTx
			if json.Unmarshal(m.Raw, &st) != nil || !st.Validated {
				continue
			}
			var h codec.Hash256
			if len(st.Transaction.Hash) != 64 {
				continue
			}
			if _, err := hex.Decode(h[:], []byte(st.Transaction.Hash)); err != nil {
				continue
			}
			result := st.Meta.TransactionResult
			if result == "" {
				result = st.EngineResult
			}
			tr.validated(h, result, clk.Now())
		case "ledgerClosed":
			if ledgers != nil {
				ledgers(m)
			}
		}
	}
	return dropped
}
