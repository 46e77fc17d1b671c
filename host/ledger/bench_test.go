package ledger

import (
	"fmt"
	"testing"

	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

// BenchmarkApplyPayments1000PerLedger applies signed SWT payments between
// 1,000 accounts, 1,000 per ledger, computing the state and transaction
// roots once per ledger (at Close). Signatures are made but not checked:
// the node verifies them once, before apply. One op is one ledger.
func BenchmarkApplyPayments1000PerLedger(b *testing.B) {
	const accounts, perLedger, ledgers = 1000, 1000, 8
	e := newEnv(b)
	e.verify = false
	names := make([]string, accounts)
	for i := range names {
		names[i] = fmt.Sprintf("ed-bench-%d", i)
	}
	for i, n := range names {
		e.submit(ter.TesSUCCESS, "genesis", pay(e.addr(n), "1000000000"))
		if i%1000 == 999 {
			e.close()
		}
	}
	base := e.close()
	// Pre-sign the payments of `ledgers` consecutive ledgers.
	batches := make([][]*Tx, ledgers)
	seq := make([]uint32, accounts)
	for i := range seq {
		seq[i] = 1
	}
	for l := range batches {
		for j := 0; j < perLedger; j++ {
			from, to := j%accounts, (j*7+l+1)%accounts
			if to == from {
				to = (to + 1) % accounts
			}
			batches[l] = append(batches[l], e.tx(names[from], merge(pay(e.addr(names[to]), "1000"), map[string]any{"Sequence": seq[from]})))
			seq[from]++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cur := base
	var applied int
	for i := 0; i < b.N; i++ {
		l := i % ledgers
		if l == 0 && i > 0 {
			b.StopTimer()
			cur = base
			b.StartTimer()
		}
		open := cur.Open()
		for _, tx := range batches[l] {
			if out := open.Apply(tx); out.Result != ter.TesSUCCESS {
				b.Fatalf("ledger %d: %s %s", l, out.Result, out.Detail)
			}
		}
		cur = open.Close(CloseInfo{CloseTime: uint32(2000 + i), Resolution: 10})
		applied += perLedger
	}
	b.ReportMetric(float64(applied)/b.Elapsed().Seconds(), "applies/s")
}

// BenchmarkVerifyPayment is the per-node signature cost the apply benchmark
// leaves out, for comparison on the same machine.
func BenchmarkVerifyPayment(b *testing.B) {
	for _, name := range []string{"secp256k1-payer", "ed-payer"} {
		b.Run(name, func(b *testing.B) {
			e := newEnv(b)
			tx := e.tx(name, pay(e.addr("genesis"), "1000"))
			b.ResetTimer()
			for b.Loop() {
				if err := VerifySignatures(tx, crypto.Verify); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
