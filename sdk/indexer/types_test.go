package indexer

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestLedgerValidateNamesTheProblem(t *testing.T) {
	good := testChain(1, 3)[2]
	tests := []struct {
		name   string
		change func(*Ledger)
		want   string
	}{
		{"seq 0", func(l *Ledger) { l.Seq = 0 }, "ledgers start at 1"},
		{"no hash", func(l *Ledger) { l.Hash = Hash256{} }, "hash is zero"},
		{"tx count", func(l *Ledger) { l.TxCount++ }, "tx count 4, but 3 transactions"},
		{"long tx type", func(l *Ledger) { l.Transactions[1].Type = strings.Repeat("x", MaxNameSize+1) }, "transactions[1]: type is 65 bytes"},
		{"tx result not UTF-8", func(l *Ledger) { l.Transactions[0].Result = "\xff" }, "transactions[0]: result"},
		{"record id", func(l *Ledger) { l.Records[1].ID = Hash256{} }, "records[1]: id is zero"},
		{"data hash", func(l *Ledger) { l.Records[0].DataHash = Hash256{} }, "records[0]: data hash is zero"},
		{"data", func(l *Ledger) { l.Records[0].Data = make([]byte, MaxRecordDataSize+1) }, "records[0]: data is 16385 bytes"},
		{"repeated id", func(l *Ledger) { l.Records[2].ID = l.Records[0].ID }, "records[2] repeats the id of records[0]"},
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := cloneLedger(good)
			tt.change(&l)
			if err := l.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestQueryValidateRefusesMalformedQueriesAsErrBadQuery(t *testing.T) {
	for _, q := range []Query{
		{FromSeq: 5, ToSeq: 4},
		{Limit: -1},
		{Marker: make([]byte, MaxMarkerSize+1)},
		{TypeTag: strings.Repeat("t", MaxNameSize+1)},
		{TypeTag: "\xc3\x28"},
	} {
		if err := q.Validate(); !errors.Is(err, ErrBadQuery) {
			t.Errorf("%+v: err = %v, want ErrBadQuery", q, err)
		}
	}
	for _, q := range []Query{{}, {FromSeq: 5, ToSeq: 5}, {FromSeq: 9}, {Limit: 1 << 30, TypeTag: "t", Marker: []byte{1}}} {
		if err := q.Validate(); err != nil {
			t.Errorf("%+v: %v", q, err)
		}
	}
}

func TestEffectiveLimitDefaultsAndCaps(t *testing.T) {
	for limit, want := range map[int]int{0: DefaultQueryLimit, 1: 1, MaxQueryLimit: MaxQueryLimit, MaxQueryLimit + 1: MaxQueryLimit, -3: DefaultQueryLimit} {
		if got := (Query{Limit: limit}).EffectiveLimit(); got != want {
			t.Errorf("limit %d: %d, want %d", limit, got, want)
		}
	}
}

func TestMatchesAppliesEveryFilter(t *testing.T) {
	r := Record{ID: Hash256{1}, TypeTag: "invoice", Account: AccountID{2}, DataHash: Hash256{3}}
	tests := []struct {
		q    Query
		seq  uint32
		want bool
	}{
		{Query{}, 7, true},
		{Query{FromSeq: 7, ToSeq: 7}, 7, true},
		{Query{FromSeq: 8}, 7, false},
		{Query{ToSeq: 6}, 7, false},
		{Query{TypeTag: "invoice"}, 7, true},
		{Query{TypeTag: "photo"}, 7, false},
		{Query{Account: AccountID{2}}, 7, true},
		{Query{Account: AccountID{9}}, 7, false},
		{Query{DataHash: Hash256{3}}, 7, true},
		{Query{DataHash: Hash256{9}}, 7, false},
		{Query{TypeTag: "invoice", Account: AccountID{2}, DataHash: Hash256{3}, FromSeq: 1, ToSeq: 9}, 7, true},
	}
	for _, tt := range tests {
		if got := tt.q.Matches(tt.seq, r); got != tt.want {
			t.Errorf("%+v matches ledger %d: %v, want %v", tt.q, tt.seq, got, tt.want)
		}
	}
	if (Query{Account: AccountID{2}}).Matches(7, Record{TypeTag: "x"}) {
		t.Error("a record without account matched an account filter")
	}
}

func TestPositionMarkersRoundTripAndRefuseForeignBytes(t *testing.T) {
	for _, p := range []Position{{1, 0}, {7, 3}, {1<<32 - 1, 1<<32 - 1}} {
		got, err := ParseMarker(p.Marker())
		if err != nil || got != p {
			t.Errorf("%+v: %+v, %v", p, got, err)
		}
	}
	if p, err := ParseMarker(nil); err != nil || p != (Position{}) {
		t.Errorf("empty marker: %+v, %v", p, err)
	}
	for _, m := range [][]byte{{1}, {2, 0, 0, 0, 1, 0, 0, 0, 1}, []byte("not a marker")} {
		if _, err := ParseMarker(m); !errors.Is(err, ErrBadQuery) {
			t.Errorf("%x: err = %v, want ErrBadQuery", m, err)
		}
	}
	if !(Position{2, 0}).After(Position{1, 9}) || !(Position{2, 1}).After(Position{2, 0}) || (Position{2, 1}).After(Position{2, 1}) {
		t.Error("After does not follow query order")
	}
	if !(Position{1, 0}).After(Position{}) {
		t.Error("the first record does not come after the zero Position")
	}
}

func TestResumeFromStartsAfterTheSmallerOfCursorAndLastStored(t *testing.T) {
	tests := []struct {
		name                string
		cursor, first, last uint32
		hasLast             bool
		want                uint32
		gap                 bool
	}{
		{"new node, new plugin", 0, 0, 0, false, 1, false},
		{"new plugin on an old node's first ledger", 0, 50, 0, false, 50, false},
		{"both agree", 10, 1, 10, true, 11, false},
		{"plugin stored a ledger whose ack was lost", 10, 1, 11, true, 11, false},
		{"node cursor lost a window of acks", 10, 1, 14, true, 11, false},
		{"plugin lost data", 10, 1, 7, true, 8, false},
		{"plugin lost everything", 10, 1, 0, false, 1, false},
		{"node lost its cursor", 0, 1, 9, true, 1, false},
		{"node pruned what the plugin needs", 10, 20, 10, true, 0, true},
		{"node pruned up to exactly the next", 10, 11, 10, true, 11, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResumeFrom(tt.cursor, tt.first, tt.last, tt.hasLast)
			if tt.gap {
				if !errors.Is(err, ErrGap) {
					t.Errorf("err = %v, want ErrGap", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ResumeFrom = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestIDsAreHexInJSON(t *testing.T) {
	r := Record{ID: Hash256{0xab}, TypeTag: "t", DataHash: Hash256{1}, Data: []byte("d")}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"ID":"AB00`)) || bytes.Contains(b, []byte("Account")) {
		t.Errorf("JSON %s: want hex ids and no zero account", b)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil || back.ID != r.ID || !bytes.Equal(back.Data, r.Data) {
		t.Errorf("back = %+v, %v", back, err)
	}
	var a AccountID
	if err := a.UnmarshalText([]byte("12")); err == nil {
		t.Error("a 1-byte account id was accepted")
	}
	if err := a.UnmarshalText([]byte(strings.Repeat("zz", 20))); err == nil {
		t.Error("non-hex account id was accepted")
	}
}

func TestLedgerValidateAcceptsARecordWithoutATypeTag(t *testing.T) {
	l := cloneLedger(testChain(1, 3)[2])
	l.Records[0].TypeTag = ""
	if err := l.Validate(); err != nil {
		t.Fatalf("a record without a type tag is refused: %v", err)
	}
}
