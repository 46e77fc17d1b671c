package p2p

import (
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Stats counts what a Host did and, above all, what it dropped, for the
// node's server_info. Every counter only grows; the peer counts (Peers and
// TopicStats.Peers) are gauges, true at the moment of the snapshot.
type Stats struct {
	Tx        TopicStats
	Consensus TopicStats
	Streams   StreamStats
	Peers     PeerCounts
	// OutboundDropped counts RPCs pubsub could not queue for a peer because
	// its outbound queue (Config.OutboundQueueSize) was full.
	OutboundDropped uint64
	// GatedConns counts connections refused because the peer is not
	// configured or is banned.
	GatedConns uint64
	// Bans counts peers banned for too many rejected messages.
	Bans uint64
	// StateResets counts connections closed because pubsub's stream to a
	// still connected peer died, which loses the peer's subscriptions (see
	// watchdog.go).
	StateResets uint64
	// Panics counts validator, deliver and handler calls that panicked (they
	// are logged with their stack and do not end the process).
	Panics uint64
}

// PeerCounts counts configured peers by state.
type PeerCounts struct {
	Configured int // entries in Config.Peers
	Connected  int // configured peers with an open connection
	Banned     int // configured peers banned for too many rejected messages
}

// TopicStats counts one topic's messages.
type TopicStats struct {
	// Peers is how many connected peers are subscribed to the topic, as
	// pubsub knows it (a gauge).
	Peers int

	Published        uint64 // Publish calls that handed a message to pubsub
	PublishFailed    uint64 // Publish calls that returned an error
	Accepted         uint64 // received messages the validator accepted
	Rejected         uint64 // received messages rejected (validator, size)
	Ignored          uint64 // received messages ignored (validator, timeout, chaos drop)
	Oversized        uint64 // received messages above MaxMessageSize (counted in Rejected too)
	ValidateTimeouts uint64 // validator calls that outlived ValidateTimeout (counted in Ignored too)
	ValidationQueued uint64 // messages pubsub dropped before validation: its queue or throttle was full
	Delivered        uint64 // deliver calls
	DeliverDropped   uint64 // accepted messages dropped because deliver fell behind
	ChaosDropped     uint64 // messages the chaos transport dropped (counted in Ignored too)
	ChaosDuplicated  uint64 // extra copies the chaos transport delivered
}

// StreamStats counts request/response streams.
type StreamStats struct {
	Requests        uint64 // Request calls
	RequestFailures uint64 // Request calls that returned an error
	Served          uint64 // requests a handler answered
	HandlerErrors   uint64 // handler calls that returned an error
	Busy            uint64 // requests refused for the concurrency limits
	Oversized       uint64 // frames refused for their size, either direction
	BadFrames       uint64 // malformed or truncated inbound requests
	ChaosDropped    uint64 // inbound requests the chaos transport dropped
}

type topicCounters struct {
	published, publishFailed               atomic.Uint64
	accepted, rejected, ignored, oversized atomic.Uint64
	validateTimeouts, validationQueued     atomic.Uint64
	delivered, deliverDropped              atomic.Uint64
	chaosDropped, chaosDuplicated          atomic.Uint64
}

func (c *topicCounters) snapshot() TopicStats {
	return TopicStats{
		Published:        c.published.Load(),
		PublishFailed:    c.publishFailed.Load(),
		Accepted:         c.accepted.Load(),
		Rejected:         c.rejected.Load(),
		Ignored:          c.ignored.Load(),
		Oversized:        c.oversized.Load(),
		ValidateTimeouts: c.validateTimeouts.Load(),
		ValidationQueued: c.validationQueued.Load(),
		Delivered:        c.delivered.Load(),
		DeliverDropped:   c.deliverDropped.Load(),
		ChaosDropped:     c.chaosDropped.Load(),
		ChaosDuplicated:  c.chaosDuplicated.Load(),
	}
}

type streamCounters struct {
	requests, requestFailures, served, handlerErrors atomic.Uint64
	busy, oversized, badFrames, chaosDropped         atomic.Uint64
}

func (c *streamCounters) snapshot() StreamStats {
	return StreamStats{
		Requests:        c.requests.Load(),
		RequestFailures: c.requestFailures.Load(),
		Served:          c.served.Load(),
		HandlerErrors:   c.handlerErrors.Load(),
		Busy:            c.busy.Load(),
		Oversized:       c.oversized.Load(),
		BadFrames:       c.badFrames.Load(),
		ChaosDropped:    c.chaosDropped.Load(),
	}
}

// Stats returns a snapshot of the counters. It is cheap enough to call for
// every server_info request.
func (h *Host) Stats() Stats {
	s := Stats{
		Tx:              h.topics[TopicTx].counters.snapshot(),
		Consensus:       h.topics[TopicConsensus].counters.snapshot(),
		Streams:         h.streamStats.snapshot(),
		OutboundDropped: h.outboundDropped.Load(),
		GatedConns:      h.gater.refused.Load(),
		Bans:            h.gater.bans.Load(),
		StateResets:     h.stateResets.Load(),
		Panics:          h.panics.Load(),
	}
	s.Peers.Configured = len(h.order)
	net := h.host.Network()
	for _, p := range h.order {
		if net.Connectedness(p.id) == network.Connected {
			s.Peers.Connected++
		}
		if !h.gater.bannedUntil(p.id).IsZero() {
			s.Peers.Banned++
		}
	}
	if !h.isClosed() {
		s.Tx.Peers = len(h.ps.ListPeers(h.topics[TopicTx].name))
		s.Consensus.Peers = len(h.ps.ListPeers(h.topics[TopicConsensus].name))
	}
	return s
}

// tracer turns pubsub's internal drop points into counters: the three places
// go-libp2p-pubsub drops messages without telling the caller
// (research/perf.md §5.3).
type tracer struct{ h *Host }

var _ pubsub.RawTracer = tracer{}

func (t tracer) counters(msg *pubsub.Message) *topicCounters {
	return t.h.countersFor(msg.GetTopic())
}

func (t tracer) RejectMessage(msg *pubsub.Message, reason string) {
	switch reason {
	case pubsub.RejectValidationQueueFull, pubsub.RejectValidationThrottled:
		if c := t.counters(msg); c != nil {
			c.validationQueued.Add(1)
		}
	}
	if t.h.log.IsTrace() {
		t.h.log.Trace("pubsub dropped a message", "topic", msg.GetTopic(), "from", t.h.peerText(msg.ReceivedFrom), "reason", reason)
	}
}

func (t tracer) UndeliverableMessage(msg *pubsub.Message) {
	if c := t.counters(msg); c != nil {
		c.deliverDropped.Add(1)
	}
}

func (t tracer) OnClosedOutboundStream(p peer.ID) { t.h.streamDied(p) }

func (t tracer) DropRPC(*pubsub.RPC, peer.ID) { t.h.outboundDropped.Add(1) }

func (tracer) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (tracer) Join(string)                                          {}
func (tracer) Leave(string)                                         {}
func (tracer) Graft(peer.ID, string)                                {}
func (tracer) Prune(peer.ID, string)                                {}
func (tracer) DuplicateMessage(*pubsub.Message)                     {}
func (tracer) ValidateMessage(*pubsub.Message)                      {}
func (tracer) DeliverMessage(*pubsub.Message)                       {}
func (tracer) ThrottlePeer(peer.ID)                                 {}
func (tracer) RecvRPC(*pubsub.RPC)                                  {}
func (tracer) SendRPC(*pubsub.RPC, peer.ID)                         {}
func (tracer) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
