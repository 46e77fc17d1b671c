package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
)

// benchLedger returns ledger seq holding n records, linked to seq-1: the
// issue's target rate (20,000 records a second) sealed into one ledger.
// Ids and data hashes are distinct, tags cycle through 8, accounts through
// 1,000 (a tenth of records have none), and every fourth record carries
// 128 bytes of data.
func benchLedger(seq uint32, n int) indexer.Ledger {
	h := func(what string, i int) indexer.Hash256 {
		return sha256.Sum256(fmt.Appendf(nil, "bench %s %d %d", what, seq, i))
	}
	l := indexer.Ledger{Seq: seq, Hash: benchLedgerHash(seq), ParentHash: benchLedgerHash(seq - 1)}
	data := make([]byte, 128)
	for i := range n {
		r := indexer.Record{ID: h("id", i), DataHash: h("data", i), TypeTag: fmt.Sprintf("tag-%d", i%8)}
		if i%10 != 0 {
			binary.BigEndian.PutUint32(r.Account[:], uint32(i%1000)+1)
		}
		if i%4 == 0 {
			r.Data = data
		}
		l.Records = append(l.Records, r)
	}
	return l
}

func benchLedgerHash(seq uint32) indexer.Hash256 {
	return sha256.Sum256(fmt.Appendf(nil, "bench ledger %d", seq))
}

// BenchmarkStore20000 stores ledgers of 20,000 records each, in process
// (the SQL, not the gRPC stream), each Store one transaction committed
// with synchronous=FULL. records/s is how many records a second a node can
// seal before this indexer falls behind.
//
//	go test -run '^$' -bench Store20000 -benchtime 20x ./plugins/indexer/sqlite/
func BenchmarkStore20000(b *testing.B) {
	const perLedger = 20000
	ctx := context.Background()
	x := &idx{}
	b.Cleanup(func() { x.Close() })
	if _, err := x.Configure(ctx, indexer.ConfigureRequest{APIMinor: indexer.APIMinor, ChainID: "bench", DataDir: b.TempDir()}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		l := benchLedger(uint32(i+1), perLedger)
		b.StartTimer()
		if err := x.Store(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*perLedger)/b.Elapsed().Seconds(), "records/s")
}
