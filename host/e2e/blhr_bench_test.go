package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jtchain/jtchain/plugins/indexer/postgres/pgtest"
)

// BenchmarkBLHRSealing measures a single dev node (solo engine, sqlite
// indexer instance "blhr") taking unsigned records as fast as 16 WebSocket
// clients submit them:
//
//	submitted/s  records the API accepted per second
//	sealed/s     records sealed per second, from the first submission to
//	             the validated ledger holding the last one
//	proof_ms     median blhr_proof time for a record of a full ledger
//	lag_ledgers  the most validated ledgers the indexer's cursor trailed
//	catchup_ms   time from the last record's ledger to the indexer's
//	             cursor reaching it
//
// Run: go test ./host/e2e -run '^$' -bench BLHRSealing -benchtime 1x
// (BenchmarkBLHRSealingPostgres: the same with the postgres indexer)
// (each iteration submits records for a few seconds; it is a measurement,
// not a test, and make test does not run it).
func BenchmarkBLHRSealing(b *testing.B) {
	benchBLHRSealing(b, sqliteIndexerConfig())
}

// BenchmarkBLHRSealingPostgres is BenchmarkBLHRSealing with the postgres
// indexer on a PostgreSQL server of its own (make postgres installs it).
func BenchmarkBLHRSealingPostgres(b *testing.B) {
	pg := pgtest.NewServer(b)
	benchBLHRSealing(b, postgresIndexerConfig(pg.DSN(), "jtchain_bench"))
}

func benchBLHRSealing(b *testing.B, indexerConfig []string) {
	ctx := ctxFor(b, 10*time.Minute)
	// Admin clients are not rate-limited; the dev node closes a ledger
	// every 200 ms when there is work.
	n := newDevNode(b, indexerConfig...)
	n.start()
	const conns, perConn = 16, 4000
	total := conns * perConn
	for it := 0; it < b.N; it++ {
		var lastID atomic.Value
		var accepted atomic.Int64
		var lagMax atomic.Uint32
		stopLag := make(chan struct{})
		var lagWG sync.WaitGroup
		lagWG.Add(1)
		go func() { // sample the indexer's lag behind the validated ledger
			defer lagWG.Done()
			c := n.dial(ctx)
			defer c.Close()
			for {
				select {
				case <-stopLag:
					return
				case <-time.After(100 * time.Millisecond):
				}
				l, err := getLedger(ctx, c, "validated", false)
				list, err2 := n.plugins(ctx)
				if err != nil || err2 != nil || len(list) == 0 {
					continue
				}
				if l.Index > list[0].Cursor {
					lag := l.Index - list[0].Cursor
					for {
						old := lagMax.Load()
						if lag <= old || lagMax.CompareAndSwap(old, lag) {
							break
						}
					}
				}
			}
		}()
		start := time.Now()
		var wg sync.WaitGroup
		for k := 0; k < conns; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := n.dial(ctx)
				defer c.Close()
				for i := 0; i < perConn; i++ {
					raw, err := c.Request(ctx, "blhr_submit", map[string]any{
						"data": fmt.Sprintf("bench %d %d %d %d", it, k, i, start.UnixNano()), "type_tag": "bench",
					})
					if err != nil {
						b.Errorf("blhr_submit: %v", err)
						return
					}
					var res struct {
						ID string `json:"record_id"`
					}
					if json.Unmarshal(raw, &res) == nil {
						lastID.Store(res.ID)
					}
					accepted.Add(1)
				}
			}()
		}
		wg.Wait()
		submitted := time.Since(start)
		if b.Failed() {
			b.FailNow()
		}
		// The pool seals in arrival order, so when the last record accepted
		// is sealed all earlier ones are.
		c := n.dial(ctx)
		id := lastID.Load().(string)
		var sealedAt uint32
		for sealedAt == 0 {
			raw, err := c.Request(ctx, "blhr_proof", map[string]any{"record_id": id})
			if err == nil {
				var p proofAnswer
				if json.Unmarshal(raw, &p) == nil {
					sealedAt = p.LedgerIndex
				}
				break
			}
			if ctx.Err() != nil {
				b.Fatalf("record %s not sealed: %v", id, err)
			}
			time.Sleep(5 * time.Millisecond)
		}
		sealed := time.Since(start)
		// The indexer catches up with the last record's ledger.
		sealedTime := time.Now()
		for {
			list, err := n.plugins(ctx)
			if err == nil && len(list) > 0 && list[0].Cursor >= sealedAt {
				break
			}
			if ctx.Err() != nil {
				b.Fatal("the indexer did not catch up")
			}
			time.Sleep(10 * time.Millisecond)
		}
		catchup := time.Since(sealedTime)
		// Proof time for a record of a full ledger.
		var proofTimes []time.Duration
		for range 20 {
			t0 := time.Now()
			if _, err := c.Request(ctx, "blhr_proof", map[string]any{"record_id": id}); err != nil {
				b.Fatal(err)
			}
			proofTimes = append(proofTimes, time.Since(t0))
		}
		slices.Sort(proofTimes)
		close(stopLag)
		lagWG.Wait()
		c.Close()
		b.ReportMetric(float64(accepted.Load())/submitted.Seconds(), "submitted/s")
		b.ReportMetric(float64(total)/sealed.Seconds(), "sealed/s")
		b.ReportMetric(float64(proofTimes[len(proofTimes)/2].Microseconds())/1000, "proof_ms")
		b.ReportMetric(float64(lagMax.Load()), "lag_ledgers")
		b.ReportMetric(float64(catchup.Milliseconds()), "catchup_ms")
	}
}
