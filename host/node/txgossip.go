package node

import (
	"context"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/p2p"
)

// txGossip batches the transactions a node admits from its clients and
// publishes them on the tx topic: a batch of a few kilobytes costs the
// network far less per transaction than one message each (research/perf.md
// §4). A batch goes out when it reaches txBatchBytes or txBatchDelay after
// its first transaction, whichever comes first.
type txGossip struct {
	host *p2p.Host
	log  hclog.Logger
	in   chan []byte
	// encode makes one message of a batch (transactions or records).
	encode func([][]byte) []byte
}

const (
	txBatchBytes = 16 << 10
	txBatchDelay = 20 * time.Millisecond
	txGossipQ    = 16384
)

func newTxGossip(h *p2p.Host, log hclog.Logger) *txGossip {
	return &txGossip{host: h, log: log, in: make(chan []byte, txGossipQ), encode: encodeTxBatch}
}

// add queues a transaction blob; when the queue is full it is not gossiped
// (the proposer's block carries its id and peers fetch it).
func (g *txGossip) add(blob []byte) {
	select {
	case g.in <- blob:
	default:
	}
}

func (g *txGossip) run(ctx context.Context) {
	var batch [][]byte
	size := 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		if err := g.host.Publish(pctx, p2p.TopicTx, g.encode(batch)); err != nil {
			g.log.Debug("publish batch", "count", len(batch), "error", err)
		}
		cancel()
		batch, size = nil, 0
	}
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-g.in:
			if len(batch) == 0 {
				timer.Reset(txBatchDelay)
			}
			batch = append(batch, b)
			size += len(b)
			if size >= txBatchBytes || len(batch) >= maxBatchTxs {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}
