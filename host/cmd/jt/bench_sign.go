package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
)

// benchAccount is one sending account of a bench run.
type benchAccount struct {
	kp      crypto.KeyPair
	id      codec.AccountID
	address string
	seq     uint32 // the sequence of its first benchmark transaction
}

// signedTx is a pre-signed payment ready to submit.
type signedTx struct {
	account int // index into the accounts
	seq     uint32
	hash    codec.Hash256
	params  json.RawMessage // {"tx_blob":"..."}
}

// paymentSpec says what each benchmark payment looks like.
type paymentSpec struct {
	fee    int64 // drops
	amount int64 // drops
}

// newPayment builds an unsigned SWT payment. It fills the STObject directly:
// going through JSON would cost more than the signature for ed25519.
func newPayment(from, to codec.AccountID, seq uint32, fee, amount int64) *codec.STObject {
	o := codec.NewObject(8)
	o.Set(sf.TransactionType, uint16(codec.TxPayment))
	o.Set(sf.Flags, uint32(0))
	o.Set(sf.Sequence, seq)
	o.Set(sf.Amount, codec.NewNative(amount))
	o.Set(sf.Fee, codec.NewNative(fee))
	o.Set(sf.Account, from)
	o.Set(sf.Destination, to)
	return o
}

func signPayment(kp crypto.KeyPair, from, to codec.AccountID, seq uint32, fee, amount int64) (signedTx, error) {
	blob, id, err := codec.Sign(newPayment(from, to, seq, fee, amount), kp)
	if err != nil {
		return signedTx{}, err
	}
	return signedTx{seq: seq, hash: id, params: submitParams(blob)}, nil
}

// submitParams is the submit request's params for blob, built by hand so the
// client sends it without re-encoding.
func submitParams(blob []byte) json.RawMessage {
	buf := make([]byte, 0, 2*len(blob)+14)
	buf = append(buf, `{"tx_blob":"`...)
	buf = hex.AppendEncode(buf, blob)
	return append(buf, `"}`...)
}

// chunkSize is how many transactions one signing task covers.
const chunkSize = 256

// signJob asks a worker to sign chunk c, whose first transaction is first.
type signJob struct {
	c     *signChunk
	first int64
}

type signChunk struct {
	txs  []signedTx
	done chan struct{}
	err  error
}

// presigner signs the run's transactions ahead of the sender, in order, on
// several goroutines, keeping at most lookahead chunks ready. Transaction k
// is a payment from account k mod N to the next account, with that
// account's next sequence.
type presigner struct {
	chunks chan *signChunk
	cur    *signChunk
	pos    int
	stalls int64        // times next had to wait for a signature
	signed atomic.Int64 // transactions signed so far
	wg     sync.WaitGroup
}

func startPresigner(ctx context.Context, accounts []benchAccount, dest func(i int) codec.AccountID, spec paymentSpec, total int64, workers, lookahead int) *presigner {
	p := &presigner{chunks: make(chan *signChunk, lookahead)}
	work := make(chan signJob, lookahead)
	n := int64(len(accounts))
	for w := 0; w < workers; w++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for job := range work {
				c := job.c
				for i := range c.txs {
					if ctx.Err() != nil {
						c.err = ctx.Err() // stopping: skip the queued work
						break
					}
					k := job.first + int64(i)
					a := int(k % n)
					acc := &accounts[a]
					seq := acc.seq + uint32(k/n)
					tx, err := signPayment(acc.kp, acc.id, dest(a), seq, spec.fee, spec.amount)
					if err != nil {
						c.err = fmt.Errorf("signing transaction %d: %w", k, err)
						break
					}
					tx.account = a
					c.txs[i] = tx
					p.signed.Add(1)
				}
				close(c.done)
			}
		}()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(work)
		defer close(p.chunks)
		for first := int64(0); first < total; first += chunkSize {
			c := &signChunk{txs: make([]signedTx, min(chunkSize, total-first)), done: make(chan struct{})}
			// Hand the chunk to the workers first: p.chunks is what bounds
			// the lookahead, and work has the same capacity.
			select {
			case work <- signJob{c, first}:
			case <-ctx.Done():
				return
			}
			select {
			case p.chunks <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return p
}

// next returns the next transaction in order, waiting for it to be signed if
// need be; ok is false when there are no more (or ctx ended).
func (p *presigner) next(ctx context.Context) (tx signedTx, ok bool, err error) {
	if p.cur == nil || p.pos == len(p.cur.txs) {
		var c *signChunk
		select {
		case c, ok = <-p.chunks:
			if !ok {
				return signedTx{}, false, nil
			}
		case <-ctx.Done():
			return signedTx{}, false, nil
		}
		select {
		case <-c.done:
		default:
			p.stalls++
			select {
			case <-c.done:
			case <-ctx.Done():
				return signedTx{}, false, nil
			}
		}
		if c.err != nil {
			if errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded) {
				return signedTx{}, false, nil // stopping
			}
			return signedTx{}, false, c.err
		}
		p.cur, p.pos = c, 0
	}
	tx = p.cur.txs[p.pos]
	p.pos++
	return tx, true, nil
}

// waitSigned waits until n transactions are signed (or ctx ends).
func (p *presigner) waitSigned(ctx context.Context, n int64) {
	for p.signed.Load() < n && sleepCtx(ctx, minSleep) {
	}
}

// stop waits for the signing goroutines, which end once ctx is cancelled.
func (p *presigner) stop() { p.wg.Wait() }
