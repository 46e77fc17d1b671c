package main

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/jtchain/jtchain/sdk/consensus"
	_ "github.com/jtchain/jtchain/sdk/consensus/consensustest" // registers -seed
)

// The cluster simulation: N engines in process, each behind a fake node
// that does what the real one does with the outputs — keeps the latest
// safety record, builds blocks, applies Commits to its own chain and
// starts the next height at once (inside the Commit, as the node's driver
// does), fetches ledgers from a peer on RequestCatchUp, signs nothing and
// gossips every message to every validator, looping its own back. The
// network delays, drops, duplicates, reorders and replays old messages;
// the faults are crash-restarts (of the plugin, losing a whole Step's
// outputs, or of the node, after part of them), killing the leader over
// and over, and cutting one node off and healing it.
//
// Time is virtual, so a minute of chain time takes milliseconds. The
// simulation's own choices come from the seed; raft's randomized election
// timeouts use the library's own random source, so a seed replays the
// faults but not every election. The checks do not depend on either:
// agreement (no two nodes commit different blocks at a height), no gaps
// (each node commits h+1 right after h, or fetches ledgers from a peer),
// the durability rule (a vote or an append acknowledgement leaves the node
// only after a record holding it), and liveness (after the faults stop,
// every node commits more ledgers, the cut-off one included).

// simSeeds is -seed when given, otherwise the fixed seeds.
func simSeeds(defaults ...int64) []int64 {
	if f := flag.Lookup("seed"); f != nil {
		if v, err := strconv.ParseInt(f.Value.String(), 10, 64); err == nil && v != 0 {
			return []int64{v}
		}
	}
	return defaults
}

type scenario struct {
	name      string
	nodes     int
	crashes   bool // random plugin and node crashes
	killLead  bool // crash the leader every few seconds
	partition bool // cut one node off for a while, long enough for it to need a snapshot
	faultsFor time.Duration
	liveness  int // ledgers every node must commit after the faults stop
}

var scenarios = []scenario{
	{name: "3 nodes crash and restart", nodes: 3, crashes: true, faultsFor: 30 * time.Second, liveness: 5},
	{name: "3 nodes leader killed", nodes: 3, killLead: true, faultsFor: 30 * time.Second, liveness: 5},
	{name: "3 nodes partition", nodes: 3, partition: true, faultsFor: 30 * time.Second, liveness: 5},
	{name: "5 nodes every fault", nodes: 5, crashes: true, killLead: true, partition: true, faultsFor: 40 * time.Second, liveness: 5},
	{name: "5 nodes partition and crash", nodes: 5, crashes: true, partition: true, faultsFor: 30 * time.Second, liveness: 5},
	{name: "3 nodes every fault, long chain", nodes: 3, crashes: true, killLead: true, partition: true, faultsFor: 60 * time.Second, liveness: 10},
}

func TestClusterSimulation(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			for _, seed := range simSeeds(seedRange(1, 20)...) {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					t.Logf("seed %d (replay with -seed %d)", seed, seed)
					runScenario(t, seed, sc)
				})
			}
		})
	}
}

// Simulation constants: the node's 100 ms tick, ledgers at most every
// 300 ms while transactions wait and every second when idle.
const (
	simTick  = 100 * time.Millisecond
	simStep  = 10 * time.Millisecond
	simClose = 300 * time.Millisecond
	simIdle  = time.Second
)

func runScenario(t *testing.T, seed int64, sc scenario) {
	s := newSim(t, seed, sc.nodes)
	s.run(5 * time.Second) // settle: the group forms and elects
	if s.maxTip() < 3 {
		t.Fatalf("no ledgers after the group formed: %s", s.describe())
	}
	start := s.now
	end := start.Add(sc.faultsFor)
	nextKill := start.Add(3 * time.Second)
	cut := -1
	cutAt := start.Add(time.Duration(s.rng.Int64N(int64(sc.faultsFor / 4))))
	var cutTip, othersAtReconnect uint64
	s.crashRate = 0
	if sc.crashes {
		s.crashRate = 4 // per mille of steps
	}
	for s.now.Before(end) {
		if sc.killLead && !s.now.Before(nextKill) {
			if l := s.leader(); l >= 0 {
				s.crash(l, "leader killed", 300*time.Millisecond+time.Duration(s.rng.Int64N(int64(1500*time.Millisecond))))
			}
			nextKill = s.now.Add(2*time.Second + time.Duration(s.rng.Int64N(int64(3*time.Second))))
		}
		if sc.partition && cut < 0 && !s.now.Before(cutAt) {
			cut = s.rng.IntN(len(s.nodes))
			s.nodes[cut].cut = true
			cutTip = s.nodes[cut].tipH
			t.Logf("%s: node %d cut off at ledger %d", s.elapsed(), cut, cutTip)
		}
		if cut >= 0 && s.nodes[cut].cut && s.now.After(cutAt.Add(sc.faultsFor/2)) {
			s.nodes[cut].cut = false
			othersAtReconnect = s.maxTip()
			t.Logf("%s: node %d reconnected at ledger %d; the others are at %d", s.elapsed(), cut, s.nodes[cut].tipH, s.maxTip())
		}
		s.tick()
		if t.Failed() {
			t.Fatalf("stopped at %s: %s", s.elapsed(), s.describe())
		}
	}
	// The faults stop: everyone reconnects and down nodes come back.
	s.crashRate = 0
	for _, n := range s.nodes {
		n.cut = false
	}
	base := s.maxTip()
	t.Logf("%s: faults stopped at ledger %d: %s", s.elapsed(), base, s.describe())
	deadline := s.now.Add(60 * time.Second)
	for !s.allAtLeast(base + uint64(sc.liveness)) {
		if s.now.After(deadline) {
			t.Fatalf("liveness: not every node reached ledger %d within 60 s after the faults stopped: %s", base+uint64(sc.liveness), s.describe())
		}
		s.tick()
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%s: every node at ledger %d or above: %s", s.elapsed(), base+uint64(sc.liveness), s.describe())
	if sc.partition && !sc.crashes && !sc.killLead {
		// With no other fault the others went on while the node was away,
		// past the log the leader keeps.
		n := s.nodes[cut]
		if othersAtReconnect <= cutTip+retainLedgers+keepEntries {
			t.Fatalf("the others committed only up to %d while node %d was cut off at %d: the partition was too short to test a snapshot", othersAtReconnect, cut, cutTip)
		}
		if snaps, catchUps := n.counts(); snaps == 0 || catchUps == 0 {
			t.Errorf("node %d came back from %d ledgers behind without a snapshot (%d) and a catch-up (%d)", cut, othersAtReconnect-cutTip, snaps, catchUps)
		}
	}
	if s.stepErrs > 0 {
		t.Errorf("%d Steps failed", s.stepErrs)
	}
}

type simNode struct {
	i      int
	addr   consensus.AccountID
	eng    *engine // nil while down
	params consensus.Params
	record []byte
	rec    *record // record, decoded

	// The node's chain: blocks by height, genesis at 1.
	chain    map[uint64]consensus.Block
	tipH     uint64
	tipID    consensus.Hash256
	builds   int
	upAt     time.Time // when a down node comes back
	nextTick time.Time
	cut      bool
	catching bool // a catch-up is scheduled

	snapshots, catchUps, restarts int
}

// counts are the snapshots installed and catch-ups asked by n's engines.
func (n *simNode) counts() (snapshots, catchUps int) {
	snapshots, catchUps = n.snapshots, n.catchUps
	if n.eng != nil {
		snapshots += n.eng.stats.snapshots
		catchUps += n.eng.stats.catchUps
	}
	return snapshots, catchUps
}

type sim struct {
	t         *testing.T
	rng       *rand.Rand
	start     time.Time
	now       time.Time
	nodes     []*simNode
	vals      []consensus.Validator
	net       netQueue
	seq       uint64
	sent      [][]byte // recent payloads, for replays
	decided   map[uint64]consensus.Hash256
	built     map[consensus.Hash256]consensus.Block
	crashRate int // per mille of steps
	stepErrs  int
	later     []timed // scheduled host events (catch-ups)
}

type timed struct {
	at time.Time
	fn func()
}

func newSim(t *testing.T, seed int64, n int) *sim {
	s := &sim{
		t:       t,
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x7261667473696d)), // "raftsim"
		start:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		decided: map[uint64]consensus.Hash256{},
		built:   map[consensus.Hash256]consensus.Block{},
	}
	s.now = s.start
	genesis := consensus.Block{Height: 1, ID: sha256.Sum256([]byte("genesis"))}
	s.decided[1] = genesis.ID
	for i := range n {
		addr := consensus.AccountID{0xa0, byte(i)}
		s.vals = append(s.vals, consensus.Validator{Address: addr, PublicKey: []byte{2, byte(i)}})
		s.nodes = append(s.nodes, &simNode{
			i: i, addr: addr,
			params: consensus.Params{ChainID: "raft-sim", Self: addr, CloseInterval: simClose, IdleInterval: simIdle, LedgerTarget: 20},
			chain:  map[uint64]consensus.Block{1: genesis}, tipH: 1, tipID: genesis.ID,
			nextTick: s.now.Add(time.Duration(s.rng.Int64N(int64(simTick)))),
		})
	}
	for _, nd := range s.nodes {
		s.boot(nd)
	}
	return s
}

func (s *sim) elapsed() time.Duration { return s.now.Sub(s.start) }

// boot starts the plugin as the node does after a launch or a crash:
// Configure with the record, Restore, then the height in progress.
func (s *sim) boot(n *simNode) {
	e := quiet()
	p := n.params
	p.Safety = n.record
	if _, err := e.Configure(context.Background(), consensus.ConfigureRequest{Params: p}); err != nil {
		s.t.Fatalf("node %d: Configure from its record: %v", n.i, err)
	}
	if n.record != nil {
		if _, err := e.Restore(context.Background(), consensus.RestoreRequest{Safety: n.record, LastCommitted: n.tipH}); err != nil {
			s.t.Fatalf("node %d: Restore: %v", n.i, err)
		}
	}
	n.eng = e
	s.input(n, s.startHeight(n))
}

func (s *sim) startHeight(n *simNode) consensus.StartHeight {
	return consensus.StartHeight{Height: n.tipH + 1, ParentID: n.tipID, Validators: s.vals, Seed: consensus.Hash256{byte(n.tipH)}, Now: s.now}
}

// crash kills n's plugin (its Step outputs not yet carried out are lost)
// and brings it back after down.
func (s *sim) crash(i int, why string, down time.Duration) {
	n := s.nodes[i]
	if n.eng == nil {
		return
	}
	n.snapshots += n.eng.stats.snapshots
	n.catchUps += n.eng.stats.catchUps
	n.eng = nil
	n.restarts++
	n.upAt = s.now.Add(down)
	s.t.Logf("%s: node %d %s at ledger %d, back in %s", s.elapsed(), i, why, n.tipH, down)
}

func (s *sim) leader() int {
	for _, n := range s.nodes {
		if n.eng != nil && n.eng.rn != nil && n.eng.rn.BasicStatus().RaftState == raft.StateLeader && !n.cut {
			return n.i
		}
	}
	return -1
}

// tick advances virtual time by one step: delivers what is due, fires the
// node ticks and transaction reports, restarts nodes whose downtime ended.
func (s *sim) tick() {
	s.now = s.now.Add(simStep)
	for len(s.later) > 0 && !s.later[0].at.After(s.now) {
		ev := s.later[0]
		s.later = s.later[1:]
		ev.fn()
	}
	for s.net.Len() > 0 && !s.net[0].at.After(s.now) {
		m := heap.Pop(&s.net).(*inflight)
		to := s.nodes[m.to]
		if to.eng == nil || to.cut || s.nodes[m.from].cut {
			continue
		}
		s.input(to, consensus.Message{From: s.nodes[m.from].addr, Payload: m.payload, Signature: []byte{1}})
	}
	for _, n := range s.nodes {
		if n.eng == nil {
			if !s.now.Before(n.upAt) {
				s.boot(n)
			}
			continue
		}
		if !s.now.Before(n.nextTick) {
			n.nextTick = n.nextTick.Add(simTick)
			s.input(n, consensus.Tick{Now: s.now})
			if n.eng != nil && s.rng.IntN(3) == 0 {
				s.input(n, consensus.TxsAvailable{Count: s.rng.IntN(12), Now: s.now})
			}
		}
	}
}

func (s *sim) run(d time.Duration) {
	end := s.now.Add(d)
	for s.now.Before(end) && !s.t.Failed() {
		s.tick()
	}
}

// input steps one input and carries out the outputs in order, feeding
// immediate answers (the built block, the node's own messages) back, as
// the node's driver does.
func (s *sim) input(n *simNode, in consensus.Input) {
	queue := []consensus.Input{in}
	for len(queue) > 0 && n.eng != nil {
		in := queue[0]
		queue = queue[1:]
		resp, err := n.eng.Step(context.Background(), consensus.StepRequest{Inputs: []consensus.Input{in}})
		if err != nil {
			s.stepErrs++
			s.t.Errorf("node %d: Step(%T): %v", n.i, in, err)
			return
		}
		if s.crashRate > 0 && s.rng.IntN(1000) < s.crashRate {
			// The plugin dies before the node received the outputs.
			s.crash(n.i, "plugin crashed in Step", time.Duration(s.rng.Int64N(int64(2*time.Second))))
			return
		}
		committed := false
		for k, o := range resp.Outputs {
			if s.crashRate > 0 && s.rng.IntN(1000) < s.crashRate/2 {
				// The whole node dies after carrying out the outputs before k,
				// and loses the ledgers its store had not yet synced (the
				// node's driver stores decided ledgers behind consensus).
				lost := min(uint64(s.rng.IntN(9)), n.tipH-1)
				for range lost {
					delete(n.chain, n.tipH)
					n.tipH--
					n.tipID = n.chain[n.tipH].ID
				}
				s.crash(n.i, fmt.Sprintf("node crashed at output %d of %d, losing %d ledgers,", k, len(resp.Outputs), lost), time.Duration(s.rng.Int64N(int64(2*time.Second))))
				return
			}
			switch o.(type) {
			case consensus.Commit:
				committed = true
			case consensus.PersistSafety, consensus.SignAndBroadcast:
				if committed {
					s.t.Errorf("node %d: %T after a Commit of the same input: the node may have started the next height in between", n.i, o)
				}
			}
			queue = append(queue, s.execute(n, o)...)
			if n.eng == nil {
				return
			}
		}
	}
}

func (s *sim) execute(n *simNode, o consensus.Output) []consensus.Input {
	switch o := o.(type) {
	case consensus.PersistSafety:
		rec, err := decodeRecord(o.Record)
		if err != nil {
			s.t.Errorf("node %d: the safety record does not decode: %v", n.i, err)
			return nil
		}
		n.record, n.rec = o.Record, rec
	case consensus.SignAndBroadcast:
		s.checkDurable(n, o.Payload)
		s.broadcast(n, o.Payload)
		return []consensus.Input{consensus.Message{From: n.addr, Payload: o.Payload, Signature: []byte{1}}}
	case consensus.BuildBlock:
		if o.Height != n.tipH+1 {
			s.t.Errorf("node %d: BuildBlock for %d while at ledger %d", n.i, o.Height, n.tipH)
			return nil
		}
		n.builds++
		payload := fmt.Appendf(nil, "node %d ledger %d build %d", n.i, o.Height, n.builds)
		b := consensus.Block{Height: o.Height, ParentID: n.tipID, Payload: payload}
		b.ID = blockHash(b)
		s.built[b.ID] = b
		return []consensus.Input{consensus.BlockBuilt{Height: o.Height, Round: o.Round, Block: b}}
	case consensus.Commit:
		s.commit(n, o)
	case consensus.RequestCatchUp:
		if !n.catching {
			n.catching = true
			s.schedule(time.Duration(20+s.rng.IntN(200))*time.Millisecond, func() { s.catchUp(n) })
		}
	default:
		s.t.Errorf("node %d: unexpected output %T", n.i, o)
	}
	return nil
}

func blockHash(b consensus.Block) consensus.Hash256 {
	h := sha256.New()
	h.Write(binary.BigEndian.AppendUint64(nil, b.Height))
	h.Write(b.ParentID[:])
	h.Write(b.Payload)
	return consensus.Hash256(h.Sum(nil))
}

// commit applies a Commit: it must extend the node's chain by one with a
// block some node built, and agree with every other node's block of that
// height; then the node starts the next height at once, inside the
// Commit, as the real driver does.
func (s *sim) commit(n *simNode, c consensus.Commit) {
	b := c.Block
	switch {
	case b.Height != n.tipH+1:
		s.t.Errorf("node %d: gap: Commit of %d at ledger %d", n.i, b.Height, n.tipH)
		return
	case b.ParentID != n.tipID:
		s.t.Errorf("node %d: Commit of %d on another parent", n.i, b.Height)
		return
	}
	if built, ok := s.built[b.ID]; !ok || built.Height != b.Height || string(built.Payload) != string(b.Payload) || built.ParentID != b.ParentID {
		s.t.Errorf("node %d: Commit of %d: a block nobody built", n.i, b.Height)
		return
	}
	if _, _, err := decodeCertificate(c.Certificate); err != nil {
		s.t.Errorf("node %d: certificate: %v", n.i, err)
	}
	s.agree(n, b)
	n.chain[b.Height] = b
	n.tipH, n.tipID = b.Height, b.ID
	s.input(n, s.startHeight(n))
}

func (s *sim) agree(n *simNode, b consensus.Block) {
	if prev, ok := s.decided[b.Height]; ok && prev != b.ID {
		s.t.Errorf("agreement: node %d has %x at ledger %d, another node %x", n.i, b.ID[:4], b.Height, prev[:4])
	}
	s.decided[b.Height] = b.ID
}

// catchUp copies the ledgers n lacks from the reachable peer with the
// longest chain, then starts the height after them.
func (s *sim) catchUp(n *simNode) {
	n.catching = false
	if n.cut {
		return
	}
	var from *simNode
	for _, p := range s.nodes {
		if p != n && !p.cut && p.tipH > n.tipH && (from == nil || p.tipH > from.tipH) {
			from = p
		}
	}
	if from == nil {
		return
	}
	for h := n.tipH + 1; h <= from.tipH; h++ {
		b := from.chain[h]
		if b.ParentID != n.tipID {
			s.t.Errorf("node %d: catching up from node %d: ledger %d does not follow %d", n.i, from.i, h, h-1)
			return
		}
		s.agree(n, b)
		n.chain[h] = b
		n.tipH, n.tipID = h, b.ID
	}
	if n.eng != nil {
		s.input(n, s.startHeight(n))
	}
}

func (s *sim) schedule(after time.Duration, fn func()) {
	at := s.now.Add(after)
	i := len(s.later)
	for i > 0 && s.later[i-1].at.After(at) {
		i--
	}
	s.later = append(s.later, timed{})
	copy(s.later[i+1:], s.later[i:])
	s.later[i] = timed{at: at, fn: fn}
}

// broadcast gossips a payload to every other validator: each copy may be
// dropped or duplicated and takes 1 to 60 ms; now and then an old message
// is delivered again.
func (s *sim) broadcast(n *simNode, payload []byte) {
	for _, to := range s.nodes {
		if to == n {
			continue
		}
		copies := 1
		switch r := s.rng.IntN(100); {
		case r < 5:
			copies = 0
		case r < 8:
			copies = 2
		}
		for range copies {
			s.send(n.i, to.i, payload, time.Duration(1+s.rng.IntN(60))*time.Millisecond)
		}
	}
	if len(s.sent) < 256 {
		s.sent = append(s.sent, payload)
	} else {
		s.sent[s.rng.IntN(len(s.sent))] = payload
	}
	if s.rng.IntN(100) == 0 {
		old := s.sent[s.rng.IntN(len(s.sent))]
		if m, err := decodeMessage(old); err == nil && m.From >= 1 && int(m.From) <= len(s.nodes) && m.To >= 1 && int(m.To) <= len(s.nodes) {
			s.send(int(m.From-1), int(m.To-1), old, time.Duration(s.rng.IntN(500))*time.Millisecond)
		}
	}
}

func (s *sim) send(from, to int, payload []byte, delay time.Duration) {
	s.seq++
	heap.Push(&s.net, &inflight{at: s.now.Add(delay), seq: s.seq, from: from, to: to, payload: payload})
}

// checkDurable holds a message to raft's rule: what it acknowledges is in
// the record the node saved before sending it.
func (s *sim) checkDurable(n *simNode, payload []byte) {
	m, err := decodeMessage(payload)
	if err != nil {
		s.t.Errorf("node %d: broadcast an undecodable message: %v", n.i, err)
		return
	}
	if m.Type == raftpb.MsgPreVote || m.Type == raftpb.MsgPreVoteResp {
		return // pre-votes persist nothing
	}
	r := n.rec
	if r == nil {
		s.t.Errorf("node %d: sent %s before any record", n.i, m.Type)
		return
	}
	if r.hard.Term < m.Term {
		s.t.Errorf("node %d: sent %s of term %d with a record of term %d", n.i, m.Type, m.Term, r.hard.Term)
	}
	if m.Type == raftpb.MsgVoteResp && !m.Reject && r.hard.Term == m.Term && r.hard.Vote != m.To {
		s.t.Errorf("node %d: granted its vote in term %d to %d with a record voting for %d", n.i, m.Term, m.To, r.hard.Vote)
	}
	if m.Type == raftpb.MsgAppResp && !m.Reject && r.hard.Term == m.Term {
		if last := r.snap.index + uint64(len(r.entries)); m.Index > last {
			s.t.Errorf("node %d: acknowledged index %d with a record ending at %d", n.i, m.Index, last)
		}
	}
}

func (s *sim) maxTip() uint64 {
	var m uint64
	for _, n := range s.nodes {
		m = max(m, n.tipH)
	}
	return m
}

func (s *sim) allAtLeast(h uint64) bool {
	for _, n := range s.nodes {
		if n.tipH < h {
			return false
		}
	}
	return true
}

func (s *sim) describe() string {
	var b strings.Builder
	for _, n := range s.nodes {
		state := "down"
		if n.eng != nil {
			state = "up"
			if n.eng.rn != nil {
				st := n.eng.rn.BasicStatus()
				state = fmt.Sprintf("%s term %d commit %d", st.RaftState, st.Term, st.Commit)
			}
			n := n.eng
			state += fmt.Sprintf(" h %d processed %d awaiting %d snap %d/%d", n.h, n.processed, n.awaiting, n.snap.index, n.snap.height)
		}
		if n.cut {
			state += " cut"
		}
		fmt.Fprintf(&b, "\n  node %d: ledger %d, %d restarts, %s", n.i, n.tipH, n.restarts, state)
	}
	return b.String()
}

// netQueue is the network: messages in flight by delivery time.
type inflight struct {
	at       time.Time
	seq      uint64
	from, to int
	payload  []byte
}

type netQueue []*inflight

func (q netQueue) Len() int { return len(q) }
func (q netQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q netQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *netQueue) Push(x any)   { *q = append(*q, x.(*inflight)) }
func (q *netQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func seedRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}
