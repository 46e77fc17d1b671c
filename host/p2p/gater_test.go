package p2p

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Host 2 knows host 0's address and keeps dialing it, but host 0 does not
// list host 2. Host 0 refuses each connection right after the handshake, so
// host 2 may hold one for a moment, but never exchanges anything over it:
// no request reaches host 0's handler, nothing host 2 publishes reaches
// host 0, and every connection host 2 opens is closed again. Host 2 redials
// with backoff, not in a tight loop. Host 0 will not dial host 2 either.
func TestUnconfiguredPeerCannotConnect(t *testing.T) {
	// 0 and 1 list each other; 2 lists 0, but 0 does not list 2.
	links := func(i, j int) bool { return i+j == 1 || i == 2 && j == 0 }
	nw := startNet(t, 3, netOptions{links: links})
	h0, h2 := nw.hosts[0], nw.hosts[2]
	id0, id2 := mustDecode(t, nw.ids[0]), mustDecode(t, nw.ids[2])

	var conns connLog
	h2.host.Network().Notify(&network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) {
		if c.RemotePeer() == id0 {
			conns.add(c)
		}
	}})
	var handled atomic.Int32
	if err := h0.Handle("ledger", func(context.Context, string, []byte) ([]byte, error) {
		handled.Add(1)
		return []byte("ledger"), nil
	}); err != nil {
		t.Fatal(err)
	}
	var rec0 recorder
	if err := h0.Subscribe(TopicTx, nil, rec0.deliver); err != nil {
		t.Fatal(err)
	}
	if err := h2.Subscribe(TopicTx, nil, (&recorder{}).deliver); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() string {
		if n := h0.Stats().GatedConns; n < 2 {
			return fmt.Sprintf("host 0 refused %d connections, want host 2's repeated attempts refused", n)
		}
		return ""
	})

	// Host 2 tries to talk anyway, on whatever connection it has.
	for i := range 5 {
		publish(t, h2, TopicTx, fmt.Sprintf("from an outsider %d", i))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		resp, err := h2.Request(ctx, nw.ids[0], "ledger", []byte("x"))
		cancel()
		if err == nil {
			t.Fatalf("host 2's request reached host 0 and got %q", resp)
		}
		time.Sleep(50 * time.Millisecond)
	}
	gated := h0.Stats().GatedConns
	time.Sleep(1500 * time.Millisecond)
	if n := h0.Stats().GatedConns - gated; n > 15 {
		t.Errorf("host 2 dialed %d times in 1.5s: want backoff (at most every 500ms here)", n)
	}

	if n := handled.Load(); n != 0 {
		t.Errorf("host 0's handler ran %d times for an unconfigured peer", n)
	}
	if got := rec0.datas(); len(got) != 0 {
		t.Errorf("host 0 delivered %q from an unconfigured peer", got)
	}
	if c := h0.host.Network().ConnsToPeer(id2); len(c) != 0 {
		t.Errorf("host 0 has %d connections to the unconfigured host 2", len(c))
	}
	for _, p := range h0.Peers() {
		if p.ID == nw.ids[2] {
			t.Errorf("host 0 reports unconfigured host 2 among its peers")
		}
	}
	if s := h0.Stats(); s.Peers.Configured != 1 || s.Streams.Served != 0 || s.Tx.Accepted != 0 {
		t.Errorf("host 0 stats %+v: want 1 configured peer, nothing served or accepted", s)
	}
	// Every connection host 2 opened to host 0 is closed again.
	opened := conns.all()
	if len(opened) == 0 {
		t.Error("host 2 never saw a connection to host 0 open; the test proves nothing about closing")
	}
	eventually(t, 5*time.Second, func() string {
		for _, c := range opened {
			if !c.IsClosed() {
				return fmt.Sprintf("host 2 still holds a connection to host 0 opened at %v", c.Stat().Opened)
			}
		}
		return ""
	})

	// Outbound: host 0 refuses to dial a peer it does not list.
	addr := ma.StringCast(h2.Addrs()[0])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := h0.host.Connect(ctx, peer.AddrInfo{ID: id2, Addrs: []ma.Multiaddr{addr}}); err == nil {
		t.Error("host 0 dialed an unconfigured peer")
	}
	// Requests to unconfigured peers are refused before dialing.
	if _, err := h0.Request(ctx, nw.ids[2], "ledger", []byte("x")); !errors.Is(err, ErrUnknownPeer) {
		t.Errorf("request to an unconfigured peer: %v, want ErrUnknownPeer", err)
	}
}

// connLog records connections as a notifiee sees them open.
type connLog struct {
	mu    sync.Mutex
	conns []network.Conn
}

func (l *connLog) add(c network.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns = append(l.conns, c)
}

func (l *connLog) all() []network.Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.conns)
}

// A follower is configured by id alone on the validator's side: the
// validator accepts it when it dials in, gossips with it and may send it
// requests while it is connected, but never dials it.
func TestFollowerIsAcceptedButNeverDialed(t *testing.T) {
	nw := startNet(t, 2, netOptions{config: func(i int, c *Config) {
		if i == 0 { // the validator lists the follower without an address
			c.Peers[0].Addrs = nil
		}
	}})
	v, f := nw.hosts[0], nw.hosts[1]
	var recV, recF recorder
	if err := v.Subscribe(TopicConsensus, nil, recV.deliver); err != nil {
		t.Fatal(err)
	}
	if err := f.Subscribe(TopicConsensus, nil, recF.deliver); err != nil {
		t.Fatal(err)
	}
	if err := f.Handle("status", func(context.Context, string, []byte) ([]byte, error) { return []byte("following"), nil }); err != nil {
		t.Fatal(err)
	}
	nw.waitMesh(TopicConsensus)
	publish(t, v, TopicConsensus, "vote from the validator")
	publish(t, f, TopicConsensus, "hello from the follower")
	recF.waitFor(t, 1, 5*time.Second)
	recV.waitFor(t, 1, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if resp, err := v.Request(ctx, f.ID(), "status", nil); err != nil || string(resp) != "following" {
		t.Errorf("validator's request to a connected follower: %q, %v", resp, err)
	}
	for _, c := range v.host.Network().ConnsToPeer(mustDecode(t, f.ID())) {
		if c.Stat().Direction != network.DirInbound {
			t.Errorf("the validator holds a %v connection to its follower; it must only accept", c.Stat().Direction)
		}
	}

	// Restart the follower on its port without the validator in its list:
	// it will not dial, and it would refuse (and count) a dial from the
	// validator.
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	nw.cfgs[1].Peers = nil
	nw.hosts[1] = nw.start(1)
	time.Sleep(1500 * time.Millisecond)
	if n := nw.hosts[1].Stats().GatedConns; n != 0 {
		t.Errorf("the validator dialed its follower %d times", n)
	}
	start := time.Now()
	if _, err := v.Request(ctx, f.ID(), "status", nil); err == nil {
		t.Error("request to a disconnected follower succeeded")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("request to a disconnected follower took %v to fail; it must not dial", d)
	}
}

// A restarted peer, same key and port, is redialed and the topics work
// again in both directions.
func TestReconnectsAfterPeerRestarts(t *testing.T) {
	nw := startNet(t, 3, netOptions{})
	recs := make([]*recorder, 3)
	subscribe := func(i int) {
		recs[i] = &recorder{}
		if err := nw.hosts[i].Subscribe(TopicConsensus, nil, recs[i].deliver); err != nil {
			t.Fatal(err)
		}
	}
	for i := range nw.hosts {
		subscribe(i)
	}
	nw.waitMesh(TopicConsensus)
	publish(t, nw.hosts[0], TopicConsensus, "before restart")
	recs[2].waitFor(t, 1, 5*time.Second)

	if err := nw.hosts[2].Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, func() string {
		for _, p := range nw.hosts[0].Peers() {
			if p.ID == nw.ids[2] && p.Connected {
				return "host 0 still connected to the closed host 2"
			}
		}
		return ""
	})
	time.Sleep(700 * time.Millisecond) // let the redial backoff grow past its minimum
	nw.hosts[2] = nw.start(2)
	subscribe(2)
	nw.waitMesh(TopicConsensus)

	publish(t, nw.hosts[0], TopicConsensus, "after restart, from 0")
	publish(t, nw.hosts[2], TopicConsensus, "after restart, from 2")
	recs[2].waitFor(t, 1, 5*time.Second)
	recs[1].waitFor(t, 3, 5*time.Second)
	if recs[2].count("after restart, from 0") != 1 || recs[1].count("after restart, from 2") != 1 {
		t.Errorf("after restart: host 2 got %q, host 1 got %q", recs[2].datas(), recs[1].datas())
	}
	for _, p := range nw.hosts[0].Peers() {
		if !p.Connected {
			t.Errorf("host 0 not connected to %s after the restart", p.ID)
		}
	}
}
