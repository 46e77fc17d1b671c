package node

import (
	"context"
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// Catch-up: a node that is behind (it restarted, was partitioned, or is a
// follower that starts empty) asks its peers for each next ledger with its
// commit record, checks the certificate against the validators of that
// height, re-executes the block on its own parent and commits it. Nothing a
// peer sends is trusted: a wrong answer is dropped and the next peer asked.

// maxCatchUpBatch bounds how many ledgers one catch-up run fetches before it
// lets consensus look again.
const maxCatchUpBatch = 10_000

func (nw *network) startCatchUp(ctx context.Context) {
	if nw.host == nil || !nw.catchingUp.CompareAndSwap(false, true) {
		return
	}
	nw.wg.Add(1)
	go func() {
		defer nw.wg.Done()
		defer nw.sendCtl(ctx, evCatchUpEnded{})
		for i := 0; i < maxCatchUpBatch; i++ {
			if ctx.Err() != nil {
				return
			}
			ok, err := nw.catchUpOne(ctx)
			if err != nil {
				nw.n.log.Warn("catch-up", "error", err)
				return
			}
			if !ok {
				return
			}
		}
	}()
}

// catchUpOne fetches, checks and commits the ledger after the validated
// one. It reports false when no peer has it.
func (nw *network) catchUpOne(ctx context.Context) (bool, error) {
	parent := nw.tip.Load()
	h := parent.Seq() + 1
	var lastErr error
	for _, p := range nw.host.Peers() {
		if !p.Connected {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 4*fetchTimeout)
		resp, err := nw.host.Request(rctx, p.ID, protoLedger, encodeHeight(h))
		cancel()
		if err != nil {
			lastErr = err
			continue
		}
		cand, rec, err := nw.checkCaughtUp(parent, resp)
		if err != nil {
			nw.n.log.Warn("catch-up answer refused", "peer", p.ID, "ledger", h, "error", err)
			lastErr = err
			continue
		}
		done := make(chan error, 1)
		nw.sendCtl(ctx, evCaughtUp{cand: cand, record: rec, done: done})
		select {
		case err := <-done:
			if err != nil {
				return false, err
			}
			nw.n.log.Info("caught up", "ledger", h, "from", p.ID)
			return true, nil
		case <-ctx.Done():
			return false, nil
		}
	}
	_ = lastErr // peers that do not have h yet answer with an error: normal
	return false, nil
}

// checkCaughtUp verifies a peer's answer for the ledger after parent.
func (nw *network) checkCaughtUp(parent *ledger.Ledger, resp []byte) (*candidate, *commitRecord, error) {
	ans, err := decodeLedgerAnswer(resp)
	if err != nil {
		return nil, nil, err
	}
	rec, err := decodeCommitRecord(ans.Record)
	if err != nil {
		return nil, nil, err
	}
	b, err := DecodeBlock(rec.Payload)
	if err != nil {
		return nil, nil, err
	}
	h := parent.Seq() + 1
	if b.Height != h || b.ParentHash != parent.Hash() {
		return nil, nil, fmt.Errorf("answer is ledger %d on %X, want %d on %X", b.Height, b.ParentHash, h, parent.Hash())
	}
	vals, err := ledger.ValidatorsAt(parent, h)
	if err != nil {
		return nil, nil, err
	}
	if nw.rbft {
		if err := rbft.VerifyCertificate(rec.Certificate, engineValidators(vals), nw.chainID, crypto.Verify); err != nil {
			return nil, nil, err
		}
		cert, _ := rbft.DecodeCertificate(rec.Certificate)
		if cert.Height != uint64(h) || cert.BlockID != rbft.BlockID(rec.Payload) {
			return nil, nil, errors.New("certificate is for another block")
		}
	}
	// A plugin engine's certificate is opaque to the node: its ledgers are
	// taken from the configured (permissioned) peers, which a
	// crash-fault-tolerant chain trusts, and re-executed below like any
	// other.
	if len(ans.Txs) != len(b.TxIDs) {
		return nil, nil, fmt.Errorf("%d transactions for a block of %d", len(ans.Txs), len(b.TxIDs))
	}
	txs := make([]*ledger.Tx, len(ans.Txs))
	for i, blob := range ans.Txs {
		tx, err := ledger.DecodeTx(blob)
		if err != nil {
			return nil, nil, err
		}
		if tx.ID() != b.TxIDs[i] {
			return nil, nil, fmt.Errorf("transaction %d is %X, the block names %X", i, tx.ID(), b.TxIDs[i])
		}
		if err := ledger.VerifySignatures(tx, nw.n.verify); err != nil {
			return nil, nil, fmt.Errorf("transaction %X: %w", tx.ID(), err)
		}
		txs[i] = tx
	}
	// A certified block was checked by a quorum; executing it here is what
	// gives this node the state, and proves the peer sent the right bodies.
	recs, err := nw.recordsFromAnswer(ans.Records, b.RecordIDs)
	if err != nil {
		return nil, nil, err
	}
	l, err := nw.execute1(parent, b, txs, recs)
	if err != nil {
		return nil, nil, err
	}
	return &candidate{block: b, ledger: l}, rec, nil
}

// applyCaughtUp commits a fetched ledger if it still follows the validated
// one (consensus may have decided it meanwhile).
func (nw *network) applyCaughtUp(e evCaughtUp) error {
	if e.cand.ledger.Header().ParentHash != nw.tip.Load().Hash() {
		return nil
	}
	return nw.finishCommit(e.cand, e.record)
}
