package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/plugin"
	"github.com/jtchain/jtchain/host/rpc"
	sdkindexer "github.com/jtchain/jtchain/sdk/indexer"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// An indexer feed streams validated ledgers, in order, to one indexer
// plugin instance from a durable cursor the node keeps in its store (the
// highest ledger the plugin acknowledged as stored). A plugin that crashes
// or stops answering is restarted by its supervisor and the feed resumes
// after the cursor, so nothing is lost and at most what was in flight is
// sent again (DESIGN.md §6: indexers resume from the cursor). A feed never
// holds up consensus: it reads what the store already has.

// indexerFeed is one instance's feed.
type indexerFeed struct {
	ix     *plugin.Indexer
	cursor atomic.Uint32
	fails  atomic.Uint64 // feeds that ended in an error
}

// Backoff between two feeds of one instance after an error.
const (
	feedBackoffMin = 500 * time.Millisecond
	feedBackoffMax = 30 * time.Second
)

func cursorName(instance string) string { return "indexer:" + instance }

// newIndexerFeeds makes a feed for every indexer instance.
func (n *Node) newIndexerFeeds() error {
	if n.plugins == nil {
		return nil
	}
	chainID := ChainID(n.genesis.ChainName, n.gen.Hash())
	for _, st := range n.plugins.List() {
		if st.Kind != sdkplugin.KindIndexer {
			continue
		}
		sup, _ := n.plugins.Supervisor(st.Name)
		ix, err := plugin.NewIndexer(sup, chainID)
		if err != nil {
			return err
		}
		f := &indexerFeed{ix: ix}
		cur, err := n.store.Cursor(cursorName(st.Name))
		if err != nil {
			return fmt.Errorf("indexer %q: reading its cursor: %w", st.Name, err)
		}
		f.cursor.Store(cur)
		n.indexers[st.Name] = f
	}
	return nil
}

// runIndexerFeeds runs every feed until ctx ends.
func (n *Node) runIndexerFeeds(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for name, f := range n.indexers {
		wg.Go(func() { n.runIndexerFeed(ctx, name, f) })
	}
	return wg.Wait
}

func (n *Node) runIndexerFeed(ctx context.Context, name string, f *indexerFeed) {
	log := n.log.Named("indexer").With("instance", name)
	backoff := feedBackoffMin
	for ctx.Err() == nil {
		first, _, _ := n.store.Range()
		before := f.cursor.Load()
		err := f.ix.Feed(ctx, sdkindexer.FeedRequest{
			Cursor: before,
			First:  first,
			Next:   n.indexerLedger,
			OnAck: func(seq uint32) error {
				if err := n.store.SetCursor(cursorName(name), seq); err != nil {
					return err
				}
				f.cursor.Store(seq)
				return nil
			},
		})
		if ctx.Err() != nil {
			return
		}
		if f.cursor.Load() > before {
			backoff = feedBackoffMin // it made progress: a fresh failure
		}
		fails := f.fails.Add(1)
		if fails == 1 || fails%20 == 0 || errors.Is(err, sdkindexer.ErrGap) {
			log.Warn("indexer feed stopped; resuming from the cursor", "cursor", f.cursor.Load(), "failures", fails, "retry_in", backoff, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, feedBackoffMax)
	}
}

// indexerLedger returns validated ledger seq as indexers see it, waiting
// until it is validated.
func (n *Node) indexerLedger(ctx context.Context, seq uint32) (sdkindexer.Ledger, error) {
	for {
		ch := n.ledgerWait()
		if n.Validated().Seq() >= seq {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return sdkindexer.Ledger{}, ctx.Err()
		}
	}
	h, err := n.store.Header(seq)
	if err != nil {
		return sdkindexer.Ledger{}, fmt.Errorf("ledger %d: %w", seq, err)
	}
	txs, err := n.store.Transactions(seq)
	if err != nil {
		return sdkindexer.Ledger{}, fmt.Errorf("ledger %d transactions: %w", seq, err)
	}
	l := sdkindexer.Ledger{
		Seq: seq, Hash: sdkindexer.Hash256(h.Hash()), ParentHash: sdkindexer.Hash256(h.ParentHash),
		CloseTime: RippleEpoch.Add(time.Duration(h.CloseTime) * time.Second),
		TxCount:   len(txs), Transactions: make([]sdkindexer.Transaction, len(txs)),
	}
	encs, err := n.store.Records(seq)
	if err != nil {
		return sdkindexer.Ledger{}, fmt.Errorf("ledger %d records: %w", seq, err)
	}
	for _, enc := range encs {
		r, err := blhr.DecodeRecord(enc)
		if err != nil {
			return sdkindexer.Ledger{}, fmt.Errorf("ledger %d: stored record: %w", seq, err)
		}
		rec := sdkindexer.Record{
			ID: sdkindexer.Hash256(blhr.EncodingID(enc)), TypeTag: r.TypeTag,
			Account: sdkindexer.AccountID(r.Account), DataHash: sdkindexer.Hash256(r.DataHash),
		}
		if len(r.Data) <= sdkindexer.MaxRecordDataSize {
			rec.Data = r.Data
		}
		l.Records = append(l.Records, rec)
	}
	for i, t := range txs {
		typ, ok := t.Tx.Type().Name()
		if !ok {
			typ = t.Tx.Type().String()
		}
		l.Transactions[i] = sdkindexer.Transaction{
			Hash: sdkindexer.Hash256(t.Tx.ID()), Account: sdkindexer.AccountID(t.Tx.Account()),
			Type: typ, Result: t.Result().String(),
		}
	}
	return l, nil
}

// ledgerWait returns a channel closed when the next ledger is validated.
func (n *Node) ledgerWait() <-chan struct{} {
	n.ledgerMu.Lock()
	defer n.ledgerMu.Unlock()
	return n.ledgerCh
}

// ledgerValidated wakes everything waiting in ledgerWait.
func (n *Node) ledgerValidated() {
	n.ledgerMu.Lock()
	close(n.ledgerCh)
	n.ledgerCh = make(chan struct{})
	n.ledgerMu.Unlock()
}

// IndexerQuery implements rpc.IndexerRouter: it asks the named indexer
// instance (or the only one, when name is empty).
func (n *Node) IndexerQuery(ctx context.Context, name string, q sdkindexer.Query) (sdkindexer.QueryResult, error) {
	f, err := n.indexerNamed(name)
	if err != nil {
		return sdkindexer.QueryResult{}, err
	}
	return f.ix.Query(ctx, q)
}

func (n *Node) indexerNamed(name string) (*indexerFeed, error) {
	if name == "" {
		if len(n.indexers) == 1 {
			for _, f := range n.indexers {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%w: name one of the %d indexer instances", rpc.ErrNoIndexer, len(n.indexers))
	}
	f, ok := n.indexers[name]
	if !ok {
		return nil, fmt.Errorf("%w: the node runs no indexer instance %q", rpc.ErrNoIndexer, name)
	}
	return f, nil
}
