package node

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/p2p"
)

// Records travel like transactions: batches on the tx topic, bodies fetched
// by id when a block names records a validator does not hold, and with a
// ledger's catch-up answer.
//
// A record batch is recordBatchTag ‖ u16 count ‖ (u32 len ‖ encoding)...; the
// tag cannot start a transaction batch, whose first byte is wireVersion.
const (
	recordBatchTag = 'R'
	maxBatchRecord = 4096
	// maxFetchRecords keeps a fetch answer under the response limit with
	// every record at the protocol's largest (128 × 64 KiB = 8 MiB).
	maxFetchRecords = 128
)

func isRecordBatch(data []byte) bool { return len(data) > 0 && data[0] == recordBatchTag }

func encodeRecordBatch(encs [][]byte) []byte {
	n := 1 + 2
	for _, e := range encs {
		n += 4 + len(e)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, recordBatchTag)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(encs)))
	for _, e := range encs {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(e)))
		buf = append(buf, e...)
	}
	return buf
}

// decodeRecordBatch parses and decodes a record batch strictly.
func decodeRecordBatch(data []byte) ([]blhr.Record, error) {
	r := wireReader{b: data}
	if tag := r.u8("tag"); r.err == nil && tag != recordBatchTag {
		return nil, fmt.Errorf("%w: not a record batch", ErrBadWire)
	}
	n := int(r.u16("count"))
	if r.err == nil && (n == 0 || n > maxBatchRecord) {
		return nil, fmt.Errorf("%w: batch of %d records", ErrBadWire, n)
	}
	out := make([]blhr.Record, 0, min(n, len(r.b)/5))
	for i := 0; i < n && r.err == nil; i++ {
		enc := r.blob32("record", blhr.MaxRecordSize)
		if r.err != nil {
			break
		}
		rec, err := blhr.DecodeRecord(enc)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return out, nil
}

// validateRecords rejects a batch that is malformed or carries a bad
// signature, which no honest node forwards.
func (nw *network) validateRecords(data []byte) p2p.Verdict {
	recs, err := decodeRecordBatch(data)
	if err != nil {
		return p2p.Reject
	}
	for _, r := range recs {
		if r.VerifySignature(nw.chainID) != nil {
			return p2p.Reject
		}
	}
	return p2p.Accept
}

func (nw *network) deliverRecords(data []byte) {
	recs, err := decodeRecordBatch(data)
	if err != nil {
		return
	}
	for _, r := range recs {
		nw.n.acceptPeerRecord(r)
	}
}

// gossipRecord sends a record this node admitted from a client.
func (nw *network) gossipRecord(enc []byte) {
	if nw.recordOut != nil {
		nw.recordOut.add(enc)
	}
}

// serveRecords answers a request for record bodies from the pool or the
// store; unknown ones are empty.
func (nw *network) serveRecords(_ context.Context, _ string, req []byte) ([]byte, error) {
	ids, err := decodeIDs(req)
	if err != nil {
		return nil, err
	}
	if len(ids) > maxFetchRecords {
		return nil, fmt.Errorf("%d record ids; ask for at most %d at once", len(ids), maxFetchRecords)
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		if r, ok := nw.n.records.lookup(id); ok {
			out[i] = r.Encoding
			continue
		}
		if enc, _, _, err := nw.n.store.Record(id); err == nil {
			out[i] = enc
		}
	}
	return encodeBlobs(out), nil
}

// collectRecords finds the bodies of a block's records in the pool or at
// peers; those from peers are decoded and their signatures checked (the
// pool's were checked when they arrived).
func (nw *network) collectRecords(ctx context.Context, ids []codec.Hash256) ([]ledger.SealedRecord, int, error) {
	out := make([]ledger.SealedRecord, len(ids))
	var missing []codec.Hash256
	found := make([]bool, len(ids))
	for i, id := range ids {
		out[i], found[i] = nw.n.records.lookup(id)
		if !found[i] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, 0, nil
	}
	got := make(map[codec.Hash256]ledger.SealedRecord, len(missing))
	want := nw.fetchByID(ctx, protoRecords, missing, maxFetchRecords, func(id codec.Hash256, b []byte) bool {
		if blhr.EncodingID(b) != id {
			return false
		}
		rec, err := blhr.DecodeRecord(b)
		if err != nil || rec.VerifySignature(nw.chainID) != nil {
			return false
		}
		got[id] = sealedForm(rec)
		return true
	})
	if len(want) > 0 {
		return nil, len(missing), fmt.Errorf("%d of %d records not found at any peer (first %X)", len(want), len(ids), want[0])
	}
	for i, id := range ids {
		if !found[i] {
			out[i] = got[id]
		}
	}
	return out, len(missing), nil
}

// recordsFromAnswer checks a catch-up answer's records against the block.
func (nw *network) recordsFromAnswer(encs [][]byte, ids []codec.Hash256) ([]ledger.SealedRecord, error) {
	if len(encs) != len(ids) {
		return nil, fmt.Errorf("%d records for a block of %d", len(encs), len(ids))
	}
	out := make([]ledger.SealedRecord, len(encs))
	for i, enc := range encs {
		if id := blhr.EncodingID(enc); id != ids[i] {
			return nil, fmt.Errorf("record %d is %X, the block names %X", i, id, ids[i])
		}
		rec, err := blhr.DecodeRecord(enc)
		if err != nil {
			return nil, err
		}
		if err := rec.VerifySignature(nw.chainID); err != nil {
			return nil, err
		}
		out[i] = sealedForm(rec)
	}
	return out, nil
}

// sealBlockRecords seals a block's records into open on a checker: the
// ledger must keep every one, as the proposer's did.
func sealBlockRecords(open *ledger.OpenLedger, recs []ledger.SealedRecord) error {
	if len(recs) == 0 {
		return nil
	}
	_, dropped := open.SealRecords(recs, recordRoot)
	if len(dropped) > 0 {
		return fmt.Errorf("record %X cannot be sealed: %s", dropped[0].ID, dropped[0].Reason)
	}
	return nil
}
