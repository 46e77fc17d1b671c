package codec

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

// JSON forms follow rippled 0.29 / skywelld and the Jingtum JS libraries:
// TransactionType, LedgerEntryType and TransactionResult by name; UInt64 as
// 16 hex digits; hashes and blobs as upper-case hex; SWT amounts as a string
// of drops; issued amounts as {"value","currency","issuer"}; accounts as
// addresses; arrays as [{"Memo": {...}}].

// JSON returns the object as a JSON-ready map.
func (o *STObject) JSON() map[string]any {
	m := make(map[string]any, len(o.fields))
	for _, e := range o.fields {
		m[e.f.Name] = valueJSON(e.f, e.value())
	}
	return m
}

// MarshalJSON implements json.Marshaler.
func (o *STObject) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil), nil }

// appendAnyJSON appends a JSON-ready value (the rare forms AppendJSON does
// not write directly).
func appendAnyJSON(buf []byte, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return append(buf, "null"...)
	}
	return append(buf, b...)
}

func valueJSON(f *sf.Field, v any) any {
	switch x := v.(type) {
	case uint8:
		if f == sf.TransactionResult && ter.Code(x).Known() {
			return ter.Code(x).Token()
		}
		return x
	case uint16:
		switch f {
		case sf.TransactionType:
			if n, ok := TxType(x).Name(); ok {
				return n
			}
		case sf.LedgerEntryType:
			if n, ok := EntryType(x).Name(); ok {
				return n
			}
		}
		return x
	case uint32:
		return x
	case uint64:
		return fmt.Sprintf("%016X", x)
	case Hash128:
		return hexUpper(x[:])
	case Hash160:
		return hexUpper(x[:])
	case Hash256:
		return hexUpper(x[:])
	case Amount:
		return AmountJSON(x)
	case []byte:
		return hexUpper(x)
	case AccountID:
		return x.String()
	case *STObject:
		return x.JSON()
	case Array:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = map[string]any{it.Field.Name: it.Object.JSON()}
		}
		return out
	case PathSet:
		out := make([]any, len(x))
		for i, p := range x {
			steps := make([]any, len(p))
			for j, s := range p {
				m := map[string]any{"type": s.Type, "type_hex": fmt.Sprintf("%016X", s.Type)}
				if s.Type&PathAccount != 0 {
					m["account"] = s.Account.String()
				}
				if s.Type&PathCurrency != 0 {
					m["currency"] = s.Currency.String()
				}
				if s.Type&PathIssuer != 0 {
					m["issuer"] = s.Issuer.String()
				}
				steps[j] = m
			}
			out[i] = steps
		}
		return out
	case Vector256:
		out := make([]any, len(x))
		for i, h := range x {
			out[i] = hexUpper(h[:])
		}
		return out
	}
	return nil
}

// AmountJSON returns the JSON form of an amount: a drops string for SWT, or
// {"value","currency","issuer"}.
func AmountJSON(a Amount) any {
	if a.native {
		return strconv.FormatInt(a.drops, 10)
	}
	return map[string]any{
		"value":    a.value.String(),
		"currency": a.issue.Currency.String(),
		"issuer":   a.issue.Issuer.String(),
	}
}

// ParseJSON decodes a JSON object into an STObject. Keys starting with a
// lower-case letter (hash, date, ledger_index, ...) are not fields and are
// skipped, as the JS serializer does; an unknown capitalised key is an error.
func ParseJSON(data []byte) (*STObject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("codec: invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("codec: invalid JSON: trailing data")
	}
	return FromJSON(m)
}

// FromJSON converts a decoded JSON object (as produced by encoding/json,
// preferably with UseNumber) into an STObject.
func FromJSON(m map[string]any) (*STObject, error) { return objectFromJSON(m, "", 0) }

func objectFromJSON(m map[string]any, path string, depth int) (*STObject, error) {
	if depth > MaxDepth {
		return nil, &JSONError{Path: path, Err: ErrTooDeep}
	}
	o := NewObject(len(m))
	// Visit keys in sorted order so the first error reported is deterministic.
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "" || (k[0] >= 'a' && k[0] <= 'z') {
			continue
		}
		p := joinPath(path, k)
		f := sf.ByName(k)
		if f == nil {
			return nil, &JSONError{Path: p, Err: ErrUnknownField}
		}
		v, err := valueFromJSON(f, m[k], p, depth)
		if err != nil {
			return nil, err
		}
		o.set(f, v)
	}
	return o, nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func valueFromJSON(f *sf.Field, raw any, path string, depth int) (any, error) {
	bad := func(format string, args ...any) error {
		return &JSONError{Path: path, Err: fmt.Errorf("%w: "+format, append([]any{ErrBadValue}, args...)...)}
	}
	switch f.Type {
	case sf.TypeUInt8:
		if f == sf.TransactionResult {
			if s, ok := raw.(string); ok {
				c, ok := ter.Parse(s)
				if !ok || c < 0 || c > 255 {
					return nil, bad("unknown or unstorable result %q", s)
				}
				return uint8(c), nil
			}
		}
		n, err := uintFromJSON(raw, 8)
		if err != nil {
			return nil, bad("%v", err)
		}
		return uint8(n), nil
	case sf.TypeUInt16:
		if s, ok := raw.(string); ok {
			switch f {
			case sf.TransactionType:
				if t, ok := TxTypeByName(s); ok {
					return uint16(t), nil
				}
				return nil, bad("unknown transaction type %q", s)
			case sf.LedgerEntryType:
				if t, ok := EntryTypeByName(s); ok {
					return uint16(t), nil
				}
				return nil, bad("unknown ledger entry type %q", s)
			}
		}
		n, err := uintFromJSON(raw, 16)
		if err != nil {
			return nil, bad("%v", err)
		}
		return uint16(n), nil
	case sf.TypeUInt32:
		n, err := uintFromJSON(raw, 32)
		if err != nil {
			return nil, bad("%v", err)
		}
		return uint32(n), nil
	case sf.TypeUInt64:
		if s, ok := raw.(string); ok {
			if len(s) == 0 || len(s) > 16 {
				return nil, bad("want 1-16 hex digits, got %q", s)
			}
			n, err := strconv.ParseUint(s, 16, 64)
			if err != nil {
				return nil, bad("want hex digits, got %q", s)
			}
			return n, nil
		}
		n, err := uintFromJSON(raw, 64)
		if err != nil {
			return nil, bad("%v", err)
		}
		return n, nil
	case sf.TypeHash128:
		var h Hash128
		if err := fixedHex(raw, h[:]); err != nil {
			return nil, bad("%v", err)
		}
		return h, nil
	case sf.TypeHash160:
		var h Hash160
		if err := fixedHex(raw, h[:]); err != nil {
			return nil, bad("%v", err)
		}
		return h, nil
	case sf.TypeHash256:
		var h Hash256
		if err := fixedHex(raw, h[:]); err != nil {
			return nil, bad("%v", err)
		}
		return h, nil
	case sf.TypeAmount:
		a, err := ParseAmountJSON(raw)
		if err != nil {
			return nil, &JSONError{Path: path, Err: err}
		}
		return a, nil
	case sf.TypeBlob:
		s, ok := raw.(string)
		if !ok {
			return nil, bad("want a hex string, got %s", jsonKind(raw))
		}
		if len(s) > 2*MaxVL {
			return nil, bad("blob of %d hex digits is longer than %d bytes", len(s), MaxVL)
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, bad("want hex digits: %v", err)
		}
		return b, nil
	case sf.TypeAccount:
		s, ok := raw.(string)
		if !ok {
			return nil, bad("want an address, got %s", jsonKind(raw))
		}
		id, err := ParseAccount(s)
		if err != nil {
			return nil, &JSONError{Path: path, Err: err}
		}
		return id, nil
	case sf.TypeObject:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, bad("want an object, got %s", jsonKind(raw))
		}
		return objectFromJSON(m, path, depth+1)
	case sf.TypeArray:
		list, ok := raw.([]any)
		if !ok {
			return nil, bad("want an array, got %s", jsonKind(raw))
		}
		arr := make(Array, 0, len(list))
		for i, el := range list {
			ep := fmt.Sprintf("%s[%d]", path, i)
			m, ok := el.(map[string]any)
			if !ok || len(m) != 1 {
				return nil, &JSONError{Path: ep, Err: fmt.Errorf("%w: want {\"Name\": {...}}", ErrBadValue)}
			}
			for name, inner := range m {
				ef := sf.ByName(name)
				if ef == nil || ef.Type != sf.TypeObject {
					return nil, &JSONError{Path: ep + "." + name, Err: ErrUnknownField}
				}
				im, ok := inner.(map[string]any)
				if !ok {
					return nil, &JSONError{Path: ep + "." + name, Err: fmt.Errorf("%w: want an object", ErrBadValue)}
				}
				o, err := objectFromJSON(im, ep+"."+name, depth+2)
				if err != nil {
					return nil, err
				}
				arr = append(arr, Item{Field: ef, Object: o})
			}
		}
		return arr, nil
	case sf.TypePathSet:
		return pathSetFromJSON(raw, path)
	case sf.TypeVector256:
		list, ok := raw.([]any)
		if !ok {
			return nil, bad("want an array of hashes, got %s", jsonKind(raw))
		}
		v := make(Vector256, len(list))
		for i, el := range list {
			if err := fixedHex(el, v[i][:]); err != nil {
				return nil, &JSONError{Path: fmt.Sprintf("%s[%d]", path, i), Err: fmt.Errorf("%w: %v", ErrBadValue, err)}
			}
		}
		return v, nil
	}
	return nil, &JSONError{Path: path, Err: ErrUnknownField}
}

func pathSetFromJSON(raw any, path string) (PathSet, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, &JSONError{Path: path, Err: fmt.Errorf("%w: want an array of paths", ErrBadValue)}
	}
	if len(list) == 0 {
		// The wire format ends a path set after its last path; an empty set
		// has no encoding that decodes (rippled rejects it too).
		return nil, &JSONError{Path: path, Err: fmt.Errorf("%w: an empty path set cannot be encoded; leave Paths out", ErrBadValue)}
	}
	ps := make(PathSet, 0, len(list))
	for i, pr := range list {
		steps, ok := pr.([]any)
		pp := fmt.Sprintf("%s[%d]", path, i)
		if !ok || len(steps) == 0 {
			return nil, &JSONError{Path: pp, Err: fmt.Errorf("%w: want a non-empty array of steps", ErrBadValue)}
		}
		p := make(Path, 0, len(steps))
		for j, sr := range steps {
			sp := fmt.Sprintf("%s[%d]", pp, j)
			m, ok := sr.(map[string]any)
			if !ok {
				return nil, &JSONError{Path: sp, Err: fmt.Errorf("%w: want an object", ErrBadValue)}
			}
			var s PathStep
			if a, ok := m["account"].(string); ok {
				id, err := ParseAccount(a)
				if err != nil {
					return nil, &JSONError{Path: sp + ".account", Err: err}
				}
				s.Type |= PathAccount
				s.Account = id
			}
			if c, ok := m["currency"].(string); ok {
				cur, err := ParseCurrency(c)
				if err != nil {
					return nil, &JSONError{Path: sp + ".currency", Err: err}
				}
				s.Type |= PathCurrency
				s.Currency = cur
			}
			if is, ok := m["issuer"].(string); ok {
				id, err := ParseAccount(is)
				if err != nil {
					return nil, &JSONError{Path: sp + ".issuer", Err: err}
				}
				s.Type |= PathIssuer
				s.Issuer = id
			}
			if s.Type == 0 {
				return nil, &JSONError{Path: sp, Err: fmt.Errorf("%w: a step needs an account, currency or issuer", ErrBadValue)}
			}
			p = append(p, s)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// ParseAmountJSON parses an amount in any of the forms clients send: a string
// or integer of drops, or {"value","currency","issuer"}. {"currency":"SWT"}
// objects are SWT with the value in drops, as rippled reads them.
func ParseAmountJSON(raw any) (Amount, error) {
	switch x := raw.(type) {
	case string:
		return parseDrops(x)
	case json.Number:
		return parseDrops(x.String())
	case float64:
		if x != float64(int64(x)) || x < -MaxNativeDrops || x > MaxNativeDrops {
			return Amount{}, fmt.Errorf("%w: SWT amount %v is not a whole number of drops", ErrBadAmount, x)
		}
		return NewNative(int64(x)), nil
	case map[string]any:
		cs, _ := x["currency"].(string)
		cur, err := ParseCurrency(cs)
		if err != nil {
			return Amount{}, fmt.Errorf("%w: %v", ErrBadAmount, err)
		}
		var vs string
		switch v := x["value"].(type) {
		case string:
			vs = v
		case json.Number:
			vs = v.String()
		case float64:
			vs = strconv.FormatFloat(v, 'g', -1, 64)
		default:
			return Amount{}, fmt.Errorf("%w: missing or non-numeric value", ErrBadAmount)
		}
		if cur.IsNative() {
			if is, _ := x["issuer"].(string); is != "" {
				return Amount{}, fmt.Errorf("%w: SWT has no issuer", ErrBadAmount)
			}
			return parseDrops(vs)
		}
		is, _ := x["issuer"].(string)
		iss, err := ParseAccount(is)
		if err != nil {
			return Amount{}, fmt.Errorf("%w: issuer: %v", ErrBadAmount, err)
		}
		v, err := ParseValue(vs)
		if err != nil {
			return Amount{}, fmt.Errorf("%w: %v", ErrBadAmount, err)
		}
		return NewIssued(v, cur, iss), nil
	}
	return Amount{}, fmt.Errorf("%w: want a drops string or {value, currency, issuer}, got %s", ErrBadAmount, jsonKind(raw))
}

func parseDrops(s string) (Amount, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	if len(digits) == 0 || len(digits) > 19 || (len(digits) > 1 && digits[0] == '0') {
		return Amount{}, fmt.Errorf("%w: SWT amount %q must be a whole number of drops", ErrBadAmount, s)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return Amount{}, fmt.Errorf("%w: SWT amount %q must be a whole number of drops", ErrBadAmount, s)
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > MaxNativeDrops {
		return Amount{}, fmt.Errorf("%w: SWT amount %q is too large", ErrBadAmount, s)
	}
	if neg {
		if n == 0 {
			return Amount{}, fmt.Errorf("%w: negative zero", ErrBadAmount)
		}
		return NewNative(-int64(n)), nil
	}
	return NewNative(int64(n)), nil
}

// ParseAccount accepts a Jingtum address or the 40-hex form of an account id.
func ParseAccount(s string) (AccountID, error) {
	if len(s) == 40 {
		var id AccountID
		if _, err := hex.Decode(id[:], []byte(s)); err == nil {
			return id, nil
		}
	}
	return crypto.ParseAddress(s)
}

func uintFromJSON(raw any, bitSize int) (uint64, error) {
	var s string
	switch x := raw.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	case float64:
		if x < 0 || x != float64(uint64(x)) {
			return 0, fmt.Errorf("want an unsigned integer, got %v", x)
		}
		s = strconv.FormatUint(uint64(x), 10)
	default:
		return 0, fmt.Errorf("want an unsigned integer, got %s", jsonKind(raw))
	}
	n, err := strconv.ParseUint(s, 10, bitSize)
	if err != nil {
		return 0, fmt.Errorf("want an unsigned %d-bit integer, got %q", bitSize, s)
	}
	return n, nil
}

func fixedHex(raw any, dst []byte) error {
	s, ok := raw.(string)
	if !ok {
		return fmt.Errorf("want %d hex digits, got %s", 2*len(dst), jsonKind(raw))
	}
	if len(s) != 2*len(dst) {
		return fmt.Errorf("want %d hex digits, got %d", 2*len(dst), len(s))
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil {
		return fmt.Errorf("want hex digits: %v", err)
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
