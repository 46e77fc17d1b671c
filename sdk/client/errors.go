package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrClosed is matched (errors.Is) by every error from a Client whose
// connection is closed: by Close, by the node, or by a network failure.
var ErrClosed = errors.New("client: connection closed")

// ErrNotFound is matched (errors.Is) by an *APIError whose code names
// something the node does not have: actNotFound, txnNotFound, lgrNotFound,
// srcActNotFound, dstActNotFound.
var ErrNotFound = errors.New("client: not found")

// Error codes that callers commonly branch on (jingtum-core numbering,
// spec/jingtum-wire.md §7.1).
const (
	CodeActNotFound   = "actNotFound"   // 18
	CodeLgrNotFound   = "lgrNotFound"   // 20
	CodeTxnNotFound   = "txnNotFound"   // 27
	CodeInvalidParams = "invalidParams" // 29
	CodeUnknownCmd    = "unknownCmd"    // 30
	CodeActMalformed  = "actMalformed"  // 33
	CodeTxBlobInvalid = "txBlobInvalid" // 63
)

// APIError is an error response from the node:
//
//	{"id":4,"status":"error","type":"response","error":"actNotFound",
//	 "error_code":18,"error_message":"Account not found.","request":{...}}
type APIError struct {
	Code    string          // the "error" token, e.g. "actNotFound"
	Number  int             // "error_code", e.g. 18 (0 if the node sent none)
	Message string          // "error_message" (or "error_exception")
	Request json.RawMessage // the request as the node echoed it, if it did
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("node error ")
	b.WriteString(e.Code)
	if e.Number != 0 {
		fmt.Fprintf(&b, " (%d)", e.Number)
	}
	if e.Message != "" && e.Message != e.Code {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is ErrNotFound and the code means not found.
func (e *APIError) Is(target error) bool {
	if target != ErrNotFound {
		return false
	}
	switch e.Code {
	case CodeActNotFound, CodeTxnNotFound, CodeLgrNotFound, "srcActNotFound", "dstActNotFound":
		return true
	}
	return false
}

// closedError wraps ErrClosed with the reason the connection ended.
type closedError struct{ cause error }

func (e *closedError) Error() string {
	if e.cause == nil {
		return ErrClosed.Error()
	}
	return ErrClosed.Error() + ": " + e.cause.Error()
}

func (e *closedError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrClosed}
	}
	return []error{ErrClosed, e.cause}
}
