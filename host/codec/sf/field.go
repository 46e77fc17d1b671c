package sf

import "fmt"

// Type is a serialized type code (the high nibble or byte of a field header).
type Type uint8

// Type codes; the same numbers as rippled.
const (
	TypeUInt16    Type = 1
	TypeUInt32    Type = 2
	TypeUInt64    Type = 3
	TypeHash128   Type = 4
	TypeHash256   Type = 5
	TypeAmount    Type = 6
	TypeBlob      Type = 7 // "VL": length-prefixed bytes
	TypeAccount   Type = 8
	TypeObject    Type = 14
	TypeArray     Type = 15
	TypeUInt8     Type = 16
	TypeHash160   Type = 17
	TypePathSet   Type = 18
	TypeVector256 Type = 19
)

var typeNames = map[Type]string{
	TypeUInt16: "UInt16", TypeUInt32: "UInt32", TypeUInt64: "UInt64",
	TypeHash128: "Hash128", TypeHash256: "Hash256", TypeAmount: "Amount",
	TypeBlob: "Blob", TypeAccount: "AccountID", TypeObject: "STObject",
	TypeArray: "STArray", TypeUInt8: "UInt8", TypeHash160: "Hash160",
	TypePathSet: "PathSet", TypeVector256: "Vector256",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Meta says when a field's value is recorded in transaction metadata, exactly
// as rippled's SField metadata flags do.
type Meta uint8

const (
	MetaNever       Meta = 0
	MetaChangeOrig  Meta = 1 << 0 // original value, in PreviousFields, when it changes
	MetaChangeNew   Meta = 1 << 1 // new value, in FinalFields, when the entry is modified
	MetaDeleteFinal Meta = 1 << 2 // final value, in FinalFields, when the entry is deleted
	MetaCreate      Meta = 1 << 3 // value, in NewFields, when the entry is created
	MetaAlways      Meta = 1 << 4 // value whenever the entry is affected at all
	MetaDefault          = MetaChangeOrig | MetaChangeNew | MetaDeleteFinal | MetaCreate
)

// Field describes one serialized field.
type Field struct {
	Name string
	Type Type
	Nth  uint8
	// NotSigning marks fields left out of signing data (signatures themselves).
	NotSigning bool
	Meta       Meta
	header     []byte
}

// Key orders fields canonically: by type code, then field number.
func (f *Field) Key() uint16 { return uint16(f.Type)<<8 | uint16(f.Nth) }

// Header returns the canonical field-id bytes. The slice must not be modified.
func (f *Field) Header() []byte { return f.header }

// Signing reports whether the field is part of single- and multi-signing data.
func (f *Field) Signing() bool { return !f.NotSigning }

// InMeta reports whether any of the given metadata flags is set for f.
func (f *Field) InMeta(m Meta) bool { return f.Meta&m != 0 }

func (f *Field) String() string { return f.Name }

// EncodeHeader returns the canonical header for (t, nth):
// one byte when both are < 16, two when one is, three otherwise.
func EncodeHeader(t Type, nth uint8) []byte {
	switch {
	case t < 16 && nth < 16:
		return []byte{byte(t)<<4 | nth}
	case t < 16:
		return []byte{byte(t) << 4, nth}
	case nth < 16:
		return []byte{nth, byte(t)}
	default:
		return []byte{0, byte(t), nth}
	}
}

// DecodeHeader reads a field header from b. It rejects non-canonical forms
// (a longer encoding where a shorter one exists) and zero codes. n is the
// number of bytes consumed.
func DecodeHeader(b []byte) (t Type, nth uint8, n int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, errTruncatedHeader
	}
	hi, lo := b[0]>>4, b[0]&0x0F
	n = 1
	if hi == 0 {
		if len(b) < 2 {
			return 0, 0, 0, errTruncatedHeader
		}
		t = Type(b[1])
		n = 2
		if t < 16 {
			return 0, 0, 0, errNonCanonicalHeader
		}
	} else {
		t = Type(hi)
	}
	if lo == 0 {
		if len(b) < n+1 {
			return 0, 0, 0, errTruncatedHeader
		}
		nth = b[n]
		n++
		if nth < 16 {
			return 0, 0, 0, errNonCanonicalHeader
		}
	} else {
		nth = lo
	}
	return t, nth, n, nil
}

var (
	errTruncatedHeader    = fmt.Errorf("sf: truncated field header")
	errNonCanonicalHeader = fmt.Errorf("sf: non-canonical field header")
)

// IsTruncated reports whether err came from a field header cut short.
func IsTruncated(err error) bool { return err == errTruncatedHeader }
