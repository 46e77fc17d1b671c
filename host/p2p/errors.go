package p2p

import (
	"context"
	"errors"
	"fmt"
)

var (
	// ErrClosed: the Host has been closed.
	ErrClosed = errors.New("p2p: host closed")
	// ErrMessageTooLarge: a payload or frame is above its configured limit.
	ErrMessageTooLarge = errors.New("p2p: message too large")
	// ErrEmptyMessage: Publish was given no bytes.
	ErrEmptyMessage = errors.New("p2p: empty message")
	// ErrUnknownTopic: the Topic is neither TopicTx nor TopicConsensus.
	ErrUnknownTopic = errors.New("p2p: unknown topic")
	// ErrAlreadySubscribed: Subscribe was called twice for one topic.
	ErrAlreadySubscribed = errors.New("p2p: already subscribed")
	// ErrUnknownPeer: the peer is not in Config.Peers.
	ErrUnknownPeer = errors.New("p2p: peer is not configured")
	// ErrBusy: the remote host is running as many handlers as it allows; retry
	// later or ask another peer.
	ErrBusy = errors.New("p2p: peer busy")
	// ErrFrameTooLarge: a length prefix announced more than the limit.
	ErrFrameTooLarge = errors.New("p2p: frame too large")
	// ErrBadFrame: a length prefix is malformed.
	ErrBadFrame = errors.New("p2p: malformed frame")
	// ErrDropped: the chaos layer dropped the request or its answer.
	ErrDropped = errors.New("p2p: dropped by chaos")
)

// RemoteError is an error a remote handler returned, or a limit the remote
// side enforced (its text says which).
type RemoteError struct {
	Peer     string // the server's peer id
	Protocol string // the protocol name given to Request
	Message  string // the handler's error text (at most 1 KiB)
	// Timeout: the handler failed after the server's RequestTimeout ran out.
	// errors.Is(err, context.DeadlineExceeded) then holds.
	Timeout bool
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("p2p: %s from %s: %s", e.Protocol, e.Peer, e.Message)
}

// Unwrap makes a remote timeout a context.DeadlineExceeded for errors.Is.
func (e *RemoteError) Unwrap() error {
	if e.Timeout {
		return context.DeadlineExceeded
	}
	return nil
}
