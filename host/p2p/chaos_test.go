package p2p

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// chaosNet starts n hosts sharing one Chaos.
func chaosNet(t *testing.T, n int, seed uint64) (*testNet, *Chaos) {
	t.Helper()
	c := NewChaos(testSeed(t, seed))
	nw := startNet(t, n, netOptions{config: func(_ int, cfg *Config) { cfg.Chaos = c }})
	return nw, c
}

// A partition stops gossip and requests between its groups, and only
// between them; Heal restores both for new messages.
func TestPartitionBlocksAndHealRestores(t *testing.T) {
	nw, c := chaosNet(t, 4, 1)
	tx, _ := nw.subscribeAll()
	for i, h := range nw.hosts {
		if err := h.Handle("ping", func(context.Context, string, []byte) ([]byte, error) {
			return fmt.Appendf(nil, "pong from %d", i), nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	c.SetPartition([][]string{{nw.ids[0], nw.ids[1]}, {nw.ids[2], nw.ids[3]}})

	publish(t, nw.hosts[0], TopicTx, "during the partition")
	tx[1].waitFor(t, 1, 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	for _, i := range []int{2, 3} {
		if got := tx[i].datas(); len(got) != 0 {
			t.Errorf("host %d, across the partition, got %q", i, got)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := nw.hosts[0].Request(ctx, nw.ids[2], "ping", nil); !errors.Is(err, ErrDropped) {
		t.Errorf("request across the partition: %v, want ErrDropped", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("request across the partition took %v to fail", d)
	}
	if resp, err := nw.hosts[3].Request(ctx, nw.ids[2], "ping", nil); err != nil || string(resp) != "pong from 2" {
		t.Errorf("request within a group: %q, %v", resp, err)
	}
	if s := c.Stats(); s.Partitioned == 0 {
		t.Errorf("chaos stats %+v: want partitioned messages counted", s)
	}

	c.Heal()
	publish(t, nw.hosts[0], TopicTx, "after healing")
	publish(t, nw.hosts[3], TopicTx, "from the other side")
	eventually(t, 5*time.Second, func() string {
		for i := range nw.hosts {
			for j, m := range map[int]string{0: "after healing", 3: "from the other side"} {
				if i != j && tx[i].count(m) != 1 {
					return fmt.Sprintf("host %d got %q %d times after healing, want once", i, m, tx[i].count(m))
				}
			}
		}
		return ""
	})
	if resp, err := nw.hosts[0].Request(ctx, nw.ids[2], "ping", nil); err != nil || string(resp) != "pong from 2" {
		t.Errorf("request after healing: %q, %v", resp, err)
	}
}

// DuplicatePercent 100 delivers every message twice; the copies are counted.
// Delay holds a message for its delay before delivery.
func TestChaosDuplicatesAndDelays(t *testing.T) {
	nw, c := chaosNet(t, 2, 2)
	tx, _ := nw.subscribeAll()
	if err := c.Set(Faults{DuplicatePercent: 100}); err != nil {
		t.Fatal(err)
	}
	publish(t, nw.hosts[0], TopicTx, "twice")
	tx[1].waitFor(t, 2, 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	if n := tx[1].count("twice"); n != 2 {
		t.Errorf("delivered %d times with DuplicatePercent 100, want 2", n)
	}
	if s := nw.hosts[1].Stats().Tx; s.ChaosDuplicated != 1 || s.Delivered != 2 || s.Accepted != 1 {
		t.Errorf("stats %+v: want 1 accepted, 2 delivered, 1 duplicate", s)
	}

	const delay = 400 * time.Millisecond
	if err := c.SetLink(nw.ids[0], nw.ids[1], Faults{DelayMin: delay, DelayMax: delay}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	publish(t, nw.hosts[0], TopicTx, "late")
	eventually(t, 5*time.Second, func() string {
		if tx[1].count("late") == 0 {
			return "the delayed message never arrived"
		}
		return ""
	})
	if d := time.Since(start); d < delay {
		t.Errorf("delayed message arrived after %v, want at least %v", d, delay)
	}
	if n := tx[1].count("late"); n != 1 {
		t.Errorf("the link's own faults replace Set's: delivered %d times, want 1", n)
	}
	// The other direction still has Set's faults only.
	publish(t, nw.hosts[1], TopicTx, "back")
	tx[0].waitFor(t, 2, 5*time.Second)

	if err := c.Set(Faults{DropPercent: 101}); err == nil {
		t.Error("Set accepted a drop percentage above 100")
	}
}

// A dropped message is neither delivered nor forwarded: on a line 0 - 1 - 2
// a drop on 0 -> 1 keeps the message from 2 as well.
func TestChaosDropIsNotForwarded(t *testing.T) {
	c := NewChaos(testSeed(t, 3))
	line := func(i, j int) bool { return i-j == 1 || j-i == 1 }
	nw := startNet(t, 3, netOptions{links: line, config: func(_ int, cfg *Config) { cfg.Chaos = c }})
	tx, _ := nw.subscribeAll()
	if err := c.SetLink(nw.ids[0], nw.ids[1], Faults{DropPercent: 100}); err != nil {
		t.Fatal(err)
	}
	publish(t, nw.hosts[0], TopicTx, "dropped")
	publish(t, nw.hosts[2], TopicTx, "from 2")
	tx[0].waitFor(t, 1, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if got := tx[1].datas(); !slices.Equal(got, []string{"from 2"}) {
		t.Errorf("host 1 got %q, want only host 2's message", got)
	}
	if got := tx[2].datas(); len(got) != 0 {
		t.Errorf("host 2 got %q through host 1, which dropped it", got)
	}
	if s := nw.hosts[1].Stats().Tx; s.ChaosDropped != 1 || s.Ignored != 1 {
		t.Errorf("host 1 stats %+v: want one chaos drop, counted as ignored", s)
	}
}

// A reorder window releases its messages in an order that depends on the
// seed and the messages alone.
func TestChaosReorderIsSeeded(t *testing.T) {
	const seed, n = 4, 6
	nw, c := chaosNet(t, 2, seed)
	tx, _ := nw.subscribeAll()
	if err := c.Set(Faults{ReorderWindow: n, ReorderHold: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for i := range n {
		sent = append(sent, fmt.Sprintf("message %d", i))
		publish(t, nw.hosts[0], TopicTx, sent[i])
	}
	tx[1].waitFor(t, n, 10*time.Second)

	// The order a fresh Chaos with the same seed plans.
	plan := NewChaos(c.Seed())
	type keyed struct {
		data string
		key  uint64
	}
	var want []keyed
	for _, d := range sent {
		id := messageID(&pb.Message{Topic: &nw.hosts[0].topics[TopicTx].name, Data: []byte(d)})
		copies, _, _ := plan.plan(nw.ids[0], nw.ids[1], id)
		want = append(want, keyed{d, copies[0].key})
	}
	sort.Slice(want, func(i, j int) bool { return want[i].key < want[j].key })
	var wantOrder []string
	for _, k := range want {
		wantOrder = append(wantOrder, k.data)
	}
	if got := tx[1].datas(); !slices.Equal(got, wantOrder) {
		t.Errorf("delivered in order %q, want the seeded order %q", got, wantOrder)
	}
	if slices.Equal(wantOrder, sent) {
		t.Logf("seed %d happens to keep the sending order", c.Seed())
	}
}

// Stream requests go through the chaos layer too: a drop on the request
// link resets the stream, a drop on the answer link loses the answer (the
// handler ran), and a delay longer than the request's deadline makes it
// time out.
func TestChaosActsOnRequests(t *testing.T) {
	nw, c := chaosNet(t, 2, 5)
	a, b := nw.hosts[0], nw.hosts[1]
	calls := make(chan struct{}, 16)
	if err := b.Handle("ping", func(context.Context, string, []byte) ([]byte, error) {
		calls <- struct{}{}
		return []byte("pong"), nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	if err := c.SetLink(a.ID(), b.ID(), Faults{DropPercent: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Request(ctx, b.ID(), "ping", nil); !errors.Is(err, ErrDropped) {
		t.Errorf("request on a dropping link: %v, want ErrDropped", err)
	}
	if len(calls) != 0 {
		t.Error("the handler ran for a dropped request")
	}

	c.Reset()
	if err := c.SetLink(b.ID(), a.ID(), Faults{DropPercent: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Request(ctx, b.ID(), "ping", nil); !errors.Is(err, ErrDropped) {
		t.Errorf("request whose answer is dropped: %v, want ErrDropped", err)
	}
	if len(calls) != 1 {
		t.Errorf("the handler ran %d times for a request whose answer was dropped, want 1", len(calls))
	}
	<-calls

	c.Reset()
	if err := c.SetLink(a.ID(), b.ID(), Faults{DelayMin: time.Second, DelayMax: time.Second}); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelShort()
	if _, err := a.Request(short, b.ID(), "ping", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request delayed past its deadline: %v, want context.DeadlineExceeded", err)
	}

	c.Reset()
	if err := c.Set(Faults{DuplicatePercent: 100}); err != nil {
		t.Fatal(err)
	}
	if resp, err := a.Request(ctx, b.ID(), "ping", nil); err != nil || string(resp) != "pong" {
		t.Errorf("duplicated request: %q, %v", resp, err)
	}
	eventually(t, 5*time.Second, func() string {
		// The delayed request above may still reach the handler too.
		if n := len(calls); n < 2 {
			return fmt.Sprintf("handler ran %d times for a duplicated request, want 2", n)
		}
		return ""
	})
	if s := b.Stats().Streams; s.ChaosDropped != 1 {
		t.Errorf("server stats %+v: want the one request drop counted", s)
	}
}

// The same seed gives the same decisions, a different seed different ones.
func TestChaosDecisionsDependOnSeedOnly(t *testing.T) {
	f := Faults{DropPercent: 30, DuplicatePercent: 30, DelayMin: time.Millisecond, DelayMax: time.Second}
	decide := func(seed uint64) string {
		c := NewChaos(seed)
		if err := c.Set(f); err != nil {
			t.Fatal(err)
		}
		var out []string
		for i := range 200 {
			id := fmt.Sprint("msg ", i)
			if c.dropMessage("a", "b", id) {
				out = append(out, "drop")
				continue
			}
			copies, _, _ := c.plan("a", "b", id)
			out = append(out, fmt.Sprint(copies))
			out = append(out, fmt.Sprint(c.planRequest("a", "b")))
		}
		return fmt.Sprint(out)
	}
	if decide(7) != decide(7) {
		t.Error("the same seed gave different decisions")
	}
	if decide(7) == decide(8) {
		t.Error("different seeds gave the same decisions")
	}
}
