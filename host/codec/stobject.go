package codec

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/jtchain/jtchain/host/codec/sf"
)

// STObject is a serialized object: a set of fields kept in canonical order
// (by type code, then field number), each at most once. Values have the Go
// type of their field's serialized type:
//
//	UInt8 uint8, UInt16 uint16, UInt32 uint32, UInt64 uint64,
//	Hash128 Hash128, Hash160 Hash160, Hash256 Hash256, Amount Amount,
//	Blob []byte, AccountID AccountID, STObject *STObject, STArray Array,
//	PathSet PathSet, Vector256 Vector256.
//
// An STObject is not safe for concurrent mutation.
type STObject struct {
	fields []entry
}

// entry holds one field. Integers live unboxed in n (boxing them into an
// interface would allocate on every Set and decode); every other type is in v.
type entry struct {
	f *sf.Field
	n uint64
	v any
}

func isInt(t sf.Type) bool {
	return t == sf.TypeUInt8 || t == sf.TypeUInt16 || t == sf.TypeUInt32 || t == sf.TypeUInt64
}

// value returns the entry's value with its Go type.
func (e entry) value() any {
	switch e.f.Type {
	case sf.TypeUInt8:
		return uint8(e.n)
	case sf.TypeUInt16:
		return uint16(e.n)
	case sf.TypeUInt32:
		return uint32(e.n)
	case sf.TypeUInt64:
		return e.n
	}
	return e.v
}

func (e entry) equal(o entry) bool {
	if e.f != o.f {
		return false
	}
	if isInt(e.f.Type) {
		return e.n == o.n
	}
	return ValueEqual(e.v, o.v)
}

// isDefault reports a zero value (rippled's STBase::isDefault): zero
// integers and hashes, empty blobs, arrays and objects, and zero SWT.
func (e entry) isDefault() bool {
	if isInt(e.f.Type) {
		return e.n == 0
	}
	switch x := e.v.(type) {
	case Hash128:
		return x == Hash128{}
	case Hash160:
		return x == Hash160{}
	case Hash256:
		return x == Hash256{}
	case Amount:
		return x.IsNative() && x.IsZero()
	case []byte:
		return len(x) == 0
	case Array:
		return len(x) == 0
	case Vector256:
		return len(x) == 0
	case PathSet:
		return len(x) == 0
	case *STObject:
		return x.Len() == 0
	}
	return false
}

// Item is one element of an STArray: an inner object wrapped in a field
// name, as in [{"Memo": {...}}].
type Item struct {
	Field  *sf.Field
	Object *STObject
}

// Array is an STArray.
type Array []Item

// NewObject returns an empty object with room for n fields.
func NewObject(n int) *STObject { return &STObject{fields: make([]entry, 0, n)} }

// Len returns the number of fields.
func (o *STObject) Len() int { return len(o.fields) }

// Each calls fn for every field in canonical order until fn returns false.
func (o *STObject) Each(fn func(f *sf.Field, v any) bool) {
	for _, e := range o.fields {
		if !fn(e.f, e.value()) {
			return
		}
	}
}

func (o *STObject) find(f *sf.Field) (int, bool) {
	k := f.Key()
	// Objects are small; a linear scan beats binary search below ~16 fields.
	for i, e := range o.fields {
		ek := e.f.Key()
		if ek == k {
			return i, true
		}
		if ek > k {
			return i, false
		}
	}
	return len(o.fields), false
}

// Has reports whether the field is present.
func (o *STObject) Has(f *sf.Field) bool {
	_, ok := o.find(f)
	return ok
}

// Get returns the field's value and whether it is present.
func (o *STObject) Get(f *sf.Field) (any, bool) {
	if i, ok := o.find(f); ok {
		return o.fields[i].value(), true
	}
	return nil, false
}

// Set stores v in field f, replacing any previous value. v must have the Go
// type of f's serialized type; anything else is a programming error.
func (o *STObject) Set(f *sf.Field, v any) {
	if err := checkType(f, v); err != nil {
		panic(err)
	}
	o.set(f, v)
}

func (o *STObject) set(f *sf.Field, v any) {
	e := entry{f: f}
	switch x := v.(type) {
	case uint8:
		e.n = uint64(x)
	case uint16:
		e.n = uint64(x)
	case uint32:
		e.n = uint64(x)
	case uint64:
		e.n = x
	default:
		e.v = v
	}
	o.put(e)
}

func (o *STObject) put(e entry) {
	i, ok := o.find(e.f)
	if ok {
		o.fields[i] = e
		return
	}
	o.fields = append(o.fields, entry{})
	copy(o.fields[i+1:], o.fields[i:])
	o.fields[i] = e
}

func (o *STObject) setInt(f *sf.Field, t sf.Type, n uint64) {
	if f.Type != t {
		panic(fmt.Sprintf("codec: field %s (%s) cannot hold %s", f.Name, f.Type, t))
	}
	o.put(entry{f: f, n: n})
}

// SetUInt8 and friends store an integer without the allocation of Set.
func (o *STObject) SetUInt8(f *sf.Field, x uint8)   { o.setInt(f, sf.TypeUInt8, uint64(x)) }
func (o *STObject) SetUInt16(f *sf.Field, x uint16) { o.setInt(f, sf.TypeUInt16, uint64(x)) }
func (o *STObject) SetUInt32(f *sf.Field, x uint32) { o.setInt(f, sf.TypeUInt32, uint64(x)) }
func (o *STObject) SetUInt64(f *sf.Field, x uint64) { o.setInt(f, sf.TypeUInt64, x) }

// appendOrdered adds a field known to sort after every existing one (decoding).
func (o *STObject) appendOrdered(e entry) { o.fields = append(o.fields, e) }

// Delete removes a field, reporting whether it was present.
func (o *STObject) Delete(f *sf.Field) bool {
	i, ok := o.find(f)
	if !ok {
		return false
	}
	o.fields = append(o.fields[:i], o.fields[i+1:]...)
	return true
}

func checkType(f *sf.Field, v any) error {
	ok := false
	switch f.Type {
	case sf.TypeUInt8:
		_, ok = v.(uint8)
	case sf.TypeUInt16:
		_, ok = v.(uint16)
	case sf.TypeUInt32:
		_, ok = v.(uint32)
	case sf.TypeUInt64:
		_, ok = v.(uint64)
	case sf.TypeHash128:
		_, ok = v.(Hash128)
	case sf.TypeHash160:
		_, ok = v.(Hash160)
	case sf.TypeHash256:
		_, ok = v.(Hash256)
	case sf.TypeAmount:
		_, ok = v.(Amount)
	case sf.TypeBlob:
		_, ok = v.([]byte)
	case sf.TypeAccount:
		_, ok = v.(AccountID)
	case sf.TypeObject:
		var p *STObject
		p, ok = v.(*STObject)
		ok = ok && p != nil
	case sf.TypeArray:
		_, ok = v.(Array)
	case sf.TypePathSet:
		_, ok = v.(PathSet)
	case sf.TypeVector256:
		_, ok = v.(Vector256)
	}
	if !ok {
		return fmt.Errorf("codec: field %s (%s) cannot hold %T", f.Name, f.Type, v)
	}
	return nil
}

// Typed accessors. Each returns the zero value when the field is absent; use
// Has or the Lookup form to tell absence from zero.

func (o *STObject) lookupInt(f *sf.Field, t sf.Type) (uint64, bool) {
	if f.Type != t {
		return 0, false
	}
	if i, ok := o.find(f); ok {
		return o.fields[i].n, true
	}
	return 0, false
}

func (o *STObject) UInt8(f *sf.Field) uint8 { n, _ := o.lookupInt(f, sf.TypeUInt8); return uint8(n) }

func (o *STObject) UInt16(f *sf.Field) uint16 {
	n, _ := o.lookupInt(f, sf.TypeUInt16)
	return uint16(n)
}

func (o *STObject) UInt32(f *sf.Field) uint32 {
	n, _ := o.lookupInt(f, sf.TypeUInt32)
	return uint32(n)
}

func (o *STObject) UInt64(f *sf.Field) uint64 { n, _ := o.lookupInt(f, sf.TypeUInt64); return n }

func (o *STObject) Hash256(f *sf.Field) Hash256 { v, _ := o.Get(f); x, _ := v.(Hash256); return x }

func (o *STObject) Hash160(f *sf.Field) Hash160 { v, _ := o.Get(f); x, _ := v.(Hash160); return x }

func (o *STObject) Hash128(f *sf.Field) Hash128 { v, _ := o.Get(f); x, _ := v.(Hash128); return x }

func (o *STObject) Blob(f *sf.Field) []byte { v, _ := o.Get(f); x, _ := v.([]byte); return x }

func (o *STObject) Account(f *sf.Field) AccountID { v, _ := o.Get(f); x, _ := v.(AccountID); return x }

func (o *STObject) Object(f *sf.Field) *STObject { v, _ := o.Get(f); x, _ := v.(*STObject); return x }

func (o *STObject) Array(f *sf.Field) Array { v, _ := o.Get(f); x, _ := v.(Array); return x }

func (o *STObject) PathSet(f *sf.Field) PathSet { v, _ := o.Get(f); x, _ := v.(PathSet); return x }

func (o *STObject) Vector256(f *sf.Field) Vector256 {
	v, _ := o.Get(f)
	x, _ := v.(Vector256)
	return x
}

// Amount returns the amount in f and whether it is present.
func (o *STObject) Amount(f *sf.Field) (Amount, bool) {
	v, ok := o.Get(f)
	if !ok {
		return Amount{}, false
	}
	a, ok := v.(Amount)
	return a, ok
}

// LookupUInt32 returns the value and whether the field is present.
func (o *STObject) LookupUInt32(f *sf.Field) (uint32, bool) {
	n, ok := o.lookupInt(f, sf.TypeUInt32)
	return uint32(n), ok
}

// LookupAccount returns the value and whether the field is present.
func (o *STObject) LookupAccount(f *sf.Field) (AccountID, bool) {
	v, ok := o.Get(f)
	x, _ := v.(AccountID)
	return x, ok
}

// Clone returns a deep copy: mutating the copy never affects o.
func (o *STObject) Clone() *STObject {
	c := &STObject{fields: make([]entry, len(o.fields), len(o.fields)+2)}
	for i, e := range o.fields {
		c.fields[i] = entry{f: e.f, n: e.n, v: cloneValue(e.v)}
	}
	return c
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return append([]byte(nil), x...)
	case *STObject:
		return x.Clone()
	case Array:
		c := make(Array, len(x))
		for i, it := range x {
			c[i] = Item{Field: it.Field, Object: it.Object.Clone()}
		}
		return c
	case PathSet:
		c := make(PathSet, len(x))
		for i, p := range x {
			c[i] = append(Path(nil), p...)
		}
		return c
	case Vector256:
		return append(Vector256(nil), x...)
	}
	return v
}

// ValueEqual reports whether two field values are identical.
func ValueEqual(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case Amount:
		y, ok := b.(Amount)
		return ok && x.Equal(y)
	case *STObject:
		y, ok := b.(*STObject)
		return ok && x.Equal(y)
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Field != y[i].Field || !x[i].Object.Equal(y[i].Object) {
				return false
			}
		}
		return true
	case PathSet:
		y, ok := b.(PathSet)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if len(x[i]) != len(y[i]) {
				return false
			}
			for j := range x[i] {
				if x[i][j] != y[i][j] {
					return false
				}
			}
		}
		return true
	case Vector256:
		y, ok := b.(Vector256)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

// Equal reports whether o and p hold the same fields and values.
func (o *STObject) Equal(p *STObject) bool {
	if len(o.fields) != len(p.fields) {
		return false
	}
	for i := range o.fields {
		if !o.fields[i].equal(p.fields[i]) {
			return false
		}
	}
	return true
}

// Filter returns a new object with the fields keep accepts, sharing their
// values with o; skipDefault also leaves out zero values.
func (o *STObject) Filter(keep func(*sf.Field) bool, skipDefault bool) *STObject {
	out := &STObject{}
	for _, e := range o.fields {
		if keep(e.f) && !(skipDefault && e.isDefault()) {
			if out.fields == nil {
				out.fields = make([]entry, 0, len(o.fields))
			}
			out.fields = append(out.fields, e)
		}
	}
	return out
}

// Changed returns the fields of o that keep accepts and that p lacks or
// holds with a different value (rippled's PreviousFields rule, with o the
// original and p the changed entry). Values are shared with o.
func (o *STObject) Changed(p *STObject, keep func(*sf.Field) bool) *STObject {
	out := &STObject{}
	for _, e := range o.fields {
		if !keep(e.f) {
			continue
		}
		if i, ok := p.find(e.f); ok && p.fields[i].equal(e) {
			continue
		}
		out.fields = append(out.fields, e)
	}
	return out
}

// Fields returns the fields present, in canonical order.
func (o *STObject) Fields() []*sf.Field {
	out := make([]*sf.Field, len(o.fields))
	for i, e := range o.fields {
		out[i] = e.f
	}
	return out
}

// isSorted is used by tests and assertions.
func (o *STObject) isSorted() bool {
	return sort.SliceIsSorted(o.fields, func(i, j int) bool { return o.fields[i].f.Key() < o.fields[j].f.Key() })
}
