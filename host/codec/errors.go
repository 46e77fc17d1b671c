package codec

import (
	"errors"
	"fmt"
)

// Sentinel errors; DecodeError and JSONError wrap them.
var (
	ErrTruncated     = errors.New("truncated input")
	ErrNonCanonical  = errors.New("non-canonical encoding")
	ErrUnknownField  = errors.New("unknown field")
	ErrFieldOrder    = errors.New("fields out of canonical order or repeated")
	ErrTooDeep       = errors.New("objects nested too deeply")
	ErrBadAmount     = errors.New("invalid amount")
	ErrBadCurrency   = errors.New("invalid currency")
	ErrBadValue      = errors.New("invalid value")
	ErrOverflow      = errors.New("amount overflow")
	ErrTrailingBytes = errors.New("trailing bytes after object")
)

// DecodeError reports where binary decoding failed.
type DecodeError struct {
	Field  string // field name, or "" when the header itself is bad
	Offset int    // byte offset from the start of the input
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("codec: at offset %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("codec: field %s at offset %d: %v", e.Field, e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// JSONError reports which JSON field could not be converted.
type JSONError struct {
	Path string // e.g. "Memos[0].Memo.MemoData"
	Err  error
}

func (e *JSONError) Error() string { return fmt.Sprintf("codec: field %s: %v", e.Path, e.Err) }

func (e *JSONError) Unwrap() error { return e.Err }
