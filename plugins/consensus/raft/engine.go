package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// version is the plugin binary's release; semantics names its behaviour
// (the log entry, snapshot and message encodings and the commit rule),
// which the node checks against the chain's engine. Change semantics with
// any change a node running the previous version would disagree with.
const (
	version   = "0.1.0"
	semantics = "raft/1"
)

// errNotConfigured is Step's and Restore's answer before a successful
// Configure, and after a Step failed on an internal error.
var errNotConfigured = errors.New("raft: not configured: Configure must succeed before Step")

// engine is the raft consensus engine. The node calls it from one
// goroutine, so it has no locks; everything it does happens inside a call.
type engine struct {
	consensus.UnimplementedEngine
	log hclog.Logger // kept across Configure; nil means hclog.Default()

	configured bool
	p          consensus.Params
	opts       options

	// The raft group. members is nil until a safety record or the first
	// StartHeight names it; observer is set when that StartHeight does not
	// list Self, and then nothing below exists.
	members  []consensus.AccountID
	ids      map[consensus.AccountID]uint64 // account -> raft id
	self     uint64                         // raft id, 1 + index in members
	observer bool
	warned   []consensus.AccountID // the last differing validator set logged
	storage  *raft.MemoryStorage
	rn       *raft.RawNode
	snap     snapPoint // the storage's compaction point
	lead     uint64    // the leader raft last reported

	// The node's side: the height it works on and the ledger before it.
	started   bool
	h         uint64
	parent    consensus.Hash256
	now       time.Time // the latest time an input carried
	lastTick  time.Time // the time the last raft tick stands for
	ticks     uint64    // raft ticks so far: the clock of retries
	lastClose time.Time // Now of the StartHeight of h
	pending   int       // transactions waiting, from TxsAvailable

	// The committed log as this node uses it: raft has handed over entries
	// up to committed; those up to processed are skipped or committed;
	// awaiting is the height of the Commit the node has not yet confirmed
	// with the next StartHeight (0: none).
	committed uint64
	processed uint64
	awaiting  uint64

	// Leading: a BuildBlock asked at tick buildAt, the block the node built
	// for h, the tick before which a dropped proposal is not retried, and
	// the last catch-up asked.
	building  bool
	buildAt   uint64
	built     *consensus.Block
	retryAt   uint64
	catchUpH  uint64
	catchUpAt uint64

	// One Step's output: outputs in order, raft messages not yet emitted,
	// and whether the durable state changed since the last record.
	out   []consensus.Output
	msgs  []raftpb.Message
	dirty bool

	stats stats
}

// stats counts events the tests look for.
type stats struct {
	snapshots int // raft snapshots installed from a leader
	catchUps  int // RequestCatchUp emitted
	dropped   int // messages refused by checkMessage or as undecodable
}

var (
	_ consensus.Engine               = (*engine)(nil)
	_ consensus.Restorer             = (*engine)(nil)
	_ consensus.ConfigSchemaProvider = (*engine)(nil)
)

func (e *engine) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "raft", Version: version, Semantics: semantics}, nil
}

// ConfigSchema says the plugin takes no operator config: its settings are
// consensus options, which are chain-level and come in Params.Options.
func (e *engine) ConfigSchema(context.Context) ([]byte, error) {
	return []byte(`{"type":"object","additionalProperties":false}`), nil
}

// reset returns the engine to its unconfigured zero state, keeping only the
// logger.
func (e *engine) reset() {
	log := e.log
	if log == nil {
		log = hclog.Default().Named("raft")
	}
	*e = engine{log: log}
}

// Configure checks the parameters, reporting every problem at once, and
// starts afresh: from Params.Safety when the node has a record, otherwise
// waiting for the first StartHeight to name the validators.
func (e *engine) Configure(_ context.Context, req consensus.ConfigureRequest) (consensus.ConfigureResponse, error) {
	e.reset()
	p := req.Params
	var problems []string
	if p.CloseInterval <= 0 || p.IdleInterval < p.CloseInterval {
		problems = append(problems, fmt.Sprintf("need 0 < close interval (%s) <= idle interval (%s)", p.CloseInterval, p.IdleInterval))
	}
	if p.LedgerTarget < 0 {
		problems = append(problems, fmt.Sprintf("ledger target %d is negative: use 0 for no early close", p.LedgerTarget))
	}
	opts, optProblems := parseOptions(p.Options)
	problems = append(problems, optProblems...)
	if len(req.Config) > 0 {
		var cfg map[string]json.RawMessage
		if err := json.Unmarshal(req.Config, &cfg); err != nil {
			problems = append(problems, fmt.Sprintf("config is not a JSON object: %v", err))
		} else if len(cfg) > 0 {
			problems = append(problems, fmt.Sprintf("unknown config keys %s: the raft plugin takes no config (its settings are the chain's consensus options); remove them from the plugin instance",
				strings.Join(quoteAll(slices.Sorted(maps.Keys(cfg))), ", ")))
		}
	}
	var rec *record
	if len(p.Safety) > 0 {
		var err error
		if rec, err = e.checkRecord(p.Safety, p.Self); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return consensus.ConfigureResponse{}, fmt.Errorf("raft: %s", strings.Join(problems, "; "))
	}
	e.p, e.opts, e.configured = p, opts, true
	if rec != nil {
		e.restoreRecord(rec)
	}
	return consensus.ConfigureResponse{}, nil
}

// checkRecord decodes a safety record and checks that it is this node's.
func (e *engine) checkRecord(b []byte, self consensus.AccountID) (*record, error) {
	rec, err := decodeRecord(b)
	if err != nil {
		return nil, fmt.Errorf("%w: the node's consensus safety record is damaged; restore it from a backup (starting this validator without it could make it vote twice in one term)", err)
	}
	if !slices.Contains(rec.members, self) {
		return nil, fmt.Errorf("safety record: it lists %d validators and not this node (%x): it belongs to another node; restore this node's own record", len(rec.members), self[:4])
	}
	return rec, nil
}

// Restore rebuilds the engine from the node's latest safety record after a
// restart of the plugin. The record is the whole durable state; the node's
// last committed height is only logged, since the StartHeight the node
// replays next says where its ledger is.
func (e *engine) Restore(_ context.Context, req consensus.RestoreRequest) (consensus.RestoreResponse, error) {
	if !e.configured {
		return consensus.RestoreResponse{}, errNotConfigured
	}
	p, opts := e.p, e.opts
	e.reset()
	e.p, e.opts = p, opts
	if len(req.Safety) == 0 {
		e.configured = true
		e.log.Info("restored without a safety record: the next StartHeight names the validators", "last_committed", req.LastCommitted)
		return consensus.RestoreResponse{}, nil
	}
	rec, err := e.checkRecord(req.Safety, p.Self)
	if err != nil {
		return consensus.RestoreResponse{}, fmt.Errorf("raft: %w", err)
	}
	e.configured = true
	e.restoreRecord(rec)
	e.log.Info("restored from the safety record", "last_committed", req.LastCommitted, "term", rec.hard.Term,
		"compacted_to", rec.snap.index, "ledger", rec.snap.height, "entries", len(rec.entries))
	return consensus.RestoreResponse{}, nil
}

// Step applies the inputs in order. Raft messages are emitted after the
// record that makes their state durable, and a Commit is the last output of
// the input that decided it, preceded by that record and those messages:
// the node may start the next height, and step the engine again, while it
// carries out a Commit. A panic inside the raft library (an assertion a
// message the checks let through tripped) is an error: the engine stops
// until it is configured and restored again, as after a crash.
func (e *engine) Step(_ context.Context, req consensus.StepRequest) (resp consensus.StepResponse, err error) {
	if !e.configured {
		return consensus.StepResponse{}, errNotConfigured
	}
	defer func() {
		if r := recover(); r != nil {
			e.configured = false
			e.out, e.msgs = nil, nil
			e.log.Error("internal error; the engine must be configured and restored from its safety record again", "panic", r)
			resp, err = consensus.StepResponse{}, fmt.Errorf("raft: internal error (restart from the safety record): %v", r)
		}
	}()
	for _, in := range req.Inputs {
		e.apply(in)
	}
	e.flush()
	out := e.out
	e.out = nil
	return consensus.StepResponse{Outputs: out}, nil
}

// apply handles one input. Timeout and Validated answer requests the
// engine never makes and are ignored.
func (e *engine) apply(in consensus.Input) {
	switch in := in.(type) {
	case consensus.StartHeight:
		e.startHeight(in)
	case consensus.Tick:
		e.clock(in.Now)
	case consensus.TxsAvailable:
		e.pending = max(0, in.Count)
		e.clock(in.Now)
	case consensus.BlockBuilt:
		e.blockBuilt(in)
	case consensus.Message:
		e.message(in)
	default:
		return
	}
	if e.rn != nil {
		e.settle()
	}
}

// startHeight takes the node's height. The first one after Configure or
// Restore without a record names the raft group; a lower or equal height
// later is stale and ignored, a higher one (the next height, or one the
// node caught up to) replaces the height in progress.
func (e *engine) startHeight(in consensus.StartHeight) {
	if in.Height == 0 {
		e.log.Warn("ignoring StartHeight of height 0")
		return
	}
	if e.members == nil && !e.observer {
		e.join(in)
	} else {
		e.checkValidators(in.Validators)
	}
	e.clock(in.Now)
	if e.started && in.Height <= e.h {
		return
	}
	e.started, e.h, e.parent, e.lastClose = true, in.Height, in.ParentID, in.Now
	e.awaiting = 0
	e.building, e.built, e.retryAt = false, nil, 0
}

// clock takes the time an input carries and gives raft the ticks that have
// passed. Time is used for nothing else than ticks and the close rule.
func (e *engine) clock(now time.Time) {
	e.now = now
	if e.rn == nil {
		return
	}
	if e.lastTick.IsZero() || now.Before(e.lastTick) {
		// The first time, or a clock that stepped back: start counting here.
		e.lastTick = now
		return
	}
	n := int64(now.Sub(e.lastTick) / e.opts.tick)
	if n <= 0 {
		return
	}
	e.lastTick = e.lastTick.Add(time.Duration(n) * e.opts.tick)
	// After a long pause (a suspended machine) a burst of ticks would only
	// cost time: raft needs at most an election's worth to react.
	n = min(n, int64(2*e.opts.electionTicks+1))
	for range n {
		e.rn.Tick()
	}
	e.ticks += uint64(n)
}

// blockBuilt takes the block the node built for a BuildBlock of this
// height; a block for another height or parent, or one not asked for, is
// ignored.
func (e *engine) blockBuilt(in consensus.BlockBuilt) {
	if !e.building || !e.started || in.Height != e.h || in.Round != 0 {
		return
	}
	b := in.Block
	if b.Height != e.h || b.ParentID != e.parent || b.ID == (consensus.Hash256{}) || len(b.Payload) > maxBlockPayload {
		e.log.Warn("ignoring a built block that does not fit the height", "height", e.h, "block_height", b.Height,
			"parent_matches", b.ParentID == e.parent, "payload_bytes", len(b.Payload))
		return
	}
	b.Payload = slices.Clone(b.Payload)
	e.building, e.pending, e.retryAt = false, 0, 0
	e.built = &b
}

// closeDue is solo's rule for when to close a ledger: transactions wait
// and CloseInterval passed since the height started, or the open ledger
// holds half of LedgerTarget, or IdleInterval passed with nothing waiting.
func (e *engine) closeDue() bool {
	since := e.now.Sub(e.lastClose)
	full := e.p.LedgerTarget > 0 && e.pending >= max(1, e.p.LedgerTarget/2)
	return full || (e.pending > 0 && since >= e.p.CloseInterval) || since >= e.p.IdleInterval
}

// flush emits the record, if the durable state changed, and then the raft
// messages it covers.
func (e *engine) flush() {
	if e.dirty && e.storage != nil {
		e.out = append(e.out, consensus.PersistSafety{Record: e.record().encode()})
		e.dirty = false
	}
	for _, m := range e.msgs {
		p, err := encodeMessage(m)
		if err != nil {
			e.log.Error("cannot encode a raft message; dropping it", "type", m.Type.String(), "to", m.To, "error", err)
			continue
		}
		e.out = append(e.out, consensus.SignAndBroadcast{Payload: p})
	}
	e.msgs = nil
}

// commit emits a Commit after everything before it.
func (e *engine) commit(c consensus.Commit) {
	e.flush()
	e.out = append(e.out, c)
}
