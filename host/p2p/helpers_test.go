package p2p

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"net"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/libp2p/go-libp2p/core/peer"
)

var seedFlag = flag.Uint64("seed", 0, "chaos seed for the randomized tests (0: each test's fixed seed)")

// testSeed returns -seed if given, else def, and logs it so a failure can be
// replayed.
func testSeed(t testing.TB, def uint64) uint64 {
	t.Helper()
	s := def
	if *seedFlag != 0 {
		s = *seedFlag
	}
	t.Logf("chaos seed %d (rerun with -seed=%d)", s, s)
	return s
}

const testChain = "jtchain-test"

// testKey is host i's identity seed: fixed, so peer ids (and therefore
// chaos decisions, which depend on the link) are the same in every run.
func testKey(i int) []byte {
	k := sha256.Sum256(fmt.Appendf(nil, "p2p test key %d", i))
	return k[:]
}

func testLogger() hclog.Logger {
	if os.Getenv("P2P_TEST_LOG") == "" {
		return hclog.NewNullLogger()
	}
	return hclog.New(&hclog.LoggerOptions{Level: hclog.LevelFromString(os.Getenv("P2P_TEST_LOG")), Output: os.Stderr})
}

// freePorts reserves n distinct loopback TCP ports and releases them, so
// hosts can be configured with each other's addresses before they start.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// testNet is a set of hosts in this process on loopback.
type testNet struct {
	t     testing.TB
	hosts []*Host
	cfgs  []Config
	ids   []string
	links func(i, j int) bool
}

type netOptions struct {
	// links says which hosts list each other; nil is a full mesh.
	links func(i, j int) bool
	// config adjusts host i's configuration.
	config func(i int, c *Config)
}

func fullMesh(i, j int) bool { return i != j }

// startNet starts n hosts and closes them (and checks that nothing they
// started is left running) when the test ends.
func startNet(t testing.TB, n int, o netOptions) *testNet {
	t.Helper()
	checkNoLeaks(t)
	if o.links == nil {
		o.links = fullMesh
	}
	ports := freePorts(t, n)
	nw := &testNet{t: t, links: o.links}
	for i := range n {
		id, err := PeerIDFromKey(testKey(i))
		if err != nil {
			t.Fatal(err)
		}
		nw.ids = append(nw.ids, id)
	}
	for i := range n {
		c := Config{
			ListenAddrs:  []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", ports[i])},
			Key:          testKey(i),
			ChainID:      testChain,
			ReconnectMin: 50 * time.Millisecond,
			ReconnectMax: 500 * time.Millisecond,
		}
		for j := range n {
			if i != j && o.links(i, j) {
				c.Peers = append(c.Peers, Peer{ID: nw.ids[j], Addrs: []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", ports[j])}})
			}
		}
		if o.config != nil {
			o.config(i, &c)
		}
		nw.cfgs = append(nw.cfgs, c)
	}
	t.Cleanup(nw.close)
	for i := range n {
		nw.hosts = append(nw.hosts, nw.start(i))
	}
	nw.waitConnected()
	return nw
}

// waitConnected waits until every host is connected to every peer that
// lists it back (an unreciprocated listing never connects).
func (nw *testNet) waitConnected() {
	nw.t.Helper()
	eventually(nw.t, 10*time.Second, func() string {
		for i, h := range nw.hosts {
			for _, p := range h.Peers() {
				j := slices.Index(nw.ids, p.ID)
				if !p.Connected && j >= 0 && nw.links(j, i) {
					return fmt.Sprintf("host %d is not connected to %s", i, p.ID)
				}
			}
		}
		return ""
	})
}

func (nw *testNet) start(i int) *Host {
	nw.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := New(ctx, nw.cfgs[i], testLogger().Named(fmt.Sprint(i)))
	if err != nil {
		nw.t.Fatalf("start host %d: %v", i, err)
	}
	return h
}

func (nw *testNet) close() {
	for _, h := range nw.hosts {
		if h != nil {
			if err := h.Close(); err != nil {
				nw.t.Errorf("close %s: %v", h.ID(), err)
			}
		}
	}
}

// waitMesh waits until every host sees each peer it lists subscribed to
// the topics it has subscribed to itself, so a publish reaches them.
func (nw *testNet) waitMesh(topics ...Topic) {
	nw.t.Helper()
	if len(topics) == 0 {
		topics = []Topic{TopicTx, TopicConsensus}
	}
	eventuallyOr(nw.t, 10*time.Second, nw.dump, func() string {
		for i, h := range nw.hosts {
			for _, tp := range topics {
				have := h.ps.ListPeers(h.topics[tp].name)
				for j := range nw.hosts {
					if i != j && nw.links(i, j) && !slices.Contains(have, peer.ID(mustDecode(nw.t, nw.ids[j]))) {
						return fmt.Sprintf("host %d does not see host %d on %s", i, j, tp)
					}
				}
			}
		}
		return ""
	})
}

func mustDecode(t testing.TB, s string) peer.ID {
	t.Helper()
	id, err := peer.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// eventually polls cond until it returns "" or the timeout passes, and then
// fails with cond's last complaint.
func eventually(t testing.TB, timeout time.Duration, cond func() string) {
	t.Helper()
	eventuallyOr(t, timeout, nil, cond)
}

// eventuallyOr is eventually, calling explain (if not nil) before failing.
func eventuallyOr(t testing.TB, timeout time.Duration, explain func(), cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			if explain != nil {
				explain()
			}
			t.Fatalf("after %v: %s", timeout, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dump logs what each host knows of its peers, for a failed wait.
func (nw *testNet) dump() {
	for i, h := range nw.hosts {
		if h == nil || h.isClosed() {
			continue
		}
		nw.t.Logf("host %d (%s): stats %+v", i, h.ID(), h.Stats())
		for _, tp := range []Topic{TopicTx, TopicConsensus} {
			var names []string
			for _, p := range h.ps.ListPeers(h.topics[tp].name) {
				names = append(names, fmt.Sprint(slices.Index(nw.ids, p.String())))
			}
			nw.t.Logf("  %s peers: %v", tp, names)
		}
		for _, c := range h.host.Network().Conns() {
			var streams []string
			for _, s := range c.GetStreams() {
				streams = append(streams, fmt.Sprintf("%s/%v", s.Protocol(), s.Stat().Direction))
			}
			nw.t.Logf("  conn to %d: %v opened %v ago, streams %v", slices.Index(nw.ids, c.RemotePeer().String()), c.Stat().Direction, time.Since(c.Stat().Opened).Round(time.Millisecond), streams)
		}
	}
}

// recorder collects deliveries.
type recorder struct {
	mu   sync.Mutex
	msgs []delivered
}

type delivered struct {
	from string
	data string
}

func (r *recorder) deliver(from string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, delivered{from, string(data)})
}

func (r *recorder) all() []delivered {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

func (r *recorder) datas() []string {
	var out []string
	for _, m := range r.all() {
		out = append(out, m.data)
	}
	return out
}

func (r *recorder) count(data string) int {
	n := 0
	for _, m := range r.all() {
		if m.data == data {
			n++
		}
	}
	return n
}

// waitFor waits until r has at least n deliveries.
func (r *recorder) waitFor(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, func() string {
		if got := len(r.all()); got < n {
			return fmt.Sprintf("%d of %d messages delivered: %q", got, n, r.datas())
		}
		return ""
	})
}

// subscribeAll subscribes every host to both topics with a recorder and an
// accept-all validator, and waits for the mesh.
func (nw *testNet) subscribeAll() (tx, cons []*recorder) {
	nw.t.Helper()
	for _, h := range nw.hosts {
		rt, rc := &recorder{}, &recorder{}
		if err := h.Subscribe(TopicTx, nil, rt.deliver); err != nil {
			nw.t.Fatal(err)
		}
		if err := h.Subscribe(TopicConsensus, nil, rc.deliver); err != nil {
			nw.t.Fatal(err)
		}
		tx, cons = append(tx, rt), append(cons, rc)
	}
	nw.waitMesh()
	return tx, cons
}

func publish(t testing.TB, h *Host, tp Topic, data string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Publish(ctx, tp, []byte(data)); err != nil {
		t.Fatalf("publish %q on %s: %v", data, tp, err)
	}
}

// checkNoLeaks fails the test if goroutines it started from libp2p, pubsub
// or this package are still running a few seconds after it ended (the
// cleanups registered after this one, such as closing hosts, run first).
func checkNoLeaks(t testing.TB) {
	t.Helper()
	before := goroutineIDs()
	t.Cleanup(func() {
		var leaked []string
		deadline := time.Now().Add(5 * time.Second)
		for {
			leaked = leaked[:0]
			for id, stack := range goroutineStacks() {
				if _, old := before[id]; old || !ours(stack) {
					continue
				}
				leaked = append(leaked, stack)
			}
			if len(leaked) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(leaked) > 0 {
			t.Errorf("%d goroutines leaked:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
	})
}

// processWide are goroutines libraries start once per process and keep.
var processWide = []string{
	"go-flow-metrics.(*sweeper)", // bandwidth meters' global sweeper
	"gologshim",                  // logger set-up
	"go-libp2p-asn-util",         // lazy ASN table
	"net/http.(*persistConn)",    // not ours
	"testing.(*T).Run",           // sub-tests
	"testing.runFuzzing",         // fuzz workers
	// gossipsub's first dial of direct peers sleeps DirectConnectInitialDelay
	// (one heartbeat) whatever its context says, then queues the dials on a
	// buffered channel and ends: late, but bounded.
	"go-libp2p-pubsub.(*GossipSubRouter).Attach.func",
}

func ours(stack string) bool {
	for _, s := range processWide {
		if strings.Contains(stack, s) {
			return false
		}
	}
	return strings.Contains(stack, "libp2p") || strings.Contains(stack, "jtchain/host/p2p") ||
		strings.Contains(stack, "yamux") || strings.Contains(stack, "multiformats")
}

var goroutineHeader = regexp.MustCompile(`^goroutine (\d+) `)

func goroutineStacks() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := make(map[string]string)
	for _, g := range strings.Split(string(buf), "\n\n") {
		if m := goroutineHeader.FindStringSubmatch(g); m != nil {
			out[m[1]] = g
		}
	}
	return out
}

func goroutineIDs() map[string]struct{} {
	out := make(map[string]struct{})
	for id := range goroutineStacks() {
		out[id] = struct{}{}
	}
	return out
}
