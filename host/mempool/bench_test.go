package mempool

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// paymentTemplate is an unsigned payment of 1000 drops from one account to
// another; benchmarks fill in the sequence and sign it.
func paymentTemplate(b testing.TB, from, to string) *codec.STObject {
	b.Helper()
	return payment(b, from, 1, to, amount(1000)).Object()
}

// signedPayments returns n payments, round-robin over the senders, each
// sender's in sequence order starting at 1, properly signed.
func signedPayments(b testing.TB, senders []string, to string, n int) []*ledger.Tx {
	b.Helper()
	out := make([]*ledger.Tx, n)
	tmpl := make([]*codec.STObject, len(senders))
	for i, s := range senders {
		tmpl[i] = paymentTemplate(b, s, to)
	}
	for i := range out {
		k := i % len(senders)
		obj := tmpl[k].Clone()
		obj.SetUInt32(sf.Sequence, uint32(i/len(senders)+1))
		if _, _, err := codec.Sign(obj, key(b, senders[k])); err != nil {
			b.Fatal(err)
		}
		tx, err := ledger.NewTx(obj)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = tx
	}
	return out
}

// BenchmarkSubmitPayment submits SWT payments from GOMAXPROCS goroutines at
// once, each a new transaction, so every submission verifies its signature
// (a cache miss in CachedVerifier) and applies it to the open ledger. The
// open ledger is unbounded here so every op does the same work. One op is
// one submission; pre-signing is not timed.
func BenchmarkSubmitPayment(b *testing.B) {
	for _, kt := range []string{"ed25519", "secp256k1"} {
		b.Run(kt, func(b *testing.B) {
			senders := make([]string, 256)
			for i := range senders {
				senders[i] = fmt.Sprintf("bench-%d", i)
				if kt == "ed25519" {
					senders[i] = "ed-" + senders[i]
				}
			}
			base := fundedLedger(b, append(senders, "sink")...)
			txs := signedPayments(b, senders, "sink", b.N)
			cache := crypto.NewVerifyCache(1 << 20)
			pool := New(Config{LedgerTarget: maxLimit, MaxTxsPerLedger: maxLimit}, base, CachedVerifier(cache))
			var next atomic.Int64
			var bad atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					tx := txs[next.Add(1)-1]
					if r := pool.Submit(tx); !r.Applied && !r.Queued {
						bad.Add(1)
					}
				}
			})
			b.StopTimer()
			if bad.Load() != 0 {
				b.Fatalf("%d submissions refused", bad.Load())
			}
			if pool.Pending() != b.N || cache.Hits() != 0 {
				b.Fatalf("pending %d of %d, cache hits %d", pool.Pending(), b.N, cache.Hits())
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "txs/s")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "submitters")
		})
	}
}

// unsignedPayments returns a generator of payments like signedPayments'
// whose signature field holds junk, for benchmarks whose pool does not
// verify: next(first, n) returns payments first to first+n-1.
func unsignedPayments(b testing.TB, senders []string, to string) func(first, n int) []*ledger.Tx {
	b.Helper()
	tmpl := make([]*codec.STObject, len(senders))
	for i, s := range senders {
		tmpl[i] = paymentTemplate(b, s, to)
		tmpl[i].Set(sf.TxnSignature, []byte{1, 2, 3})
	}
	return func(first, n int) []*ledger.Tx {
		out := make([]*ledger.Tx, n)
		for i := range out {
			j := first + i
			k := j % len(senders)
			obj := tmpl[k].Clone()
			obj.SetUInt32(sf.Sequence, uint32(j/len(senders)+1))
			tx, err := ledger.NewTx(obj)
			if err != nil {
				b.Fatal(err)
			}
			out[i] = tx
		}
		return out
	}
}

func noVerify(pub, msg, sig []byte) error { return nil }

// BenchmarkCloseAndAccept measures what the consensus side pays per ledger:
// CloseOpen (state and transaction roots of perLedger payments) then Accept
// of that same ledger. "rebuild" instead validates a ledger the pool did
// not build, so Accept re-applies all perLedger transactions to a new open
// ledger. Submitting is not timed. One op is one ledger.
func BenchmarkCloseAndAccept(b *testing.B) {
	for _, perLedger := range []int{1000, 10000} {
		for _, mode := range []string{"own", "rebuild"} {
			b.Run(fmt.Sprintf("%s/txs=%d", mode, perLedger), func(b *testing.B) {
				senders := make([]string, 1000)
				for i := range senders {
					senders[i] = fmt.Sprintf("ed-close-%d", i)
				}
				base := fundedLedger(b, append(senders, "sink")...)
				pool := New(Config{LedgerTarget: maxLimit, MaxTxsPerLedger: maxLimit, MaxPerAccount: maxLimit, SequenceWindow: maxLimit}, base, noVerify)
				now := uint32(2000)
				ci := func() ledger.CloseInfo { now += 10; return ledger.CloseInfo{CloseTime: now, Resolution: 10} }
				validated := base
				gen := unsignedPayments(b, senders, "sink")
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					for _, tx := range gen(i*perLedger, perLedger) {
						if r := pool.Submit(tx); !r.Applied {
							b.Fatalf("%+v", r)
						}
					}
					if mode == "own" {
						b.StartTimer()
						l, n := pool.CloseOpen(ci())
						pool.Accept(l)
						b.StopTimer()
						if n != perLedger || pool.Pending() != 0 {
							b.Fatalf("closed %d, %d pending", n, pool.Pending())
						}
						validated = l
						continue
					}
					other := validated.Open().Close(ci())
					b.StartTimer()
					pool.Accept(other)
					b.StopTimer()
					if pool.TxsAvailable() != perLedger {
						b.Fatalf("%d re-applied, want %d", pool.TxsAvailable(), perLedger)
					}
					l, _ := pool.CloseOpen(ci())
					pool.Accept(l)
					validated = l
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N*perLedger)/b.Elapsed().Seconds(), "txs/s")
			})
		}
	}
}
