package indexer

import (
	"fmt"
	"time"

	indexerv1 "github.com/jtchain/jtchain/sdk/proto/jt/indexer/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Conversion between the Go types and jt.indexer.v1. Encoding cannot
// fail; decoding checks what the Go types and their Validate methods
// guarantee and fails with the field's name, never panics. Times cross the
// wire as UTC instants: compare them with time.Time.Equal, not ==. An
// empty byte field crosses as nil.

func encodeLedger(l Ledger) *indexerv1.Ledger {
	pb := &indexerv1.Ledger{
		Seq:          l.Seq,
		Hash:         l.Hash[:],
		ParentHash:   optionalHash(l.ParentHash),
		CloseTime:    encodeTime(l.CloseTime),
		TxCount:      uint32(l.TxCount),
		Transactions: make([]*indexerv1.Transaction, len(l.Transactions)),
		Records:      make([]*indexerv1.Record, len(l.Records)),
	}
	for i, tx := range l.Transactions {
		pb.Transactions[i] = &indexerv1.Transaction{Hash: tx.Hash[:], Account: tx.Account[:], Type: tx.Type, Result: tx.Result}
	}
	for i, r := range l.Records {
		pb.Records[i] = encodeRecord(r)
	}
	return pb
}

// decodeLedger also checks the encoded size against MaxLedgerSize and the
// result with Ledger.Validate.
func decodeLedger(pb *indexerv1.Ledger) (Ledger, error) {
	if n := proto.Size(pb); n > MaxLedgerSize {
		return Ledger{}, fmt.Errorf("ledger %d is %d bytes encoded, more than %d", pb.GetSeq(), n, MaxLedgerSize)
	}
	l := Ledger{Seq: pb.GetSeq(), CloseTime: decodeTime(pb.GetCloseTime()), TxCount: int(pb.GetTxCount())}
	if n := len(pb.GetTransactions()); n > 0 {
		l.Transactions = make([]Transaction, n)
	}
	if n := len(pb.GetRecords()); n > 0 {
		l.Records = make([]Record, n)
	}
	if err := decodeFixed(l.Hash[:], pb.GetHash(), "ledger.hash", true); err != nil {
		return Ledger{}, err
	}
	if err := decodeFixed(l.ParentHash[:], pb.GetParentHash(), "ledger.parent_hash", false); err != nil {
		return Ledger{}, err
	}
	for i, tx := range pb.GetTransactions() {
		field := fmt.Sprintf("ledger.transactions[%d]", i)
		t := Transaction{Type: tx.GetType(), Result: tx.GetResult()}
		if err := decodeFixed(t.Hash[:], tx.GetHash(), field+".hash", true); err != nil {
			return Ledger{}, err
		}
		if err := decodeFixed(t.Account[:], tx.GetAccount(), field+".account", true); err != nil {
			return Ledger{}, err
		}
		l.Transactions[i] = t
	}
	for i, r := range pb.GetRecords() {
		var err error
		if l.Records[i], err = decodeRecord(r, fmt.Sprintf("ledger.records[%d]", i)); err != nil {
			return Ledger{}, err
		}
	}
	if err := l.Validate(); err != nil {
		return Ledger{}, err
	}
	return l, nil
}

func encodeRecord(r Record) *indexerv1.Record {
	return &indexerv1.Record{
		Id:       r.ID[:],
		TypeTag:  r.TypeTag,
		Account:  optionalAccount(r.Account),
		DataHash: r.DataHash[:],
		Data:     r.Data,
	}
}

func decodeRecord(pb *indexerv1.Record, field string) (Record, error) {
	r := Record{TypeTag: pb.GetTypeTag(), Data: pb.GetData()}
	if err := decodeFixed(r.ID[:], pb.GetId(), field+".id", true); err != nil {
		return Record{}, err
	}
	if err := decodeFixed(r.Account[:], pb.GetAccount(), field+".account", false); err != nil {
		return Record{}, err
	}
	if err := decodeFixed(r.DataHash[:], pb.GetDataHash(), field+".data_hash", true); err != nil {
		return Record{}, err
	}
	if len(r.Data) == 0 {
		r.Data = nil
	}
	return r, nil
}

func encodeQuery(q Query) (*indexerv1.QueryRequest, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return &indexerv1.QueryRequest{
		FromSeq:  q.FromSeq,
		ToSeq:    q.ToSeq,
		TypeTag:  q.TypeTag,
		Account:  optionalAccount(q.Account),
		DataHash: optionalHash(q.DataHash),
		Limit:    uint32(min(q.Limit, MaxQueryLimit)),
		Marker:   q.Marker,
	}, nil
}

// decodeQuery gives the query the plugin sees: validated, with the limit
// made effective (0 becomes DefaultQueryLimit, more than MaxQueryLimit
// becomes it).
func decodeQuery(pb *indexerv1.QueryRequest) (Query, error) {
	q := Query{
		FromSeq: pb.GetFromSeq(),
		ToSeq:   pb.GetToSeq(),
		TypeTag: pb.GetTypeTag(),
		Limit:   int(min(pb.GetLimit(), MaxQueryLimit)),
		Marker:  pb.GetMarker(),
	}
	if err := decodeFixed(q.Account[:], pb.GetAccount(), "query.account", false); err != nil {
		return Query{}, fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	if err := decodeFixed(q.DataHash[:], pb.GetDataHash(), "query.data_hash", false); err != nil {
		return Query{}, fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	if err := q.Validate(); err != nil {
		return Query{}, err
	}
	q.Limit = q.EffectiveLimit()
	if len(q.Marker) == 0 {
		q.Marker = nil
	}
	return q, nil
}

func encodeResult(r QueryResult) *indexerv1.QueryResponse {
	pb := &indexerv1.QueryResponse{Records: make([]*indexerv1.LedgerRecord, len(r.Records)), Marker: r.Marker}
	for i, lr := range r.Records {
		pb.Records[i] = &indexerv1.LedgerRecord{LedgerSeq: lr.LedgerSeq, Record: encodeRecord(lr.Record)}
	}
	return pb
}

// decodeResult checks what a plugin answered: well-formed records, no more
// than limit of them, in query order, and a marker of at most
// MaxMarkerSize bytes.
func decodeResult(pb *indexerv1.QueryResponse, limit int) (QueryResult, error) {
	if n := len(pb.GetRecords()); n > limit {
		return QueryResult{}, fmt.Errorf("%d records for a limit of %d", n, limit)
	}
	if n := len(pb.GetMarker()); n > MaxMarkerSize {
		return QueryResult{}, fmt.Errorf("marker is %d bytes, more than %d", n, MaxMarkerSize)
	}
	var res QueryResult
	if n := len(pb.GetRecords()); n > 0 {
		res.Records = make([]LedgerRecord, n)
	}
	if len(pb.GetMarker()) > 0 {
		res.Marker = pb.GetMarker()
	}
	for i, lr := range pb.GetRecords() {
		field := fmt.Sprintf("records[%d]", i)
		if lr.GetLedgerSeq() == 0 {
			return QueryResult{}, fmt.Errorf("%s.ledger_seq is 0", field)
		}
		if i > 0 && lr.GetLedgerSeq() < res.Records[i-1].LedgerSeq {
			return QueryResult{}, fmt.Errorf("%s: ledger %d after ledger %d: records must come in ledger order", field, lr.GetLedgerSeq(), res.Records[i-1].LedgerSeq)
		}
		r, err := decodeRecord(lr.GetRecord(), field+".record")
		if err == nil {
			err = r.Validate()
		}
		if err != nil {
			return QueryResult{}, fmt.Errorf("%s: %w", field, err)
		}
		res.Records[i] = LedgerRecord{LedgerSeq: lr.GetLedgerSeq(), Record: r}
	}
	return res, nil
}

// decodeFixed copies a fixed-size id. An empty field is the zero id, which
// only optional fields accept.
func decodeFixed(dst, b []byte, field string, required bool) error {
	switch {
	case len(b) == 0 && required:
		return fmt.Errorf("%s is missing", field)
	case len(b) != 0 && len(b) != len(dst):
		return fmt.Errorf("%s is %d bytes, want %d", field, len(b), len(dst))
	}
	copy(dst, b)
	return nil
}

// The zero id of an optional field crosses as an empty field.
func optionalHash(h Hash256) []byte {
	if h.IsZero() {
		return nil
	}
	return h[:]
}

func optionalAccount(a AccountID) []byte {
	if a.IsZero() {
		return nil
	}
	return a[:]
}

// The zero time crosses as an unset field, so it decodes to time.Time{}.
func encodeTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// decodeTime accepts any timestamp: AsTime does not panic on values out
// of range, it gives some instant, which no indexer decision depends on.
func decodeTime(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}
