package gateway

import "errors"

// ErrUnimplemented is returned by UnimplementedGateway's methods, and by a
// Client when the plugin does not implement the called method.
var ErrUnimplemented = errors.New("gateway: method not implemented by this plugin")

// ErrInvalidRequest is wrapped by the errors of requests and deposits that
// are not well formed (an empty id, an amount that is not a positive
// decimal, ...). The node does not retry them.
var ErrInvalidRequest = errors.New("gateway: invalid request")

// ErrWatchEnded is wrapped by a Client's WatchDeposits error when the
// plugin ended the deposit stream although the node had not cancelled it.
var ErrWatchEnded = errors.New("gateway: the plugin ended WatchDeposits before it was cancelled")

// Retryable marks err as passing (the external system is unreachable, a
// rate limit): the node backs off and calls again with the same request,
// instead of parking the redemption for an operator. It reaches the node
// across the wire; IsRetryable tells. Retryable(nil) is nil.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return &retryableError{err}
}

// IsRetryable reports whether err, or an error it wraps, was marked with
// Retryable (on either side of the wire).
func IsRetryable(err error) bool {
	var r *retryableError
	return errors.As(err, &r)
}

type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() + " (retryable)" }
func (e *retryableError) Unwrap() error { return e.err }
