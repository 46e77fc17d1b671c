package codec

import (
	"strconv"

	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// AppendJSON appends the object's JSON form, exactly what JSON() marshals
// to but written directly: no maps, no reflection, no key sorting (fields
// come in canonical order). The API writes every transaction it streams
// with it. extra holds pre-encoded members ("key":value pairs without the
// braces, e.g. `"hash":"AB..."`) appended after the fields.
func (o *STObject) AppendJSON(buf []byte, extra ...[]byte) []byte {
	buf = append(buf, '{')
	first := true
	for _, e := range o.fields {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = appendJSONString(buf, e.f.Name)
		buf = append(buf, ':')
		buf = appendEntryJSON(buf, e)
	}
	for _, x := range extra {
		if len(x) == 0 {
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, x...)
	}
	return append(buf, '}')
}

func appendEntryJSON(buf []byte, e entry) []byte {
	switch e.f.Type {
	case sf.TypeUInt8:
		if e.f == sf.TransactionResult && ter.Code(e.n).Known() {
			return appendJSONString(buf, ter.Code(e.n).Token())
		}
		return strconv.AppendUint(buf, e.n, 10)
	case sf.TypeUInt16:
		switch e.f {
		case sf.TransactionType:
			if n, ok := TxType(e.n).Name(); ok {
				return appendJSONString(buf, n)
			}
		case sf.LedgerEntryType:
			if n, ok := EntryType(e.n).Name(); ok {
				return appendJSONString(buf, n)
			}
		}
		return strconv.AppendUint(buf, e.n, 10)
	case sf.TypeUInt32:
		return strconv.AppendUint(buf, e.n, 10)
	case sf.TypeUInt64:
		buf = append(buf, '"')
		for shift := 60; shift >= 0; shift -= 4 {
			buf = append(buf, upperHexDigits[(e.n>>uint(shift))&0xF])
		}
		return append(buf, '"')
	}
	return appendValueJSON(buf, e.f, e.v)
}

func appendValueJSON(buf []byte, f *sf.Field, v any) []byte {
	switch x := v.(type) {
	case Hash128:
		return appendHexString(buf, x[:])
	case Hash160:
		return appendHexString(buf, x[:])
	case Hash256:
		return appendHexString(buf, x[:])
	case Amount:
		return AppendAmountJSON(buf, x)
	case []byte:
		return appendHexString(buf, x)
	case AccountID:
		return appendJSONString(buf, x.String())
	case *STObject:
		return x.AppendJSON(buf)
	case Array:
		buf = append(buf, '[')
		for i, it := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '{')
			buf = appendJSONString(buf, it.Field.Name)
			buf = append(buf, ':')
			buf = it.Object.AppendJSON(buf)
			buf = append(buf, '}')
		}
		return append(buf, ']')
	case Vector256:
		buf = append(buf, '[')
		for i, h := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendHexString(buf, h[:])
		}
		return append(buf, ']')
	}
	// Path sets are rare and small: reuse the map form.
	return appendAnyJSON(buf, valueJSON(f, v))
}

// AppendAmountJSON appends an amount's JSON form: a drops string for SWT,
// {"value","currency","issuer"} otherwise.
func AppendAmountJSON(buf []byte, a Amount) []byte {
	if a.native {
		buf = append(buf, '"')
		buf = strconv.AppendInt(buf, a.drops, 10)
		return append(buf, '"')
	}
	buf = append(buf, `{"value":`...)
	buf = appendJSONString(buf, a.value.String())
	buf = append(buf, `,"currency":`...)
	buf = appendJSONString(buf, a.issue.Currency.String())
	buf = append(buf, `,"issuer":`...)
	buf = appendJSONString(buf, a.issue.Issuer.String())
	return append(buf, '}')
}

const upperHexDigits = "0123456789ABCDEF"

func appendHexString(buf []byte, b []byte) []byte {
	buf = append(buf, '"')
	for _, c := range b {
		buf = append(buf, upperHexDigits[c>>4], upperHexDigits[c&0xF])
	}
	return append(buf, '"')
}

// appendJSONString appends s as a JSON string. Field names, tokens, codes
// and addresses are plain ASCII, but escape anyway so the output is always
// valid JSON.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c < 0x20:
			buf = append(buf, `\u00`...)
			buf = append(buf, upperHexDigits[c>>4], upperHexDigits[c&0xF])
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}
