package codec

import (
	"flag"
	"math/big"
	"math/rand"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec/sf"
)

var seedFlag = flag.Int64("seed", 0, "seed for randomized tests (0: time-based)")

// testSeed returns the seed for a randomized test and logs it so a failure
// can be reproduced with -seed.
func testSeed(t testing.TB) int64 {
	t.Helper()
	s := *seedFlag
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return s
}

func feeField() *sf.Field { return sf.Fee }

func TestValueParseAndString(t *testing.T) {
	cases := []struct{ in, out string }{
		{"0", "0"}, {"1", "1"}, {"-1", "-1"}, {"1.5", "1.5"}, {"100", "100"},
		{"0.000001", "0.000001"}, {"1e-3", "0.001"}, {"1.0E5", "100000"},
		{"1000000000000000", "1000000000000000"},
		{"10000000000000000", "1000000000000000e1"},
		{"0.0000000001", "0.0000000001"},
		{"0.00000000001", "1000000000000000e-26"},
		{"1234567890123456789", "1234567890123456e3"}, // truncated, not rounded
		{"9999999999999999e80", "9999999999999999e80"},
		{"1e-200", "0"}, // underflow is zero, as in rippled
		{"+7", "7"},
	}
	for _, c := range cases {
		v, err := ParseValue(c.in)
		if err != nil {
			t.Errorf("ParseValue(%q): %v", c.in, err)
			continue
		}
		if got := v.String(); got != c.out {
			t.Errorf("ParseValue(%q) = %s, want %s", c.in, got, c.out)
		}
	}
	for _, bad := range []string{"", "-", "01", ".5", "1.", "1e", "1e99999", "0x10", "1,5", "1 ", "NaN", "1e81" + "0"} {
		if _, err := ParseValue(bad); err == nil {
			t.Errorf("ParseValue(%q) accepted", bad)
		}
	}
}

// ratOf is an exact reference for checking the integer arithmetic.
func ratOf(v Value) *big.Rat {
	r := new(big.Rat).SetInt(new(big.Int).SetUint64(v.mantissa))
	e := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(absInt(int(v.exponent)))), nil)
	if v.exponent >= 0 {
		r.Mul(r, new(big.Rat).SetInt(e))
	} else {
		r.Quo(r, new(big.Rat).SetInt(e))
	}
	if v.negative {
		r.Neg(r)
	}
	return r
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func randValue(r *rand.Rand) Value {
	m := uint64(r.Int63n(maxMantissa-minMantissa)) + minMantissa
	v, _ := NewValue(m, r.Intn(40)-30, r.Intn(2) == 0)
	return v
}

// The arithmetic must stay within rippled's stated error: one unit in the
// 16th significant digit for add (after alignment truncation), and a few
// units for mul/div (the +7 / +5 rounding terms).
func TestValueArithmeticAgainstExactReference(t *testing.T) {
	r := rand.New(rand.NewSource(testSeed(t)))
	tol := func(ref *big.Rat, units int64) *big.Rat {
		a := new(big.Rat).Abs(ref)
		// relative tolerance units × 1e-15
		return a.Mul(a, big.NewRat(units, 1_000_000_000_000_000))
	}
	within := func(got Value, ref *big.Rat, units int64) bool {
		diff := new(big.Rat).Sub(ratOf(got), ref)
		diff.Abs(diff)
		return diff.Cmp(tol(ref, units)) <= 0
	}
	for i := 0; i < 20000; i++ {
		a, b := randValue(r), randValue(r)
		if p, err := a.Mul(b); err == nil {
			ref := new(big.Rat).Mul(ratOf(a), ratOf(b))
			if !within(p, ref, 2) {
				t.Fatalf("%s × %s = %s, exact %s", a, b, p, ref.FloatString(30))
			}
		}
		if q, err := a.Div(b); err == nil {
			ref := new(big.Rat).Quo(ratOf(a), ratOf(b))
			if !within(q, ref, 2) {
				t.Fatalf("%s ÷ %s = %s, exact %s", a, b, q, ref.FloatString(30))
			}
		}
		if s, err := a.Add(b); err == nil && !s.IsZero() {
			ref := new(big.Rat).Add(ratOf(a), ratOf(b))
			// absolute tolerance: 2 units in the last place of the larger
			// operand or of the result, whichever is coarser
			e := max(a.exponent, b.exponent, s.exponent)
			unit := ratOf(Value{mantissa: 2, exponent: e})
			diff := new(big.Rat).Sub(ratOf(s), ref)
			if diff.Abs(diff).Cmp(unit) > 0 {
				t.Fatalf("%s + %s = %s, exact %s", a, b, s, ref.FloatString(30))
			}
		}
		if c := a.Cmp(b); c != ratOf(a).Cmp(ratOf(b)) {
			t.Fatalf("Cmp(%s, %s) = %d", a, b, c)
		}
	}
}

func TestValueAddRulesMatchRippled(t *testing.T) {
	one := MustValue(1, 0, false)
	tiny := MustValue(1, -20, false)
	// The smaller operand is truncated at the larger one's precision.
	if s, _ := one.Add(tiny); s != one {
		t.Errorf("1 + 1e-20 = %s", s)
	}
	// A result within ±10 units of the aligned exponent is zero.
	a := MustValue(1000000000000005, -15, false)
	b := MustValue(1000000000000000, -15, true)
	if s, _ := a.Add(b); !s.IsZero() {
		t.Errorf("tiny difference = %s, want 0", s)
	}
	if _, err := MustValue(9999999999999999, 80, false).Add(MustValue(9999999999999999, 80, false)); err == nil {
		t.Error("overflow not reported")
	}
}

func TestAmountMulValueTruncatesDrops(t *testing.T) {
	rate := MustValue(1002000000, -9, false) // 1.002
	a, err := NewNative(999).MulValue(rate)
	if err != nil || a.Drops() != 1000 { // 1000.998 truncated
		t.Fatalf("999 drops × 1.002 = %v, %v", a, err)
	}
}
