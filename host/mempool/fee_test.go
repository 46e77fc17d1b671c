package mempool

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec/ter"
)

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func TestFeeEscalatesQuadraticallyPastTheTarget(t *testing.T) {
	const target = 4
	senders := names("sender", 16)
	tp := newTestPool(t, Config{LedgerTarget: target, MaxTxsPerLedger: 100}, append(senders, "sink")...)
	// Up to the target and one more (the check is on the size before the
	// transaction), the base fee is enough.
	for i := 0; i <= target; i++ {
		if fs := tp.Fees(); fs.MinimumFee != 10 || fs.LoadFactor != 256 {
			t.Fatalf("size %d: %+v", i, fs)
		}
		tp.submit(payment(t, senders[i], 1, "sink"), ter.TesSUCCESS, "applied")
	}
	var prev int64
	for i := target + 1; i < len(senders); i++ {
		n := int64(i)
		// level = 256 * n² / target², fee = ceil(level * 10 / 256).
		level := 256 * n * n / (target * target)
		want := (level*10 + 255) / 256
		fs := tp.Fees()
		if fs.OpenLedgerSize != i || fs.LoadFactor != uint32(level) || fs.MinimumFee != want || fs.TargetSize != target {
			t.Fatalf("size %d: %+v, want level %d fee %d", i, fs, level, want)
		}
		if want <= prev {
			t.Fatalf("fee did not grow: %d after %d", want, prev)
		}
		prev = want
		r := tp.submit(payment(t, senders[i], 1, "sink", fee(want-1)), ter.TelINSUF_FEE_P, "rejected")
		if !strings.Contains(r.Detail, fmt.Sprintf("now %d drops", want)) {
			t.Fatalf("detail %q lacks the required fee %d", r.Detail, want)
		}
		tp.submit(payment(t, senders[i], 1, "sink", fee(want)), ter.TesSUCCESS, "applied")
	}
	// 16 transactions over a target of 4: 256*256/16 = 4096, 160 drops.
	if fs := tp.Fees(); fs.MinimumFee != 160 {
		t.Fatalf("%+v", fs)
	}
	// A new open ledger starts at the base fee again.
	tp.closeAndAccept()
	if fs := tp.Fees(); fs.MinimumFee != 10 || fs.OpenLedgerSize != 0 {
		t.Fatalf("after close: %+v", fs)
	}
}

func TestFeeEscalationStartsFromTheMedianOfTheLastValidatedLedger(t *testing.T) {
	senders := names("sender", 8)
	tp := newTestPool(t, Config{LedgerTarget: 2, MaxTxsPerLedger: 100}, append(senders, "sink")...)
	// Everyone paid 20 drops (level 512) in the last ledger; one paid 10.
	for i, s := range senders[:3] {
		f := int64(20)
		if i == 0 {
			f = 10
		}
		tp.submit(payment(t, s, 1, "sink", fee(f)), ter.TesSUCCESS, "applied")
	}
	tp.closeAndAccept()
	for _, s := range senders[:3] {
		tp.submit(payment(t, s, 2, "sink"), ter.TesSUCCESS, "applied")
	}
	// 3 over 2: 512*9/4 = 1152, 45 drops.
	if fs := tp.Fees(); fs.LoadFactor != 1152 || fs.MinimumFee != 45 {
		t.Fatalf("%+v", fs)
	}
	// A pool started on that ledger computes the same median from it.
	tp.CloseOpen(tp.closeInfo())
	fresh := New(Config{LedgerTarget: 2, MaxTxsPerLedger: 100}, tp.validated, nil)
	if fresh.median != 512 {
		t.Fatalf("median %d", fresh.median)
	}
}

func TestHeldTransactionsEnterANewOpenLedgerOnlyAtTheEscalatedFee(t *testing.T) {
	senders := names("sender", 6)
	tp := newTestPool(t, Config{LedgerTarget: 1, MaxTxsPerLedger: 2}, append(senders, "sink")...)
	tp.submit(payment(t, senders[0], 1, "sink"), ter.TesSUCCESS, "applied")
	// Size 1 is not over the target of 1: base fee.
	tp.submit(payment(t, senders[1], 1, "sink"), ter.TesSUCCESS, "applied")
	// Full: held, whatever the fee (it must still pay the escalated one:
	// 256*4/1 = 1024, 40 drops).
	tp.submit(payment(t, senders[2], 1, "sink"), ter.TelINSUF_FEE_P, "rejected")
	cheap := payment(t, senders[2], 1, "sink", fee(40))
	rich := payment(t, senders[3], 1, "sink", fee(1000))
	mid := payment(t, senders[4], 1, "sink", fee(100))
	tp.submit(cheap, ter.TerRETRY, "queued")
	tp.submit(rich, ter.TerRETRY, "queued")
	tp.submit(mid, ter.TerRETRY, "queued")
	tp.wantCounts(2, 3)
	// The next open ledger takes the highest fee first, then the next.
	tp.CloseOpen(tp.closeInfo())
	tp.check()
	tp.wantCounts(2, 1)
	if !tp.inOpen(rich) || !tp.inOpen(mid) || tp.inOpen(cheap) {
		t.Fatal("held transactions entered out of fee order")
	}
}

func TestFeeArithmeticSaturatesInsteadOfWrapping(t *testing.T) {
	if got := feeLevel(math.MaxInt64, 1); got != math.MaxUint64 {
		t.Fatalf("level %d", got)
	}
	if got := feeLevel(100_000_000_000_000_000, 10); got != 2_560_000_000_000_000_000 {
		t.Fatalf("level %d", got)
	}
	if got := feeForLevel(math.MaxUint64, 1<<40); got != math.MaxInt64 {
		t.Fatalf("fee %d", got)
	}
	if got := escalatedLevel(math.MaxUint64, 1<<30, 1); got != math.MaxUint64 {
		t.Fatalf("escalated %d", got)
	}
	if got := replacementLevel(math.MaxUint64); got != math.MaxUint64 {
		t.Fatalf("replacement %d", got)
	}
	cases := []struct {
		levels []uint64
		want   uint64
	}{
		{nil, 256},
		{[]uint64{100}, 256},
		{[]uint64{512}, 512},
		{[]uint64{256, 512}, 384},
		{[]uint64{256, 257}, 257},
		{[]uint64{1000, 256, 512}, 512},
		{[]uint64{math.MaxUint64, math.MaxUint64}, math.MaxUint64},
	}
	for _, c := range cases {
		if got := medianLevel(c.levels); got != c.want {
			t.Errorf("median %v = %d, want %d", c.levels, got, c.want)
		}
	}
}
