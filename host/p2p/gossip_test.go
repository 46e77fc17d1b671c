package p2p

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Four hosts, each listing the other three. A message published on either
// topic reaches each of the other three exactly once, although every host
// forwards it to every other; the publisher does not get its own message
// back; and the same bytes published again, by the same or another host, are
// the same message (ids are content hashes) and are not delivered again.
func TestPublishedMessageReachesEveryOtherHostExactlyOnce(t *testing.T) {
	nw := startNet(t, 4, netOptions{})
	tx, cons := nw.subscribeAll()

	for i, h := range nw.hosts {
		publish(t, h, TopicTx, fmt.Sprintf("tx batch from %d", i))
		publish(t, h, TopicConsensus, fmt.Sprintf("vote from %d", i))
	}
	for i := range nw.hosts {
		tx[i].waitFor(t, 3, 5*time.Second)
		cons[i].waitFor(t, 3, 5*time.Second)
	}
	// Same bytes again: from the original publisher and from another host.
	publish(t, nw.hosts[0], TopicTx, "tx batch from 0")
	publish(t, nw.hosts[1], TopicConsensus, "vote from 0")
	time.Sleep(500 * time.Millisecond) // give any duplicate time to arrive

	for i := range nw.hosts {
		for j := range nw.hosts {
			want := 1
			if i == j {
				want = 0
			}
			if got := tx[i].count(fmt.Sprintf("tx batch from %d", j)); got != want {
				t.Errorf("host %d got host %d's tx batch %d times, want %d", i, j, got, want)
			}
			if got := cons[i].count(fmt.Sprintf("vote from %d", j)); got != want {
				t.Errorf("host %d got host %d's vote %d times, want %d", i, j, got, want)
			}
		}
		for _, m := range tx[i].all() {
			if m.from == nw.ids[i] {
				t.Errorf("host %d delivered a message from itself", i)
			}
		}
		s := nw.hosts[i].Stats()
		if s.Tx.Published != uint64(2-min(i, 1)) || s.Tx.Delivered != 3 || s.Consensus.Delivered != 3 {
			t.Errorf("host %d stats %+v: want its publishes counted and 3 deliveries per topic", i, s)
		}
		if s.Peers.Configured != 3 || s.Peers.Connected != 3 || s.Tx.Peers != 3 || s.Consensus.Peers != 3 {
			t.Errorf("host %d peer counts %+v, tx %d, consensus %d: want 3 everywhere", i, s.Peers, s.Tx.Peers, s.Consensus.Peers)
		}
	}

	// Ids hash the topic too: the same bytes on the other topic are another
	// message.
	publish(t, nw.hosts[2], TopicTx, "same bytes")
	publish(t, nw.hosts[2], TopicConsensus, "same bytes")
	for i := range nw.hosts {
		if i == 2 {
			continue
		}
		eventually(t, 5*time.Second, func() string {
			if tx[i].count("same bytes") != 1 || cons[i].count("same bytes") != 1 {
				return fmt.Sprintf("host %d got the same bytes %d times on tx and %d on consensus, want once each", i, tx[i].count("same bytes"), cons[i].count("same bytes"))
			}
			return ""
		})
	}
}

// A host does not deliver its own messages, even when it is the only
// subscriber it knows of and peers send them back.
func TestOwnMessagesAreNotDeliveredLocally(t *testing.T) {
	nw := startNet(t, 2, netOptions{})
	tx, _ := nw.subscribeAll()
	publish(t, nw.hosts[0], TopicTx, "mine")
	tx[1].waitFor(t, 1, 5*time.Second)
	// Host 1 publishes the same bytes: for host 0 it is a duplicate of its
	// own message.
	publish(t, nw.hosts[1], TopicTx, "mine")
	publish(t, nw.hosts[1], TopicTx, "yours")
	tx[0].waitFor(t, 1, 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	if got := tx[0].datas(); !slices.Equal(got, []string{"yours"}) {
		t.Errorf("host 0 delivered %q, want only host 1's own message", got)
	}
	if s := nw.hosts[0].Stats().Tx; s.Accepted != 1 || s.Delivered != 1 {
		t.Errorf("host 0 stats %+v: its own message must not be validated or delivered", s)
	}
}

// A validator or deliver that panics does not take the host down: the
// message counts as ignored (not forwarded), and the panic is counted.
func TestPanickingCallbacksAreContained(t *testing.T) {
	line := func(i, j int) bool { return i-j == 1 || j-i == 1 }
	nw := startNet(t, 3, netOptions{links: line})
	validate := func(_ context.Context, _ string, data []byte) Verdict {
		if string(data) == "validator bomb" {
			panic("validator bomb")
		}
		return Accept
	}
	var recB, recC recorder
	deliverB := func(from string, data []byte) {
		if string(data) == "deliver bomb" {
			panic("deliver bomb")
		}
		recB.deliver(from, data)
	}
	if err := nw.hosts[1].Subscribe(TopicTx, validate, deliverB); err != nil {
		t.Fatal(err)
	}
	if err := nw.hosts[2].Subscribe(TopicTx, nil, recC.deliver); err != nil {
		t.Fatal(err)
	}
	if err := nw.hosts[0].Subscribe(TopicTx, nil, (&recorder{}).deliver); err != nil {
		t.Fatal(err)
	}
	nw.waitMesh(TopicTx)
	publish(t, nw.hosts[0], TopicTx, "validator bomb")
	publish(t, nw.hosts[0], TopicTx, "deliver bomb")
	publish(t, nw.hosts[0], TopicTx, "fine")
	recB.waitFor(t, 1, 5*time.Second)
	recC.waitFor(t, 2, 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	got := recC.datas()
	slices.Sort(got) // validators run concurrently: the order is not fixed
	if !slices.Equal(got, []string{"deliver bomb", "fine"}) {
		t.Errorf("C got %q: want what B accepted (its deliver's panic is B's business), not what its validator panicked on", got)
	}
	if s := nw.hosts[1].Stats(); s.Panics != 2 || s.Tx.Ignored != 1 || s.Tx.Rejected != 0 {
		t.Errorf("B stats %+v: want 2 panics and the validator's counted as an ignore", s)
	}
}

// Hosts A - B - C in a line: A and C do not list each other, so C hears A's
// messages only through B. What B's validator rejects or ignores never
// reaches C: validation runs before forwarding. A reject counts against A;
// an ignore does not.
func TestValidatorRunsBeforeForwarding(t *testing.T) {
	line := func(i, j int) bool { return i-j == 1 || j-i == 1 }
	nw := startNet(t, 3, netOptions{links: line})
	a, b, c := nw.hosts[0], nw.hosts[1], nw.hosts[2]

	bValidate := func(_ context.Context, _ string, data []byte) Verdict {
		switch {
		case strings.HasPrefix(string(data), "bad"):
			return Reject
		case strings.HasPrefix(string(data), "later"):
			return Ignore
		}
		return Accept
	}
	var recB, recC recorder
	if err := b.Subscribe(TopicConsensus, bValidate, recB.deliver); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(TopicConsensus, nil, recC.deliver); err != nil {
		t.Fatal(err)
	}
	if err := a.Subscribe(TopicConsensus, nil, (&recorder{}).deliver); err != nil {
		t.Fatal(err)
	}
	nw.waitMesh(TopicConsensus)

	publish(t, a, TopicConsensus, "bad signature")
	publish(t, a, TopicConsensus, "later: far-future height")
	publish(t, a, TopicConsensus, "good vote")
	recC.waitFor(t, 1, 5*time.Second)
	time.Sleep(300 * time.Millisecond)

	if got := recC.datas(); len(got) != 1 || got[0] != "good vote" {
		t.Errorf("C got %q, want only the accepted message", got)
	}
	if got := recB.datas(); len(got) != 1 || got[0] != "good vote" {
		t.Errorf("B delivered %q, want only the accepted message", got)
	}
	if m := recC.all()[0]; m.from != nw.ids[1] {
		t.Errorf("C got the message from %s, want B (%s): A is not its peer", m.from, nw.ids[1])
	}
	s := b.Stats().Consensus
	if s.Rejected != 1 || s.Ignored != 1 || s.Accepted != 1 {
		t.Errorf("B's verdict counts %+v, want 1 rejected, 1 ignored, 1 accepted", s)
	}
	for _, p := range b.Peers() {
		want := uint64(0)
		if p.ID == nw.ids[0] {
			want = 1
		}
		if p.Rejected != want {
			t.Errorf("B counts %d rejects against %s, want %d", p.Rejected, p.ID, want)
		}
	}
}

// A validator that outlives ValidateTimeout counts as Ignore: the message
// is neither delivered nor forwarded.
func TestSlowValidatorTimesOutAsIgnore(t *testing.T) {
	nw := startNet(t, 2, netOptions{config: func(i int, c *Config) { c.ValidateTimeout = 50 * time.Millisecond }})
	var rec recorder
	slow := func(ctx context.Context, _ string, data []byte) Verdict {
		if string(data) == "slow" {
			<-ctx.Done()
		}
		return Accept
	}
	if err := nw.hosts[1].Subscribe(TopicTx, slow, rec.deliver); err != nil {
		t.Fatal(err)
	}
	if err := nw.hosts[0].Subscribe(TopicTx, nil, (&recorder{}).deliver); err != nil {
		t.Fatal(err)
	}
	nw.waitMesh(TopicTx)
	publish(t, nw.hosts[0], TopicTx, "slow")
	publish(t, nw.hosts[0], TopicTx, "fast")
	rec.waitFor(t, 1, 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	if got := rec.datas(); len(got) != 1 || got[0] != "fast" {
		t.Errorf("delivered %q, want only the fast message", got)
	}
	if s := nw.hosts[1].Stats().Tx; s.ValidateTimeouts != 1 || s.Ignored != 1 {
		t.Errorf("stats %+v: want one timeout counted as ignored", s)
	}
}

// Messages above MaxMessageSize are refused everywhere: Publish will not
// send them; a receiver rejects one that a host with a larger limit sent,
// before delivering or forwarding it; and one above the pubsub wire limit
// costs the sender its stream, which pubsub reopens, so later messages
// still arrive.
func TestOversizedMessagesAreRefused(t *testing.T) {
	const limit = 4 << 10
	nw := startNet(t, 3, netOptions{config: func(i int, c *Config) {
		c.MaxMessageSize = limit
		if i == 0 { // host 0 is misconfigured (or malicious) with a larger limit
			c.MaxMessageSize = 256 << 10
		}
	}})
	recs := make([]*recorder, 3)
	for i, h := range nw.hosts {
		recs[i] = &recorder{}
		if err := h.Subscribe(TopicTx, nil, recs[i].deliver); err != nil {
			t.Fatal(err)
		}
	}
	nw.waitMesh(TopicTx)

	big := strings.Repeat("x", limit+1)
	err := nw.hosts[1].Publish(context.Background(), TopicTx, []byte(big))
	if !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("publish of %d bytes with a %d limit: %v, want ErrMessageTooLarge", len(big), limit, err)
	}
	if err := nw.hosts[1].Publish(context.Background(), TopicTx, nil); !errors.Is(err, ErrEmptyMessage) {
		t.Errorf("publish of nothing: %v, want ErrEmptyMessage", err)
	}
	exact := strings.Repeat("e", limit)
	publish(t, nw.hosts[1], TopicTx, exact)

	// Within the wire limit (limit + slack) but above the receivers' limit.
	publish(t, nw.hosts[0], TopicTx, strings.Repeat("y", 10<<10))
	// Above the wire limit: the receiver resets the stream.
	publish(t, nw.hosts[0], TopicTx, strings.Repeat("z", 200<<10))

	// Host 0 loses the receivers' subscriptions with its streams (see
	// watchdog.go) until its connections are renewed; then a small message
	// gets through again.
	n := 0
	eventually(t, 15*time.Second, func() string {
		n++
		publish(t, nw.hosts[0], TopicTx, fmt.Sprintf("small after big %d", n))
		time.Sleep(100 * time.Millisecond)
		for i := 1; i < 3; i++ {
			got := false
			for _, d := range recs[i].datas() {
				got = got || strings.HasPrefix(d, "small after big")
			}
			if !got {
				return fmt.Sprintf("host %d never got a small message after the oversized ones (got %d messages)", i, len(recs[i].all()))
			}
		}
		return ""
	})
	for i := 1; i < 3; i++ {
		for _, m := range recs[i].all() {
			if len(m.data) > limit {
				t.Errorf("host %d delivered %d bytes, above its %d limit", i, len(m.data), limit)
			}
		}
		if i == 2 && recs[i].count(exact) != 1 {
			t.Errorf("host 2 did not get the message of exactly the limit")
		}
		if s := nw.hosts[i].Stats().Tx; s.Oversized < 1 {
			t.Errorf("host %d stats %+v: want the oversized message counted", i, s)
		}
	}
}

// A peer whose messages the validator keeps rejecting is disconnected and
// refused until its ban ends.
func TestPeerWithTooManyRejectedMessagesIsBanned(t *testing.T) {
	nw := startNet(t, 2, netOptions{config: func(i int, c *Config) {
		c.MaxRejects = 3
		c.BanDuration = time.Hour
	}})
	a, b := nw.hosts[0], nw.hosts[1]
	reject := func(context.Context, string, []byte) Verdict { return Reject }
	if err := b.Subscribe(TopicTx, reject, (&recorder{}).deliver); err != nil {
		t.Fatal(err)
	}
	if err := a.Subscribe(TopicTx, nil, (&recorder{}).deliver); err != nil {
		t.Fatal(err)
	}
	nw.waitMesh(TopicTx)
	for i := range 4 {
		publish(t, a, TopicTx, fmt.Sprintf("garbage %d", i))
	}
	eventually(t, 5*time.Second, func() string {
		p := b.Peers()[0]
		if p.Connected || p.BannedUntil.IsZero() {
			return fmt.Sprintf("B's view of A: %+v; want banned and disconnected", p)
		}
		return ""
	})
	time.Sleep(500 * time.Millisecond) // A keeps redialing
	if p := b.Peers()[0]; p.Connected {
		t.Errorf("banned peer reconnected: %+v", p)
	}
	if s := b.Stats(); s.Bans != 1 || s.GatedConns == 0 {
		t.Errorf("B stats %+v: want one ban and refused connections", s)
	}
}

func TestPublishAndSubscribeRefuseMisuse(t *testing.T) {
	nw := startNet(t, 1, netOptions{})
	h := nw.hosts[0]
	if err := h.Publish(context.Background(), Topic(9), []byte("x")); !errors.Is(err, ErrUnknownTopic) {
		t.Errorf("publish on an unknown topic: %v", err)
	}
	if err := h.Subscribe(TopicTx, nil, nil); err == nil {
		t.Error("subscribe with a nil deliver succeeded")
	}
	if err := h.Subscribe(TopicTx, nil, func(string, []byte) {}); err != nil {
		t.Fatal(err)
	}
	if err := h.Subscribe(TopicTx, nil, func(string, []byte) {}); !errors.Is(err, ErrAlreadySubscribed) {
		t.Errorf("second subscribe: %v, want ErrAlreadySubscribed", err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Publish(context.Background(), TopicTx, []byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("publish after close: %v, want ErrClosed", err)
	}
	if err := h.Subscribe(TopicConsensus, nil, func(string, []byte) {}); !errors.Is(err, ErrClosed) {
		t.Errorf("subscribe after close: %v, want ErrClosed", err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}
