package mempool

import (
	"math"
	"math/bits"
	"slices"

	"github.com/jtchain/jtchain/host/ledger"
)

// Fee levels, as in rippled's FeeEscalation: a transaction's level is the
// fee it pays relative to the least it could pay, scaled so that paying
// exactly the minimum is BaseLevel. A multi-signed transaction's minimum
// includes its signers, so levels compare fairly across both kinds.
//
// Everything here is integer arithmetic with 128-bit intermediates and
// saturation: levels of absurd fees must order correctly, not wrap.

// BaseLevel is the fee level of a transaction paying exactly its minimum fee.
const BaseLevel uint64 = 256

// replacePercent is how much more (in percent of the old fee level) a
// replacement of a queued transaction must pay (rippled: 25).
const replacePercent = 125

// feeLevel returns fee*BaseLevel/minimum, rounded down.
func feeLevel(fee, minimum int64) uint64 {
	if fee <= 0 {
		return 0
	}
	return mulDiv(uint64(fee), BaseLevel, uint64(max(minimum, 1)))
}

// feeForLevel returns the least fee in drops whose level, for a
// transaction whose minimum fee is minimum, is at least level.
func feeForLevel(level uint64, minimum int64) int64 {
	f := mulDivCeil(level, uint64(max(minimum, 1)), BaseLevel)
	if f > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(f)
}

// escalatedLevel is the level a transaction needs to enter an open ledger
// already holding n transactions: BaseLevel up to the target, then
// median*n²/target² (rippled's scaleFeeLevel).
func escalatedLevel(median uint64, n, target int) uint64 {
	if target <= 0 || n <= target {
		return BaseLevel
	}
	return mulDiv(median, sq(uint64(n)), sq(uint64(target)))
}

// replacementLevel is the least level that may replace a queued
// transaction paying old.
func replacementLevel(old uint64) uint64 { return mulDivCeil(old, replacePercent, 100) }

// medianLevel is the median of levels (the mean of the two middle ones
// for an even count, rounded up, as rippled), never below BaseLevel.
// It sorts levels in place.
func medianLevel(levels []uint64) uint64 {
	if len(levels) == 0 {
		return BaseLevel
	}
	slices.Sort(levels)
	a, b := levels[len(levels)/2], levels[(len(levels)-1)/2]
	// (a+b+1)/2 without overflow.
	m := a/2 + b/2 + (a%2+b%2+1)/2
	return max(m, BaseLevel)
}

// ledgerMedian computes the median fee level of a closed ledger's
// transactions, pseudo-transactions left out. A ledger that cannot be read
// counts as empty.
func ledgerMedian(l *ledger.Ledger) uint64 {
	if l == nil || l.TxTree() == nil || l.TxTree().Len() == 0 {
		return BaseLevel
	}
	txs, err := l.Transactions()
	if err != nil {
		return BaseLevel
	}
	levels := make([]uint64, 0, len(txs))
	for _, t := range txs {
		if ledger.IsPseudo(t.Tx.Type()) {
			continue // no fee: not a client's bid for space
		}
		levels = append(levels, feeLevel(t.Tx.Fee().Drops(), ledger.MinimumFee(l.Fees(), t.Tx)))
	}
	return medianLevel(levels)
}

func sq(x uint64) uint64 {
	hi, lo := bits.Mul64(x, x)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

// mulDiv returns a*b/c rounded down, saturating at MaxUint64. c must not be 0.
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// mulDivCeil returns a*b/c rounded up, saturating at MaxUint64.
func mulDivCeil(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return math.MaxUint64
	}
	q, r := bits.Div64(hi, lo, c)
	if r != 0 {
		if q == math.MaxUint64 {
			return q
		}
		q++
	}
	return q
}
