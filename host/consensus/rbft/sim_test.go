package rbft

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// The T1 simulator (spec/rbft.md §2.8): N engines driven by fake drivers on
// a seeded discrete-event scheduler with virtual time, in the style of
// rippled's CSF. Faults, all drawn from the seed: message drop, delay,
// reorder, duplication, partitions that change every few seconds,
// crash-restart from the persisted safety record (also right after a
// PersistSafety, before the message went out), and f Byzantine validators:
// Twins (two honest engines sharing one key, kept in different partitions)
// or an equivocating driver that sends different proposals and votes to
// different halves of the network. After the faults stop, every correct
// node must decide the remaining heights within a virtual-time bound.
//
// Checked at every step: I1 agreement, I2 certified commits (through
// VerifyCertificate), I8 (no correct validator signs two different messages
// for one (h, r, step)), persist-before-send, evidence only against
// Byzantine validators and always when one equivocated visibly to a correct
// node. Replay a failure with the printed -seed.

var (
	simSeeds   = flag.Int("rbft.seeds", 500, "simulator runs per validator count")
	simFirst   = flag.Int64("rbft.first", 1, "first simulator seed")
	simReplay  = flag.Int64("seed", 0, "replay one simulator seed (0: run -rbft.seeds seeds)")
	simHeights = flag.Int("rbft.heights", 30, "heights each simulator run decides")
	simTrace   = flag.Bool("rbft.trace", false, "log the simulator's events (with -seed)")
)

func TestSimulator(t *testing.T) {
	for _, n := range []int{4, 7} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			t.Parallel()
			seeds := []int64{*simReplay}
			if *simReplay == 0 {
				seeds = seeds[:0]
				for i := 0; i < *simSeeds; i++ {
					seeds = append(seeds, *simFirst+int64(i))
				}
			}
			var stats simStats
			start := time.Now()
			for _, seed := range seeds {
				s := newSim(simScenario(n, *simHeights, seed), seed)
				if *simTrace && *simReplay != 0 {
					s.trace = t.Logf
				}
				s.run()
				stats.add(s)
				if len(s.violations) > 0 {
					t.Fatalf("seed %d (%s): %s\nreplay: go test ./host/consensus/rbft -run 'TestSimulator/n=%d$' -seed=%d -rbft.trace -v",
						seed, s.p, strings.Join(s.violations, "\n"), n, seed)
				}
			}
			t.Logf("n=%d: %d seeds × %d heights in %s wall; %s", n, len(seeds), *simHeights, time.Since(start).Round(time.Millisecond), &stats)
			// A fault that never happened was not tested: with the full
			// seed set every kind must have occurred.
			if len(seeds) >= 100 {
				for _, c := range stats.counters() {
					if c.v == 0 {
						t.Errorf("n=%d: no %s in %d seeds: the simulator does not exercise it", n, c.name, len(seeds))
					}
				}
			}
		})
	}
}

// TestSimulatorControl is the mutation test of the harness (scenario S8's
// control): with two Twins pairs at n=4 (and three at n=7) the duplicated
// keys hold more than a third of the power, and a partition that gives each
// side a quorum must produce a fork that the checker reports.
func TestSimulatorControl(t *testing.T) {
	t.Parallel()
	runs, forks := 0, 0
	defer func() { t.Logf("%d super-Byzantine runs, %d forks detected", runs, forks) }()
	for _, n := range []int{4, 7} {
		for seed := int64(1); seed <= 10; seed++ {
			p := simParams{
				n: n, heights: 3, minDelay: time.Millisecond, maxDelay: 30 * time.Millisecond,
				faultTime: 20 * time.Second, control: true,
			}
			if n == 4 {
				p.twins = []int{2, 3}
			} else {
				p.twins = []int{4, 5, 6}
			}
			s := newSim(p, seed)
			s.run()
			forked := false
			for _, v := range s.violations {
				if strings.Contains(v, ": I1: ") {
					forked = true
				}
			}
			runs++
			if forked {
				forks++
			}
			if !forked {
				t.Errorf("n=%d seed %d: super-Byzantine run without a detected fork; violations: %v", n, seed, s.violations)
			}
		}
	}
}

// simParams is one scenario.
type simParams struct {
	n, heights         int
	twins              []int // identities run by two processes
	equivocators       []int // identities whose driver equivocates
	drop, dup          float64
	minDelay, maxDelay time.Duration
	partitions         bool
	crashes            bool
	badBlocks          float64       // share of built blocks others find invalid
	faultTime          time.Duration // faults stop by then at the latest
	control            bool          // static quorum-per-side partition (S8 control)
}

func (p simParams) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n=%d", p.n)
	if len(p.twins) > 0 {
		fmt.Fprintf(&b, " twins=%v", p.twins)
	}
	if len(p.equivocators) > 0 {
		fmt.Fprintf(&b, " equivocators=%v", p.equivocators)
	}
	fmt.Fprintf(&b, " drop=%.2f dup=%.2f delay=%s..%s partitions=%v crashes=%v bad=%.2f faults≤%s",
		p.drop, p.dup, p.minDelay, p.maxDelay, p.partitions, p.crashes, p.badBlocks, p.faultTime)
	return b.String()
}

// simScenario draws a scenario from the seed.
func simScenario(n, heights int, seed int64) simParams {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5ce0a210))
	f, _, _ := thresholds(n)
	p := simParams{
		n: n, heights: heights,
		drop:       rng.Float64() * 0.2,
		dup:        rng.Float64() * 0.1,
		minDelay:   time.Millisecond,
		maxDelay:   time.Duration(5+rng.IntN(2000)) * time.Millisecond,
		partitions: rng.IntN(2) == 0,
		crashes:    rng.IntN(2) == 0,
		badBlocks:  rng.Float64() * 0.1,
		faultTime:  time.Duration(10+rng.IntN(50)) * time.Second,
	}
	byz := rng.Perm(n)[:f]
	switch rng.IntN(3) {
	case 1:
		p.twins = byz
	case 2:
		p.equivocators = byz
	}
	return p
}

// Simulator state.

type simProc struct {
	idx, ident int
	eng        *Engine
	up         bool
	epoch      int // bumped by a crash: events of older epochs are lost
	byz        bool
	equivocate bool
	// Durable driver state.
	height uint64 // the height in progress
	chain  []simBlock
	seeds  []codec.Hash256 // seeds[h-1] = seed_h
	safety []byte
	// Evidence bookkeeping (reset by a crash: the engine forgets).
	seen     map[seenKey][][]byte
	reported map[seenKey]bool
}

type simBlock struct {
	block consensus.Block
	cert  []byte
}

type seenKey struct {
	ident int
	h     uint64
	r     int32
	typ   byte
}

type signKey struct {
	ident int
	pos   hrs
}

type simEventKind uint8

const (
	evInput simEventKind = iota
	evTick
	evRestart
	evCrash
	evPartition
	evHeal
	evCatchUp
)

type simEvent struct {
	at    time.Duration
	seq   uint64
	kind  simEventKind
	proc  int
	epoch int
	in    consensus.Input
	catch []simBlock
}

type eventQueue []*simEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type sim struct {
	p       simParams
	seed    int64
	rng     *rand.Rand
	now     time.Duration
	queue   eventQueue
	seq     uint64
	vals    []consensus.Validator
	genesis codec.Hash256
	procs   []*simProc
	byz     []bool // by identity
	groups  []int  // partition group per process; nil when connected
	healed  bool
	healAt  time.Duration
	// deadline is the liveness bound, set at heal.
	deadline time.Duration

	decided    map[uint64]decision // by correct processes
	decidedByz map[uint64]decision // by processes of Byzantine identities
	signedBy   map[signKey][]byte

	violations []string
	trace      func(string, ...any)

	// statistics
	commits, catchUps, crashes, evidence, messages int
	maxRound                                       int32
	faults                                         simFaults
	linkArrival                                    map[[2]int]time.Duration // latest scheduled arrival per link
	healToDone                                     time.Duration
}

// simFaults counts the faults a run injected, so that a test can show each
// kind really happened.
type simFaults struct {
	drops, partitionDrops, dups, reorders int
	partitions                            int // partition changes that split the network
	crashAfterPersist                     int // crashes between PersistSafety and its SignAndBroadcast
	restarts, restartsLocked              int // restarts from a record; of them, with a lock to restore
	equivocations                         int // second messages sent by equivocating drivers
	twinRuns, equivocatorRuns             int
}

type decision struct {
	id   codec.Hash256
	proc int
}

const (
	simTick        = 250 * time.Millisecond
	simMaxEvents   = 3_000_000
	simHealedDelay = 20 * time.Millisecond
)

func newSim(p simParams, seed int64) *sim {
	s := &sim{
		p: p, seed: seed,
		rng:        rand.New(rand.NewPCG(uint64(seed), 0x7e57)),
		vals:       testValidators(p.n),
		byz:        make([]bool, p.n),
		decided:    make(map[uint64]decision),
		decidedByz: make(map[uint64]decision),
		signedBy:   make(map[signKey][]byte),

		linkArrival: make(map[[2]int]time.Duration),
	}
	if len(p.twins) > 0 {
		s.faults.twinRuns = 1
	}
	if len(p.equivocators) > 0 {
		s.faults.equivocatorRuns = 1
	}
	s.genesis = BlockID([]byte(fmt.Sprintf("genesis %d", seed)))
	for _, i := range p.twins {
		s.byz[i] = true
	}
	for _, i := range p.equivocators {
		s.byz[i] = true
	}
	for ident := 0; ident < p.n; ident++ {
		copies := 1
		if s.byz[ident] && containsInt(p.twins, ident) {
			copies = 2
		}
		for c := 0; c < copies; c++ {
			s.procs = append(s.procs, &simProc{
				idx: len(s.procs), ident: ident, byz: s.byz[ident],
				equivocate: containsInt(p.equivocators, ident),
				height:     1,
				seeds:      []codec.Hash256{GenesisSeed(s.genesis)},
			})
		}
	}
	return s
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (s *sim) logf(format string, args ...any) {
	if s.trace != nil {
		s.trace("%9s "+format, append([]any{s.now.Round(time.Millisecond)}, args...)...)
	}
}

func (s *sim) violation(format string, args ...any) {
	v := fmt.Sprintf(format, args...)
	s.logf("VIOLATION %s", v)
	if len(s.violations) < 10 {
		s.violations = append(s.violations, fmt.Sprintf("t=%s: %s", s.now, v))
	}
}

func (s *sim) push(e *simEvent) {
	s.seq++
	e.seq = s.seq
	heap.Push(&s.queue, e)
}

func (s *sim) after(d time.Duration, e *simEvent) {
	e.at = s.now + d
	s.push(e)
}

func (s *sim) correct(p *simProc) bool { return !p.byz }

func (s *sim) run() {
	for _, p := range s.procs {
		s.boot(p)
	}
	if s.p.control {
		// Each side gets every correct identity of its half and one
		// process of every twin pair: a quorum per side.
		s.groups = make([]int, len(s.procs))
		half := (s.p.n - len(s.p.twins)) / 2
		twinSeen := map[int]bool{}
		for i, p := range s.procs {
			switch {
			case p.byz && twinSeen[p.ident]:
				s.groups[i] = 1
			case p.byz:
				twinSeen[p.ident] = true
			case p.ident >= half:
				s.groups[i] = 1
			}
		}
	} else {
		if s.p.partitions {
			s.after(time.Duration(s.rng.IntN(2000))*time.Millisecond, &simEvent{kind: evPartition})
		}
		if s.p.crashes {
			s.after(time.Duration(500+s.rng.IntN(3000))*time.Millisecond, &simEvent{kind: evCrash})
		}
	}
	s.after(s.p.faultTime, &simEvent{kind: evHeal})

	for events := 0; s.queue.Len() > 0; events++ {
		if events > simMaxEvents {
			s.violation("runaway: %d events", events)
			return
		}
		e := heap.Pop(&s.queue).(*simEvent)
		s.now = e.at
		if s.healed && s.now > s.deadline {
			s.violation("I7 liveness: healed at %s, deadline %s, heights %s", s.healAt, s.deadline, s.heights())
			return
		}
		s.dispatch(e)
		if len(s.violations) > 0 {
			return
		}
		if s.done() {
			if s.healed {
				s.healToDone = s.now - s.healAt
			}
			return
		}
	}
	s.violation("the event queue ran dry at heights %s", s.heights())
}

func (s *sim) heights() string {
	var b strings.Builder
	for _, p := range s.procs {
		state := ""
		if !p.up {
			state = "(down)"
		}
		if p.eng != nil && p.eng.hs != nil {
			hs := p.eng.hs
			state += fmt.Sprintf("r%d", hs.rs.round)
			if s.trace != nil {
				state += fmt.Sprintf("(%s pv%d pc%d d%v)", hs.rs.step, hs.votes.any(hs.rs.round, Prevote), hs.votes.any(hs.rs.round, Precommit), hs.rs.decided)
			}
		}
		fmt.Fprintf(&b, "p%d:h%d%s ", p.idx, p.height, state)
	}
	return b.String()
}

// done: every correct process decided all heights.
func (s *sim) done() bool {
	for _, p := range s.procs {
		if s.correct(p) && p.height <= uint64(s.p.heights) {
			return false
		}
	}
	return true
}

func (s *sim) dispatch(e *simEvent) {
	switch e.kind {
	case evInput:
		p := s.procs[e.proc]
		if p.up && p.epoch == e.epoch {
			s.step(p, e.in)
		}
	case evTick:
		p := s.procs[e.proc]
		if p.up && p.epoch == e.epoch {
			s.step(p, consensus.Tick{Now: testEpoch.Add(s.now)})
			s.after(simTick, &simEvent{kind: evTick, proc: p.idx, epoch: p.epoch})
		}
	case evRestart:
		p := s.procs[e.proc]
		if !p.up && p.epoch == e.epoch {
			s.boot(p)
		}
	case evCrash:
		if s.healed {
			return
		}
		s.crash(s.procs[s.rng.IntN(len(s.procs))])
		s.after(time.Duration(500+s.rng.IntN(4000))*time.Millisecond, &simEvent{kind: evCrash})
	case evPartition:
		if s.healed {
			return
		}
		s.repartition()
		s.after(time.Duration(1000+s.rng.IntN(3000))*time.Millisecond, &simEvent{kind: evPartition})
	case evHeal:
		s.heal()
	case evCatchUp:
		p := s.procs[e.proc]
		if p.up && p.epoch == e.epoch {
			s.applyCatchUp(p, e.catch)
		}
	}
}

func (s *sim) repartition() {
	k := 1 + s.rng.IntN(3)
	if k == 1 {
		s.groups = nil
		s.logf("partition: none")
		return
	}
	s.groups = make([]int, len(s.procs))
	for i := range s.groups {
		s.groups[i] = s.rng.IntN(k)
	}
	s.faults.partitions++
	// Twins go to different sides.
	first := map[int]int{}
	for i, p := range s.procs {
		if !containsInt(s.p.twins, p.ident) {
			continue
		}
		if j, ok := first[p.ident]; ok {
			if s.groups[i] == s.groups[j] {
				s.groups[i] = (s.groups[j] + 1) % k
			}
		} else {
			first[p.ident] = i
		}
	}
	s.logf("partition: %v", s.groups)
}

func (s *sim) heal() {
	if s.healed {
		return
	}
	s.healed = true
	s.healAt = s.now
	s.groups = nil
	for _, p := range s.procs {
		if !p.up {
			s.boot(p)
		}
	}
	// The bound of spec/rbft.md §11: f+2 rounds at the highest round any
	// correct process is in, plus catch-up, plus two seconds per height
	// still to decide.
	var maxRound int32
	minHeight := uint64(s.p.heights + 1)
	for _, p := range s.procs {
		if p.eng != nil && p.eng.hs != nil && p.eng.hs.rs.round > maxRound {
			maxRound = p.eng.hs.rs.round
		}
		if s.correct(p) {
			minHeight = min(minHeight, p.height)
		}
	}
	f, _, _ := thresholds(s.p.n)
	bound := 30 * time.Second
	for k := int32(0); k <= int32(f)+1; k++ {
		bound += loopbackTimeouts.RoundPeriod(maxRound + k)
	}
	bound += time.Duration(uint64(s.p.heights)+1-minHeight) * 2 * time.Second
	s.deadline = s.now + bound
	s.logf("heal: max round %d, lowest height %d, deadline %s", maxRound, minHeight, s.deadline)
}

func (s *sim) boot(p *simProc) {
	e, err := New(consensus.Params{ChainID: testChain, Self: testAddr(p.ident), Options: loopbackTimeouts.Options(), Safety: p.safety})
	if err != nil {
		s.violation("restart of p%d: %v", p.idx, err)
		return
	}
	p.eng = e.(*Engine)
	p.up = true
	if p.safety != nil {
		s.faults.restarts++
		if rec, err := decodeSafetyRecord(p.safety); err == nil && rec.LockedRound >= 0 && rec.StateHeight == p.height {
			s.faults.restartsLocked++
		}
	}
	p.seen = make(map[seenKey][][]byte)
	if p.reported == nil {
		p.reported = make(map[seenKey]bool)
	}
	s.logf("p%d (v%d) starts at h%d", p.idx, p.ident, p.height)
	s.step(p, s.startHeight(p))
	s.after(time.Duration(s.rng.IntN(int(simTick))), &simEvent{kind: evTick, proc: p.idx, epoch: p.epoch})
}

func (s *sim) startHeight(p *simProc) consensus.StartHeight {
	return consensus.StartHeight{
		Height: p.height, ParentID: s.tip(p), Validators: s.vals,
		Seed: p.seeds[p.height-1], Now: testEpoch.Add(s.now),
	}
}

func (s *sim) tip(p *simProc) codec.Hash256 {
	if len(p.chain) == 0 {
		return s.genesis
	}
	return p.chain[len(p.chain)-1].block.ID
}

func (s *sim) crash(p *simProc) {
	if !p.up || s.healed {
		return
	}
	s.crashes++
	p.up = false
	p.epoch++
	p.eng = nil
	s.logf("p%d crashes", p.idx)
	s.after(time.Duration(200+s.rng.IntN(5000))*time.Millisecond, &simEvent{kind: evRestart, proc: p.idx, epoch: p.epoch})
}

// step is the fake driver's loop: one input, then the inputs its outputs
// produce (own messages looped back, the next StartHeight), in order.
func (s *sim) step(p *simProc, in consensus.Input) {
	queue := []consensus.Input{in}
	for len(queue) > 0 && p.up && len(s.violations) == 0 {
		in := queue[0]
		queue = queue[1:]
		check := s.observe(p, in)
		outs := p.eng.Step(in)
		for i, o := range outs {
			if s.crashBefore(p, outs, i) {
				s.crash(p)
				return
			}
			if next := s.execute(p, o); next != nil {
				queue = append(queue, next)
			}
		}
		if check != nil {
			check()
		}
		if hs := p.eng.hs; hs != nil && hs.rs.round > s.maxRound {
			s.maxRound = hs.rs.round
		}
	}
}

// crashBefore decides whether the process crashes before carrying out
// output i: rarely at any output, more often between a PersistSafety and
// the SignAndBroadcast it protects.
func (s *sim) crashBefore(p *simProc, outs []consensus.Output, i int) bool {
	if !s.p.crashes || s.healed {
		return false
	}
	if _, sign := outs[i].(consensus.SignAndBroadcast); sign && i > 0 {
		if _, persisted := outs[i-1].(consensus.PersistSafety); persisted && s.rng.Float64() < 0.01 {
			s.faults.crashAfterPersist++
			return true
		}
	}
	return s.rng.Float64() < 0.0005
}

// observe notes a message from a Byzantine validator that a correct
// process's engine will count, and returns a check that the engine reported
// the equivocation if it has now seen two different messages for one
// (h, r, type).
func (s *sim) observe(p *simProc, in consensus.Input) func() {
	m, ok := in.(consensus.Message)
	if !ok || !s.correct(p) || p.eng.hs == nil {
		return nil
	}
	ident := int(m.From[0]) - 1
	if ident < 0 || ident >= s.p.n || !s.byz[ident] {
		return nil
	}
	msg, err := DecodeMessage(m.Payload)
	hs := p.eng.hs
	if err != nil || msg.height() != hs.h || hs.rs.decided || msg.round() > p.eng.roundLimit() {
		return nil
	}
	value := m.Payload
	if prop, isProp := msg.(*Proposal); isProp {
		if hs.perm[int(prop.Round)%hs.n] != ident {
			return nil
		}
		value = prop.Header()
	}
	k := seenKey{ident: ident, h: msg.height(), r: msg.round(), typ: m.Payload[1]}
	for _, v := range p.seen[k] {
		if bytes.Equal(v, value) {
			return nil
		}
	}
	p.seen[k] = append(p.seen[k], value)
	if len(p.seen[k]) < 2 {
		return nil
	}
	return func() {
		if p.up && !p.reported[k] {
			s.violation("I8 evidence: p%d saw v%d equivocate at %+v and reported nothing", p.idx, ident, k)
		}
	}
}

func (s *sim) execute(p *simProc, o consensus.Output) consensus.Input {
	switch o := o.(type) {
	case consensus.PersistSafety:
		p.safety = o.Record
	case consensus.SignAndBroadcast:
		return s.sign(p, o.Payload)
	case consensus.ScheduleTimeout:
		s.after(o.Delay, &simEvent{kind: evInput, proc: p.idx, epoch: p.epoch, in: consensus.Timeout{Kind: o.Kind, Height: o.Height, Round: o.Round}})
	case consensus.BuildBlock:
		blk := s.buildBlock(p, o.Height)
		s.after(time.Duration(s.rng.IntN(20))*time.Millisecond, &simEvent{kind: evInput, proc: p.idx, epoch: p.epoch,
			in: consensus.BlockBuilt{Height: o.Height, Round: o.Round, Block: blk}})
	case consensus.Validate:
		ok := s.validBlock(p, o.Block)
		s.after(time.Duration(s.rng.IntN(30))*time.Millisecond, &simEvent{kind: evInput, proc: p.idx, epoch: p.epoch,
			in: consensus.Validated{BlockID: o.Block.ID, OK: ok}})
	case consensus.Commit:
		return s.commit(p, o.Block, o.Certificate, "commit")
	case consensus.Evidence:
		s.onEvidence(p, o.Payload)
	case consensus.RequestCatchUp:
		s.logf("p%d asks to catch up from h%d", p.idx, o.Height)
		s.requestCatchUp(p, o.Height)
	case consensus.Rebroadcast:
		s.logf("p%d rebroadcasts %d", p.idx, len(o.Messages))
		for _, m := range o.Messages {
			s.broadcast(p, m, nil)
		}
	}
	return nil
}

// sign is the driver's signer: it checks persist-before-send and I8, signs,
// sends, and returns the signed message to loop back.
func (s *sim) sign(p *simProc, payload []byte) consensus.Input {
	rec, err := decodeSafetyRecord(p.safety)
	named := false
	if err == nil {
		named = bytes.Equal(rec.LastPayload, payload)
		for _, v := range rec.OwnVotes {
			named = named || bytes.Equal(v, payload)
		}
	}
	if !named {
		s.violation("p%d signs a message its stored safety record does not name", p.idx)
		return nil
	}
	msg, err := DecodeMessage(payload)
	if err != nil {
		s.violation("p%d signs an undecodable payload: %v", p.idx, err)
		return nil
	}
	pos := hrs{msg.height(), msg.round(), step(payload[1])}
	if s.correct(p) {
		k := signKey{p.ident, pos}
		if prev, ok := s.signedBy[k]; ok && !bytes.Equal(prev, payload) {
			s.violation("I8: correct v%d signed two different messages at %+v", p.ident, pos)
		}
		s.signedBy[k] = payload
	}
	if s.trace != nil {
		s.logf("p%d signs %s", p.idx, describeMsg(msg))
	}
	m := consensus.Message{From: testAddr(p.ident), Payload: payload, Signature: fakeSign(testKey(p.ident), SignBytes(testChain, payload))}
	var alt *consensus.Message
	if p.equivocate {
		alt = s.equivocation(p, msg)
		s.faults.equivocations++
	}
	s.broadcast(p, m, alt)
	return m
}

// equivocation makes the Byzantine driver's second message for the same
// (h, r, type): another block, or another vote.
func (s *sim) equivocation(p *simProc, msg Message) *consensus.Message {
	var payload []byte
	switch msg := msg.(type) {
	case *Proposal:
		blk := s.buildBlock(p, msg.Height)
		payload = (&Proposal{Height: msg.Height, Round: msg.Round, ValidRound: -1, BlockID: blk.ID, Payload: blk.Payload}).Encode()
	case *Vote:
		v := *msg
		if v.Nil {
			v.Nil, v.BlockID = false, BlockID([]byte(fmt.Sprintf("phantom %d", s.rng.Uint64())))
		} else {
			v.Nil, v.BlockID = true, codec.Hash256{}
		}
		payload = v.Encode()
	}
	return &consensus.Message{From: testAddr(p.ident), Payload: payload, Signature: fakeSign(testKey(p.ident), SignBytes(testChain, payload))}
}

// broadcast sends m to every other process through the network; with alt,
// a random half of them gets alt instead.
func (s *sim) broadcast(from *simProc, m consensus.Message, alt *consensus.Message) {
	for _, q := range s.procs {
		if q == from {
			continue
		}
		mm := m
		if alt != nil && s.rng.IntN(2) == 0 {
			mm = *alt
		}
		s.send(from, q, mm)
	}
}

func (s *sim) send(from, to *simProc, m consensus.Message) {
	s.messages++
	copies := 1
	if !s.healed {
		if s.groups != nil && s.groups[from.idx] != s.groups[to.idx] {
			s.faults.partitionDrops++
			return
		}
		if s.rng.Float64() < s.p.drop {
			s.faults.drops++
			return
		}
		if s.rng.Float64() < s.p.dup {
			s.faults.dups++
			copies = 2
		}
	}
	link := [2]int{from.idx, to.idx}
	for c := 0; c < copies; c++ {
		at := s.now + s.delay()
		if at < s.linkArrival[link] {
			s.faults.reorders++ // overtakes a message sent before it
		}
		s.linkArrival[link] = max(s.linkArrival[link], at)
		s.after(at-s.now, &simEvent{kind: evInput, proc: to.idx, epoch: to.epoch, in: m})
	}
}

func (s *sim) delay() time.Duration {
	lo, hi := s.p.minDelay, s.p.maxDelay
	if s.healed {
		lo, hi = time.Millisecond, simHealedDelay
	}
	return lo + time.Duration(s.rng.Int64N(int64(hi-lo)+1))
}

// Blocks: u64 height ‖ parent[32] ‖ u8 builder ‖ u64 nonce ‖ u8 bad.
func (s *sim) buildBlock(p *simProc, h uint64) consensus.Block {
	parent := s.tip(p)
	payload := binary.BigEndian.AppendUint64(nil, h)
	payload = append(payload, parent[:]...)
	payload = append(payload, byte(p.ident))
	payload = binary.BigEndian.AppendUint64(payload, s.rng.Uint64())
	bad := byte(0)
	if !s.healed && s.rng.Float64() < s.p.badBlocks {
		bad = 1
	}
	payload = append(payload, bad)
	return consensus.Block{Height: h, ID: BlockID(payload), ParentID: parent, Payload: payload}
}

func (s *sim) validBlock(p *simProc, b consensus.Block) bool {
	pl := b.Payload
	return len(pl) == 50 && binary.BigEndian.Uint64(pl) == p.height && codec.Hash256(pl[8:40]) == s.tip(p) && pl[49] == 0 && b.ID == BlockID(pl)
}

// commit checks a decision (I1, I2), stores it and starts the next height.
func (s *sim) commit(p *simProc, b consensus.Block, cert []byte, how string) consensus.Input {
	if b.Height != p.height {
		s.violation("p%d %s of height %d while at %d", p.idx, how, b.Height, p.height)
		return nil
	}
	if err := VerifyCertificate(cert, s.vals, testChain, fakeVerify); err != nil {
		s.violation("I2: p%d %s of h%d: %v", p.idx, how, b.Height, err)
		return nil
	}
	c, _ := DecodeCertificate(cert)
	if c.Height != b.Height || c.BlockID != b.ID || b.ID != BlockID(b.Payload) || b.ParentID != s.tip(p) {
		s.violation("I2: p%d %s of h%d: certificate or block does not match", p.idx, how, b.Height)
		return nil
	}
	// I1 among correct processes; in runs within the fault model, also
	// among all processes (a twin runs honest code and commits only
	// certified blocks, so it cannot fork either).
	decided := s.decided
	if !s.correct(p) {
		decided = s.decidedByz
	}
	if d, ok := decided[b.Height]; ok && d.id != b.ID {
		s.violation("I1: h%d decided %x by p%d and %x by p%d", b.Height, d.id[:4], d.proc, b.ID[:4], p.idx)
		return nil
	}
	decided[b.Height] = decision{id: b.ID, proc: p.idx}
	if !s.p.control {
		if d, ok := s.decided[b.Height]; ok && d.id != b.ID {
			s.violation("I1 (a Byzantine identity's process): h%d decided %x by p%d and %x by p%d", b.Height, d.id[:4], d.proc, b.ID[:4], p.idx)
			return nil
		}
	}
	s.commits++
	s.logf("p%d %s h%d %x (r%d)", p.idx, how, b.Height, b.ID[:4], c.Round)
	p.chain = append(p.chain, simBlock{block: b, cert: cert})
	p.seeds = append(p.seeds, NextSeed(p.seeds[len(p.seeds)-1], FallbackBeta(b.ID)))
	p.height++
	if !s.healed && 2*p.height > uint64(s.p.heights) && s.correct(p) && !s.p.control {
		s.heal()
	}
	return s.startHeight(p)
}

func (s *sim) onEvidence(p *simProc, ev []byte) {
	s.evidence++
	if err := VerifyEvidence(ev, s.vals, testChain, fakeVerify); err != nil {
		s.violation("p%d emitted evidence that does not verify: %v", p.idx, err)
		return
	}
	e, _ := DecodeEvidence(ev)
	ident := int(e.Offender()[0]) - 1
	if !s.byz[ident] && s.correct(p) {
		s.violation("I8: p%d reports correct v%d", p.idx, ident)
	}
	var k seenKey
	switch e := e.(type) {
	case *DuplicateVote:
		v, _ := decodeVote(e.VoteA)
		k = seenKey{ident: ident, h: v.Height, r: v.Round, typ: byte(v.Type)}
	case *ConflictingProposal:
		pr, _ := decodeProposalHeader(e.ProposalA)
		k = seenKey{ident: ident, h: pr.Height, r: pr.Round, typ: typeProposal}
	}
	p.reported[k] = true
}

// requestCatchUp serves decided blocks from a reachable process that has
// more, as the request/response stream would.
func (s *sim) requestCatchUp(p *simProc, h uint64) {
	var src *simProc
	for _, q := range s.procs {
		if q == p || !q.up || uint64(len(q.chain)) < h {
			continue
		}
		if !s.healed && s.groups != nil && s.groups[q.idx] != s.groups[p.idx] {
			continue
		}
		if src == nil || len(q.chain) > len(src.chain) {
			src = q
		}
	}
	if src == nil {
		return
	}
	blocks := append([]simBlock(nil), src.chain[h-1:]...)
	s.after(s.delay(), &simEvent{kind: evCatchUp, proc: p.idx, epoch: p.epoch, catch: blocks})
}

func (s *sim) applyCatchUp(p *simProc, blocks []simBlock) {
	advanced := false
	for _, b := range blocks {
		if b.block.Height != p.height {
			continue
		}
		if s.commit(p, b.block, b.cert, "catches up") == nil {
			return
		}
		advanced = true
	}
	if advanced {
		s.catchUps++
		s.step(p, s.startHeight(p))
	}
}

type simStats struct {
	runs, commits, catchUps, crashes, evidence, messages int
	maxRound                                             int32
	virtual, maxHealToDone                               time.Duration
	faults                                               simFaults
}

func (st *simStats) add(s *sim) {
	st.runs++
	f := &st.faults
	f.drops += s.faults.drops
	f.partitionDrops += s.faults.partitionDrops
	f.dups += s.faults.dups
	f.reorders += s.faults.reorders
	f.partitions += s.faults.partitions
	f.crashAfterPersist += s.faults.crashAfterPersist
	f.restarts += s.faults.restarts
	f.restartsLocked += s.faults.restartsLocked
	f.equivocations += s.faults.equivocations
	f.twinRuns += s.faults.twinRuns
	f.equivocatorRuns += s.faults.equivocatorRuns
	st.maxHealToDone = max(st.maxHealToDone, s.healToDone)
	st.commits += s.commits
	st.catchUps += s.catchUps
	st.crashes += s.crashes
	st.evidence += s.evidence
	st.messages += s.messages
	st.maxRound = max(st.maxRound, s.maxRound)
	st.virtual += s.now
}

type simCounter struct {
	name string
	v    int
}

// counters are the fault and outcome counts every full simulator run must
// make non-zero.
func (st *simStats) counters() []simCounter {
	f := st.faults
	return []simCounter{
		{"dropped messages", f.drops}, {"messages cut by partitions", f.partitionDrops},
		{"duplicated messages", f.dups}, {"reordered messages", f.reorders},
		{"partition changes", f.partitions}, {"crashes", st.crashes},
		{"crashes between PersistSafety and send", f.crashAfterPersist},
		{"restarts from a safety record", f.restarts}, {"restarts restoring a lock", f.restartsLocked},
		{"Twins runs", f.twinRuns}, {"equivocating-driver runs", f.equivocatorRuns},
		{"equivocating messages", f.equivocations}, {"evidence outputs", st.evidence},
		{"catch-ups", st.catchUps}, {"commits", st.commits},
	}
}

func (st *simStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d messages, max round %d, %s virtual, at most %s from the end of faults to the last decision; faults and outcomes:",
		st.messages, st.maxRound, st.virtual.Round(time.Second), st.maxHealToDone.Round(time.Millisecond))
	for _, c := range st.counters() {
		fmt.Fprintf(&b, " %s %d,", c.name, c.v)
	}
	return strings.TrimSuffix(b.String(), ",")
}

func describeMsg(m Message) string {
	switch m := m.(type) {
	case *Proposal:
		return fmt.Sprintf("proposal h%d r%d vr%d %x", m.Height, m.Round, m.ValidRound, m.BlockID[:3])
	case *Vote:
		v := "nil"
		if !m.Nil {
			v = fmt.Sprintf("%x", m.BlockID[:3])
		}
		return fmt.Sprintf("%s h%d r%d %s", m.Type, m.Height, m.Round, v)
	}
	return "?"
}
