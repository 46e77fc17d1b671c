package indexer

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	indexerv1 "github.com/jtchain/jtchain/sdk/proto/jt/indexer/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func marshalRoundTrip[M proto.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface().(M)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLedgersQueriesAndResultsSurviveTheWire(t *testing.T) {
	for _, l := range append(testChain(1, 6), Ledger{Seq: 9, Hash: Hash256{9}}) {
		got, err := decodeLedger(marshalRoundTrip(t, encodeLedger(l)))
		if err != nil {
			t.Fatalf("ledger %d: %v", l.Seq, err)
		}
		if !got.CloseTime.Equal(l.CloseTime) {
			t.Errorf("ledger %d: close time %v, want %v", l.Seq, got.CloseTime, l.CloseTime)
		}
		got.CloseTime = l.CloseTime
		if !reflect.DeepEqual(got, l) {
			t.Errorf("ledger %d =\n%+v\nwant\n%+v", l.Seq, got, l)
		}
	}

	q := Query{FromSeq: 3, ToSeq: 9, TypeTag: "invoice", Account: AccountID{1}, DataHash: Hash256{2}, Limit: 50, Marker: []byte{1, 2}}
	pb, err := encodeQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeQuery(marshalRoundTrip(t, pb)); err != nil || !reflect.DeepEqual(got, q) {
		t.Errorf("query = %+v, %v; want %+v", got, err, q)
	}
	// The plugin sees the effective limit.
	for limit, want := range map[int]int{0: DefaultQueryLimit, MaxQueryLimit + 5: MaxQueryLimit} {
		pb, _ := encodeQuery(Query{Limit: limit})
		if got, err := decodeQuery(marshalRoundTrip(t, pb)); err != nil || got.Limit != want {
			t.Errorf("limit %d arrives as %d (%v), want %d", limit, got.Limit, err, want)
		}
	}

	res := QueryResult{Records: []LedgerRecord{{LedgerSeq: 2, Record: testChain(2, 1)[0].Records[0]}, {LedgerSeq: 4, Record: testChain(4, 1)[0].Records[1]}}, Marker: []byte("m")}
	if got, err := decodeResult(marshalRoundTrip(t, encodeResult(res)), 2); err != nil || !reflect.DeepEqual(got, res) {
		t.Errorf("result = %+v, %v; want %+v", got, err, res)
	}
}

func TestDecodingRejectsMalformedWireValues(t *testing.T) {
	base := encodeLedger(testChain(1, 3)[2])
	tests := []struct {
		name   string
		change func(*indexerv1.Ledger)
		want   string
	}{
		{"no hash", func(l *indexerv1.Ledger) { l.Hash = nil }, "ledger.hash is missing"},
		{"short hash", func(l *indexerv1.Ledger) { l.Hash = []byte{1} }, "ledger.hash is 1 bytes, want 32"},
		{"long parent", func(l *indexerv1.Ledger) { l.ParentHash = make([]byte, 33) }, "ledger.parent_hash is 33 bytes"},
		{"tx account", func(l *indexerv1.Ledger) { l.Transactions[0].Account = make([]byte, 21) }, "ledger.transactions[0].account is 21 bytes, want 20"},
		{"tx hash", func(l *indexerv1.Ledger) { l.Transactions[2].Hash = nil }, "ledger.transactions[2].hash is missing"},
		{"record id", func(l *indexerv1.Ledger) { l.Records[1].Id = nil }, "ledger.records[1].id is missing"},
		{"record account", func(l *indexerv1.Ledger) { l.Records[0].Account = make([]byte, 19) }, "ledger.records[0].account is 19 bytes"},
		{"data hash", func(l *indexerv1.Ledger) { l.Records[0].DataHash = make([]byte, 31) }, "ledger.records[0].data_hash is 31 bytes"},
		{"tx count", func(l *indexerv1.Ledger) { l.TxCount = 9 }, "tx count 9, but 3 transactions"},
		{"seq 0", func(l *indexerv1.Ledger) { l.Seq = 0 }, "ledgers start at 1"},
		{"big data", func(l *indexerv1.Ledger) { l.Records[0].Data = make([]byte, MaxRecordDataSize+1) }, "data is 16385 bytes"},
		{"too big", func(l *indexerv1.Ledger) {
			for range 3 {
				l.Records = append(l.Records, &indexerv1.Record{Data: make([]byte, MaxLedgerSize/2)})
			}
		}, "bytes encoded, more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pb := proto.Clone(base).(*indexerv1.Ledger)
			tt.change(pb)
			if _, err := decodeLedger(pb); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}

	for _, q := range []*indexerv1.QueryRequest{
		{Account: []byte{1, 2, 3}},
		{DataHash: make([]byte, 31)},
		{FromSeq: 9, ToSeq: 3},
		{TypeTag: strings.Repeat("x", MaxNameSize+1)},
		{Marker: make([]byte, MaxMarkerSize+1)},
	} {
		if _, err := decodeQuery(q); !errors.Is(err, ErrBadQuery) {
			t.Errorf("query %v: err = %v, want ErrBadQuery", q, err)
		}
	}

	rec := encodeRecord(testChain(2, 1)[0].Records[0])
	for _, tt := range []struct {
		name string
		res  *indexerv1.QueryResponse
		want string
	}{
		{"over the limit", &indexerv1.QueryResponse{Records: []*indexerv1.LedgerRecord{{LedgerSeq: 1, Record: rec}, {LedgerSeq: 1, Record: rec}}}, "2 records for a limit of 1"},
		{"seq 0", &indexerv1.QueryResponse{Records: []*indexerv1.LedgerRecord{{Record: rec}}}, "records[0].ledger_seq is 0"},
		{"no record", &indexerv1.QueryResponse{Records: []*indexerv1.LedgerRecord{{LedgerSeq: 3}}}, "records[0].record.id is missing"},
		{"long marker", &indexerv1.QueryResponse{Marker: make([]byte, MaxMarkerSize+1)}, "marker is 257 bytes"},
	} {
		if _, err := decodeResult(tt.res, 1); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	backwards := &indexerv1.QueryResponse{Records: []*indexerv1.LedgerRecord{{LedgerSeq: 5, Record: rec}, {LedgerSeq: 4, Record: rec}}}
	if _, err := decodeResult(backwards, 10); err == nil || !strings.Contains(err.Error(), "ledger order") {
		t.Errorf("records out of order: err = %v", err)
	}
}

// TestDecodingArbitraryBytesNeverPanics feeds the decoders every message
// proto.Unmarshal makes of random and of mutated valid encodings.
func TestDecodingArbitraryBytesNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	valid := [][]byte{}
	for _, l := range testChain(1, 8) {
		b, _ := proto.Marshal(encodeLedger(l))
		valid = append(valid, b)
	}
	qb, _ := proto.Marshal(&indexerv1.QueryRequest{FromSeq: 1, ToSeq: 5, TypeTag: "t", Account: make([]byte, 20), Limit: 3, Marker: []byte{1}})
	rb, _ := proto.Marshal(encodeResult(QueryResult{Records: []LedgerRecord{{LedgerSeq: 2, Record: testChain(2, 1)[0].Records[0]}}}))
	valid = append(valid, qb, rb)
	for i := range 20000 {
		var b []byte
		if i%2 == 0 {
			b = make([]byte, rng.IntN(200))
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
		} else {
			b = bytes.Clone(valid[rng.IntN(len(valid))])
			for range 1 + rng.IntN(4) {
				if len(b) > 0 {
					b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
				}
			}
		}
		decodeAll(b)
	}
}

func FuzzDecodeWire(f *testing.F) {
	for _, l := range testChain(1, 5) {
		b, _ := proto.Marshal(encodeLedger(l))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { decodeAll(b) })
}

// decodeAll decodes b as each message the SDK decodes; what must not
// happen is a panic.
func decodeAll(b []byte) {
	var l indexerv1.Ledger
	if proto.Unmarshal(b, &l) == nil {
		if got, err := decodeLedger(&l); err == nil {
			if err := got.Validate(); err != nil {
				panic("decodeLedger returned an invalid ledger: " + err.Error())
			}
		}
	}
	var q indexerv1.QueryRequest
	if proto.Unmarshal(b, &q) == nil {
		_, _ = decodeQuery(&q)
	}
	var r indexerv1.QueryResponse
	if proto.Unmarshal(b, &r) == nil {
		_, _ = decodeResult(&r, MaxQueryLimit)
	}
	var c indexerv1.ConsumeRequest
	_ = proto.Unmarshal(b, &c)
}

func TestZeroTimeAndNilFieldsCrossAsUnset(t *testing.T) {
	pb := encodeLedger(Ledger{Seq: 1, Hash: Hash256{1}})
	if pb.CloseTime != nil || pb.ParentHash != nil {
		t.Errorf("zero close time and parent hash are sent as %v, %x", pb.CloseTime, pb.ParentHash)
	}
	l, err := decodeLedger(&indexerv1.Ledger{Seq: 1, Hash: make([]byte, 32), CloseTime: &timestamppb.Timestamp{Seconds: -1 << 62}})
	if err == nil {
		t.Errorf("zero hash accepted: %+v", l)
	}
	h := Hash256{1}
	if _, err := decodeLedger(&indexerv1.Ledger{Seq: 1, Hash: h[:], CloseTime: &timestamppb.Timestamp{Seconds: -1 << 62, Nanos: 2e9}}); err != nil {
		t.Errorf("an out-of-range close time: %v (it is the plugin's business, not an error)", err)
	}
}
