package indexer

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

func allRecords(ledgers []Ledger, q Query) []LedgerRecord {
	var out []LedgerRecord
	for _, l := range ledgers {
		for _, r := range l.Records {
			if q.Matches(l.Seq, r) {
				out = append(out, LedgerRecord{LedgerSeq: l.Seq, Record: r})
			}
		}
	}
	return out
}

func TestScanPagesThroughEveryMatchOnceAndEndsWithoutAMarker(t *testing.T) {
	chain := testChain(1, 25)
	for _, q := range []Query{{}, {TypeTag: "t1"}, {FromSeq: 4, ToSeq: 17}, {Account: AccountID{0xac, 1}}, {FromSeq: 30}} {
		want := allRecords(chain, q)
		for _, limit := range []int{1, 2, 5, len(want), len(want) + 1, 0} {
			q := q
			q.Limit = limit
			var got []LedgerRecord
			for page := 0; ; page++ {
				if page > len(want)+1 {
					t.Fatalf("%+v: markers do not end", q)
				}
				res, err := Scan(q, slices.Values(chain))
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Records) > q.EffectiveLimit() || (res.Marker != nil && len(res.Records) != q.EffectiveLimit()) {
					t.Fatalf("%+v: page of %d records with marker %x", q, len(res.Records), res.Marker)
				}
				got = append(got, res.Records...)
				if res.Marker == nil {
					break
				}
				q.Marker = res.Marker
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: %d records, want %d", q, len(got), len(want))
			}
		}
	}
}

func TestScanStopsReadingPastTheRangeAndAFullPage(t *testing.T) {
	chain := testChain(1, 40)
	read := 0
	ledgers := func(yield func(Ledger) bool) {
		for _, l := range chain {
			read++
			if !yield(l) {
				return
			}
		}
	}
	if _, err := Scan(Query{ToSeq: 10}, ledgers); err != nil || read != 11 {
		t.Errorf("a query up to ledger 10 read %d ledgers (%v), want 11", read, err)
	}
	read = 0
	if res, err := Scan(Query{Limit: 1}, ledgers); err != nil || read != 2 || res.Marker == nil {
		t.Errorf("a page of one read %d ledgers (%v, marker %x), want 2: ledger 1 holds one record, ledger 2 the next", read, err, res.Marker)
	}
}

func TestScanRefusesBadQueries(t *testing.T) {
	for _, q := range []Query{{FromSeq: 2, ToSeq: 1}, {Marker: []byte("x")}, {Limit: -1}} {
		if _, err := Scan(q, slices.Values(testChain(1, 3))); !errors.Is(err, ErrBadQuery) {
			t.Errorf("%+v: err = %v, want ErrBadQuery", q, err)
		}
	}
}
