package indexertest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jtchain/jtchain/sdk/indexer"
)

// Tags are the record type tags Chain uses; records also come without one
// (an empty tag), as the chain allows.
var Tags = []string{"invoice", "contract", "photo"}

// Accounts are the submitting accounts Chain uses; records also come
// without one.
var Accounts = []indexer.AccountID{{0xac, 1}, {0xac, 2}, {0xac, 3}, {0xac, 4}}

// DataHashes are the data hashes Chain uses: several records share each,
// as when the same document is recorded twice.
var DataHashes = func() []indexer.Hash256 {
	out := make([]indexer.Hash256, 6)
	for i := range out {
		out[i] = hash("data", uint32(i), 0)
	}
	return out
}()

// Chain returns n ledgers from seq first on, linked by parent hash, the
// same every time: ledger s holds s%4 transactions and (3s)%5 records
// (so some hold none), whose tags (or none), accounts (or none) and data
// hashes cycle through Tags, Accounts and DataHashes; every other record
// carries data.
func Chain(first uint32, n int) []indexer.Ledger {
	out := make([]indexer.Ledger, n)
	epoch := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		s := first + uint32(i)
		l := indexer.Ledger{
			Seq:       s,
			Hash:      hash("ledger", s, 0),
			CloseTime: epoch.Add(time.Duration(s) * 10 * time.Second),
		}
		if s > 1 {
			l.ParentHash = hash("ledger", s-1, 0)
		}
		for j := range int(s % 4) {
			l.Transactions = append(l.Transactions, indexer.Transaction{
				Hash:    hash("tx", s, j),
				Account: Accounts[(int(s)+j)%len(Accounts)],
				Type:    []string{"Payment", "AccountSet"}[j%2],
				Result:  "tesSUCCESS",
			})
		}
		l.TxCount = len(l.Transactions)
		for j := range int(s * 3 % 5) {
			r := indexer.Record{
				ID:       hash("record", s, j),
				DataHash: DataHashes[(int(s)+2*j)%len(DataHashes)],
			}
			if t := (int(s) + j) % (len(Tags) + 1); t < len(Tags) {
				r.TypeTag = Tags[t]
			}
			if a := (int(s)*3 + j) % (len(Accounts) + 1); a < len(Accounts) {
				r.Account = Accounts[a]
			}
			if j%2 == 0 {
				r.Data = fmt.Appendf(nil, "record %d of ledger %d", j, s)
			}
			l.Records = append(l.Records, r)
		}
		out[i] = l
	}
	return out
}

// bigLedger returns ledger seq (linked to Chain's ledger seq-1) holding n
// records of one tag, account and data hash.
func bigLedger(seq uint32, n int) indexer.Ledger {
	l := indexer.Ledger{Seq: seq, Hash: hash("ledger", seq, 0), ParentHash: hash("ledger", seq-1, 0)}
	for j := range n {
		l.Records = append(l.Records, indexer.Record{ID: hash("big", seq, j), TypeTag: "bulk", Account: Accounts[0], DataHash: DataHashes[0]})
	}
	return l
}

func hash(what string, s uint32, j int) indexer.Hash256 {
	return sha256.Sum256(fmt.Appendf(nil, "indexertest %s %d %d", what, s, j))
}

// RecordsOf returns every record of ledgers that q selects, in query
// order: what a conforming indexer that stored ledgers answers to q when
// every page is followed.
func RecordsOf(ledgers []indexer.Ledger, q indexer.Query) []indexer.LedgerRecord {
	var out []indexer.LedgerRecord
	for _, l := range ledgers {
		for _, r := range l.Records {
			if q.Matches(l.Seq, r) {
				out = append(out, indexer.LedgerRecord{LedgerSeq: l.Seq, Record: r})
			}
		}
	}
	return out
}

// Querier is what QueryAll needs: an Indexer, or a node's supervised
// client of one.
type Querier interface {
	Query(ctx context.Context, q indexer.Query) (indexer.QueryResult, error)
}

// MaxPages bounds QueryAll, so a plugin whose markers never end cannot
// hang a test.
const MaxPages = 10000

// QueryAll asks q and follows the markers to the end, checking each page
// against q's effective limit, and returns every record.
func QueryAll(ctx context.Context, ix Querier, q indexer.Query) ([]indexer.LedgerRecord, error) {
	var out []indexer.LedgerRecord
	for page := 0; ; page++ {
		if page == MaxPages {
			return out, fmt.Errorf("still a marker after %d pages: markers must lead to the end", MaxPages)
		}
		res, err := ix.Query(ctx, q)
		if err != nil {
			return out, fmt.Errorf("page %d: %w", page, err)
		}
		if len(res.Records) > q.EffectiveLimit() {
			return out, fmt.Errorf("page %d: %d records for a limit of %d", page, len(res.Records), q.EffectiveLimit())
		}
		out = append(out, res.Records...)
		if len(res.Marker) == 0 {
			return out, nil
		}
		q.Marker = res.Marker
	}
}
