package node

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
)

// The node's own wire formats on the validator network: the envelope of a
// consensus message, a batch of gossiped transactions, the commit record
// stored with each ledger, and the catch-up requests and answers. Every
// decoder is strict (exact lengths, bounded counts, no trailing bytes) and
// returns an error wrapping ErrBadWire rather than panicking.

// ErrBadWire is wrapped by every decoding error of this file.
var ErrBadWire = errors.New("node: malformed network message")

const wireVersion = 1

// Limits.
const (
	maxEnvelopePayload = 1 << 20
	maxSignature       = 255
	maxBatchTxs        = 4096
	maxTxBlob          = 1 << 20
	// maxFetchIDs bounds one request for transaction bodies.
	maxFetchIDs = 20_000
)

// envelope carries one signed consensus message. Resend is not signed: a
// node bumps it when it sends the same message again, so the gossip layer,
// which drops content it has seen, forwards the copy.
type envelope struct {
	From      codec.AccountID
	Payload   []byte
	Signature []byte
	Resend    uint64
}

func (e *envelope) encode() []byte {
	buf := make([]byte, 0, 1+20+4+len(e.Payload)+1+len(e.Signature)+8)
	buf = append(buf, wireVersion)
	buf = append(buf, e.From[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(e.Payload)))
	buf = append(buf, e.Payload...)
	buf = append(buf, byte(len(e.Signature)))
	buf = append(buf, e.Signature...)
	return binary.BigEndian.AppendUint64(buf, e.Resend)
}

func decodeEnvelope(b []byte) (*envelope, error) {
	r := wireReader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, fmt.Errorf("%w: envelope version %d", ErrBadWire, v)
	}
	e := &envelope{}
	copy(e.From[:], r.take(20, "sender"))
	e.Payload = r.blob32("payload", maxEnvelopePayload)
	e.Signature = r.blob8("signature")
	e.Resend = r.u64("resend counter")
	if err := r.end(); err != nil {
		return nil, err
	}
	if len(e.Signature) == 0 {
		return nil, fmt.Errorf("%w: unsigned envelope", ErrBadWire)
	}
	return e, nil
}

// encodeTxBatch packs transaction blobs for the tx topic.
func encodeTxBatch(blobs [][]byte) []byte {
	n := 1 + 2
	for _, b := range blobs {
		n += 4 + len(b)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, wireVersion)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(blobs)))
	for _, b := range blobs {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	return buf
}

func decodeTxBatch(b []byte) ([][]byte, error) {
	r := wireReader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, fmt.Errorf("%w: batch version %d", ErrBadWire, v)
	}
	n := int(r.u16("count"))
	if r.err == nil && (n == 0 || n > maxBatchTxs) {
		return nil, fmt.Errorf("%w: batch of %d transactions", ErrBadWire, n)
	}
	// Each entry takes at least 5 bytes: never allocate for more than the
	// input can hold, whatever count it claims.
	out := make([][]byte, 0, min(n, len(r.b)/5))
	for i := 0; i < n && r.err == nil; i++ {
		blob := r.blob32("transaction", maxTxBlob)
		if r.err == nil && len(blob) == 0 {
			return nil, fmt.Errorf("%w: empty transaction in batch", ErrBadWire)
		}
		out = append(out, blob)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return out, nil
}

// commitRecord is what the node stores with a ledger decided by a networked
// engine: the block (engine payload) and the engine's commit certificate.
// Catch-up serves it, and the next height's seed follows from the block.
type commitRecord struct {
	Payload     []byte
	Certificate []byte
}

func (c *commitRecord) encode() []byte {
	buf := make([]byte, 0, 1+8+len(c.Payload)+len(c.Certificate))
	buf = append(buf, wireVersion)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(c.Payload)))
	buf = append(buf, c.Payload...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(c.Certificate)))
	return append(buf, c.Certificate...)
}

func decodeCommitRecord(b []byte) (*commitRecord, error) {
	r := wireReader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, fmt.Errorf("%w: commit record version %d", ErrBadWire, v)
	}
	c := &commitRecord{Payload: r.blob32("block", maxEnvelopePayload), Certificate: r.blob32("certificate", maxEnvelopePayload)}
	if err := r.end(); err != nil {
		return nil, err
	}
	return c, nil
}

// ledgerAnswer answers a catch-up request for one ledger: its commit record,
// the bodies of its transactions in the block's order and, when it sealed
// any, the encodings of its BLHR records in the block's order (a second
// version of the answer, appended).
type ledgerAnswer struct {
	Record  []byte
	Txs     [][]byte
	Records [][]byte
}

const ledgerAnswerRecords = 2

func (a *ledgerAnswer) encode() []byte {
	n := 1 + 4 + len(a.Record) + 4 + 4
	for _, t := range a.Txs {
		n += 4 + len(t)
	}
	for _, r := range a.Records {
		n += 4 + len(r)
	}
	buf := make([]byte, 0, n)
	if len(a.Records) > 0 {
		buf = append(buf, ledgerAnswerRecords)
	} else {
		buf = append(buf, wireVersion)
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a.Record)))
	buf = append(buf, a.Record...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a.Txs)))
	for _, t := range a.Txs {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(t)))
		buf = append(buf, t...)
	}
	if len(a.Records) > 0 {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(a.Records)))
		for _, r := range a.Records {
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(r)))
			buf = append(buf, r...)
		}
	}
	return buf
}

func decodeLedgerAnswer(b []byte) (*ledgerAnswer, error) {
	r := wireReader{b: b}
	v := r.u8("version")
	if r.err == nil && v != wireVersion && v != ledgerAnswerRecords {
		return nil, fmt.Errorf("%w: ledger answer version %d", ErrBadWire, v)
	}
	a := &ledgerAnswer{Record: r.blob32("commit record", 2*maxEnvelopePayload+16)}
	n := r.u32("transaction count")
	if r.err == nil && n > maxBlockTxs {
		return nil, fmt.Errorf("%w: %d transactions", ErrBadWire, n)
	}
	for i := uint32(0); i < n && r.err == nil; i++ {
		a.Txs = append(a.Txs, r.blob32("transaction", maxTxBlob))
	}
	if r.err == nil && v == ledgerAnswerRecords {
		n := r.u32("record count")
		if r.err == nil && (n == 0 || n > maxBlockRecords) {
			return nil, fmt.Errorf("%w: %d records", ErrBadWire, n)
		}
		for i := uint32(0); i < n && r.err == nil; i++ {
			a.Records = append(a.Records, r.blob32("record", blhr.MaxRecordSize))
		}
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return a, nil
}

// encodeIDs and decodeIDs are the request for transaction bodies.
func encodeIDs(ids []codec.Hash256) []byte {
	buf := make([]byte, 0, 5+32*len(ids))
	buf = append(buf, wireVersion)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(ids)))
	for _, id := range ids {
		buf = append(buf, id[:]...)
	}
	return buf
}

func decodeIDs(b []byte) ([]codec.Hash256, error) {
	r := wireReader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, fmt.Errorf("%w: request version %d", ErrBadWire, v)
	}
	n := r.u32("count")
	if r.err == nil && (n == 0 || n > maxFetchIDs) {
		return nil, fmt.Errorf("%w: request for %d transactions", ErrBadWire, n)
	}
	var ids []codec.Hash256
	for i := uint32(0); i < n && r.err == nil; i++ {
		var id codec.Hash256
		copy(id[:], r.take(32, "transaction id"))
		ids = append(ids, id)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return ids, nil
}

// encodeBlobs and decodeBlobs answer it: one entry per id asked, empty for
// a transaction the peer does not hold.
func encodeBlobs(blobs [][]byte) []byte {
	n := 5
	for _, b := range blobs {
		n += 4 + len(b)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, wireVersion)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(blobs)))
	for _, b := range blobs {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	return buf
}

func decodeBlobs(b []byte, want int) ([][]byte, error) {
	r := wireReader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, fmt.Errorf("%w: answer version %d", ErrBadWire, v)
	}
	n := r.u32("count")
	if r.err == nil && int(n) != want {
		return nil, fmt.Errorf("%w: %d transactions answered, %d asked", ErrBadWire, n, want)
	}
	out := make([][]byte, 0, min(want, len(r.b)/4))
	for i := uint32(0); i < n && r.err == nil; i++ {
		out = append(out, r.blob32("transaction", maxTxBlob))
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return out, nil
}

func encodeHeight(h uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{wireVersion}, h)
}

func decodeHeight(b []byte) (uint32, error) {
	r := wireReader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return 0, fmt.Errorf("%w: request version %d", ErrBadWire, v)
	}
	h := r.u32("height")
	return h, r.end()
}

type wireReader struct {
	b   []byte
	err error
}

func (r *wireReader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = fmt.Errorf("%w: %s truncated", ErrBadWire, what)
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *wireReader) u8(what string) uint8 {
	if b := r.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (r *wireReader) u16(what string) uint16 {
	if b := r.take(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *wireReader) u32(what string) uint32 {
	if b := r.take(4, what); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *wireReader) u64(what string) uint64 {
	if b := r.take(8, what); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (r *wireReader) blob32(what string, max int) []byte {
	n := r.u32(what + " length")
	if r.err == nil && int64(n) > int64(max) {
		r.err = fmt.Errorf("%w: %s of %d bytes exceeds %d", ErrBadWire, what, n, max)
	}
	return r.take(int(n), what)
}

func (r *wireReader) blob8(what string) []byte {
	n := r.u8(what + " length")
	return r.take(int(n), what)
}

func (r *wireReader) end() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrBadWire, len(r.b))
	}
	return nil
}
