package mempool

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// Errors set in Result.Err when the pool's own policy refuses a
// transaction; Result.Code then holds the closest engine result to report.
var (
	ErrMalformed       = errors.New("mempool: malformed transaction")
	ErrBadSignature    = errors.New("mempool: bad signature")
	ErrNoLedger        = errors.New("mempool: no validated ledger yet")
	ErrSequenceTooFar  = errors.New("mempool: sequence too far ahead")
	ErrAccountLimit    = errors.New("mempool: too many queued transactions from one account")
	ErrQueueFull       = errors.New("mempool: queue is full")
	ErrReplacementFee  = errors.New("mempool: replacement fee too low")
	ErrPseudoTx        = errors.New("mempool: pseudo-transactions cannot be submitted") // ledger.IsPseudo: validators insert them into blocks
	errInternalFailure = errors.New("mempool: internal error")
)

// Result is the preliminary outcome of Submit. It mirrors rpc.SubmitResult
// (Code is its Result field).
type Result struct {
	// Code is the engine result: from applying the transaction to the open
	// ledger, or the check that refused or queued it.
	Code   ter.Code
	Detail string
	// Applied: the transaction is in the open ledger (tes or tec).
	// Queued: the pool holds it and will apply it when it can (ter).
	// Neither: it was refused and the pool keeps nothing of it.
	Applied bool
	Queued  bool
	// Err is set when the pool's policy refused the transaction (bad
	// signature, a limit, a sequence too far ahead); it wraps one of the
	// Err... variables, and for a bad signature also the error from
	// ledger.VerifySignatures (so crypto.ErrBadSignature).
	Err error
}

// FeeStatus is the fee and load picture. Its fields are rpc.FeeStatus's, in
// the same order, so the node converts with rpc.FeeStatus(p.Fees()).
type FeeStatus struct {
	Fees           ledger.Fees
	LoadBase       uint32 // BaseLevel
	LoadFactor     uint32 // the fee level needed to enter the open ledger now; >= LoadBase
	OpenLedgerSize int    // transactions in the open ledger
	TargetSize     int    // Config.LedgerTarget
	QueueSize      int    // transactions queued (not in the open ledger)
	MaxQueueSize   int    // Config.MaxTxs
	MinimumFee     int64  // drops a single-signed transaction pays to enter the open ledger now
}

// Pool is the node's open ledger plus its transaction queue. All methods are
// safe for concurrent use.
type Pool struct {
	cfg    Config
	verify ledger.VerifyFunc

	mu        sync.Mutex
	validated *ledger.Ledger
	open      *ledger.OpenLedger // built on the last closed ledger; nil before the first
	inOpen    []*entry           // applied to open, in order
	closed    []closedLedger     // closed by CloseOpen, not yet validated, oldest first
	accounts  map[codec.AccountID]*account
	known     map[codec.Hash256]*entry // every transaction in inOpen, closed or a queue
	tails     tailHeap                 // accounts with a queue, cheapest last entry first
	queued    int
	arrivals  uint64
	median    uint64 // median fee level of the last validated ledger, >= BaseLevel
}

type closedLedger struct {
	ledger  *ledger.Ledger
	entries []*entry
}

// New returns a pool whose open ledger follows validated. verify checks one
// signature (see CachedVerifier); nil means crypto.Verify. validated may be
// nil: Submit then refuses everything with ErrNoLedger until Accept.
func New(cfg Config, validated *ledger.Ledger, verify ledger.VerifyFunc) *Pool {
	if verify == nil {
		verify = crypto.Verify
	}
	p := &Pool{
		cfg:      cfg.withDefaults(),
		verify:   verify,
		accounts: make(map[codec.AccountID]*account),
		known:    make(map[codec.Hash256]*entry),
		median:   BaseLevel,
	}
	if validated != nil {
		p.validated = validated
		p.open = validated.Open()
		p.median = ledgerMedian(validated)
	}
	return p
}

// Config returns the pool's configuration with defaults filled in.
func (p *Pool) Config() Config { return p.cfg }

// Submit admits a decoded, signed transaction. The checks run in this order,
// the first failing one deciding the result:
//
//  1. already held (open ledger, queue, or a ledger closed but not yet
//     validated): the current result, nothing applied again;
//  2. signatures, verified outside the pool lock: temBAD_SIGNATURE; a
//     pseudo-transaction (ledger.IsPseudo), which has none and which only
//     validators put into blocks: temINVALID with ErrPseudoTx;
//  3. ledger.Preflight: its tem result;
//  4. fee: at least ledger.MinimumFee and, past LedgerTarget, the escalated
//     fee: telINSUF_FEE_P;
//  5. LastLedgerSequence before the open ledger: tefMAX_LEDGER;
//  6. the account must exist in the open ledger: terNO_ACCOUNT (not held);
//  7. sequence below the account's: tefPAST_SEQ; more than SequenceWindow
//     ahead: telLOCAL_ERROR with ErrSequenceTooFar;
//  8. a different transaction with the same account and sequence is
//     queued: it is replaced only if this one pays 25% more (fee level);
//  9. the account's next sequence, and the open ledger has room: applied.
//     tes/tec: Applied, and the account's queued successors follow at once;
//     ter: queued; tef/tem/tel: refused;
//  10. otherwise queued (terPRE_SEQ waiting for a sequence, terRETRY when the
//     open ledger is full), within MaxPerAccount and MaxTxs; a full queue
//     takes the transaction only by evicting a cheaper one.
func (p *Pool) Submit(tx *ledger.Tx) (res Result) {
	if tx == nil || tx.Object() == nil {
		return Result{Code: ter.TemMALFORMED, Detail: "no transaction", Err: ErrMalformed}
	}
	id := tx.ID()
	p.mu.Lock()
	e := p.known[id]
	var r Result
	if e != nil {
		r = e.result
	}
	p.mu.Unlock()
	if e != nil {
		return r
	}
	if r, ok := p.checkAlone(tx); !ok {
		return r
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.admitLocked(tx)
}

// checkAlone runs the checks that need only the transaction: signatures and
// preflight. They run without the lock, so submitters verify in parallel.
func (p *Pool) checkAlone(tx *ledger.Tx) (res Result, ok bool) {
	defer func() {
		// verify is the caller's code and the transaction came from the
		// network: neither may take the node down.
		if r := recover(); r != nil {
			res, ok = Result{Code: ter.TefEXCEPTION, Detail: fmt.Sprint("checking the transaction: ", r), Err: errInternalFailure}, false
		}
	}()
	if ledger.IsPseudo(tx.Type()) {
		return Result{Code: ter.TemINVALID, Detail: fmt.Sprintf("%s is a pseudo-transaction: validators insert it into blocks", tx.Type()),
			Err: fmt.Errorf("%w (%s)", ErrPseudoTx, tx.Type())}, false
	}
	if err := ledger.VerifySignatures(tx, p.verify); err != nil {
		return Result{Code: ter.TemBAD_SIGNATURE, Detail: err.Error(), Err: fmt.Errorf("%w: %w", ErrBadSignature, err)}, false
	}
	if code, why := ledger.Preflight(tx); code != ter.TesSUCCESS {
		return Result{Code: code, Detail: why}, false
	}
	return Result{}, true
}

func (p *Pool) admitLocked(tx *ledger.Tx) Result {
	if p.open == nil {
		return Result{Code: ter.TelLOCAL_ERROR, Detail: "the node has no validated ledger yet", Err: ErrNoLedger}
	}
	// Another submitter may have brought the same transaction in while we
	// verified it.
	if e := p.known[tx.ID()]; e != nil {
		return e.result
	}
	minFee := ledger.MinimumFee(p.open.Fees(), tx)
	fee := tx.Fee().Drops()
	if fee < minFee {
		return Result{Code: ter.TelINSUF_FEE_P, Detail: fmt.Sprintf("fee %d drops is below the minimum %d drops", fee, minFee)}
	}
	level := feeLevel(fee, minFee)
	n := p.open.Len()
	if need := escalatedLevel(p.median, n, p.cfg.LedgerTarget); level < need {
		return Result{Code: ter.TelINSUF_FEE_P, Detail: fmt.Sprintf(
			"the open ledger holds %d transactions, over its target of %d: the fee is now %d drops (fee level %d, base %d); this one pays %d",
			n, p.cfg.LedgerTarget, feeForLevel(need, minFee), need, BaseLevel, fee)}
	}
	lls, hasLLS := tx.LastLedgerSequence()
	if hasLLS && lls < p.open.Seq() {
		return Result{Code: ter.TefMAX_LEDGER, Detail: fmt.Sprintf("LastLedgerSequence %d is before the open ledger %d", lls, p.open.Seq())}
	}
	acct := tx.Account()
	a := p.accounts[acct]
	var keylet ledger.Keylet
	if a != nil {
		keylet = a.keylet
	} else {
		keylet = ledger.AccountKeylet(acct)
	}
	root := p.open.Read(keylet)
	if root == nil {
		// Not held: nothing backs a transaction from an account that does
		// not exist, so holding it would let anyone fill the queue for free.
		return Result{Code: ter.TerNO_ACCOUNT, Detail: "the sending account does not exist in the open ledger"}
	}
	cur, seq := root.UInt32(sf.Sequence), tx.Sequence()
	if seq < cur {
		return Result{Code: ter.TefPAST_SEQ, Detail: fmt.Sprintf("sequence %d already used (the account is at %d)", seq, cur)}
	}
	if seq-cur > p.cfg.SequenceWindow {
		return Result{Code: ter.TelLOCAL_ERROR, Err: ErrSequenceTooFar, Detail: fmt.Sprintf(
			"sequence %d is %d ahead of the account's %d; at most %d may wait: submit the earlier ones first", seq, seq-cur, cur, p.cfg.SequenceWindow)}
	}
	var old *entry
	oldAt := -1
	if a != nil {
		oldAt = a.find(seq)
		if oldAt >= 0 {
			old = a.queue[oldAt]
			if need := replacementLevel(old.level); level < need {
				return Result{Code: ter.TelINSUF_FEE_P, Err: ErrReplacementFee, Detail: fmt.Sprintf(
					"transaction %X with sequence %d is queued; replacing it needs a fee of at least %d drops (25%% more)",
					old.id[:], seq, feeForLevel(need, minFee))}
			}
		}
	}
	e := &entry{tx: tx, id: tx.ID(), seq: seq, lls: lls, hasLLS: hasLLS, minFee: minFee, level: level}
	switch {
	case seq == cur && n < p.cfg.MaxTxsPerLedger:
		out := p.open.Apply(tx)
		switch {
		case out.Result.Applied():
			p.arrivals++
			e.arrival = p.arrivals
			if old != nil {
				p.dropAt(a, oldAt)
			}
			e.where = inOpen
			e.result = Result{Code: out.Result, Detail: out.Detail, Applied: true}
			p.inOpen = append(p.inOpen, e)
			p.known[e.id] = e
			if a != nil {
				p.drainAccount(a)
			}
			return e.result
		case out.Result.IsTer():
			e.result = Result{Code: out.Result, Detail: "held: " + out.Detail, Queued: true}
		default:
			return Result{Code: out.Result, Detail: out.Detail}
		}
	case seq == cur:
		e.result = Result{Code: ter.TerRETRY, Queued: true, Detail: fmt.Sprintf(
			"held for the next ledger: the open ledger is full (%d transactions)", n)}
	default:
		e.result = Result{Code: ter.TerPRE_SEQ, Queued: true, Detail: fmt.Sprintf(
			"queued until sequence %d applies (the account is at %d)", seq-1, cur)}
	}
	return p.enqueue(acct, a, keylet, e, oldAt)
}

// enqueue puts e in its account's queue, replacing the entry at oldAt if
// that is not -1, and enforces the queue limits.
func (p *Pool) enqueue(acct codec.AccountID, a *account, keylet ledger.Keylet, e *entry, oldAt int) Result {
	if oldAt >= 0 {
		p.arrivals++
		e.arrival = p.arrivals
		delete(p.known, a.queue[oldAt].id)
		a.queue[oldAt] = e
		p.known[e.id] = e
		p.touch(a)
		return e.result
	}
	if a != nil && len(a.queue) >= p.cfg.MaxPerAccount {
		return Result{Code: ter.TelLOCAL_ERROR, Err: ErrAccountLimit, Detail: fmt.Sprintf(
			"the account already has %d transactions queued, the most allowed: wait for them to apply", len(a.queue))}
	}
	if p.queued >= p.cfg.MaxTxs {
		va := p.cheapestTail(acct)
		if va == nil {
			return Result{Code: ter.TelLOCAL_ERROR, Err: ErrQueueFull, Detail: fmt.Sprintf(
				"the queue is full (%d transactions) and holds nothing from other accounts to evict", p.queued)}
		}
		victim := va.queue[len(va.queue)-1]
		if e.level <= victim.level {
			return Result{Code: ter.TelINSUF_FEE_P, Err: ErrQueueFull, Detail: fmt.Sprintf(
				"the queue is full (%d transactions): a fee of at least %d drops would take the place of the cheapest",
				p.queued, feeForLevel(victim.level+1, e.minFee))}
		}
		p.dropAt(va, len(va.queue)-1)
	}
	if a == nil {
		a = &account{id: acct, keylet: keylet, tail: -1}
		p.accounts[acct] = a
	}
	p.arrivals++
	e.arrival = p.arrivals
	a.insert(e)
	p.queued++
	p.known[e.id] = e
	p.touch(a)
	return e.result
}

// Current runs fn with the open ledger under the pool lock. fn must only
// read, and must not keep the ledger after it returns. fn is not called
// before the pool has a ledger.
func (p *Pool) Current(fn func(*ledger.OpenLedger)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open != nil {
		fn(p.open)
	}
}

// Pending returns the number of transactions in the open ledger plus the
// queued ones.
func (p *Pool) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.inOpen) + p.queued
}

// TxsAvailable returns the number of transactions in the open ledger: what
// closing it now would include.
func (p *Pool) TxsAvailable() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.inOpen)
}

// Fees reports the fee parameters and the load. MinimumFee is what a
// single-signed transaction must pay to be applied now (when the open
// ledger is full it waits for the next one whatever it pays).
func (p *Pool) Fees() FeeStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	fs := FeeStatus{
		LoadBase:     uint32(BaseLevel),
		LoadFactor:   uint32(BaseLevel),
		TargetSize:   p.cfg.LedgerTarget,
		QueueSize:    p.queued,
		MaxQueueSize: p.cfg.MaxTxs,
	}
	if p.open == nil {
		if p.validated != nil {
			fs.Fees = p.validated.Fees()
		}
		return fs
	}
	fs.Fees = p.open.Fees()
	fs.OpenLedgerSize = p.open.Len()
	level := escalatedLevel(p.median, fs.OpenLedgerSize, p.cfg.LedgerTarget)
	fs.LoadFactor = uint32(min(level, math.MaxUint32))
	fs.MinimumFee = feeForLevel(level, int64(min(fs.Fees.Base, math.MaxInt64)))
	return fs
}
