package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/crypto/vrf"
	"github.com/jtchain/jtchain/host/ledger"
)

// Results the driver's helpers send on ctl.
type (
	evTimeout consensus.Timeout
	evChecked struct {
		id     codec.Hash256
		height uint32
		cand   *candidate // nil when the block is not valid
		err    error
	}
	evCaughtUp struct {
		cand   *candidate
		record *commitRecord
		done   chan error
	}
	evCatchUpEnded struct{}
)

// driveNet is the driver loop of a networked engine: the only goroutine that
// steps the engine, builds, commits and starts heights.
func (n *Node) driveNet(ctx context.Context) error {
	nw := n.net
	if err := nw.start(ctx); err != nil {
		return err
	}
	defer nw.stop()
	nw.tip.Store(n.Validated())
	nw.persistQ = make(chan persistJob, persistQueue)
	nw.persistErr = make(chan error, 1)
	persisted := make(chan struct{})
	go func() { defer close(persisted); nw.persist() }()
	defer func() {
		// Everything decided is stored before the node stops.
		close(nw.persistQ)
		<-persisted
	}()
	if err := nw.startHeight(n.Validated()); err != nil {
		return err
	}
	ticker := time.NewTicker(netTickInterval)
	defer ticker.Stop()
	lastCommit := time.Now()
	for {
		var in consensus.Input
		select {
		case <-ctx.Done():
			return nil
		case err := <-nw.persistErr:
			return err
		case m := <-nw.msgs:
			in = m
		case ev := <-nw.ctl:
			switch e := ev.(type) {
			case evTimeout:
				in = consensus.Timeout(e)
			case evChecked:
				delete(nw.checking, e.id)
				if e.height != nw.height {
					continue
				}
				if e.cand != nil {
					nw.cands[e.id] = e.cand
				} else {
					n.log.Warn("proposed block is invalid", "height", e.height, "block", fmt.Sprintf("%X", e.id[:8]), "error", e.err)
				}
				if pc := nw.pendingCommit; pc != nil && pc.Block.ID == e.id {
					nw.pendingCommit = nil
					if e.cand == nil {
						// The engine decided a block this node cannot
						// execute to the same ledger: take the ledger
						// from peers instead.
						n.log.Error("decided block does not check; catching up", "height", e.height, "error", e.err)
						nw.startCatchUp(ctx)
						continue
					}
					if err := nw.finishCommit(e.cand, &commitRecord{Payload: pc.Block.Payload, Certificate: pc.Certificate}); err != nil {
						return err
					}
					lastCommit = time.Now()
					continue
				}
				in = consensus.Validated{BlockID: e.id, OK: e.cand != nil}
			case evCaughtUp:
				err := nw.applyCaughtUp(e)
				e.done <- err
				if err != nil {
					continue
				}
				lastCommit = time.Now()
				continue
			case evCatchUpEnded:
				nw.catchingUp.Store(false)
				continue
			}
		case now := <-ticker.C:
			in = consensus.Tick{Now: now}
			if !nw.rbft {
				// A plugin engine decides when to close from the pool's
				// size, as solo does; RBFT proposes on its own timers.
				if err := nw.step(ctx, consensus.TxsAvailable{Count: n.workAvailable(), Now: now}); err != nil {
					return err
				}
			}
			if nw.ahead.Swap(false) || time.Since(lastCommit) > stallCatchUp {
				nw.startCatchUp(ctx)
				if time.Since(lastCommit) > stallCatchUp {
					lastCommit = time.Now() // ask again after another stall period
				}
			}
		}
		before := nw.tip.Load().Seq()
		if err := nw.step(ctx, in); err != nil {
			return err
		}
		if nw.tip.Load().Seq() != before {
			lastCommit = time.Now()
		}
	}
}

// step feeds one input to the engine and carries out its outputs in order,
// feeding their immediate results back.
func (nw *network) step(ctx context.Context, in consensus.Input) error {
	queue := []consensus.Input{in}
	for len(queue) > 0 {
		in, queue = queue[0], queue[1:]
		for _, out := range nw.n.engine.Step(in) {
			next, err := nw.execute(ctx, out)
			if err != nil {
				return err
			}
			queue = append(queue, next...)
		}
	}
	nw.publishStatus()
	return nil
}

func (nw *network) execute(ctx context.Context, out consensus.Output) ([]consensus.Input, error) {
	n := nw.n
	switch o := out.(type) {
	case consensus.PersistSafety:
		// Durable before anything signed after it leaves the node.
		if err := nw.safety.Save(o.Record); err != nil {
			return nil, fmt.Errorf("writing the consensus safety record: %w (the node stops rather than sign without it)", err)
		}
	case consensus.SignAndBroadcast:
		sig, err := n.key.Key.Sign(rbft.SignBytes(nw.chainID, o.Payload))
		if err != nil {
			return nil, fmt.Errorf("signing a consensus message: %w", err)
		}
		m := consensus.Message{From: n.key.Account(), Payload: o.Payload, Signature: sig}
		nw.publish(m)
		return []consensus.Input{m}, nil
	case consensus.Rebroadcast:
		for _, m := range o.Messages {
			nw.publish(m)
		}
	case consensus.ScheduleTimeout:
		t := consensus.Timeout{Kind: o.Kind, Height: o.Height, Round: o.Round}
		time.AfterFunc(o.Delay, func() {
			select {
			case nw.ctl <- evTimeout(t):
			case <-ctx.Done():
			}
		})
	case consensus.BuildBlock:
		if b := nw.build(o); b != nil {
			return []consensus.Input{*b}, nil
		}
	case consensus.Validate:
		nw.check(ctx, o.Block)
	case consensus.Commit:
		return nil, nw.commit(ctx, o)
	case consensus.Evidence:
		nw.addEvidence(o.Payload)
	case consensus.RequestCatchUp:
		nw.startCatchUp(ctx)
	default:
		n.log.Warn("ignoring consensus output without a handler", "output", fmt.Sprintf("%T", out))
	}
	return nil, nil
}

// startHeight begins consensus on the ledger after l.
func (nw *network) startHeight(l *ledger.Ledger) error {
	h := l.Seq() + 1
	vals, err := ledger.ValidatorsAt(l, h)
	if err != nil {
		return fmt.Errorf("validators of height %d: %w", h, err)
	}
	if l.Seq() == 1 {
		nw.seed, nw.lastCert, nw.lastID = rbft.GenesisSeed(l.Hash()), nil, codec.Hash256{}
	} else if nw.height != h-1 || (nw.rbft && nw.lastCert == nil) {
		// (A plugin engine's certificate may be empty; RBFT's never is.)
		// Started (or caught up) without the previous height's block in
		// memory: read it back.
		raw, err := nw.n.store.Certificate(l.Seq())
		if err != nil {
			return fmt.Errorf("reading the commit of ledger %d: %w", l.Seq(), err)
		}
		cr, err := decodeCommitRecord(raw)
		if err != nil {
			return fmt.Errorf("the commit of ledger %d: %w", l.Seq(), err)
		}
		b, err := DecodeBlock(cr.Payload)
		if err != nil {
			return fmt.Errorf("the block of ledger %d: %w", l.Seq(), err)
		}
		seed, err := nextSeed(b)
		if err != nil {
			return fmt.Errorf("the block of ledger %d: %w", l.Seq(), err)
		}
		nw.seed, nw.lastCert, nw.lastID = seed, cr.Certificate, rbft.BlockID(cr.Payload)
	}
	if nw.height == h-1 && nw.vals != nil {
		nw.prevVals = nw.vals
	} else {
		nw.prevVals = nil
	}
	nw.height, nw.vals = h, vals
	for id, c := range nw.cands {
		if c.block.Height < h {
			delete(nw.cands, id)
		}
	}
	nw.setViews(l)
	return nw.step(context.Background(), consensus.StartHeight{
		Height: uint64(h), ParentID: l.Hash(), Validators: engineValidators(vals), Seed: nw.seed, Now: time.Now(),
	})
}

// nextSeed is seed_{h+1} from block h (spec/rbft.md §2).
func nextSeed(b *Block) (codec.Hash256, error) {
	beta, err := vrf.ProofToHash(b.VRFProof)
	if err != nil {
		return codec.Hash256{}, err
	}
	return rbft.NextSeed(b.Seed, beta), nil
}

func engineValidators(vals []ledger.Validator) []consensus.Validator {
	out := make([]consensus.Validator, len(vals))
	for i, v := range vals {
		out[i] = consensus.Validator{Address: v.Account, PublicKey: v.NodePublicKey}
	}
	return out
}

// setViews publishes the validator sets of heights h−1, h and h+1 for the
// topic validators.
func (nw *network) setViews(l *ledger.Ledger) {
	h := l.Seq() + 1
	v := &valView{height: h, sets: make(map[uint32]map[codec.AccountID][]byte, 3)}
	add := func(height uint32, vals []ledger.Validator) {
		m := make(map[codec.AccountID][]byte, len(vals))
		for _, x := range vals {
			m[x.Account] = x.NodePublicKey
		}
		v.sets[height] = m
	}
	if old := nw.views.Load(); old != nil {
		if s, ok := old.sets[h-1]; ok {
			v.sets[h-1] = s
		}
	}
	add(h, nw.vals)
	if next, err := ledger.ValidatorsAt(l, h+1); err == nil {
		add(h+1, next)
	}
	nw.views.Store(v)
}

// ---- building ----

// build makes this node's fresh block for (h, r) from its pool.
func (nw *network) build(o consensus.BuildBlock) *consensus.BlockBuilt {
	n := nw.n
	parent := nw.tip.Load()
	h := parent.Seq() + 1
	if uint64(h) != o.Height || h != nw.height {
		return nil
	}
	n.pool.Reset() // a candidate of an earlier round was not decided
	if n.pool.ParentHash() != parent.Hash() {
		n.log.Warn("pool is not on the validated ledger; cannot build", "height", h)
		return nil
	}
	closeTime := max(ToRippleTime(time.Now()), parent.Header().CloseTime+1)
	var evidence [][]byte
	var records []codec.Hash256
	l, ids := n.pool.CloseBlock(ledger.CloseInfo{CloseTime: closeTime, Resolution: 1}, func(open *ledger.OpenLedger) []codec.Hash256 {
		evidence = nw.applyEvidence(open, nw.pendingEvidence())
		// Record ids take what room the proposal has left.
		used := 1024 + len(nw.lastCert) + 32*open.Len()
		for _, e := range evidence {
			used += 4 + len(e)
		}
		records = n.sealPending(open, max(0, (rbft.MaxPayloadSize-used)/32-1))
		return nil
	})
	if l == nil {
		return nil
	}
	proof, _ := n.key.VRF.Prove(VRFInput(nw.chainID, h, nw.seed))
	b := &Block{
		Height: h, ParentHash: parent.Hash(), CloseTime: closeTime, CreatorRound: o.Round,
		Creator: n.key.Account(), Seed: nw.seed, VRFProof: proof, LedgerHash: l.Hash(),
		TxIDs: ids, LastCommit: nw.lastCert, Evidence: evidence, RecordIDs: records,
	}
	payload := b.Encode()
	if len(payload) > rbft.MaxPayloadSize {
		n.log.Error("built block exceeds the proposal size limit; lower consensus.max_txs_per_ledger", "txs", len(ids), "bytes", len(payload))
		return nil
	}
	id := rbft.BlockID(payload)
	nw.cands[id] = &candidate{block: b, ledger: l}
	n.log.Debug("block built", "height", h, "round", o.Round, "txs", len(ids), "records", len(records))
	return &consensus.BlockBuilt{Height: o.Height, Round: o.Round, Block: consensus.Block{
		Height: uint64(h), ID: id, ParentID: parent.Hash(), Payload: payload,
	}}
}

// ---- checking ----

// check validates a proposed block off the driver goroutine and reports
// with evChecked.
func (nw *network) check(ctx context.Context, blk consensus.Block) {
	id := rbft.BlockID(blk.Payload)
	if c := nw.cands[id]; c != nil {
		// Built or checked already (a re-proposal): answer at once.
		go func() { nw.sendCtl(ctx, evChecked{id: id, height: nw.height, cand: c}) }()
		return
	}
	if nw.checking[id] {
		return
	}
	nw.checking[id] = true
	env := checkEnv{
		parent: nw.tip.Load(), height: nw.height, seed: nw.seed, vals: nw.vals, prevVals: nw.prevVals,
		lastID: nw.lastID, now: time.Now(),
	}
	go func() {
		select {
		case nw.checkSem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-nw.checkSem }()
		cand, err := nw.checkBlock(ctx, env, blk.Payload)
		nw.sendCtl(ctx, evChecked{id: id, height: env.height, cand: cand, err: err})
	}()
}

func (nw *network) sendCtl(ctx context.Context, ev any) {
	select {
	case nw.ctl <- ev:
	case <-ctx.Done():
	}
}

// checkEnv is the driver state a block check reads, copied so the check can
// run on another goroutine.
type checkEnv struct {
	parent *ledger.Ledger
	height uint32
	seed   codec.Hash256
	vals   []ledger.Validator
	// prevVals decided the parent (nil when not known in memory).
	prevVals []ledger.Validator
	lastID   codec.Hash256
	now      time.Time
}

// checkBlock is valid(v) of spec/rbft.md §5: every header field, the last
// commit, the VRF proof, the evidence, every transaction, and re-execution
// to the ledger hash the block names.
func (nw *network) checkBlock(ctx context.Context, env checkEnv, payload []byte) (*candidate, error) {
	b, err := DecodeBlock(payload)
	if err != nil {
		return nil, err
	}
	parent := env.parent
	switch {
	case b.Height != env.height:
		return nil, fmt.Errorf("block for height %d, deciding %d", b.Height, env.height)
	case b.ParentHash != parent.Hash():
		return nil, fmt.Errorf("parent %X is not ledger %d (%X)", b.ParentHash, parent.Seq(), parent.Hash())
	case b.Seed != env.seed:
		return nil, errors.New("wrong proposer seed")
	case b.CreatorRound > 1_000_000:
		return nil, fmt.Errorf("creator round %d", b.CreatorRound)
	}
	cv := engineValidators(env.vals)
	if nw.rbft && rbft.Proposer(cv, env.seed, b.CreatorRound) != b.Creator {
		return nil, fmt.Errorf("creator %X is not the proposer of round %d", b.Creator, b.CreatorRound)
	}
	var creator *ledger.Validator
	for i := range env.vals {
		if env.vals[i].Account == b.Creator {
			creator = &env.vals[i]
		}
	}
	if creator == nil {
		return nil, errors.New("creator is not a validator")
	}
	if _, err := vrf.Verify(creator.VRFPublicKey, b.VRFProof, VRFInput(nw.chainID, b.Height, b.Seed)); err != nil {
		return nil, fmt.Errorf("VRF proof: %w", err)
	}
	// T1: time moves forward; a proposer may always use parent+1, and any
	// later time only within the drift of this node's clock.
	pt := parent.Header().CloseTime
	if b.CloseTime <= pt {
		return nil, fmt.Errorf("close time %d not after the parent's %d", b.CloseTime, pt)
	}
	if b.CloseTime > pt+1 && b.CloseTime > ToRippleTime(env.now)+maxCloseDrift {
		return nil, fmt.Errorf("close time %d is more than %d s ahead of this node's clock", b.CloseTime, maxCloseDrift)
	}
	if nw.rbft {
		if err := nw.checkLastCommit(b, parent, env.prevVals, env.lastID); err != nil {
			return nil, err
		}
	} else if len(b.Evidence) > 0 {
		return nil, errors.New("evidence in a block of a plugin engine, which reports none")
	}
	for _, ev := range b.Evidence {
		if err := rbft.VerifyEvidence(ev, cv, nw.chainID, crypto.Verify); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
	}
	start := time.Now()
	txs, fetched, err := nw.collectTxs(ctx, b.TxIDs)
	if err != nil {
		return nil, err
	}
	recs, fetchedRecs, err := nw.collectRecords(ctx, b.RecordIDs)
	if err != nil {
		return nil, err
	}
	collected := time.Since(start)
	l, err := nw.execute1(parent, b, txs, recs)
	if err != nil {
		return nil, err
	}
	lvl := hclog.Debug
	if time.Since(start) > time.Second {
		lvl = hclog.Warn
	}
	nw.n.log.Log(lvl, "block checked", "height", b.Height, "txs", len(txs), "fetched", fetched,
		"records", len(recs), "records_fetched", fetchedRecs,
		"collect", collected.Round(time.Millisecond), "total", time.Since(start).Round(time.Millisecond))
	return &candidate{block: b, ledger: l}, nil
}

func (nw *network) checkLastCommit(b *Block, parent *ledger.Ledger, prevVals []ledger.Validator, lastID codec.Hash256) error {
	if parent.Seq() == 1 {
		if len(b.LastCommit) != 0 {
			return errors.New("a last commit after the genesis ledger")
		}
		return nil
	}
	if prevVals == nil {
		var err error
		if prevVals, err = nw.validatorsOf(parent.Seq()); err != nil {
			return err
		}
	}
	if err := rbft.VerifyCertificate(b.LastCommit, engineValidators(prevVals), nw.chainID, crypto.Verify); err != nil {
		return fmt.Errorf("last commit: %w", err)
	}
	c, _ := rbft.DecodeCertificate(b.LastCommit)
	if c.Height != uint64(parent.Seq()) || c.BlockID != lastID {
		return fmt.Errorf("last commit certifies %d/%X, not the parent", c.Height, c.BlockID[:8])
	}
	return nil
}

// validatorsOf returns the set that decided height h (h ≤ validated).
func (nw *network) validatorsOf(h uint32) ([]ledger.Validator, error) {
	prev, err := nw.n.LedgerBySeq(h - 1)
	if err != nil {
		return nil, fmt.Errorf("ledger %d, to know the validators of %d: %w", h-1, h, err)
	}
	return ledger.ValidatorsAt(prev, h)
}

// collectTxs finds the bodies of ids in the pool or at peers, and checks
// every signature (through the node's cache).
func (nw *network) collectTxs(ctx context.Context, ids []codec.Hash256) ([]*ledger.Tx, int, error) {
	txs := make([]*ledger.Tx, len(ids))
	var missing []codec.Hash256
	for i, id := range ids {
		if txs[i] = nw.n.pool.Lookup(id); txs[i] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		got, err := nw.fetchTxs(ctx, missing)
		if err != nil {
			return nil, len(missing), err
		}
		for i, id := range ids {
			if txs[i] == nil {
				txs[i] = got[id]
			}
		}
	}
	for _, tx := range txs {
		if err := ledger.VerifySignatures(tx, nw.n.verify); err != nil {
			return nil, len(missing), fmt.Errorf("transaction %X: %w", tx.ID(), err)
		}
	}
	return txs, len(missing), nil
}

// execute1 applies a block's transactions and evidence to its parent, seals
// its records and checks the ledger hash it names.
func (nw *network) execute1(parent *ledger.Ledger, b *Block, txs []*ledger.Tx, recs []ledger.SealedRecord) (*ledger.Ledger, error) {
	open := parent.Open()
	for _, tx := range txs {
		if out := open.Apply(tx); !out.Applied {
			return nil, fmt.Errorf("transaction %X does not apply: %s", tx.ID(), out.Result)
		}
	}
	if got := nw.applyEvidence(open, b.Evidence); len(got) != len(b.Evidence) {
		return nil, errors.New("block evidence is already committed")
	}
	if err := sealBlockRecords(open, recs); err != nil {
		return nil, err
	}
	l := open.Close(ledger.CloseInfo{CloseTime: b.CloseTime, Resolution: 1})
	if l.Hash() != b.LedgerHash {
		return nil, fmt.Errorf("executing the block gives ledger %X, the block names %X", l.Hash(), b.LedgerHash)
	}
	return l, nil
}

// ---- committing ----

func (nw *network) commit(ctx context.Context, o consensus.Commit) error {
	c := nw.cands[o.Block.ID]
	if c == nil && !nw.rbft && o.Block.Height == uint64(nw.height) {
		// A plugin engine may decide a block this node never checked (a
		// raft follower only learns the leader's block when it commits):
		// check it now and finish the commit when the check reports.
		nw.pendingCommit = &o
		nw.check(ctx, o.Block)
		return nil
	}
	if c == nil {
		// The engine decides only blocks it was told are valid, which are
		// all here; if not, fetch the decision from peers.
		nw.n.log.Error("decided block is not among the candidates; catching up", "height", o.Block.Height)
		nw.startCatchUp(ctx)
		return nil
	}
	return nw.finishCommit(c, &commitRecord{Payload: o.Block.Payload, Certificate: o.Certificate})
}

// finishCommit makes a decided ledger the tip consensus builds on and
// starts the next height at once; the persister stores it (one synced
// write) and only then reports it validated to clients, in order. So the
// next height's timeout_commit overlaps the store write instead of
// following it, and nothing a client was told is validated can be lost.
func (nw *network) finishCommit(c *candidate, rec *commitRecord) error {
	n := nw.n
	l := c.ledger
	start := time.Now()
	n.pool.Accept(l)
	n.recordsValidated(l)
	pooled := time.Since(start)
	nw.tip.Store(l)
	select {
	case nw.persistQ <- persistJob{ledger: l, record: rec.encode()}:
	case err := <-nw.persistErr:
		return err
	}
	for _, ev := range c.block.Evidence {
		delete(nw.evidence, crypto.SHA512Half(ev))
	}
	seed, err := nextSeed(c.block)
	if err != nil {
		return fmt.Errorf("ledger %d: %w", l.Seq(), err)
	}
	nw.seed, nw.lastCert, nw.lastID = seed, rec.Certificate, rbft.BlockID(rec.Payload)
	n.log.Debug("ledger decided", "ledger", l.Seq(), "txs", len(c.block.TxIDs), "pool", pooled.Round(time.Millisecond))
	return nw.startHeight(l)
}

// persistJob is a decided ledger waiting to be stored.
type persistJob struct {
	ledger *ledger.Ledger
	record []byte
}

// persistQueue bounds the decided ledgers waiting for storage; past it
// consensus waits for the disk.
const persistQueue = 8

// persist stores decided ledgers in order, then reports each validated:
// setValidated, the API's ledger and transaction streams. A storage error
// stops the node (reported on persistErr); it never skips a ledger.
func (nw *network) persist() {
	n := nw.n
	for job := range nw.persistQ {
		l := job.ledger
		start := time.Now()
		if err := n.store.SaveLedger(l, job.record); err != nil {
			nw.persistErr <- fmt.Errorf("storing ledger %d: %w", l.Seq(), err)
			for range nw.persistQ {
			}
			return
		}
		saved := time.Since(start)
		n.setValidated(l)
		txs, err := l.Transactions()
		if err != nil {
			nw.persistErr <- fmt.Errorf("reading ledger %d back: %w", l.Seq(), err)
			for range nw.persistQ {
			}
			return
		}
		n.api.Publish(l, txs)
		n.log.Debug("ledger validated", "ledger", l.Seq(), "txs", len(txs), "store", saved.Round(time.Millisecond),
			"total", time.Since(start).Round(time.Millisecond))
	}
}

func (nw *network) publishStatus() {
	e, ok := nw.n.engine.(*rbft.Engine)
	if !ok {
		// A plugin engine's rounds and votes are its own; show what the
		// node knows.
		st := &ConsensusStatus{
			Engine: nw.n.cfg.Consensus.Engine, Height: nw.height, LockedRound: -1, ValidRound: -1,
			Dropped: nw.dropped.Load(), CatchingUp: nw.catchingUp.Load(), Step: "plugin",
		}
		for _, v := range nw.vals {
			st.Validators = append(st.Validators, crypto.EncodeNodePublic(v.NodePublicKey))
			st.Validator = st.Validator || v.Account == nw.n.key.Account()
		}
		nw.status.Store(st)
		return
	}
	s := e.Status()
	st := &ConsensusStatus{
		Engine: nw.n.cfg.Consensus.Engine, Height: uint32(s.Height), Round: s.Round, Step: s.Step,
		LockedRound: s.LockedRound, ValidRound: s.ValidRound, Validator: s.Validator,
		Prevotes: s.Prevotes, Precommits: s.Precommits, Decided: s.Decided, Refused: s.Refused,
		Evidence: len(nw.evidence), Dropped: nw.dropped.Load(), CatchingUp: nw.catchingUp.Load(),
	}
	if s.LockedRound >= 0 {
		st.LockedBlock = fmt.Sprintf("%X", s.LockedID)
	}
	for _, v := range nw.vals {
		pub := crypto.EncodeNodePublic(v.NodePublicKey)
		st.Validators = append(st.Validators, pub)
		if v.Account == s.Proposer {
			st.Proposer = pub
		}
	}
	nw.status.Store(st)
}

// ---- evidence ----

func (nw *network) addEvidence(ev []byte) {
	e, err := rbft.DecodeEvidence(ev)
	if err != nil {
		return
	}
	key := crypto.SHA512Half(ev)
	if _, dup := nw.evidence[key]; dup || len(nw.evidence) >= maxBlockEvidence {
		return
	}
	nw.n.log.Warn("validator equivocated; evidence will be committed", "validator", fmt.Sprintf("%X", e.Offender()), "height", e.Height())
	nw.evidence[key] = ev
}

// pendingEvidence lists the evidence to put in the next block, in a stable
// order.
func (nw *network) pendingEvidence() [][]byte {
	keys := make([]codec.Hash256, 0, len(nw.evidence))
	for k := range nw.evidence {
		keys = append(keys, k)
	}
	sortHashes(keys)
	out := make([][]byte, 0, len(keys))
	for _, k := range keys {
		out = append(out, nw.evidence[k])
	}
	return out
}
