package node

import (
	"errors"
	"fmt"
	"sync"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/rpc"
	"github.com/jtchain/jtchain/host/store"
)

// Block-level hash records: clients submit them (rpc blhr_submit), the node
// holds them in a recordPool and gossips them, and the next ledger any
// validator builds seals every pending record it holds, up to the per-ledger
// caps, after the ledger's transactions (ledger.OpenLedger.SealRecords). A
// record leaves the pool when a validated ledger holds it, or when a ledger
// build drops it (a signed record whose signer cannot pay).

// pendingRecord is a record waiting for a ledger.
type pendingRecord struct {
	sealed ledger.SealedRecord
	since  uint32 // the validated ledger when it arrived
	gone   bool   // removed; its slot in order is skipped
}

// recordTTL is how many ledgers a record may wait: one no ledger sealed by
// then (a signed record its signer could not pay for, dropped by the
// proposers but still held by nodes that never propose) is dropped.
const recordTTL = 64

// recordPool holds the records waiting for a ledger in arrival order,
// bounded in count and bytes. It is safe for concurrent use.
type recordPool struct {
	mu       sync.Mutex
	byID     map[codec.Hash256]*pendingRecord
	order    []*pendingRecord // arrival order; removed entries are compacted away lazily
	removed  int
	bytes    int
	maxCount int
	maxBytes int
	// seq is the latest validated ledger the pool was told of.
	seq uint32
}

// errPoolFull is wrapped when the pool is at a limit.
var errPoolFull = errors.New("the node holds as many pending records as it may")

func newRecordPool(maxCount, maxBytes int) *recordPool {
	return &recordPool{byID: make(map[codec.Hash256]*pendingRecord), maxCount: maxCount, maxBytes: maxBytes}
}

// add queues r. It reports false, without error, when r is pending already.
func (p *recordPool) add(r ledger.SealedRecord) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.byID[r.ID]; dup {
		return false, nil
	}
	if len(p.byID) >= p.maxCount || p.bytes+len(r.Encoding) > p.maxBytes {
		return false, fmt.Errorf("%w (%d records, %d bytes): try again after the next ledger", errPoolFull, len(p.byID), p.bytes)
	}
	e := &pendingRecord{sealed: r, since: p.seq}
	p.byID[r.ID] = e
	p.order = append(p.order, e)
	p.bytes += len(r.Encoding)
	return true, nil
}

func (p *recordPool) lookup(id codec.Hash256) (ledger.SealedRecord, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.byID[id]
	if e == nil {
		return ledger.SealedRecord{}, false
	}
	return e.sealed, true
}

// take returns the oldest pending records, leaving them pending: at most
// maxCount of them, maxBytes of encodings and maxCost of storage budget
// (recordCost).
func (p *recordPool) take(maxCount, maxBytes, maxCost int) []ledger.SealedRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []ledger.SealedRecord
	size, cost := 0, 0
	for _, e := range p.order {
		if len(out) >= maxCount {
			break
		}
		if e.gone {
			continue
		}
		n := len(e.sealed.Encoding)
		if size+n > maxBytes || cost+recordCost(n) > maxCost {
			break
		}
		size += n
		cost += recordCost(n)
		out = append(out, e.sealed)
	}
	return out
}

// recordCost approximates what a sealed record of n bytes takes of the
// ledger's database commit (two entries; store's budget test measures
// 228 bytes for a 150-byte record and 86 for one the value log holds).
func recordCost(n int) int {
	if n < 252 {
		return n + 80
	}
	return 90
}

// maxLedgerRecordBytes bounds the encodings one ledger seals, whatever the
// configuration, so a catch-up answer (12,000 transactions and the records)
// stays under the p2p response limit of 16 MiB.
const maxLedgerRecordBytes = 8 << 20

// remove drops the records with these ids.
func (p *recordPool) remove(ids []codec.Hash256) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		if e := p.byID[id]; e != nil {
			p.drop(e)
		}
	}
	p.compact()
}

// expire tells the pool ledger seq is validated and drops the records
// that have waited more than recordTTL ledgers. It returns how many.
func (p *recordPool) expire(seq uint32) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq = max(p.seq, seq)
	n := 0
	for _, e := range p.order {
		if e.gone {
			continue
		}
		if e.since+recordTTL >= p.seq {
			break // arrival order: the rest are younger
		}
		p.drop(e)
		n++
	}
	p.compact()
	return n
}

func (p *recordPool) drop(e *pendingRecord) {
	delete(p.byID, e.sealed.ID)
	e.gone = true
	p.bytes -= len(e.sealed.Encoding)
	p.removed++
}

func (p *recordPool) compact() {
	if p.removed > len(p.order)/2 {
		live := make([]*pendingRecord, 0, len(p.byID))
		for _, e := range p.order {
			if !e.gone {
				live = append(live, e)
			}
		}
		p.order, p.removed = live, 0
	}
}

func (p *recordPool) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byID)
}

// sealedForm is the ledger's view of a valid record.
func sealedForm(r blhr.Record) ledger.SealedRecord {
	return ledger.SealedRecord{ID: r.ID(), Signed: r.Signed(), Signer: r.Account, Encoding: r.Encode()}
}

// recordRoot is blhr.Root for ledger.SealRecords, which passes distinct ids.
func recordRoot(ids []codec.Hash256) codec.Hash256 {
	root, err := blhr.Root(ids)
	if err != nil {
		// SealRecords drops repeated ids before it asks for the root.
		panic(fmt.Sprintf("node: BLHR root of distinct ids: %v", err))
	}
	return root
}

// recordCaps are the per-ledger limits on sealed records: the configured
// count, maxLedgerRecordBytes, and a storage budget of blhr.max_ledger_kb
// but at most 6% of a memtable (a ledger and its records are one database
// commit, which badger caps at 15% of a memtable; the rest is left for a
// full ledger of transactions).
func (n *Node) recordCaps() (count, bytes, cost int) {
	cost = n.cfg.BLHR.MaxLedgerKB << 10
	if mt := n.cfg.Store.MemTableMB << 20 * 6 / 100; mt > 0 && mt < cost {
		cost = mt
	}
	return n.cfg.BLHR.MaxPerLedger, maxLedgerRecordBytes, cost
}

// sealPending seals up to maxCount pending records into open and drops from
// the pool those the ledger refuses. It returns the sealed records' ids in
// id order.
func (n *Node) sealPending(open *ledger.OpenLedger, maxCount int) []codec.Hash256 {
	count, bytes, cost := n.recordCaps()
	recs := n.records.take(min(count, maxCount), bytes, cost)
	if len(recs) == 0 {
		return nil
	}
	kept, dropped := open.SealRecords(recs, recordRoot)
	if len(dropped) > 0 {
		ids := make([]codec.Hash256, len(dropped))
		for i, d := range dropped {
			ids[i] = d.ID
			n.log.Debug("record not sealed", "id", fmt.Sprintf("%X", d.ID), "reason", d.Reason)
		}
		n.records.remove(ids)
	}
	ids := make([]codec.Hash256, len(kept))
	for i, r := range kept {
		ids[i] = r.ID
	}
	return ids
}

// recordsValidated drops the records a validated ledger sealed from the
// pool, and those that waited too long.
func (n *Node) recordsValidated(l *ledger.Ledger) {
	if recs := l.Records(); len(recs) > 0 {
		ids := make([]codec.Hash256, len(recs))
		for i, r := range recs {
			ids[i] = r.ID
		}
		n.records.remove(ids)
	}
	if k := n.records.expire(l.Seq()); k > 0 {
		n.log.Debug("records expired unsealed", "count", k, "ledger", l.Seq())
	}
}

// ChainID is the chain id record signatures are made for.
func (n *Node) ChainID() string { return ChainID(n.genesis.ChainName, n.gen.Hash()) }

// checkRecord applies the node's rules for a record from a client or a
// peer: the data limit (maxData), the signature, and for a signed record
// that the validated ledger would let its signer pay. sigChecked skips the
// signature, which the gossip validator checked before delivery.
func (n *Node) checkRecord(r blhr.Record, maxData int, sigChecked bool) error {
	if len(r.Data) > maxData {
		return fmt.Errorf("%w: the record carries %d bytes of data; this node accepts at most %d (record the data's hash instead)",
			rpc.ErrRecordTooLarge, len(r.Data), maxData)
	}
	if r.Signed() {
		if !sigChecked {
			if err := r.VerifySignature(n.ChainID()); err != nil {
				return fmt.Errorf("%w: %w", rpc.ErrRecordSignature, err)
			}
		}
		v := n.Validated()
		id := r.ID()
		if e := v.Read(ledger.RecordKeylet(id)); e != nil {
			return fmt.Errorf("%w: record %X is in ledger %d", rpc.ErrRecordSealed, id, e.UInt32(sf.LedgerSequence))
		}
		if ok, why := ledger.CheckRecordFee(v.Read, v.Fees(), id, r.Account); !ok {
			return fmt.Errorf("%w: %s", rpc.ErrRecordUnpayable, why)
		}
	}
	return nil
}

// SubmitRecord takes a record from a client (rpc.RecordBackend): it checks
// it, queues it for the next ledger this node builds and gossips it.
func (n *Node) SubmitRecord(r blhr.Record) (rpc.RecordSubmitResult, error) {
	id := r.ID()
	if seq, _, err := n.store.RecordLocation(id); err == nil {
		return rpc.RecordSubmitResult{}, fmt.Errorf("%w: record %X is in ledger %d (blhr_proof proves it)", rpc.ErrRecordSealed, id, seq)
	}
	if err := n.checkRecord(r, n.cfg.BLHR.MaxData, false); err != nil {
		return rpc.RecordSubmitResult{}, err
	}
	sealed := sealedForm(r)
	added, err := n.records.add(sealed)
	if err != nil {
		return rpc.RecordSubmitResult{}, fmt.Errorf("%w: %w", rpc.ErrBusy, err)
	}
	if added && n.net != nil {
		n.net.gossipRecord(sealed.Encoding)
	}
	res := rpc.RecordSubmitResult{ID: id, Signed: r.Signed(), Account: r.Account, CurrentLedger: n.Validated().Seq() + 1}
	if r.Signed() {
		res.Fee = n.Validated().Fees().Record
	}
	n.wakeDriver()
	return res, nil
}

// acceptPeerRecord queues a record gossiped by a peer, under the protocol's
// limits rather than this node's client limits. Only deliverRecords calls
// it, after validateRecords verified every signature of the batch.
func (n *Node) acceptPeerRecord(r blhr.Record) {
	if n.checkRecord(r, blhr.MaxData, true) != nil {
		return
	}
	if _, err := n.records.add(sealedForm(r)); err == nil {
		n.wakeDriver()
	}
}

// RecordProof builds the proof bundle of a sealed record (rpc.RecordBackend).
func (n *Node) RecordProof(id codec.Hash256) (rpc.RecordProof, error) {
	enc, seq, _, err := n.store.Record(id)
	if errors.Is(err, store.ErrNotFound) {
		if _, pending := n.records.lookup(id); pending {
			return rpc.RecordProof{}, fmt.Errorf("%w: record %X is pending; it will be sealed in one of the next ledgers", rpc.ErrRecordPending, id)
		}
		return rpc.RecordProof{}, fmt.Errorf("%w: no record %X is sealed in the ledgers this node stores", rpc.ErrRecordNotFound, id)
	}
	if err != nil {
		return rpc.RecordProof{}, err
	}
	h, err := n.store.Header(seq)
	if err != nil {
		return rpc.RecordProof{}, err
	}
	encs, err := n.store.Records(seq)
	if err != nil {
		return rpc.RecordProof{}, err
	}
	ids := make([]codec.Hash256, len(encs))
	for i, e := range encs {
		ids[i] = blhr.EncodingID(e)
	}
	proof, err := blhr.ProofFor(ids, id)
	if err != nil {
		return rpc.RecordProof{}, fmt.Errorf("record %X in ledger %d: %w", id, seq, err)
	}
	if err := proof.Verify(id, h.BLHRRoot); err != nil {
		return rpc.RecordProof{}, fmt.Errorf("stored records of ledger %d do not match its header: %w", seq, err)
	}
	block, cert, err := n.commitOf(seq)
	if err != nil {
		return rpc.RecordProof{}, err
	}
	return rpc.RecordProof{
		LedgerHash: h.Hash(),
		Bundle: blhr.Bundle{
			Record: enc, LedgerSeq: seq, Header: h.Encode(), Block: block, Certificate: cert, Proof: proof.Encode(),
		},
	}, nil
}

// commitOf returns the block and certificate stored with ledger seq: for a
// networked engine the commit record's parts; for the solo engine no block
// and the engine's certificate.
func (n *Node) commitOf(seq uint32) (block, cert []byte, err error) {
	raw, err := n.store.Certificate(seq)
	if err != nil {
		return nil, nil, fmt.Errorf("commit of ledger %d: %w", seq, err)
	}
	if n.net == nil {
		return nil, raw, nil
	}
	cr, err := decodeCommitRecord(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("commit of ledger %d: %w", seq, err)
	}
	return cr.Payload, cr.Certificate, nil
}

// workAvailable is what the engine is told waits for a ledger: pending
// transactions and records.
func (n *Node) workAvailable() int { return n.pool.TxsAvailable() + n.records.len() }

// wakeDriver tells the driver new work arrived (it may close a ledger early).
func (n *Node) wakeDriver() {
	select {
	case n.txNotify <- struct{}{}:
	default:
	}
}
