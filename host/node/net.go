package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/p2p"
	"github.com/jtchain/jtchain/host/rpc"
)

// network is the node's side of a networked consensus engine: the libp2p
// host, the signed envelopes of consensus messages, transaction gossip,
// block building and checking, commits and catch-up. The driver goroutine
// (driveNet) owns every field not marked otherwise.
type network struct {
	n       *Node
	chainID string
	// p2pKey is the seed of the libp2p identity (loadP2PKey).
	p2pKey []byte
	// rbft: the engine is the built-in RBFT, whose messages, certificates
	// and proposer order the network checks itself. Any other networked
	// engine (a plugin) has opaque messages and certificates: the network
	// checks only that a validator signed them, and trusts the engine's
	// decisions after re-executing each block (DESIGN.md §6).
	rbft bool
	// pendingCommit is a plugin engine's decision whose block is being
	// checked; it is finished when the check reports.
	pendingCommit *consensus.Commit
	safety        *consensus.SafetyFile
	host          *p2p.Host  // set by start
	chaos         *p2p.Chaos // fault injection of a test network (p2p.chaos), else nil

	// msgs carries verified consensus messages from the gossip layer. It is
	// bounded; when it is full a message is dropped (and counted) rather
	// than slowing the network down: rebroadcast (spec/rbft.md §9) resends
	// what matters.
	msgs    chan consensus.Message
	dropped atomic.Uint64
	// ctl carries the results of the driver's own helpers (timers, block
	// checks, catch-up); senders block, so none is lost.
	ctl chan any

	// views is what the topic validators need to judge a message without
	// the driver: the validator sets around the current height.
	views atomic.Pointer[valView]
	// ahead is set by a topic validator that saw a validator's message for
	// a height beyond h+1: this node is behind.
	ahead atomic.Bool

	// tip is the last decided ledger, what consensus builds on; it may be
	// one or two ledgers ahead of Node.Validated while the persister
	// stores it. Read by catch-up too, hence atomic.
	tip        atomic.Pointer[ledger.Ledger]
	persistQ   chan persistJob
	persistErr chan error

	height   uint32        // the height consensus is deciding
	seed     codec.Hash256 // its proposer-order seed
	vals     []ledger.Validator
	prevVals []ledger.Validator // the set that decided height−1, when known
	lastCert []byte             // the certificate of height−1 (empty after genesis)
	lastID   codec.Hash256      // the engine block id of height−1
	cands    map[codec.Hash256]*candidate
	checking map[codec.Hash256]bool
	evidence map[codec.Hash256][]byte // verified, not yet committed
	resend   uint64

	catchingUp atomic.Bool
	checkSem   chan struct{} // bounds concurrent block checks

	status atomic.Pointer[ConsensusStatus]
	txOut  *txGossip
	// recordOut gossips the BLHR records this node admitted from clients.
	recordOut *txGossip
	wg        sync.WaitGroup
}

// candidate is a block this node built or checked, with its ledger.
type candidate struct {
	block  *Block
	ledger *ledger.Ledger
}

// valView is an immutable snapshot for the topic validators.
type valView struct {
	height uint32
	sets   map[uint32]map[codec.AccountID][]byte // height → validator → node public key
}

// ConsensusStatus is what consensus_info and server_info show.
type ConsensusStatus struct {
	Engine      string
	Height      uint32
	Round       int32
	Step        string
	LockedRound int32
	ValidRound  int32
	Validator   bool
	// Prevotes and Precommits count the validators heard from this round.
	Prevotes, Precommits int
	Decided              bool     // the height is decided, the next not yet started
	LockedBlock          string   // the engine id of the locked block, if any
	Refused              int      // signatures the engine's regression guard refused
	Validators           []string // node public keys of the current set
	Proposer             string   // node public key of the current round's proposer
	Evidence             int      // evidence waiting to be committed
	Dropped              uint64   // consensus messages dropped because the inbox was full
	CatchingUp           bool
}

// Consensus-layer settings a network runs with.
const (
	msgQueue        = 8192
	ctlQueue        = 256
	maxCloseDrift   = 30 // seconds a proposer's close time may run ahead of a checker's clock
	maxCheckers     = 2
	fetchTimeout    = 3 * time.Second
	recentCommits   = 10 // heights the double-sign guard reads at start
	protoLedger     = "ledger"
	protoTxs        = "txs"
	protoRecords    = "records"
	netTickInterval = 100 * time.Millisecond
	// stallCatchUp: without a commit for this long the node asks its peers
	// whether they are ahead.
	stallCatchUp = 5 * time.Second
)

func safetyPath(cfg config.Config) string { return filepath.Join(cfg.DataDir, "consensus_safety") }

// newNetwork prepares the network side and the safety record for the engine.
// It refuses to run a validator whose signature appears in a recent commit
// that its own safety record does not explain (spec/rbft.md §8).
func newNetwork(n *Node) (*network, []byte, error) {
	nw := &network{
		n:        n,
		rbft:     n.cfg.Consensus.Engine == "rbft" && n.cfg.Consensus.Plugin == "",
		chainID:  ChainID(n.genesis.ChainName, n.gen.Hash()),
		safety:   consensus.OpenSafetyFile(safetyPath(n.cfg)),
		msgs:     make(chan consensus.Message, msgQueue),
		ctl:      make(chan any, ctlQueue),
		cands:    make(map[codec.Hash256]*candidate),
		checking: make(map[codec.Hash256]bool),
		evidence: make(map[codec.Hash256][]byte),
		checkSem: make(chan struct{}, maxCheckers),
	}
	var err error
	if nw.p2pKey, err = loadP2PKey(n); err != nil {
		return nil, nil, err
	}
	rec, err := nw.safety.Load()
	if err != nil {
		return nil, nil, fmt.Errorf("consensus safety file %s: %w", safetyPath(n.cfg), err)
	}
	if nw.rbft {
		// A plugin engine's record is its own format; the engine guards
		// itself when it restores from it.
		if err := nw.doubleSignGuard(rec); err != nil {
			return nil, nil, err
		}
	}
	return nw, rec, nil
}

// loadP2PKey returns the libp2p identity seed: p2p.key_file's, or the one
// derived from the node key.
func loadP2PKey(n *Node) ([]byte, error) {
	if n.cfg.P2P.KeyFile == "" {
		return n.key.P2PSeed(), nil
	}
	path := n.cfg.Resolve(n.cfg.P2P.KeyFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("p2p.key_file: %w", err)
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != 32 {
		return nil, fmt.Errorf("p2p.key_file %s: want 64 hex digits (a 32-byte seed), e.g. from `openssl rand -hex 32`", path)
	}
	return seed, nil
}

func (nw *network) doubleSignGuard(rec []byte) error {
	signed, err := rbft.LastSignedHeight(rec)
	if err != nil {
		return fmt.Errorf("consensus safety file %s: %w", safetyPath(nw.n.cfg), err)
	}
	latest := nw.n.Validated().Seq()
	self := nw.n.key.Account()
	for h := latest; h > 1 && h+recentCommits > latest; h-- {
		raw, err := nw.n.store.Certificate(h)
		if err != nil || len(raw) == 0 {
			continue
		}
		cr, err := decodeCommitRecord(raw)
		if err != nil {
			return fmt.Errorf("the stored commit of ledger %d is unreadable: %w", h, err)
		}
		cert, err := rbft.DecodeCertificate(cr.Certificate)
		if err != nil {
			return fmt.Errorf("the stored certificate of ledger %d is unreadable: %w", h, err)
		}
		for _, p := range cert.Precommits {
			if p.Signer == self && uint64(h) > signed {
				return fmt.Errorf("refusing to start: ledger %d was committed with a precommit signed by this node's key, but its safety record (%s) says it last signed at height %d. "+
					"Another node may be running with this key, or the safety file was deleted or restored from an old copy. "+
					"Signing now could equivocate. Make sure no other process uses %s before you move the safety file aside",
					h, safetyPath(nw.n.cfg), signed, nw.n.cfg.Resolve(nw.n.cfg.Node.KeyFile))
			}
		}
	}
	return nil
}

// start opens the libp2p host, subscribes to the topics and serves the
// catch-up protocols.
func (nw *network) start(ctx context.Context) error {
	cfg := nw.n.cfg
	pc := p2p.Config{
		ListenAddrs: cfg.P2P.Listen,
		Key:         nw.p2pKey,
		ChainID:     p2pChainID(nw.chainID),
	}
	for _, s := range cfg.P2P.Peers {
		p, err := parsePeer(s)
		if err != nil {
			return err
		}
		pc.Peers = append(pc.Peers, p)
	}
	if cfg.P2P.Chaos {
		nw.chaos = p2p.NewChaos(uint64(time.Now().UnixNano()))
		pc.Chaos = nw.chaos
	}
	h, err := p2p.New(ctx, pc, nw.n.log.Named("p2p"))
	if err != nil {
		return fmt.Errorf("p2p: %w", err)
	}
	nw.host = h
	if err := h.Subscribe(p2p.TopicConsensus, nw.validateConsensus, nw.deliverConsensus); err != nil {
		h.Close()
		return err
	}
	if err := h.Subscribe(p2p.TopicTx, nw.validateTxs, nw.deliverTxs); err != nil {
		h.Close()
		return err
	}
	if err := h.Handle(protoLedger, nw.serveLedger); err != nil {
		h.Close()
		return err
	}
	if err := h.Handle(protoTxs, nw.serveTxs); err != nil {
		h.Close()
		return err
	}
	if err := h.Handle(protoRecords, nw.serveRecords); err != nil {
		h.Close()
		return err
	}
	nw.txOut = newTxGossip(h, nw.n.log.Named("gossip"))
	nw.recordOut = newTxGossip(h, nw.n.log.Named("gossip"))
	nw.recordOut.encode = encodeRecordBatch
	nw.wg.Add(2)
	go func() { defer nw.wg.Done(); nw.txOut.run(ctx) }()
	go func() { defer nw.wg.Done(); nw.recordOut.run(ctx) }()
	nw.n.log.Info("p2p listening", "id", h.ID(), "addrs", h.Addrs(), "peers", len(pc.Peers), "chain_id", nw.chainID)
	return nil
}

// p2pChainID is the chain id as topic names take it (no '/', no spaces).
func p2pChainID(id string) string {
	out := []byte(id)
	for i, c := range out {
		if c == '/' || c <= ' ' || c == 0x7f {
			out[i] = '_'
		}
	}
	return string(out)
}

func parsePeer(s string) (p2p.Peer, error) {
	id, addr, ok := cut(s, '@')
	if id == "" {
		return p2p.Peer{}, fmt.Errorf("p2p.peers: %q: no peer id", s)
	}
	p := p2p.Peer{ID: id}
	if ok {
		p.Addrs = []string{addr}
	}
	return p, nil
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (nw *network) stop() {
	nw.wg.Wait()
	if nw.host != nil {
		if err := nw.host.Close(); err != nil {
			nw.n.log.Warn("p2p close", "error", err)
		}
	}
}

// ---- consensus messages ----

// validateConsensus judges a consensus envelope before it is delivered or
// forwarded: well-formed, for a height near ours, signed by a validator of
// that height.
func (nw *network) validateConsensus(_ context.Context, _ string, data []byte) p2p.Verdict {
	env, err := decodeEnvelope(data)
	if err != nil {
		return p2p.Reject
	}
	if !nw.rbft {
		return nw.validateOpaque(env)
	}
	msg, err := rbft.DecodeMessage(env.Payload)
	if err != nil {
		return p2p.Reject
	}
	var h uint64
	switch m := msg.(type) {
	case *rbft.Proposal:
		h = m.Height
	case *rbft.Vote:
		h = m.Height
	default:
		return p2p.Reject
	}
	view := nw.views.Load()
	if view == nil {
		return p2p.Ignore
	}
	cur := uint64(view.height)
	switch {
	case h+1 < cur:
		return p2p.Ignore // old news
	case h > cur+1:
		// Far ahead: this node cannot tell that height's validators; if a
		// current validator signed it, this node is behind.
		if pub, ok := view.sets[view.height][env.From]; ok && crypto.Verify(pub, rbft.SignBytes(nw.chainID, env.Payload), env.Signature) == nil {
			nw.ahead.Store(true)
		}
		return p2p.Ignore
	}
	set, ok := view.sets[uint32(h)]
	if !ok {
		return p2p.Ignore
	}
	pub, ok := set[env.From]
	if !ok {
		return p2p.Reject
	}
	if crypto.Verify(pub, rbft.SignBytes(nw.chainID, env.Payload), env.Signature) != nil {
		return p2p.Reject
	}
	return p2p.Accept
}

// validateOpaque judges a plugin engine's message, whose payload only the
// engine understands: it must be signed by a validator of the current
// height or of the next.
func (nw *network) validateOpaque(env *envelope) p2p.Verdict {
	view := nw.views.Load()
	if view == nil {
		return p2p.Ignore
	}
	for _, h := range []uint32{view.height, view.height + 1, view.height - 1} {
		if pub, ok := view.sets[h][env.From]; ok {
			if crypto.Verify(pub, rbft.SignBytes(nw.chainID, env.Payload), env.Signature) != nil {
				return p2p.Reject
			}
			return p2p.Accept
		}
	}
	return p2p.Reject
}

func (nw *network) deliverConsensus(_ string, data []byte) {
	env, err := decodeEnvelope(data)
	if err != nil {
		return
	}
	select {
	case nw.msgs <- consensus.Message{From: env.From, Payload: env.Payload, Signature: env.Signature}:
	default:
		nw.dropped.Add(1)
	}
}

func (nw *network) publish(m consensus.Message) {
	nw.resend++
	env := envelope{From: m.From, Payload: m.Payload, Signature: m.Signature, Resend: nw.resend}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := nw.host.Publish(ctx, p2p.TopicConsensus, env.encode()); err != nil {
		nw.n.log.Debug("publish consensus message", "error", err)
	}
}

// ---- transactions ----

func (nw *network) validateTxs(ctx context.Context, from string, data []byte) p2p.Verdict {
	if isRecordBatch(data) {
		return nw.validateRecords(data)
	}
	blobs, err := decodeTxBatch(data)
	if err != nil {
		return p2p.Reject
	}
	for _, b := range blobs {
		tx, err := ledger.DecodeTx(b)
		if err != nil {
			return p2p.Reject
		}
		// Validators run concurrently: checking signatures here warms the
		// cache the pool's Submit reads.
		if err := ledger.VerifySignatures(tx, nw.n.verify); err != nil {
			return p2p.Reject
		}
	}
	return p2p.Accept
}

func (nw *network) deliverTxs(from string, data []byte) {
	if isRecordBatch(data) {
		nw.deliverRecords(data)
		return
	}
	blobs, err := decodeTxBatch(data)
	if err != nil {
		return
	}
	for _, b := range blobs {
		tx, err := ledger.DecodeTx(b)
		if err != nil {
			continue
		}
		nw.n.pool.Submit(tx)
	}
}

// gossipTx sends a transaction this node admitted from a client.
func (nw *network) gossipTx(tx *ledger.Tx) {
	if nw.txOut != nil {
		nw.txOut.add(tx.Blob())
	}
}

// ---- catch-up and transaction serving ----

func (nw *network) serveLedger(_ context.Context, _ string, req []byte) ([]byte, error) {
	h, err := decodeHeight(req)
	if err != nil {
		return nil, err
	}
	st := nw.n.store
	latest, ok, err := st.Latest()
	if err != nil {
		return nil, errors.New("storage unavailable")
	}
	if !ok || h < 2 || h > latest.Seq {
		return nil, fmt.Errorf("ledger %d not held (latest %d)", h, latest.Seq)
	}
	raw, err := st.Certificate(h)
	if err != nil || len(raw) == 0 {
		return nil, fmt.Errorf("ledger %d has no commit record", h)
	}
	cr, err := decodeCommitRecord(raw)
	if err != nil {
		return nil, fmt.Errorf("ledger %d: stored commit unreadable", h)
	}
	b, err := DecodeBlock(cr.Payload)
	if err != nil {
		return nil, fmt.Errorf("ledger %d: stored block unreadable", h)
	}
	txs, err := st.Transactions(h)
	if err != nil {
		return nil, fmt.Errorf("ledger %d: transactions unreadable", h)
	}
	byID := make(map[codec.Hash256][]byte, len(txs))
	for _, t := range txs {
		byID[t.Tx.ID()] = t.Tx.Blob()
	}
	ans := ledgerAnswer{Record: raw}
	for _, id := range b.TxIDs {
		blob, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("ledger %d: transaction %X missing", h, id)
		}
		ans.Txs = append(ans.Txs, blob)
	}
	if len(b.RecordIDs) > 0 {
		recs, err := st.Records(h)
		if err != nil || len(recs) != len(b.RecordIDs) {
			return nil, fmt.Errorf("ledger %d: records unreadable", h)
		}
		ans.Records = recs
	}
	return ans.encode(), nil
}

func (nw *network) serveTxs(_ context.Context, _ string, req []byte) ([]byte, error) {
	ids, err := decodeIDs(req)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		if tx := nw.n.pool.Lookup(id); tx != nil {
			out[i] = tx.Blob()
			continue
		}
		if rec, err := nw.n.store.Tx(id); err == nil {
			out[i] = rec.Tx.Blob()
		}
	}
	return encodeBlobs(out), nil
}

// fetchTxs asks connected peers, one after another, for the bodies of ids.
func (nw *network) fetchTxs(ctx context.Context, ids []codec.Hash256) (map[codec.Hash256]*ledger.Tx, error) {
	got := make(map[codec.Hash256]*ledger.Tx, len(ids))
	missing := nw.fetchByID(ctx, protoTxs, ids, maxFetchIDs, func(id codec.Hash256, b []byte) bool {
		tx, err := ledger.DecodeTx(b)
		if err != nil || tx.ID() != id {
			return false
		}
		got[id] = tx
		return true
	})
	if len(missing) > 0 {
		return got, fmt.Errorf("%d of %d transactions not found at any peer (first %X)", len(missing), len(ids), missing[0])
	}
	return got, nil
}

// fetchByID asks connected peers, one after another, for the bodies of ids
// over proto, at most chunk ids a request. keep reports whether a peer's
// non-empty answer is the body of id (and takes it). It returns the ids no
// peer gave a body for.
func (nw *network) fetchByID(ctx context.Context, proto string, ids []codec.Hash256, chunk int, keep func(id codec.Hash256, body []byte) bool) []codec.Hash256 {
	missing := ids
	have := make(map[codec.Hash256]bool, len(ids))
	for _, p := range nw.host.Peers() {
		if len(missing) == 0 {
			break
		}
		if !p.Connected {
			continue
		}
		for start := 0; start < len(missing); start += chunk {
			part := missing[start:min(start+chunk, len(missing))]
			rctx, cancel := context.WithTimeout(ctx, fetchTimeout)
			resp, err := nw.host.Request(rctx, p.ID, proto, encodeIDs(part))
			cancel()
			if err != nil {
				break
			}
			blobs, err := decodeBlobs(resp, len(part))
			if err != nil {
				break
			}
			for i, b := range blobs {
				if len(b) > 0 && !have[part[i]] && keep(part[i], b) {
					have[part[i]] = true
				}
			}
		}
		var still []codec.Hash256
		for _, id := range missing {
			if !have[id] {
				still = append(still, id)
			}
		}
		missing = still
	}
	return missing
}

// fillStatus adds the network's view to server_info: the server_state the
// Jingtum clients read ("proposing" for a validator in consensus, "full" for
// a follower, "syncing" while catching up), peers, validators and the round.
func (nw *network) fillStatus(st *rpc.Status) {
	cs := nw.status.Load()
	if nw.host != nil {
		for _, p := range nw.host.Peers() {
			if p.Connected {
				st.Peers++
			}
		}
	}
	if cs == nil {
		st.ServerState = "connected"
		return
	}
	st.Validators = len(cs.Validators)
	switch {
	case nw.catchingUp.Load():
		st.ServerState = "syncing"
	case cs.Validator:
		st.ServerState = "proposing"
	default:
		st.ServerState = "full"
	}
	st.Consensus = map[string]any{
		"height": cs.Height, "round": cs.Round, "step": cs.Step,
		"locked_round": cs.LockedRound, "valid_round": cs.ValidRound, "locked_block": cs.LockedBlock,
		"prevotes": cs.Prevotes, "precommits": cs.Precommits, "decided": cs.Decided, "refused_signatures": cs.Refused,
		"validator": cs.Validator, "validators": cs.Validators, "proposer": cs.Proposer,
		"pending_evidence": cs.Evidence, "dropped_messages": cs.Dropped, "catching_up": nw.catchingUp.Load(),
		"peers": st.Peers,
	}
}

// LedgerCommit implements rpc.CommitSource.
func (n *Node) LedgerCommit(seq uint32) (block, certificate []byte, err error) {
	if n.net == nil {
		return nil, nil, rpc.ErrLedgerNotFound
	}
	lo, hi, ok := n.store.Range()
	if !ok || seq < lo || seq > hi || seq < 2 {
		return nil, nil, rpc.ErrLedgerNotFound
	}
	raw, err := n.store.Certificate(seq)
	if err != nil {
		return nil, nil, err
	}
	if len(raw) == 0 {
		return nil, nil, rpc.ErrLedgerNotFound
	}
	cr, err := decodeCommitRecord(raw)
	if err != nil {
		return nil, nil, err
	}
	return cr.Payload, cr.Certificate, nil
}
