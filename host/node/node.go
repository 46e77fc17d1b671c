package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/pluginengine"
	_ "github.com/jtchain/jtchain/host/consensus/rbft" // registers "rbft"
	_ "github.com/jtchain/jtchain/host/consensus/solo" // registers "solo"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/mempool"
	"github.com/jtchain/jtchain/host/plugin"
	"github.com/jtchain/jtchain/host/rpc"
	"github.com/jtchain/jtchain/host/store"
)

// Version is the node's build version; release builds set it with
// -ldflags "-X github.com/jtchain/jtchain/host/node.Version=...".
var Version = "0.1.0-dev"

// verifyCacheSize bounds the signature cache: about two ledgers' worth of
// transactions at the maximum ledger size.
const verifyCacheSize = 65536

// Node is a running jtchain node.
type Node struct {
	cfg     config.Config
	log     hclog.Logger
	genesis Genesis
	gen     *ledger.Ledger
	key     Identity
	store   *store.Store
	pool    *mempool.Pool
	// records are the BLHR records waiting for a ledger (records.go).
	records *recordPool
	engine  consensus.Engine
	// plugins runs the configured plugin instances; nil when there are none.
	plugins *plugin.Manager
	// indexers are the feeds of the indexer instances, by name.
	indexers map[string]*indexerFeed
	verify   ledger.VerifyFunc
	// net is the validator network; nil for the solo engine.
	net     *network
	api     *rpc.Server
	started time.Time

	validated atomic.Pointer[ledger.Ledger]

	recentMu sync.RWMutex
	recent   []*ledger.Ledger // validated ledgers with state, oldest first

	// ledgerCh is closed and replaced whenever a ledger is validated.
	ledgerMu sync.Mutex
	ledgerCh chan struct{}

	// txNotify wakes the driver when a transaction enters the open ledger.
	txNotify chan struct{}
	// pending is the ledger built and not yet committed (driver-owned).
	pending *ledger.Ledger
	// fatal records an error that stopped the driver.
	fatal error
}

// New opens storage and recovers or creates the chain. Nothing listens or
// runs until Run.
func New(cfg config.Config, log hclog.Logger) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: log, txNotify: make(chan struct{}, 1), ledgerCh: make(chan struct{}),
		indexers: map[string]*indexerFeed{}}
	var err error
	if n.genesis, err = LoadGenesis(cfg.Resolve(cfg.Chain.GenesisFile)); err != nil {
		return nil, err
	}
	if n.gen, err = n.genesis.Ledger(); err != nil {
		return nil, err
	}
	if n.key, err = LoadNodeKey(cfg.Resolve(cfg.Node.KeyFile)); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data_dir %s: %w", cfg.DataDir, err)
	}
	n.store, err = store.Open(filepath.Join(cfg.DataDir, "db"), storeConfig(cfg.Store), log.Named("store"))
	if err != nil {
		return nil, err
	}
	latest, err := n.recover()
	if err != nil {
		n.store.Close()
		return nil, err
	}
	n.setValidated(latest)
	// Each signature is verified once per node; mempool.CachedVerifier keys
	// the cache by the key, the signed data and the signature.
	n.verify = mempool.CachedVerifier(crypto.NewVerifyCache(verifyCacheSize))
	n.pool = mempool.New(mempoolConfig(cfg), latest, n.verify)
	n.records = newRecordPool(cfg.BLHR.MaxPending, cfg.BLHR.MaxPendingMB<<20)
	n.records.expire(latest.Seq())
	if cfg.Consensus.Engine != n.genesis.Consensus.Engine {
		n.store.Close()
		return nil, fmt.Errorf("consensus.engine is %q but this chain's genesis (%s) fixes engine %q: set consensus.engine = %q",
			cfg.Consensus.Engine, cfg.Resolve(cfg.Chain.GenesisFile), n.genesis.Consensus.Engine, n.genesis.Consensus.Engine)
	}
	var safety []byte
	if networked(cfg.Consensus.Engine) {
		if n.net, safety, err = newNetwork(n); err != nil {
			n.store.Close()
			return nil, err
		}
	}
	if n.plugins, err = startPlugins(cfg, log); err != nil {
		n.store.Close()
		return nil, err
	}
	if n.engine, err = n.newEngine(safety); err != nil {
		n.stopPlugins()
		n.store.Close()
		return nil, err
	}
	if err := n.newIndexerFeeds(); err != nil {
		n.stopPlugins()
		n.store.Close()
		return nil, err
	}
	if n.api, err = rpc.New(rpcConfig(cfg.RPC), n, log.Named("rpc")); err == nil {
		n.api.LimitUnsignedRecords(cfg.BLHR.UnsignedPerSecond, cfg.BLHR.UnsignedBurst)
	}
	if err != nil {
		n.stopPlugins()
		n.store.Close()
		return nil, err
	}
	return n, nil
}

// networked reports whether an engine needs the validator network: every
// engine but solo, built in or plugin, decides with peers.
func networked(engine string) bool { return engine != "solo" }

// newEngine makes the consensus engine: the plugin consensus.plugin names,
// or the built-in engine of consensus.engine.
func (n *Node) newEngine(safety []byte) (consensus.Engine, error) {
	cfg := n.cfg
	params := consensus.Params{
		ChainID:       ChainID(n.genesis.ChainName, n.gen.Hash()),
		Safety:        safety,
		Self:          n.key.Account(),
		CloseInterval: cfg.Consensus.CloseInterval,
		IdleInterval:  cfg.Consensus.IdleInterval,
		LedgerTarget:  cfg.Mempool.LedgerTarget,
		Options:       cfg.Consensus.Options,
	}
	if cfg.Consensus.Plugin == "" {
		e, err := consensus.New(cfg.Consensus.Engine, params)
		if err != nil {
			return nil, fmt.Errorf("%w: an engine that is not built in runs as a plugin: add a [[plugins.instance]] of kind consensus and name it in consensus.plugin", err)
		}
		return e, nil
	}
	sup, ok := n.plugins.Supervisor(cfg.Consensus.Plugin)
	if !ok { // config.Validate checked the name
		return nil, fmt.Errorf("consensus.plugin %q names no plugin instance", cfg.Consensus.Plugin)
	}
	if info := sup.Status().Info; info.Name != cfg.Consensus.Engine {
		return nil, fmt.Errorf("consensus plugin %q runs engine %q, but this chain's engine is %q (fixed by its genesis): point the instance at a build of the %q engine",
			cfg.Consensus.Plugin, info.Name, cfg.Consensus.Engine, cfg.Consensus.Engine)
	}
	ic := sup.Config()
	e, err := pluginengine.NewWithSetup(plugin.ConsensusEngine(sup), params,
		pluginengine.Setup{Config: ic.Config, DataDir: ic.DataDir}, ic.CallTimeout, n.log.Named("consensus"))
	if err != nil {
		return nil, fmt.Errorf("consensus plugin %q: %w", cfg.Consensus.Plugin, err)
	}
	n.log.Info("consensus engine runs as a plugin", "engine", cfg.Consensus.Engine, "instance", cfg.Consensus.Plugin,
		"version", sup.Status().Info.Version, "pid", sup.Status().PID)
	return e, nil
}

// recover loads the latest stored ledger, or stores the genesis ledger on a
// new data directory. A data directory of another chain is refused.
func (n *Node) recover() (*ledger.Ledger, error) {
	_, ok, err := n.store.Latest()
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := n.store.SaveLedger(n.gen, nil); err != nil {
			return nil, fmt.Errorf("storing the genesis ledger: %w", err)
		}
		n.log.Info("new chain", "chain", n.genesis.ChainName, "genesis", fmt.Sprintf("%X", n.gen.Hash()))
		return n.gen, nil
	}
	first, err := n.store.Header(1)
	if err != nil {
		return nil, fmt.Errorf("reading ledger 1: %w", err)
	}
	if first.Hash() != n.gen.Hash() {
		return nil, fmt.Errorf("data_dir %s holds a different chain (ledger 1 is %X, the genesis file gives %X): use the matching genesis file or a new data_dir",
			n.cfg.DataDir, first.Hash(), n.gen.Hash())
	}
	l, err := n.store.LoadLatest()
	if err != nil {
		return nil, fmt.Errorf("loading the latest ledger: %w", err)
	}
	n.log.Info("recovered chain", "chain", n.genesis.ChainName, "ledger", l.Seq(), "hash", fmt.Sprintf("%X", l.Hash()))
	return l, nil
}

func (n *Node) setValidated(l *ledger.Ledger) {
	n.validated.Store(l)
	n.recentMu.Lock()
	n.recent = append(n.recent, l)
	if keep := n.cfg.Store.InMemoryLedgers; len(n.recent) > keep {
		n.recent = append([]*ledger.Ledger(nil), n.recent[len(n.recent)-keep:]...)
	}
	n.recentMu.Unlock()
	n.ledgerValidated()
}

// Run serves the API and drives consensus until ctx is cancelled, then shuts
// down gracefully. It returns the first fatal error, if any.
func (n *Node) Run(ctx context.Context) error {
	n.started = time.Now()
	defer n.store.Close()
	if err := n.api.Start(ctx); err != nil {
		return err
	}
	n.log.Info("node running", "engine", n.cfg.Consensus.Engine, "ledger", n.Validated().Seq(),
		"ws", n.api.WSAddr(), "http", n.api.HTTPAddr())
	feedCtx, stopFeeds := context.WithCancel(ctx)
	waitFeeds := n.runIndexerFeeds(feedCtx)
	var loopErr error
	if n.net != nil {
		loopErr = n.driveNet(ctx)
	} else {
		loopErr = n.drive(ctx)
	}
	stopFeeds()
	waitFeeds()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.api.Shutdown(shutdown); err != nil {
		n.log.Warn("api shutdown", "error", err)
	}
	n.stopPlugins()
	n.log.Info("node stopped", "ledger", n.Validated().Seq())
	return loopErr
}

// WSAddr and HTTPAddr report the API's bound addresses once Run started.
func (n *Node) WSAddr() string   { return n.api.WSAddr() }
func (n *Node) HTTPAddr() string { return n.api.HTTPAddr() }

// tickInterval is how often the driver feeds time to the engine.
const tickInterval = 50 * time.Millisecond

// drive is the driver loop: the only goroutine that steps the engine,
// closes ledgers and commits them.
func (n *Node) drive(ctx context.Context) error {
	l := n.Validated()
	if err := n.step(consensus.StartHeight{Height: uint64(l.Seq()) + 1, ParentID: l.Hash(), Now: time.Now()}); err != nil {
		return err
	}
	ticker := time.NewTicker(tickInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-ticker.C:
			if err := n.step(consensus.TxsAvailable{Count: n.workAvailable(), Now: now}); err != nil {
				return err
			}
		case <-n.txNotify:
			if err := n.step(consensus.TxsAvailable{Count: n.workAvailable(), Now: time.Now()}); err != nil {
				return err
			}
		}
	}
}

// step feeds one input to the engine and carries out its outputs, feeding
// their results back until the engine has nothing more to do.
func (n *Node) step(in consensus.Input) error {
	queue := []consensus.Input{in}
	for len(queue) > 0 {
		in, queue = queue[0], queue[1:]
		for _, out := range n.engine.Step(in) {
			next, err := n.execute(out)
			if err != nil {
				return err
			}
			if next != nil {
				queue = append(queue, next)
			}
		}
	}
	return nil
}

func (n *Node) execute(out consensus.Output) (consensus.Input, error) {
	switch o := out.(type) {
	case consensus.BuildBlock:
		return n.buildBlock(o), nil
	case consensus.Commit:
		return n.commit(o)
	default:
		// Outputs for networked engines (votes, timeouts, catch-up) have no
		// meaning without peers; the solo engine never emits them.
		n.log.Warn("ignoring consensus output without a handler", "output", fmt.Sprintf("%T", out))
		return nil, nil
	}
}

func (n *Node) buildBlock(o consensus.BuildBlock) consensus.Input {
	parent := n.Validated()
	if l := n.pending; l != nil && uint64(l.Seq()) == o.Height && l.Header().ParentHash == parent.Hash() {
		// Asked again for a block built and not yet committed (an engine
		// plugin restarted in between): the same block is still the one.
		return consensus.BlockBuilt{Height: o.Height, Round: o.Round, Block: consensus.Block{
			Height: uint64(l.Seq()), ID: l.Hash(), ParentID: parent.Hash(),
		}}
	}
	closeTime := ToRippleTime(time.Now())
	if closeTime <= parent.Header().CloseTime {
		// Close times strictly increase, whatever the wall clock does.
		closeTime = parent.Header().CloseTime + 1
	}
	var records []codec.Hash256
	l, ids := n.pool.CloseBlock(ledger.CloseInfo{CloseTime: closeTime, Resolution: 1}, func(open *ledger.OpenLedger) []codec.Hash256 {
		records = n.sealPending(open, n.cfg.BLHR.MaxPerLedger)
		return nil
	})
	n.pending = l
	n.log.Debug("ledger built", "ledger", l.Seq(), "txs", len(ids), "records", len(records))
	return consensus.BlockBuilt{Height: o.Height, Round: o.Round, Block: consensus.Block{
		Height: uint64(l.Seq()), ID: l.Hash(), ParentID: parent.Hash(),
	}}
}

func (n *Node) commit(o consensus.Commit) (consensus.Input, error) {
	l := n.pending
	if l == nil || l.Hash() != o.Block.ID {
		return nil, fmt.Errorf("consensus committed ledger %X, which this node did not build", o.Block.ID)
	}
	n.pending = nil
	start := time.Now()
	if err := n.store.SaveLedger(l, o.Certificate); err != nil {
		// Without durable storage the node cannot promise anything: stop.
		return nil, fmt.Errorf("storing ledger %d: %w", l.Seq(), err)
	}
	n.setValidated(l)
	n.pool.Accept(l)
	n.recordsValidated(l)
	txs, err := l.Transactions()
	if err != nil {
		return nil, fmt.Errorf("reading ledger %d back: %w", l.Seq(), err)
	}
	n.api.Publish(l, txs)
	n.log.Debug("ledger validated", "ledger", l.Seq(), "txs", len(txs), "store", time.Since(start))
	return consensus.StartHeight{Height: uint64(l.Seq()) + 1, ParentID: l.Hash(), Now: time.Now()}, nil
}

// Validated returns the latest validated ledger.
func (n *Node) Validated() *ledger.Ledger { return n.validated.Load() }

func findRecent(recent []*ledger.Ledger, match func(*ledger.Ledger) bool) *ledger.Ledger {
	for i := len(recent) - 1; i >= 0; i-- {
		if match(recent[i]) {
			return recent[i]
		}
	}
	return nil
}
