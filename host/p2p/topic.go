package p2p

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Topic is one of the chain's two gossip topics.
type Topic int

const (
	// TopicTx carries batches of transactions (4–25 KB is the sweet spot:
	// per-transaction gossip cost falls from 26 µs to 1.5–3.5 µs, perf.md
	// §4). Each batch is its own signed application message.
	TopicTx Topic = iota + 1
	// TopicConsensus carries proposals and votes: small, latency-critical.
	TopicConsensus

	topicCount
)

func (t Topic) String() string {
	switch t {
	case TopicTx:
		return "tx"
	case TopicConsensus:
		return "consensus"
	}
	return fmt.Sprintf("Topic(%d)", int(t))
}

func (t Topic) valid() bool { return t > 0 && t < topicCount }

// topicName is the pubsub topic: the chain id is part of it, so a host never
// even subscribes to another chain's traffic.
func topicName(chainID string, t Topic) string {
	return "/jtchain/" + chainID + "/" + t.String() + "/1"
}

// Verdict is a validator's decision about a received message.
type Verdict int

const (
	// Accept: deliver the message and forward it to our peers.
	Accept Verdict = iota
	// Reject: the message is invalid on every honest node (malformed, bad
	// signature, wrong chain, signer not a validator of any height we could
	// be at). It is dropped, not forwarded, and counted against the peer that
	// sent it; enough rejects in a minute get the peer banned.
	Reject
	// Ignore: drop without penalty. Use it whenever the judgment depends on
	// local state another honest node may not share yet (a far-future
	// height, a stale round, a duplicate), since honest peers forward such
	// messages.
	Ignore
)

func (v Verdict) String() string {
	switch v {
	case Accept:
		return "accept"
	case Reject:
		return "reject"
	case Ignore:
		return "ignore"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Validator judges a received message before it is delivered or forwarded:
// pubsub forwards only what it accepts. The p2p layer has already refused
// empty messages and those above MaxMessageSize (as Reject) and applied the
// chaos layer's drops; everything about the content is the validator's job:
// wrong chain id, bad signature, signer not a validator (Reject), a
// far-future height or stale round, a duplicate the application already has
// (Ignore).
//
// from is the peer that sent it to us (with NoAuthor pubsub messages carry no
// origin; the application's own signature says who made it). Validators run
// concurrently, from pubsub's worker goroutines, and must not keep or modify
// data. ctx expires after Config.ValidateTimeout; a validator that returns
// after that counts as Ignore, and so does one that panics.
type Validator func(ctx context.Context, from string, data []byte) Verdict

// Deliver receives an accepted message. For each topic it is called from one
// goroutine, in order of acceptance. It may keep data but must not modify
// it. It should return quickly: while it runs, accepted messages wait in a
// queue of Config.SubscriptionBuffer; past that they are dropped and counted
// in TopicStats.DeliverDropped (the network is never slowed by a slow
// consumer).
type Deliver func(from string, data []byte)

type topicState struct {
	topic  Topic
	name   string
	handle *pubsub.Topic

	mu         sync.Mutex
	subscribed bool
	validate   Validator
	deliver    Deliver

	counters topicCounters
}

func (h *Host) countersFor(name string) *topicCounters {
	for _, ts := range h.topics[1:] {
		if ts.name == name {
			return &ts.counters
		}
	}
	return nil
}

// Publish sends data to every peer subscribed to topic; they validate it
// and forward it to theirs. It copies data, so the caller may reuse its
// buffer at once (go-libp2p-pubsub keeps the slice it is given; reusing it
// corrupted messages in perf.md §3.5). Publish needs no subscription of its
// own, and returns once the message is queued: delivery is best-effort
// (spec/rbft.md §1f.9), so consensus rebroadcasts.
//
// Own messages are not delivered locally: the publishing host's Validator
// and Deliver are never called for data it published itself, so a node that
// needs its own vote must loop it back itself. The same holds for bytes a
// peer sends back to us, since they are the same message.
//
// The message id is a hash of the topic and data: publishing bytes this host
// has already published or received on the topic within SeenTTL silently
// does nothing (pubsub reports no error), and peers drop such a copy as a
// duplicate too. A rebroadcast must therefore differ in its bytes, for
// example by an unsigned resend counter in the envelope.
//
// Errors: ErrUnknownTopic, ErrEmptyMessage, ErrMessageTooLarge (above
// MaxMessageSize), ErrClosed, or ctx's error.
func (h *Host) Publish(ctx context.Context, topic Topic, data []byte) error {
	if !topic.valid() {
		return ErrUnknownTopic
	}
	ts := h.topics[topic]
	err := h.publish(ctx, ts, data)
	if err != nil {
		ts.counters.publishFailed.Add(1)
		return err
	}
	ts.counters.published.Add(1)
	return nil
}

func (h *Host) publish(ctx context.Context, ts *topicState, data []byte) error {
	switch {
	case h.isClosed():
		return ErrClosed
	case len(data) == 0:
		return ErrEmptyMessage
	case len(data) > h.cfg.MaxMessageSize:
		return fmt.Errorf("publish %d bytes on %s (limit %d): %w", len(data), ts.topic, h.cfg.MaxMessageSize, ErrMessageTooLarge)
	}
	if err := ts.handle.Publish(ctx, bytes.Clone(data)); err != nil {
		if h.isClosed() {
			return ErrClosed
		}
		return fmt.Errorf("p2p: publish on %s: %w", ts.topic, err)
	}
	return nil
}

// Subscribe starts receiving topic: validate judges each message before it
// is forwarded (nil accepts everything within MaxMessageSize) and deliver
// receives the accepted ones. A host forwards a topic only once it has
// subscribed to it. Subscribe may be called once per topic.
func (h *Host) Subscribe(topic Topic, validate Validator, deliver Deliver) error {
	if !topic.valid() {
		return ErrUnknownTopic
	}
	if deliver == nil {
		return fmt.Errorf("p2p: subscribe %s: deliver is nil", topic)
	}
	ts := h.topics[topic]
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.subscribed {
		return fmt.Errorf("subscribe %s: %w", topic, ErrAlreadySubscribed)
	}
	if h.isClosed() {
		return ErrClosed
	}
	ts.validate, ts.deliver = validate, deliver
	err := h.ps.RegisterTopicValidator(ts.name, h.validator(ts), pubsub.WithValidatorTimeout(h.cfg.ValidateTimeout))
	if err != nil {
		return fmt.Errorf("p2p: subscribe %s: %w", topic, err)
	}
	sub, err := ts.handle.Subscribe(pubsub.WithBufferSize(h.cfg.SubscriptionBuffer))
	if err != nil {
		_ = h.ps.UnregisterTopicValidator(ts.name)
		return fmt.Errorf("p2p: subscribe %s: %w", topic, err)
	}
	goroutines := 1
	if h.chaos != nil {
		goroutines = 2
	}
	if !h.trackN(goroutines) {
		sub.Cancel()
		return ErrClosed
	}
	ts.subscribed = true
	if h.chaos != nil {
		in := make(chan chaosItem, h.cfg.SubscriptionBuffer)
		go h.chaosDeliver(ts, in)
		go h.receive(ts, sub, in)
	} else {
		go h.receive(ts, sub, nil)
	}
	return nil
}

// validator adapts a Validator to pubsub's pipeline, which runs it before
// the message is delivered or forwarded. Around the application's check it
// enforces the size limit, applies the chaos transport's drops (a dropped
// message never arrived, so it is not forwarded either) and counts verdicts.
func (h *Host) validator(ts *topicState) pubsub.ValidatorEx {
	c := &ts.counters
	return func(ctx context.Context, src peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if src == h.self {
			return pubsub.ValidationAccept // our own Publish; it checked the size
		}
		data := m.GetData()
		if len(data) == 0 || len(data) > h.cfg.MaxMessageSize {
			if len(data) > 0 {
				c.oversized.Add(1)
			}
			c.rejected.Add(1)
			h.noteReject(src)
			return pubsub.ValidationReject
		}
		from := h.peerText(src)
		if h.chaos != nil && h.chaos.dropMessage(from, h.selfID, m.ID) {
			c.chaosDropped.Add(1)
			c.ignored.Add(1)
			return pubsub.ValidationIgnore
		}
		v := Accept
		if ts.validate != nil {
			v = h.runValidator(ctx, ts, from, data)
			if ctx.Err() != nil {
				c.validateTimeouts.Add(1)
				v = Ignore
			}
		}
		switch v {
		case Accept:
			c.accepted.Add(1)
			return pubsub.ValidationAccept
		case Reject:
			c.rejected.Add(1)
			h.noteReject(src)
			return pubsub.ValidationReject
		default: // Ignore, or a value that is no Verdict
			c.ignored.Add(1)
			return pubsub.ValidationIgnore
		}
	}
}

// runValidator calls the topic's validator. A panic counts as Ignore: it is
// this node's bug, not proof that the sender misbehaved.
func (h *Host) runValidator(ctx context.Context, ts *topicState, from string, data []byte) (v Verdict) {
	defer func() {
		if r := recover(); r != nil {
			h.panics.Add(1)
			h.log.Error("validator panicked", "topic", ts.topic.String(), "peer", from, "panic", r, "stack", string(debug.Stack()))
			v = Ignore
		}
	}()
	return ts.validate(ctx, from, data)
}

// runDeliver calls the topic's deliver, logging and counting a panic
// instead of letting it end the process.
func (h *Host) runDeliver(ts *topicState, from string, data []byte) {
	defer func() {
		if r := recover(); r != nil {
			h.panics.Add(1)
			h.log.Error("deliver panicked", "topic", ts.topic.String(), "peer", from, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	ts.counters.delivered.Add(1)
	ts.deliver(from, data)
}

// receive reads the subscription. Without chaos it is the topic's delivery
// goroutine; with chaos it hands each message to chaosDeliver.
func (h *Host) receive(ts *topicState, sub *pubsub.Subscription, chaosIn chan<- chaosItem) {
	defer h.wg.Done()
	defer sub.Cancel()
	for {
		m, err := sub.Next(h.ctx)
		if err != nil {
			return // closing
		}
		if m.ReceivedFrom == h.self {
			continue
		}
		from := h.peerText(m.ReceivedFrom)
		if chaosIn == nil {
			h.runDeliver(ts, from, m.Data)
			continue
		}
		select {
		case chaosIn <- chaosItem{from: from, data: m.Data, id: m.ID}:
		default:
			ts.counters.deliverDropped.Add(1)
		}
	}
}
