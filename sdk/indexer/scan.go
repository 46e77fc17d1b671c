package indexer

import "iter"

// Scan answers q from ledgers, read in ledger order (the order Store gets
// them in), with Position markers: the whole query engine of an indexer
// that keeps its ledgers in order and reads them for each query, as
// examples/indexer-print does. An indexer with real indexes answers from
// them instead, and may use any marker it likes.
//
// Scan validates q: a malformed query or a marker Position.Marker did not
// make fails with an error wrapping ErrBadQuery. It stops reading ledgers
// once the page is full and one more match shows that the marker is
// needed, or once it passes q.ToSeq.
func Scan(q Query, ledgers iter.Seq[Ledger]) (QueryResult, error) {
	if err := q.Validate(); err != nil {
		return QueryResult{}, err
	}
	after, err := ParseMarker(q.Marker)
	if err != nil {
		return QueryResult{}, err
	}
	limit := q.EffectiveLimit()
	var res QueryResult
	var last Position // of the last record in the page
	for l := range ledgers {
		if q.ToSeq != 0 && l.Seq > q.ToSeq {
			break
		}
		if l.Seq < after.Seq || l.Seq < q.FromSeq {
			continue
		}
		for i, r := range l.Records {
			pos := Position{Seq: l.Seq, Index: uint32(i)}
			if !pos.After(after) || !q.Matches(l.Seq, r) {
				continue
			}
			if len(res.Records) == limit {
				res.Marker = last.Marker()
				return res, nil
			}
			res.Records = append(res.Records, LedgerRecord{LedgerSeq: l.Seq, Record: r})
			last = pos
		}
	}
	return res, nil
}
