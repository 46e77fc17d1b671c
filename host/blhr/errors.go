package blhr

import (
	"errors"
	"fmt"
)

// Errors. Every error of this package wraps exactly one of them, so a
// caller (the API, `jt blhr verify`) can tell bad input from a proof that
// does not hold.
var (
	// ErrMalformed is wrapped by every decoding error: records, proofs and
	// bundles that are truncated, oversized, non-canonical or inconsistent.
	ErrMalformed = errors.New("blhr: malformed encoding")
	// ErrBadSignature is wrapped when a signed record's signature does not
	// verify for the chain, or a record cannot be signed.
	ErrBadSignature = errors.New("blhr: bad record signature")
	// ErrDuplicate is returned by Root and ProofFor when an id appears twice.
	// The caller deduplicates: a ledger holds each record once.
	ErrDuplicate = errors.New("blhr: duplicate record id")
	// ErrNotFound is returned by ProofFor for an id that is not in the list.
	ErrNotFound = errors.New("blhr: record id not in the ledger's records")
	// ErrInvalid is wrapped by every verification failure of a well-formed
	// proof or bundle: the record is not under the root, the header is not
	// the committed one, or the commit does not check out.
	ErrInvalid = errors.New("blhr: verification failed")
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
