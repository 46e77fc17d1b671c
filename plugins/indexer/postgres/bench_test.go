package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

// benchRecords is the size of a ledger at the target rate of
// 20,000 records sealed per second and one ledger a second.
const benchRecords = 20000

// BenchmarkStore20000Records stores ledgers of 20,000 records each, one
// durable transaction per ledger, into the shared server (fsync=on), and
// reports records/s. Records cycle through 3 tags, 4 accounts (and none)
// and 6 data hashes; every other one carries 64 bytes of data.
//
//	go test -run '^$' -bench Store20000 -benchtime 20x ./plugins/indexer/postgres/
func BenchmarkStore20000Records(b *testing.B) {
	x := configured(b, shared, "bench")
	ctx := context.Background()
	ledger := func(seq uint32) indexer.Ledger {
		l := indexer.Ledger{Seq: seq, Hash: benchHash("ledger", seq, 0), ParentHash: benchHash("ledger", seq-1, 0)}
		l.Records = make([]indexer.Record, benchRecords)
		for j := range l.Records {
			r := &l.Records[j]
			r.ID = benchHash("record", seq, j)
			r.TypeTag = indexertest.Tags[j%len(indexertest.Tags)]
			if a := j % (len(indexertest.Accounts) + 1); a < len(indexertest.Accounts) {
				r.Account = indexertest.Accounts[a]
			}
			r.DataHash = indexertest.DataHashes[j%len(indexertest.DataHashes)]
			if j%2 == 0 {
				r.Data = fmt.Appendf(nil, "%064d", j)
			}
		}
		return l
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		l := ledger(uint32(i + 1))
		b.StartTimer()
		if err := x.Store(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchRecords)/b.Elapsed().Seconds(), "records/s")
}

func benchHash(what string, seq uint32, j int) indexer.Hash256 {
	return sha256.Sum256(fmt.Appendf(nil, "bench %s %d %d", what, seq, j))
}
