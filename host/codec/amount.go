package codec

import (
	"fmt"

	"strconv"
)

// Amount is an STAmount: either SWT in drops (1 SWT = 1,000,000 drops) or an
// issued-currency Value with its currency and issuer.
type Amount struct {
	native bool
	drops  int64
	value  Value
	issue  Issue
}

// MaxNativeDrops is the largest drops value the 62-bit wire field can hold.
const MaxNativeDrops = 1<<62 - 1

// NewNative returns an SWT amount of the given drops.
func NewNative(drops int64) Amount { return Amount{native: true, drops: drops} }

// NewIssued returns an issued-currency amount. The currency must not be SWT.
func NewIssued(v Value, currency Currency, issuer AccountID) Amount {
	return Amount{value: v, issue: Issue{Currency: currency, Issuer: issuer}}
}

// ZeroOf returns a zero amount of the given issue.
func ZeroOf(i Issue) Amount {
	if i.IsNative() {
		return NewNative(0)
	}
	return NewIssued(ZeroValue, i.Currency, i.Issuer)
}

// IsNative reports whether the amount is SWT.
func (a Amount) IsNative() bool { return a.native }

// Drops returns the SWT drops; zero for issued amounts.
func (a Amount) Drops() int64 { return a.drops }

// Value returns the issued value; for SWT, the drops as a Value.
func (a Amount) Value() Value {
	if a.native {
		v, _ := NewValue(uint64(absInt64(a.drops)), 0, a.drops < 0)
		return v
	}
	return a.value
}

// Issue returns the currency and issuer (SWT and AccountZero for native).
func (a Amount) Issue() Issue { return a.issue }

// Currency returns the currency code.
func (a Amount) Currency() Currency { return a.issue.Currency }

// Issuer returns the issuer (AccountZero for SWT).
func (a Amount) Issuer() AccountID { return a.issue.Issuer }

// WithIssuer returns a with the issuer replaced (trust-line balances are
// stored with the "no account" issuer; API views show the peer).
func (a Amount) WithIssuer(issuer AccountID) Amount {
	if a.native {
		return a
	}
	a.issue.Issuer = issuer
	return a
}

// IsZero reports whether the amount is zero.
func (a Amount) IsZero() bool {
	if a.native {
		return a.drops == 0
	}
	return a.value.IsZero()
}

// Sign returns -1, 0 or 1.
func (a Amount) Sign() int {
	if a.native {
		switch {
		case a.drops < 0:
			return -1
		case a.drops > 0:
			return 1
		}
		return 0
	}
	return a.value.Sign()
}

// Neg returns -a.
func (a Amount) Neg() Amount {
	if a.native {
		a.drops = -a.drops
		return a
	}
	a.value = a.value.Neg()
	return a
}

// Abs returns |a|.
func (a Amount) Abs() Amount {
	if a.Sign() < 0 {
		return a.Neg()
	}
	return a
}

// SameCurrency reports whether a and b can be added or compared: both SWT, or
// both issued in the same currency (issuers may differ, as on trust lines).
func (a Amount) SameCurrency(b Amount) bool {
	return a.native == b.native && a.issue.Currency == b.issue.Currency
}

// Add returns a + b; the result keeps a's issuer.
func (a Amount) Add(b Amount) (Amount, error) {
	if !a.SameCurrency(b) {
		return Amount{}, fmt.Errorf("codec: add %s to %s: %w", b.issue, a.issue, ErrBadAmount)
	}
	if a.native {
		s, ok := addInt64(a.drops, b.drops)
		if !ok {
			return Amount{}, ErrOverflow
		}
		a.drops = s
		return a, nil
	}
	v, err := a.value.Add(b.value)
	if err != nil {
		return Amount{}, err
	}
	a.value = v
	return a, nil
}

// Sub returns a - b; the result keeps a's issuer.
func (a Amount) Sub(b Amount) (Amount, error) { return a.Add(b.Neg()) }

// Cmp compares a and b, which must have the same currency.
func (a Amount) Cmp(b Amount) int {
	if a.native && b.native {
		return cmpInt(a.drops, b.drops)
	}
	return a.Value().Cmp(b.Value())
}

// MulValue returns a × v in a's issue. SWT results are truncated to whole
// drops, as rippled's native canonicalisation does.
func (a Amount) MulValue(v Value) (Amount, error) {
	p, err := a.Value().Mul(v)
	if err != nil {
		return Amount{}, err
	}
	return a.withValue(p)
}

// DivValue returns a ÷ v in a's issue.
func (a Amount) DivValue(v Value) (Amount, error) {
	q, err := a.Value().Div(v)
	if err != nil {
		return Amount{}, err
	}
	return a.withValue(q)
}

func (a Amount) withValue(v Value) (Amount, error) {
	if !a.native {
		a.value = v
		return a, nil
	}
	d, err := v.drops()
	if err != nil {
		return Amount{}, err
	}
	a.drops = d
	return a, nil
}

// drops converts v to an integer, truncating any fraction toward zero.
func (v Value) drops() (int64, error) {
	if v.mantissa == 0 {
		return 0, nil
	}
	m, e := v.mantissa, int(v.exponent)
	for e < 0 && m > 0 {
		m /= 10
		e++
	}
	for e > 0 {
		if m > MaxNativeDrops/10 {
			return 0, ErrOverflow
		}
		m *= 10
		e--
	}
	if m > MaxNativeDrops {
		return 0, ErrOverflow
	}
	if v.negative {
		return -int64(m), nil
	}
	return int64(m), nil
}

// String renders the amount for logs and errors: "1.5/CNY/j..." or "10 drops".
func (a Amount) String() string {
	if a.native {
		return strconv.FormatInt(a.drops, 10) + " drops"
	}
	return a.value.String() + "/" + a.issue.Currency.String() + "/" + a.issue.Issuer.String()
}

// Equal reports whether a and b are the same amount in the same issue.
func (a Amount) Equal(b Amount) bool {
	return a.native == b.native && a.drops == b.drops && a.value == b.value && a.issue == b.issue
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	if s > MaxNativeDrops || s < -MaxNativeDrops {
		return 0, false
	}
	return s, true
}
