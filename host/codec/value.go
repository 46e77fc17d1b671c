package codec

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Value is an issued-currency quantity, mantissa × 10^exponent, kept in
// rippled's canonical form so the same number always has the same bytes:
// zero, or a mantissa in [1e15, 1e16) with an exponent in [-96, 80].
// Arithmetic is integer-only and rounds exactly as rippled does, which makes
// every result deterministic and identical on every node.
type Value struct {
	mantissa uint64
	exponent int32
	negative bool
}

const (
	minMantissa  = 1_000_000_000_000_000
	maxMantissa  = 9_999_999_999_999_999
	minExponent  = -96
	maxExponent  = 80
	zeroExponent = -100
)

// ZeroValue is 0.
var ZeroValue = Value{exponent: zeroExponent}

// NewValue returns the canonical value of mantissa × 10^exponent, negated if
// negative. Values too small to represent become zero (rippled does the same);
// values too large are an error.
func NewValue(mantissa uint64, exponent int, negative bool) (Value, error) {
	if mantissa == 0 {
		return ZeroValue, nil
	}
	m, e := mantissa, exponent
	for m < minMantissa && e > minExponent {
		m *= 10
		e--
	}
	for m > maxMantissa {
		if e >= maxExponent {
			return ZeroValue, ErrOverflow
		}
		m /= 10
		e++
	}
	if e < minExponent || m < minMantissa {
		return ZeroValue, nil
	}
	if e > maxExponent {
		return ZeroValue, ErrOverflow
	}
	return Value{mantissa: m, exponent: int32(e), negative: negative}, nil
}

// MustValue is NewValue for constants known to be in range.
func MustValue(mantissa uint64, exponent int, negative bool) Value {
	v, err := NewValue(mantissa, exponent, negative)
	if err != nil {
		panic(err)
	}
	return v
}

// Mantissa, Exponent and Negative expose the canonical parts.
func (v Value) Mantissa() uint64 { return v.mantissa }
func (v Value) Exponent() int    { return int(v.exponent) }
func (v Value) Negative() bool   { return v.negative }

// IsZero reports whether v is zero.
func (v Value) IsZero() bool { return v.mantissa == 0 }

// Sign returns -1, 0 or 1.
func (v Value) Sign() int {
	switch {
	case v.mantissa == 0:
		return 0
	case v.negative:
		return -1
	}
	return 1
}

// Neg returns -v.
func (v Value) Neg() Value {
	if v.mantissa != 0 {
		v.negative = !v.negative
	}
	return v
}

// Abs returns |v|.
func (v Value) Abs() Value { v.negative = false; return v }

// Cmp compares v and w: -1, 0 or +1.
func (v Value) Cmp(w Value) int {
	sv, sw := v.Sign(), w.Sign()
	if sv != sw {
		if sv < sw {
			return -1
		}
		return 1
	}
	if sv == 0 {
		return 0
	}
	// Same sign: compare magnitudes, then flip for negatives.
	c := 0
	switch {
	case v.exponent != w.exponent:
		c = cmpInt(int64(v.exponent), int64(w.exponent))
	default:
		c = cmpInt64u(v.mantissa, w.mantissa)
	}
	if sv < 0 {
		return -c
	}
	return c
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt64u(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Add returns v + w with rippled's rounding: the operand with the smaller
// exponent is truncated toward zero to the larger exponent, and a result
// within ±10 units of that exponent is zero.
func (v Value) Add(w Value) (Value, error) {
	if v.mantissa == 0 {
		return w, nil
	}
	if w.mantissa == 0 {
		return v, nil
	}
	a, b := int64(v.mantissa), int64(w.mantissa)
	if v.negative {
		a = -a
	}
	if w.negative {
		b = -b
	}
	ea, eb := v.exponent, w.exponent
	for ea < eb {
		a /= 10
		ea++
	}
	for eb < ea {
		b /= 10
		eb++
	}
	// |a|,|b| < 1e16, so the sum cannot overflow int64.
	sum := a + b
	if sum >= -10 && sum <= 10 {
		return ZeroValue, nil
	}
	if sum < 0 {
		return NewValue(uint64(-sum), int(ea), true)
	}
	return NewValue(uint64(sum), int(ea), false)
}

// Sub returns v - w.
func (v Value) Sub(w Value) (Value, error) { return v.Add(w.Neg()) }

// normalized returns the mantissa scaled into [1e15, 1e16) for use in
// multiplication and division; SWT amounts held as drops need this.
func (v Value) normalized() (uint64, int) {
	m, e := v.mantissa, int(v.exponent)
	for m < minMantissa {
		m *= 10
		e--
	}
	// Only SWT amounts above 1e16 drops reach this loop. rippled's native cap
	// (1e17 drops) keeps its products inside 64 bits; Jingtum's supply is
	// 6e17 drops, so truncate to 16 significant digits instead of failing.
	for m > maxMantissa {
		m /= 10
		e++
	}
	return m, e
}

// Mul returns v × w, rounded as rippled's multiply: (m1·m2 / 1e14 + 7) at
// exponent e1+e2+14.
func (v Value) Mul(w Value) (Value, error) {
	if v.mantissa == 0 || w.mantissa == 0 {
		return ZeroValue, nil
	}
	m1, e1 := v.normalized()
	m2, e2 := w.normalized()
	q, ok := mulDiv(m1, m2, 100_000_000_000_000)
	if !ok {
		return ZeroValue, ErrOverflow
	}
	return NewValue(q+7, e1+e2+14, v.negative != w.negative)
}

// Div returns v ÷ w, rounded as rippled's divide: (m1·1e17 / m2 + 5) at
// exponent e1-e2-17.
func (v Value) Div(w Value) (Value, error) {
	if w.mantissa == 0 {
		return ZeroValue, fmt.Errorf("codec: division by zero: %w", ErrBadValue)
	}
	if v.mantissa == 0 {
		return ZeroValue, nil
	}
	m1, e1 := v.normalized()
	m2, e2 := w.normalized()
	q, ok := mulDiv(m1, 100_000_000_000_000_000, m2)
	if !ok {
		return ZeroValue, ErrOverflow
	}
	return NewValue(q+5, e1-e2-17, v.negative != w.negative)
}

// mulDiv returns a·b/c with a 128-bit intermediate, and false if the
// quotient does not fit in 64 bits.
func mulDiv(a, b, c uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, c)
	return q, true
}

// ParseValue parses a decimal number as rippled's amountFromString does:
// an optional sign, an integer part without leading zeros, an optional
// fraction, and an optional exponent ("1.5", "-20", "1e-3", "0.000001").
// Digits beyond 16 significant ones are truncated.
func ParseValue(s string) (Value, error) {
	if len(s) == 0 || len(s) > 128 {
		return ZeroValue, fmt.Errorf("codec: number %q: %w", s, ErrBadValue)
	}
	i := 0
	neg := false
	if s[i] == '-' || s[i] == '+' {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart := s[start:i]
	if len(intPart) == 0 || (len(intPart) > 1 && intPart[0] == '0') {
		return ZeroValue, fmt.Errorf("codec: number %q: %w", s, ErrBadValue)
	}
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		frac = s[fs:i]
		if len(frac) == 0 {
			return ZeroValue, fmt.Errorf("codec: number %q: %w", s, ErrBadValue)
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		es := i
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		ds := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == ds || i-ds > 4 {
			return ZeroValue, fmt.Errorf("codec: number %q: %w", s, ErrBadValue)
		}
		e, err := strconv.Atoi(s[es:i])
		if err != nil {
			return ZeroValue, fmt.Errorf("codec: number %q: %w", s, ErrBadValue)
		}
		exp = e
	}
	if i != len(s) {
		return ZeroValue, fmt.Errorf("codec: number %q: %w", s, ErrBadValue)
	}
	// Accumulate significant digits; past 18 digits, drop the rest (they are
	// below the 16-digit precision) and move the exponent instead.
	var m uint64
	e := exp - len(frac)
	for _, d := range intPart + frac {
		if m >= 100_000_000_000_000_000 {
			e++
			continue
		}
		m = m*10 + uint64(d-'0')
	}
	if e > 200 || e < -400 {
		if m == 0 || e < -400 {
			return ZeroValue, nil
		}
		return ZeroValue, fmt.Errorf("codec: number %q: %w", s, ErrOverflow)
	}
	v, err := NewValue(m, e, neg)
	if err != nil {
		return ZeroValue, fmt.Errorf("codec: number %q: %w", s, err)
	}
	return v, nil
}

// String renders v as rippled's getText does: plain decimal for exponents in
// [-25, -5] (or 0), scientific "mantissa e exponent" otherwise.
func (v Value) String() string {
	if v.mantissa == 0 {
		return "0"
	}
	var b strings.Builder
	if v.negative {
		b.WriteByte('-')
	}
	digits := strconv.FormatUint(v.mantissa, 10)
	e := int(v.exponent)
	if e != 0 && (e < -25 || e > -5) {
		b.WriteString(digits)
		b.WriteByte('e')
		b.WriteString(strconv.Itoa(e))
		return b.String()
	}
	// The decimal point sits len(digits)+e digits from the left.
	point := len(digits) + e
	var intPart, frac string
	switch {
	case point <= 0:
		intPart = "0"
		frac = strings.Repeat("0", -point) + digits
	case point >= len(digits):
		intPart = digits + strings.Repeat("0", point-len(digits))
	default:
		intPart, frac = digits[:point], digits[point:]
	}
	frac = strings.TrimRight(frac, "0")
	b.WriteString(intPart)
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
