package codec

import (
	"encoding/binary"
	"fmt"

	"github.com/jtchain/jtchain/host/codec/sf"
)

// Wire constants.
const (
	objectEnd = 0xE1 // STObject/1
	arrayEnd  = 0xF1 // STArray/1
	// MaxDepth bounds object/array nesting on decode (rippled uses the same).
	MaxDepth = 10
	// MaxVL is the largest length a VL prefix can express.
	MaxVL = 918744
)

// Encode returns the canonical binary form of every field.
func (o *STObject) Encode() []byte { return o.AppendTo(make([]byte, 0, 64+len(o.fields)*24)) }

// AppendTo appends the canonical binary form of every field to buf.
func (o *STObject) AppendTo(buf []byte) []byte {
	for _, e := range o.fields {
		buf = appendEntry(buf, e)
	}
	return buf
}

// AppendSigning appends only the signing fields: every top-level field except
// signatures (TxnSignature, Signers, ...). Inner objects are always whole.
func (o *STObject) AppendSigning(buf []byte) []byte {
	for _, e := range o.fields {
		if e.f.Signing() {
			buf = appendEntry(buf, e)
		}
	}
	return buf
}

func appendEntry(buf []byte, e entry) []byte {
	buf = append(buf, e.f.Header()...)
	switch e.f.Type {
	case sf.TypeUInt8:
		return append(buf, byte(e.n))
	case sf.TypeUInt16:
		return binary.BigEndian.AppendUint16(buf, uint16(e.n))
	case sf.TypeUInt32:
		return binary.BigEndian.AppendUint32(buf, uint32(e.n))
	case sf.TypeUInt64:
		return binary.BigEndian.AppendUint64(buf, e.n)
	}
	return appendValue(buf, e.v)
}

func appendValue(buf []byte, v any) []byte {
	switch x := v.(type) {
	case uint8:
		return append(buf, x)
	case uint16:
		return binary.BigEndian.AppendUint16(buf, x)
	case uint32:
		return binary.BigEndian.AppendUint32(buf, x)
	case uint64:
		return binary.BigEndian.AppendUint64(buf, x)
	case Hash128:
		return append(buf, x[:]...)
	case Hash160:
		return append(buf, x[:]...)
	case Hash256:
		return append(buf, x[:]...)
	case Amount:
		return appendAmount(buf, x)
	case []byte:
		return append(AppendVL(buf, len(x)), x...)
	case AccountID:
		return append(append(buf, 20), x[:]...)
	case *STObject:
		return append(x.AppendTo(buf), objectEnd)
	case Array:
		for _, it := range x {
			buf = append(buf, it.Field.Header()...)
			buf = append(it.Object.AppendTo(buf), objectEnd)
		}
		return append(buf, arrayEnd)
	case PathSet:
		for i, p := range x {
			if i > 0 {
				buf = append(buf, pathBoundary)
			}
			for _, s := range p {
				buf = append(buf, s.Type)
				if s.Type&PathAccount != 0 {
					buf = append(buf, s.Account[:]...)
				}
				if s.Type&PathCurrency != 0 {
					buf = append(buf, s.Currency[:]...)
				}
				if s.Type&PathIssuer != 0 {
					buf = append(buf, s.Issuer[:]...)
				}
			}
		}
		return append(buf, pathEnd)
	case Vector256:
		buf = AppendVL(buf, 32*len(x))
		for _, h := range x {
			buf = append(buf, h[:]...)
		}
		return buf
	}
	panic(fmt.Sprintf("codec: cannot encode %T", v))
}

// AppendVL appends rippled's variable-length prefix for n bytes: one byte up
// to 192, two up to 12480, three up to 918744. Longer values are rejected when
// they enter the codec (JSON or binary), so n is always in range here.
func AppendVL(buf []byte, n int) []byte {
	switch {
	case n <= 192:
		return append(buf, byte(n))
	case n <= 12480:
		n -= 193
		return append(buf, byte(193+n>>8), byte(n))
	case n <= MaxVL:
		n -= 12481
		return append(buf, byte(241+n>>16), byte(n>>8), byte(n))
	}
	panic(fmt.Sprintf("codec: VL length %d too large", n))
}

// Amount wire format (8 bytes, then 40 for issued currencies):
//
//	bit 63      0 = SWT, 1 = issued
//	bit 62      1 = positive (issued zero has it clear)
//	SWT:        bits 0-61 drops
//	issued:     bits 54-61 exponent+97, bits 0-53 mantissa; then currency, issuer
const (
	amountIssued   = uint64(1) << 63
	amountPositive = uint64(1) << 62
)

func appendAmount(buf []byte, a Amount) []byte {
	if a.native {
		d := a.drops
		u := uint64(absInt64(d))
		if d >= 0 {
			u |= amountPositive
		}
		return binary.BigEndian.AppendUint64(buf, u)
	}
	u := amountIssued
	if !a.value.IsZero() {
		u |= uint64(a.value.exponent+97) << 54
		u |= a.value.mantissa
		if !a.value.negative {
			u |= amountPositive
		}
	}
	buf = binary.BigEndian.AppendUint64(buf, u)
	buf = append(buf, a.issue.Currency[:]...)
	return append(buf, a.issue.Issuer[:]...)
}

// Decode parses a top-level serialized object, such as a transaction or a
// ledger entry. It accepts only canonical input: known fields in strictly
// increasing order, minimal headers, canonical amounts, no trailing bytes.
func Decode(b []byte) (*STObject, error) {
	d := decoder{b: b}
	o, err := d.object(0)
	if err != nil {
		return nil, err
	}
	return o, nil
}

type decoder struct {
	b   []byte
	pos int
}

func (d *decoder) fail(f *sf.Field, at int, err error) error {
	name := ""
	if f != nil {
		name = f.Name
	}
	return &DecodeError{Field: name, Offset: at, Err: err}
}

func (d *decoder) take(n int) ([]byte, bool) {
	if n < 0 || len(d.b)-d.pos < n {
		return nil, false
	}
	p := d.b[d.pos : d.pos+n]
	d.pos += n
	return p, true
}

// object reads fields until the end of input (depth 0) or an end-of-object
// marker (inner objects).
func (d *decoder) object(depth int) (*STObject, error) {
	if depth > MaxDepth {
		return nil, d.fail(nil, d.pos, ErrTooDeep)
	}
	o := NewObject(12)
	var last uint16
	for {
		if d.pos == len(d.b) {
			if depth == 0 {
				return o, nil
			}
			return nil, d.fail(nil, d.pos, fmt.Errorf("inner object without end marker: %w", ErrTruncated))
		}
		at := d.pos
		t, nth, n, err := sf.DecodeHeader(d.b[d.pos:])
		if err != nil {
			if sf.IsTruncated(err) {
				return nil, d.fail(nil, at, ErrTruncated)
			}
			return nil, d.fail(nil, at, ErrNonCanonical)
		}
		d.pos += n
		if t == sf.TypeObject && nth == 1 {
			if depth == 0 {
				return nil, d.fail(nil, at, fmt.Errorf("end-of-object marker at top level: %w", ErrNonCanonical))
			}
			return o, nil
		}
		if t == sf.TypeArray && nth == 1 {
			return nil, d.fail(nil, at, fmt.Errorf("end-of-array marker inside an object: %w", ErrNonCanonical))
		}
		f := sf.ByCode(t, nth)
		if f == nil {
			return nil, d.fail(nil, at, fmt.Errorf("%w: type %d, field %d", ErrUnknownField, t, nth))
		}
		if k := f.Key(); o.Len() > 0 && k <= last {
			return nil, d.fail(f, at, ErrFieldOrder)
		} else {
			last = k
		}
		e := entry{f: f}
		if isInt(f.Type) {
			n, err := d.integer(f)
			if err != nil {
				return nil, err
			}
			e.n = n
		} else {
			v, err := d.value(f, depth)
			if err != nil {
				return nil, err
			}
			e.v = v
		}
		o.appendOrdered(e)
	}
}

func (d *decoder) value(f *sf.Field, depth int) (any, error) {
	at := d.pos
	fixed := func(n int) ([]byte, error) {
		p, ok := d.take(n)
		if !ok {
			return nil, d.fail(f, at, ErrTruncated)
		}
		return p, nil
	}
	switch f.Type {
	case sf.TypeUInt8:
		p, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return p[0], nil
	case sf.TypeUInt16:
		p, err := fixed(2)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.Uint16(p), nil
	case sf.TypeUInt32:
		p, err := fixed(4)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.Uint32(p), nil
	case sf.TypeUInt64:
		p, err := fixed(8)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.Uint64(p), nil
	case sf.TypeHash128:
		p, err := fixed(16)
		if err != nil {
			return nil, err
		}
		return Hash128(p), nil
	case sf.TypeHash160:
		p, err := fixed(20)
		if err != nil {
			return nil, err
		}
		return Hash160(p), nil
	case sf.TypeHash256:
		p, err := fixed(32)
		if err != nil {
			return nil, err
		}
		return Hash256(p), nil
	case sf.TypeAmount:
		return d.amount(f)
	case sf.TypeBlob:
		n, err := d.vl(f)
		if err != nil {
			return nil, err
		}
		p, err := fixed(n)
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), p...), nil
	case sf.TypeAccount:
		n, err := d.vl(f)
		if err != nil {
			return nil, err
		}
		if n != 20 {
			return nil, d.fail(f, at, fmt.Errorf("account id of %d bytes: %w", n, ErrNonCanonical))
		}
		p, err := fixed(20)
		if err != nil {
			return nil, err
		}
		return AccountID(p), nil
	case sf.TypeObject:
		return d.object(depth + 1)
	case sf.TypeArray:
		return d.array(f, depth+1)
	case sf.TypePathSet:
		return d.pathSet(f)
	case sf.TypeVector256:
		n, err := d.vl(f)
		if err != nil {
			return nil, err
		}
		if n%32 != 0 {
			return nil, d.fail(f, at, fmt.Errorf("vector of %d bytes is not a multiple of 32: %w", n, ErrNonCanonical))
		}
		p, err := fixed(n)
		if err != nil {
			return nil, err
		}
		v := make(Vector256, n/32)
		for i := range v {
			copy(v[i][:], p[i*32:])
		}
		return v, nil
	}
	return nil, d.fail(f, at, ErrUnknownField)
}

// integer reads an unsigned integer field of 1, 2, 4 or 8 bytes.
func (d *decoder) integer(f *sf.Field) (uint64, error) {
	size := 8
	switch f.Type {
	case sf.TypeUInt8:
		size = 1
	case sf.TypeUInt16:
		size = 2
	case sf.TypeUInt32:
		size = 4
	}
	at := d.pos
	p, ok := d.take(size)
	if !ok {
		return 0, d.fail(f, at, ErrTruncated)
	}
	var n uint64
	for _, b := range p {
		n = n<<8 | uint64(b)
	}
	return n, nil
}

func (d *decoder) vl(f *sf.Field) (int, error) {
	at := d.pos
	p, ok := d.take(1)
	if !ok {
		return 0, d.fail(f, at, ErrTruncated)
	}
	b0 := int(p[0])
	switch {
	case b0 <= 192:
		return b0, nil
	case b0 <= 240:
		q, ok := d.take(1)
		if !ok {
			return 0, d.fail(f, at, ErrTruncated)
		}
		return 193 + (b0-193)*256 + int(q[0]), nil
	case b0 <= 254:
		q, ok := d.take(2)
		if !ok {
			return 0, d.fail(f, at, ErrTruncated)
		}
		return 12481 + (b0-241)*65536 + int(q[0])*256 + int(q[1]), nil
	}
	return 0, d.fail(f, at, fmt.Errorf("length prefix 0xFF: %w", ErrNonCanonical))
}

func (d *decoder) amount(f *sf.Field) (Amount, error) {
	at := d.pos
	p, ok := d.take(8)
	if !ok {
		return Amount{}, d.fail(f, at, ErrTruncated)
	}
	u := binary.BigEndian.Uint64(p)
	if u&amountIssued == 0 {
		drops := int64(u &^ (amountIssued | amountPositive))
		if u&amountPositive == 0 {
			if drops == 0 {
				return Amount{}, d.fail(f, at, fmt.Errorf("negative zero: %w", ErrNonCanonical))
			}
			drops = -drops
		}
		return NewNative(drops), nil
	}
	q, ok := d.take(40)
	if !ok {
		return Amount{}, d.fail(f, at, ErrTruncated)
	}
	var cur Currency
	var iss AccountID
	copy(cur[:], q[:20])
	copy(iss[:], q[20:])
	if cur.IsNative() {
		return Amount{}, d.fail(f, at, fmt.Errorf("issued amount in the native currency: %w", ErrBadCurrency))
	}
	mant := u & (1<<54 - 1)
	exp := int((u>>54)&0xFF) - 97
	if mant == 0 {
		if u != amountIssued {
			return Amount{}, d.fail(f, at, fmt.Errorf("issued zero with sign or exponent bits: %w", ErrNonCanonical))
		}
		return NewIssued(ZeroValue, cur, iss), nil
	}
	if mant < minMantissa || mant > maxMantissa || exp < minExponent || exp > maxExponent {
		return Amount{}, d.fail(f, at, fmt.Errorf("mantissa %d exponent %d out of range: %w", mant, exp, ErrNonCanonical))
	}
	v := Value{mantissa: mant, exponent: int32(exp), negative: u&amountPositive == 0}
	return NewIssued(v, cur, iss), nil
}

func (d *decoder) array(f *sf.Field, depth int) (Array, error) {
	if depth > MaxDepth {
		return nil, d.fail(f, d.pos, ErrTooDeep)
	}
	var arr Array
	for {
		at := d.pos
		t, nth, n, err := sf.DecodeHeader(d.b[d.pos:])
		if err != nil {
			if sf.IsTruncated(err) {
				return nil, d.fail(f, at, ErrTruncated)
			}
			return nil, d.fail(f, at, ErrNonCanonical)
		}
		d.pos += n
		if t == sf.TypeArray && nth == 1 {
			return arr, nil
		}
		ef := sf.ByCode(t, nth)
		if ef == nil {
			return nil, d.fail(f, at, fmt.Errorf("%w: array element type %d, field %d", ErrUnknownField, t, nth))
		}
		if ef.Type != sf.TypeObject {
			return nil, d.fail(ef, at, fmt.Errorf("array element is not an object: %w", ErrNonCanonical))
		}
		o, err := d.object(depth + 1)
		if err != nil {
			return nil, err
		}
		arr = append(arr, Item{Field: ef, Object: o})
	}
}

func (d *decoder) pathSet(f *sf.Field) (PathSet, error) {
	var ps PathSet
	var cur Path
	for {
		at := d.pos
		p, ok := d.take(1)
		if !ok {
			return nil, d.fail(f, at, ErrTruncated)
		}
		t := p[0]
		if t == pathEnd || t == pathBoundary {
			if len(cur) == 0 {
				return nil, d.fail(f, at, fmt.Errorf("empty path: %w", ErrNonCanonical))
			}
			ps = append(ps, cur)
			cur = nil
			if t == pathEnd {
				return ps, nil
			}
			continue
		}
		if t&^(PathAccount|PathCurrency|PathIssuer) != 0 {
			return nil, d.fail(f, at, fmt.Errorf("path step type 0x%02X: %w", t, ErrNonCanonical))
		}
		s := PathStep{Type: t}
		for _, part := range []struct {
			bit byte
			dst []byte
		}{{PathAccount, s.Account[:]}, {PathCurrency, s.Currency[:]}, {PathIssuer, s.Issuer[:]}} {
			if t&part.bit == 0 {
				continue
			}
			q, ok := d.take(20)
			if !ok {
				return nil, d.fail(f, at, ErrTruncated)
			}
			copy(part.dst, q)
		}
		cur = append(cur, s)
	}
}
