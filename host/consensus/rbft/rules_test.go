package rbft

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// One test per rule of spec/rbft.md §5 (R0–R12) and per lock rule, as
// assertions rather than traces: each names its rule, sets up one engine
// (validator v0 of n = 4 unless said otherwise, so f = 1, Q = 3, W = 2)
// behind a fake driver that loops its signed messages back and answers
// Validate, acts, and checks what the engine signed, scheduled and reports.
// The scripts in testdata/*.txt show the same rules as full output traces;
// doc.go maps every rule to both.

// ruleNode is one engine and its fake driver.
type ruleNode struct {
	t       *testing.T
	n       int
	self    int
	eng     *Engine
	h       uint64
	invalid map[string]bool
	out     []consensus.Output // outputs of the last input and its follow-ups
	records [][]byte           // every PersistSafety record, oldest first
}

func newRuleNode(t *testing.T, n, self int) *ruleNode {
	t.Helper()
	x := &ruleNode{t: t, n: n, self: self, invalid: map[string]bool{}}
	x.restart(nil)
	return x
}

// restart replaces the engine by a new one resuming from record.
func (x *ruleNode) restart(record []byte) {
	x.t.Helper()
	e, err := New(consensus.Params{ChainID: testChain, Self: testAddr(x.self), Options: loopbackTimeouts.Options(), Safety: record})
	if err != nil {
		x.t.Fatal(err)
	}
	x.eng = e.(*Engine)
}

// start sends StartHeight(h) with a seed whose proposers of rounds 0, 1, …
// are the given validators.
func (x *ruleNode) start(h uint64, proposers ...int) {
	x.t.Helper()
	x.h = h
	x.step(consensus.StartHeight{Height: h, ParentID: ruleParent(h), Validators: testValidators(x.n), Seed: seedWithProposers(x.n, proposers), Now: testEpoch})
}

func ruleParent(h uint64) codec.Hash256 { return BlockID([]byte(fmt.Sprintf("parent of %d", h))) }

func ruleBlock(name string, h uint64) codec.Hash256 { return BlockID(testBlockPayload(name, h)) }

// step feeds in and the inputs the driver answers its outputs with.
func (x *ruleNode) step(in consensus.Input) {
	x.t.Helper()
	x.out = nil
	queue := []consensus.Input{in}
	for len(queue) > 0 {
		if len(x.out) > 10_000 {
			x.t.Fatal("runaway loop")
		}
		in := queue[0]
		queue = queue[1:]
		for _, o := range x.eng.Step(in) {
			x.out = append(x.out, o)
			switch o := o.(type) {
			case consensus.PersistSafety:
				x.records = append(x.records, o.Record)
			case consensus.SignAndBroadcast:
				queue = append(queue, signed(x.self, o.Payload))
			case consensus.Validate:
				ok := true
				for name := range x.invalid {
					ok = ok && o.Block.ID != ruleBlock(name, x.h)
				}
				queue = append(queue, consensus.Validated{BlockID: o.Block.ID, OK: ok})
			}
		}
	}
}

func (x *ruleNode) timeout(k consensus.TimeoutKind, r int32) {
	x.t.Helper()
	x.step(consensus.Timeout{Kind: k, Height: x.h, Round: r})
}

// proposal delivers proposer from's proposal of block (by name) in r.
func (x *ruleNode) proposal(from int, r, vr int32, block string) {
	x.t.Helper()
	p := &Proposal{Height: x.h, Round: r, ValidRound: vr, BlockID: ruleBlock(block, x.h), Payload: testBlockPayload(block, x.h)}
	x.step(signed(from, p.Encode()))
}

// votes delivers a vote of type t in r for block ("" is nil) from each of
// the validators; x.out collects the outputs of all of them.
func (x *ruleNode) votes(t VoteType, r int32, block string, from ...int) {
	x.t.Helper()
	var all []consensus.Output
	for _, i := range from {
		v := &Vote{Type: t, Height: x.h, Round: r, Nil: block == ""}
		if block != "" {
			v.BlockID = ruleBlock(block, x.h)
		}
		x.step(signed(i, v.Encode()))
		all = append(all, x.out...)
	}
	x.out = all
}

// nilRound ends round r without a decision: nil precommits from v1..v3
// and the precommit timer.
func (x *ruleNode) nilRound(r int32) {
	x.t.Helper()
	x.votes(Precommit, r, "", 1, 2, 3)
	x.timeout(consensus.TimeoutPrecommit, r)
}

// signedVote returns the vote of type t the last input made the engine
// sign, and whether there was one.
func (x *ruleNode) signedVote(t VoteType) (*Vote, bool) {
	for _, o := range x.out {
		if s, ok := o.(consensus.SignAndBroadcast); ok {
			if v, err := decodeVoteOnly(s.Payload); err == nil && v.Type == t {
				return v, true
			}
		}
	}
	return nil, false
}

// wantVote asserts that the last input made the engine sign a vote of type
// t in round r for block ("" is nil).
func (x *ruleNode) wantVote(t VoteType, r int32, block string) {
	x.t.Helper()
	v, ok := x.signedVote(t)
	if !ok {
		x.t.Fatalf("no %s signed; outputs %s", t, x.describe())
	}
	want := "nil"
	if block != "" {
		want = block
	}
	got := "nil"
	if !v.Nil {
		got = fmt.Sprintf("%x", v.BlockID[:4])
		for _, name := range []string{"A", "B", "C", "D"} {
			if v.BlockID == ruleBlock(name, x.h) {
				got = name
			}
		}
	}
	if v.Round != r || got != want {
		x.t.Fatalf("signed %s r=%d %s, want r=%d %s", t, v.Round, got, r, want)
	}
}

// wantNoVote asserts that the last input made the engine sign no vote.
func (x *ruleNode) wantNoVote() {
	x.t.Helper()
	if _, ok := x.signedVote(Prevote); ok {
		x.t.Fatalf("signed a prevote; outputs %s", x.describe())
	}
	if _, ok := x.signedVote(Precommit); ok {
		x.t.Fatalf("signed a precommit; outputs %s", x.describe())
	}
}

// scheduled returns the timeouts of kind k the last input scheduled.
func (x *ruleNode) scheduled(k consensus.TimeoutKind) []consensus.ScheduleTimeout {
	var out []consensus.ScheduleTimeout
	for _, s := range outputsOf[consensus.ScheduleTimeout](x.out) {
		if s.Kind == k {
			out = append(out, s)
		}
	}
	return out
}

func outputsOf[T consensus.Output](out []consensus.Output) []T {
	var r []T
	for _, o := range out {
		if v, ok := o.(T); ok {
			r = append(r, v)
		}
	}
	return r
}

// wantLock asserts the lock and valid value (round −1 with block "":
// none), as Status reports them.
func (x *ruleNode) wantLock(lockedRound int32, locked string, validRound int32, valid string) {
	x.t.Helper()
	st := x.eng.Status()
	var wantLocked, wantValid codec.Hash256
	if locked != "" {
		wantLocked = ruleBlock(locked, x.h)
	}
	if valid != "" {
		wantValid = ruleBlock(valid, x.h)
	}
	if st.LockedRound != lockedRound || st.LockedID != wantLocked || st.ValidRound != validRound || st.ValidID != wantValid {
		x.t.Fatalf("locked %d %x valid %d %x, want locked %d %s valid %d %s",
			st.LockedRound, st.LockedID[:4], st.ValidRound, st.ValidID[:4], lockedRound, locked, validRound, valid)
	}
}

func (x *ruleNode) describe() string {
	var b bytes.Buffer
	for _, o := range x.out {
		fmt.Fprintf(&b, "%T ", o)
	}
	return b.String()
}

// lockedOnAInRound0 brings v0 to a lock on A in round 0 of height 1, with
// proposers v1, v2, v3, v0 for rounds 0–3.
func lockedOnAInRound0(t *testing.T) *ruleNode {
	t.Helper()
	x := newRuleNode(t, 4, 0)
	x.start(1, 1, 2, 3, 0)
	x.timeout(consensus.TimeoutCommit, 0)
	x.proposal(1, 0, -1, "A")
	x.wantVote(Prevote, 0, "A")
	x.votes(Prevote, 0, "A", 1, 2)
	x.wantVote(Precommit, 0, "A")
	x.wantLock(0, "A", 0, "A")
	return x
}

// TestR0StartRound: StartRound(r) sets round and step; the proposer asks
// for a fresh block without a valid value and re-proposes its valid value
// with vr = validRound otherwise; every node schedules
// TimeoutPropose(h, r) = timeout_propose + r·δ.
func TestR0StartRound(t *testing.T) {
	t.Run("non-proposer schedules TimeoutPropose", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1, 2)
		x.timeout(consensus.TimeoutCommit, 0)
		st := x.eng.Status()
		if st.Round != 0 || st.Step != "propose" || st.Proposer != testAddr(1) || st.Validators != 4 {
			t.Fatalf("status %+v, want round 0 propose with proposer v1 of 4", st)
		}
		if s := x.scheduled(consensus.TimeoutPropose); len(s) != 1 || s[0].Round != 0 || s[0].Delay != loopbackTimeouts.Propose {
			t.Fatalf("scheduled %+v", s)
		}
		if len(outputsOf[consensus.BuildBlock](x.out)) != 0 {
			t.Fatal("a non-proposer asked for a block")
		}
	})
	t.Run("proposer without valid value builds a fresh block", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 0)
		x.timeout(consensus.TimeoutCommit, 0)
		if b := outputsOf[consensus.BuildBlock](x.out); len(b) != 1 || b[0].Height != 1 || b[0].Round != 0 {
			t.Fatalf("BuildBlock %+v", b)
		}
		x.step(consensus.BlockBuilt{Height: 1, Round: 0, Block: consensus.Block{Height: 1, ID: ruleBlock("A", 1), ParentID: ruleParent(1), Payload: testBlockPayload("A", 1)}})
		props := outputsOf[consensus.SignAndBroadcast](x.out)
		if len(props) == 0 {
			t.Fatal("no proposal signed")
		}
		m, err := DecodeMessage(props[0].Payload)
		if p, ok := m.(*Proposal); err != nil || !ok || p.ValidRound != -1 || p.BlockID != ruleBlock("A", 1) {
			t.Fatalf("proposal %+v, %v", m, err)
		}
	})
	t.Run("proposer with valid value re-proposes it with vr", func(t *testing.T) {
		x := lockedOnAInRound0(t)
		x.nilRound(0) // round 1: v2
		x.proposal(2, 1, -1, "B")
		x.wantVote(Prevote, 1, "")
		x.votes(Prevote, 1, "", 1, 2)
		x.nilRound(1) // round 2: v3
		x.timeout(consensus.TimeoutPropose, 2)
		x.votes(Prevote, 2, "", 1, 2)
		x.nilRound(2) // round 3: v0 proposes
		if len(outputsOf[consensus.BuildBlock](x.out)) != 0 {
			t.Fatal("a proposer with a valid value asked for a fresh block")
		}
		var prop *Proposal
		for _, s := range outputsOf[consensus.SignAndBroadcast](x.out) {
			if m, err := DecodeMessage(s.Payload); err == nil {
				if p, ok := m.(*Proposal); ok {
					prop = p
				}
			}
		}
		if prop == nil || prop.Round != 3 || prop.ValidRound != 0 || prop.BlockID != ruleBlock("A", 1) {
			t.Fatalf("re-proposal %+v, want r=3 vr=0 A", prop)
		}
		if s := x.scheduled(consensus.TimeoutPropose); len(s) != 1 || s[0].Delay != loopbackTimeouts.ProposeTimeout(3) {
			t.Fatalf("scheduled %+v", s)
		}
	})
}

// TestR1PrevoteOnFreshProposal: Proposal(h, round, v, −1) in step propose:
// prevote id(v) if valid(v) and (lockedRound = −1 or lockedValue = v), else
// nil.
func TestR1PrevoteOnFreshProposal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		locked  bool // locked on A in round 0, then a fresh proposal in round 1
		block   string
		invalid bool
		want    string
	}{
		{name: "valid, unlocked", block: "A", want: "A"},
		{name: "invalid, unlocked", block: "A", invalid: true, want: ""},
		{name: "locked on the proposed value", locked: true, block: "A", want: "A"},
		{name: "locked on another value", locked: true, block: "B", want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var x *ruleNode
			r := int32(0)
			if tc.locked {
				x = lockedOnAInRound0(t)
				x.nilRound(0)
				r = 1
			} else {
				x = newRuleNode(t, 4, 0)
				x.start(1, 1)
				x.timeout(consensus.TimeoutCommit, 0)
			}
			if tc.invalid {
				x.invalid[tc.block] = true
			}
			x.proposal(x.eng.hs.perm[r], r, -1, tc.block)
			x.wantVote(Prevote, r, tc.want)
			if st := x.eng.Status(); st.Step != "prevote" {
				t.Fatalf("step %s after R1", st.Step)
			}
		})
	}
	t.Run("only from proposer(h, r)", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1)
		x.timeout(consensus.TimeoutCommit, 0)
		x.proposal(2, 0, -1, "A")
		x.wantNoVote()
	})
}

// TestR2PrevoteOnProposalWithPolka: Proposal(h, round, v, vr ≥ 0) with Q
// prevotes for v in vr: prevote v if valid(v) and (lockedRound ≤ vr or
// lockedValue = v), else nil. It is the only way past a lock (see also
// TestLockOnlyR2PrevotesAgainstLock).
func TestR2PrevoteOnProposalWithPolka(t *testing.T) {
	t.Run("waits for the polka of vr", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1, 2)
		x.timeout(consensus.TimeoutCommit, 0)
		x.timeout(consensus.TimeoutPropose, 0)
		x.nilRound(0)
		x.proposal(2, 1, 0, "B")
		x.wantNoVote()
		x.votes(Prevote, 0, "B", 1, 2)
		x.wantNoVote() // two of three
		x.votes(Prevote, 0, "B", 3)
		x.wantVote(Prevote, 1, "B")
	})
	t.Run("invalid value: nil", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.invalid["B"] = true
		x.start(1, 1, 2)
		x.timeout(consensus.TimeoutCommit, 0)
		x.timeout(consensus.TimeoutPropose, 0)
		x.votes(Prevote, 0, "B", 1, 2, 3)
		x.nilRound(0)
		x.proposal(2, 1, 0, "B")
		x.wantVote(Prevote, 1, "")
	})
	t.Run("lockedRound ≤ vr: prevote v against the lock", func(t *testing.T) {
		x := lockedOnAInRound0(t)
		x.nilRound(0)
		// Round 1: B is fresh, so nil; the polka for B completes after this
		// node precommitted nil: valid value B, lock still A.
		x.proposal(2, 1, -1, "B")
		x.wantVote(Prevote, 1, "")
		x.votes(Prevote, 1, "B", 1, 2)
		x.timeout(consensus.TimeoutPrevote, 1)
		x.wantVote(Precommit, 1, "")
		x.votes(Prevote, 1, "B", 3)
		x.wantLock(0, "A", 1, "B")
		x.nilRound(1)
		x.proposal(3, 2, 1, "B")
		x.wantVote(Prevote, 2, "B")
	})
	t.Run("lockedRound > vr: nil", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1, 2, 3)
		x.timeout(consensus.TimeoutCommit, 0)
		x.timeout(consensus.TimeoutPropose, 0)
		x.votes(Prevote, 0, "B", 1, 2, 3) // a polka for B in round 0, proposal unseen
		x.nilRound(0)
		x.proposal(2, 1, -1, "A")
		x.votes(Prevote, 1, "A", 1, 2)
		x.wantLock(1, "A", 1, "A")
		x.nilRound(1)
		x.proposal(3, 2, 0, "B")
		x.wantVote(Prevote, 2, "")
	})
	t.Run("lockedValue = v with vr < lockedRound: v", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1, 2, 3)
		x.timeout(consensus.TimeoutCommit, 0)
		x.proposal(1, 0, -1, "A")
		x.votes(Prevote, 0, "A", 1, 2)
		x.nilRound(0)
		x.proposal(2, 1, 0, "A")
		x.wantVote(Prevote, 1, "A")
		x.votes(Prevote, 1, "A", 1, 2)
		x.wantLock(1, "A", 1, "A")
		x.nilRound(1)
		x.proposal(3, 2, 0, "A") // vr = 0 < lockedRound = 1, but it is the locked value
		x.wantVote(Prevote, 2, "A")
	})
}

// TestR3PrevoteTimerOnQuorumOfAnyPrevotes: Q prevotes of any values in the
// prevote step schedule TimeoutPrevote(h, round), once.
func TestR3PrevoteTimerOnQuorumOfAnyPrevotes(t *testing.T) {
	x := newRuleNode(t, 4, 0)
	x.start(1, 1)
	x.timeout(consensus.TimeoutCommit, 0)
	x.votes(Prevote, 0, "A", 1)
	x.votes(Prevote, 0, "", 2)
	if len(x.scheduled(consensus.TimeoutPrevote)) != 0 {
		t.Fatal("R3 fired in the propose step")
	}
	x.timeout(consensus.TimeoutPropose, 0) // own nil prevote: 3 of mixed values
	if s := x.scheduled(consensus.TimeoutPrevote); len(s) != 1 || s[0].Round != 0 || s[0].Delay != loopbackTimeouts.Prevote {
		t.Fatalf("scheduled %+v", s)
	}
	x.votes(Prevote, 0, "B", 3)
	if len(x.scheduled(consensus.TimeoutPrevote)) != 0 {
		t.Fatal("R3 fired twice in one round")
	}
}

// TestR4LockOnPolka: the round's valid proposal with Q prevotes, in the
// prevote step: lock, precommit v, and set the valid value; in the
// precommit step only the valid value changes.
func TestR4LockOnPolka(t *testing.T) {
	t.Run("prevote step: lock and precommit", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1)
		x.timeout(consensus.TimeoutCommit, 0)
		x.proposal(1, 0, -1, "A")
		x.votes(Prevote, 0, "A", 1)
		x.wantLock(-1, "", -1, "")
		x.votes(Prevote, 0, "A", 2)
		x.wantVote(Precommit, 0, "A")
		x.wantLock(0, "A", 0, "A")
		// The lock is persisted in the record that precedes the precommit
		// it justifies.
		rec, err := decodeSafetyRecord(x.records[len(x.records)-1])
		if err != nil || rec.LockedRound != 0 || rec.LockedID != ruleBlock("A", 1) || rec.Last.Step != stepPrecommit {
			t.Fatalf("last record %+v, %v", rec, err)
		}
	})
	t.Run("precommit step: valid value only", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1)
		x.timeout(consensus.TimeoutCommit, 0)
		x.proposal(1, 0, -1, "A")
		x.votes(Prevote, 0, "A", 1)
		x.votes(Prevote, 0, "", 2)
		x.timeout(consensus.TimeoutPrevote, 0)
		x.wantVote(Precommit, 0, "")
		x.votes(Prevote, 0, "A", 3)
		x.wantNoVote()
		x.wantLock(-1, "", 0, "A")
	})
	t.Run("needs the proposal and valid(v)", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.invalid["B"] = true
		x.start(1, 1)
		x.timeout(consensus.TimeoutCommit, 0)
		x.timeout(consensus.TimeoutPropose, 0)
		x.votes(Prevote, 0, "A", 1, 2, 3) // no proposal for A
		x.wantLock(-1, "", -1, "")
		x.proposal(1, 0, -1, "B")
		x.votes(Prevote, 0, "B", 1, 2, 3) // invalid B (second votes: evidence)
		x.wantLock(-1, "", -1, "")
	})
}

// TestR5NilPolkaPrecommitsNilAndKeepsLock: Q nil prevotes in the prevote
// step: precommit nil, lock unchanged.
func TestR5NilPolkaPrecommitsNilAndKeepsLock(t *testing.T) {
	x := lockedOnAInRound0(t)
	x.nilRound(0)
	x.timeout(consensus.TimeoutPropose, 1)
	x.wantVote(Prevote, 1, "")
	x.votes(Prevote, 1, "", 1, 2)
	x.wantVote(Precommit, 1, "")
	x.wantLock(0, "A", 0, "A")
}

// TestR6PrecommitTimerOnQuorumOfAnyPrecommits: Q precommits of any values,
// in any step, schedule TimeoutPrecommit(h, round), once.
func TestR6PrecommitTimerOnQuorumOfAnyPrecommits(t *testing.T) {
	x := newRuleNode(t, 4, 0)
	x.start(1, 1)
	x.timeout(consensus.TimeoutCommit, 0)
	x.votes(Precommit, 0, "A", 1)
	x.votes(Precommit, 0, "", 2)
	if len(x.scheduled(consensus.TimeoutPrecommit)) != 0 {
		t.Fatal("R6 fired with two precommits")
	}
	x.votes(Precommit, 0, "B", 3) // still in the propose step
	if s := x.scheduled(consensus.TimeoutPrecommit); len(s) != 1 || s[0].Round != 0 || s[0].Delay != loopbackTimeouts.Precommit {
		t.Fatalf("scheduled %+v", s)
	}
	x.timeout(consensus.TimeoutPropose, 0)
	x.timeout(consensus.TimeoutPrevote, 0) // own nil precommit: the fourth
	if len(x.scheduled(consensus.TimeoutPrecommit)) != 0 {
		t.Fatal("R6 fired twice")
	}
}

// TestR7DecideOnQuorumOfPrecommitsInAnyRound: a valid proposal with Q
// precommits in any round decides it once, with a certificate of exactly
// those precommits; an invalid block is never decided.
func TestR7DecideOnQuorumOfPrecommitsInAnyRound(t *testing.T) {
	t.Run("earlier round", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.start(1, 1, 2)
		x.timeout(consensus.TimeoutCommit, 0)
		x.proposal(1, 0, -1, "A")
		x.votes(Precommit, 1, "", 1, 2, 3)       // R8 to round 1, R6
		x.timeout(consensus.TimeoutPrecommit, 1) // R11: round 2
		if st := x.eng.Status(); st.Round != 2 {
			t.Fatalf("round %d", st.Round)
		}
		x.votes(Precommit, 0, "A", 1, 2)
		if len(outputsOf[consensus.Commit](x.out)) != 0 {
			t.Fatal("decided with two precommits")
		}
		x.votes(Precommit, 0, "A", 3)
		c := outputsOf[consensus.Commit](x.out)
		if len(c) != 1 || c[0].Block.ID != ruleBlock("A", 1) || c[0].Block.Height != 1 || c[0].Block.ParentID != ruleParent(1) ||
			!bytes.Equal(c[0].Block.Payload, testBlockPayload("A", 1)) {
			t.Fatalf("commit %+v", c)
		}
		if err := VerifyCertificate(c[0].Certificate, testValidators(4), testChain, fakeVerify); err != nil {
			t.Fatal(err)
		}
		cert, _ := DecodeCertificate(c[0].Certificate)
		if cert.Height != 1 || cert.Round != 0 || cert.BlockID != ruleBlock("A", 1) || len(cert.Precommits) != 3 || cert.Precommits[0].Signer != testAddr(1) {
			t.Fatalf("certificate %+v", cert)
		}
		x.timeout(consensus.TimeoutPrecommit, 2)
		x.votes(Precommit, 2, "A", 1, 2, 3)
		if len(outputsOf[consensus.Commit](x.out)) != 0 || !x.eng.Status().Decided {
			t.Fatal("decided twice, or forgot the decision")
		}
	})
	t.Run("invalid block", func(t *testing.T) {
		x := newRuleNode(t, 4, 0)
		x.invalid["A"] = true
		x.start(1, 1)
		x.timeout(consensus.TimeoutCommit, 0)
		x.proposal(1, 0, -1, "A")
		x.votes(Precommit, 0, "A", 1, 2, 3)
		if len(outputsOf[consensus.Commit](x.out)) != 0 || x.eng.Status().Decided {
			t.Fatal("decided an invalid block")
		}
	})
}

// TestR8RoundSkipOnWeakQuorum: messages from W = f+1 distinct validators
// for a higher round r' start r'; f validators are not enough, and rounds
// beyond round+n are dropped.
func TestR8RoundSkipOnWeakQuorum(t *testing.T) {
	x := newRuleNode(t, 7, 0) // f = 2, W = 3
	x.start(1, 1)
	x.timeout(consensus.TimeoutCommit, 0)
	x.votes(Prevote, 3, "", 1)
	x.votes(Precommit, 3, "A", 2)
	x.votes(Precommit, 3, "", 1) // a second message of v1 adds no validator
	if r := x.eng.Status().Round; r != 0 {
		t.Fatalf("f validators moved the node to round %d", r)
	}
	x.votes(Prevote, 8, "", 3, 4, 5) // beyond round+n = 7
	if r := x.eng.Status().Round; r != 0 {
		t.Fatalf("round %d from messages beyond round+n", r)
	}
	x.votes(Prevote, 3, "", 3)
	if r := x.eng.Status().Round; r != 3 {
		t.Fatalf("round %d after W validators in round 3", r)
	}
	if s := x.scheduled(consensus.TimeoutPropose); len(s) != 1 || s[0].Round != 3 {
		t.Fatalf("scheduled %+v", s)
	}
}

// TestR9R10R11Timeouts: TimeoutPropose in the propose step prevotes nil
// (R9), TimeoutPrevote in the prevote step precommits nil (R10),
// TimeoutPrecommit starts the next round (R11); a timeout of another round,
// step or height does nothing.
func TestR9R10R11Timeouts(t *testing.T) {
	x := newRuleNode(t, 4, 0)
	x.start(1, 1)
	x.timeout(consensus.TimeoutCommit, 0)
	x.timeout(consensus.TimeoutPrevote, 0) // R10 needs the prevote step
	x.wantNoVote()
	x.timeout(consensus.TimeoutPropose, 1) // another round
	x.wantNoVote()
	x.timeout(consensus.TimeoutPropose, 0) // R9
	x.wantVote(Prevote, 0, "")
	x.timeout(consensus.TimeoutPropose, 0)
	x.wantNoVote()
	x.timeout(consensus.TimeoutPrevote, 0) // R10
	x.wantVote(Precommit, 0, "")
	x.timeout(consensus.TimeoutPrecommit, 1) // another round
	if r := x.eng.Status().Round; r != 0 {
		t.Fatalf("round %d", r)
	}
	x.timeout(consensus.TimeoutPrecommit, 0) // R11
	if st := x.eng.Status(); st.Round != 1 || st.Step != "propose" {
		t.Fatalf("status %+v after R11", st)
	}
	x.step(consensus.Timeout{Kind: consensus.TimeoutPrecommit, Height: 2, Round: 1}) // another height
	if r := x.eng.Status().Round; r != 1 {
		t.Fatalf("round %d after a timeout of another height", r)
	}
}

// TestR12EquivocationEvidence: a second, different vote of one validator
// for one (h, r, type) produces DuplicateVote evidence once and never
// counts twice in one tally; a second proposal produces
// ConflictingProposal evidence and the first proposal stays.
func TestR12EquivocationEvidence(t *testing.T) {
	x := newRuleNode(t, 4, 0)
	x.start(1, 1)
	x.timeout(consensus.TimeoutCommit, 0)
	x.proposal(1, 0, -1, "A")
	x.votes(Prevote, 0, "A", 1)
	x.votes(Prevote, 0, "", 1)
	ev := outputsOf[consensus.Evidence](x.out)
	if len(ev) != 1 {
		t.Fatalf("%d evidence outputs, want 1", len(ev))
	}
	if err := VerifyEvidence(ev[0].Payload, testValidators(4), testChain, fakeVerify); err != nil {
		t.Fatal(err)
	}
	e, _ := DecodeEvidence(ev[0].Payload)
	if dv, ok := e.(*DuplicateVote); !ok || dv.Signer != testAddr(1) || e.Height() != 1 {
		t.Fatalf("evidence %+v", e)
	}
	if got := x.eng.Status().Prevotes; got != 2 {
		t.Fatalf("%d prevoters counted, want 2 (v0, and v1 once)", got)
	}
	x.votes(Prevote, 0, "B", 1)
	if len(outputsOf[consensus.Evidence](x.out)) != 0 {
		t.Fatal("evidence twice for one (validator, h, r, type)")
	}
	x.proposal(1, 0, -1, "B")
	ev = outputsOf[consensus.Evidence](x.out)
	if len(ev) != 1 {
		t.Fatalf("%d evidence outputs for a second proposal", len(ev))
	}
	e, _ = DecodeEvidence(ev[0].Payload)
	if cp, ok := e.(*ConflictingProposal); !ok || cp.Signer != testAddr(1) {
		t.Fatalf("evidence %+v", e)
	}
	if err := VerifyEvidence(ev[0].Payload, testValidators(4), testChain, fakeVerify); err != nil {
		t.Fatal(err)
	}
	if x.eng.hs.proposals[0].p.BlockID != ruleBlock("A", 1) {
		t.Fatal("the second proposal replaced the first")
	}
	// Q prevotes for A (v0, v1, v2) still lock A.
	x.votes(Prevote, 0, "A", 2)
	x.wantVote(Precommit, 0, "A")
}

// TestLockRelocksOnlyOnLaterPolka: a lock moves only through R4, to a value
// with a polka in a later round, even one this node prevoted nil for; a
// polka of an earlier round for another value, seen late, moves nothing.
func TestLockRelocksOnlyOnLaterPolka(t *testing.T) {
	x := lockedOnAInRound0(t)
	x.nilRound(0)
	x.proposal(2, 1, -1, "B")
	x.wantVote(Prevote, 1, "") // locked on A: nil for a fresh B (R1)
	x.votes(Prevote, 1, "B", 1, 2)
	x.wantLock(0, "A", 0, "A")
	x.votes(Prevote, 1, "B", 3) // the polka of round 1 > 0
	x.wantVote(Precommit, 1, "B")
	x.wantLock(1, "B", 1, "B")

	// Locked on A in round 1; the prevotes that complete a polka for B in
	// round 0 (whose proposal this node has) arrive afterwards.
	y := newRuleNode(t, 4, 0)
	y.start(1, 1, 2)
	y.timeout(consensus.TimeoutCommit, 0)
	y.timeout(consensus.TimeoutPropose, 0)
	y.proposal(1, 0, -1, "B")
	y.votes(Prevote, 0, "B", 1)
	y.nilRound(0)
	y.proposal(2, 1, -1, "A")
	y.votes(Prevote, 1, "A", 1, 2)
	y.wantLock(1, "A", 1, "A")
	y.votes(Prevote, 0, "B", 2, 3)
	y.wantNoVote()
	y.wantLock(1, "A", 1, "A")
}

// TestLockOnlyR2PrevotesAgainstLock: a locked node prevotes nil for every
// other fresh value (R1) and for a re-proposal whose polka it has not seen
// (R2 does not fire); it prevotes another value only through R2 with a
// polka at vr ≥ lockedRound (TestR2PrevoteOnProposalWithPolka).
func TestLockOnlyR2PrevotesAgainstLock(t *testing.T) {
	x := lockedOnAInRound0(t)
	x.nilRound(0)
	x.proposal(2, 1, -1, "B") // R1, fresh B
	x.wantVote(Prevote, 1, "")
	x.votes(Prevote, 1, "", 1, 2)
	x.nilRound(1)
	x.proposal(3, 2, 1, "C") // claims a polka in round 1 that does not exist
	x.wantNoVote()
	x.timeout(consensus.TimeoutPropose, 2)
	x.wantVote(Prevote, 2, "")
	x.wantLock(0, "A", 0, "A")
}

// TestLockSurvivesNilPolkaAndNilPrecommits inverts CometBFT's
// TestStateLockPOLUnlock (consensus/state_test.go:756), which expects a
// +2/3 nil polka to unlock: here a nil polka (R5) and nil precommits over
// several rounds leave the lock on A, so the node still prevotes nil for a
// fresh value afterwards and re-proposes A when its turn comes.
func TestLockSurvivesNilPolkaAndNilPrecommits(t *testing.T) {
	x := lockedOnAInRound0(t)
	x.votes(Precommit, 0, "", 1, 2, 3)
	x.wantLock(0, "A", 0, "A")
	x.timeout(consensus.TimeoutPrecommit, 0)
	x.proposal(2, 1, -1, "B")
	x.wantVote(Prevote, 1, "")
	x.votes(Prevote, 1, "", 1, 2, 3) // nil polka: R5
	x.wantVote(Precommit, 1, "")
	x.wantLock(0, "A", 0, "A")
	x.votes(Precommit, 1, "", 1, 2, 3)
	x.timeout(consensus.TimeoutPrecommit, 1)
	x.wantLock(0, "A", 0, "A")
	x.proposal(3, 2, -1, "C")
	x.wantVote(Prevote, 2, "") // still locked: CometBFT would prevote C here
	x.votes(Prevote, 2, "", 1, 2)
	x.nilRound(2)
	// Round 3: this node proposes its valid value A with vr = 0 and
	// prevotes it through R2.
	x.wantVote(Prevote, 3, "A")
	x.wantLock(0, "A", 0, "A")
}

// TestLockResetsOnlyAtNewHeight: the lock stays through rounds and a
// restart within its height, and is gone at the next height.
func TestLockResetsOnlyAtNewHeight(t *testing.T) {
	x := lockedOnAInRound0(t)
	x.nilRound(0)
	x.nilRound(1)
	x.wantLock(0, "A", 0, "A")
	x.restart(x.records[len(x.records)-1])
	x.start(1, 1, 2, 3, 0)
	x.wantLock(0, "A", 0, "A")
	x.votes(Precommit, 2, "A", 1, 2, 3) // decide A (its block is in the record)
	if len(outputsOf[consensus.Commit](x.out)) != 1 {
		t.Fatalf("no commit; outputs %s", x.describe())
	}
	x.start(2, 1)
	x.wantLock(-1, "", -1, "")
	x.timeout(consensus.TimeoutCommit, 0)
	x.proposal(1, 0, -1, "B")
	x.wantVote(Prevote, 0, "B")
}

// TestRestartAtEveryRecordNeverSignsConflictingVotes (spec §8, S3) plays a
// height in which v0 locks A in round 0, relocks B on the polka of round 1
// and decides B in round 2, and crashes it after every PersistSafety in
// turn (the send after it may or may not have happened). Each restarted
// engine resumes from that record (consensus.Params.Safety), must hold the
// record's lock, and then gets the inputs again, with a conflicting
// proposal of another value first in round 1: up to the crash
// point it must sign only what the first run signed there, before its last
// signature only its own votes of the record, never two different messages
// for one (h, r, step), and it must still decide on Q precommits.
func TestRestartAtEveryRecordNeverSignsConflictingVotes(t *testing.T) {
	ref := newRuleNode(t, 4, 0)
	ref.start(1, 1, 2, 3, 0)
	ref.timeout(consensus.TimeoutCommit, 0)
	ref.proposal(1, 0, -1, "A")
	ref.votes(Prevote, 0, "A", 1, 2)
	ref.nilRound(0)
	ref.proposal(2, 1, -1, "B")
	ref.votes(Prevote, 1, "B", 1, 2, 3)
	ref.nilRound(1)
	ref.proposal(3, 2, 1, "B")
	ref.votes(Prevote, 2, "B", 1, 2)
	ref.votes(Precommit, 2, "B", 1, 2)
	if !ref.eng.Status().Decided {
		t.Fatal("the reference run did not decide")
	}
	signedAt := map[hrs][]byte{}
	locks := map[int32]bool{}
	for i, r := range ref.records {
		rr, err := decodeSafetyRecord(r)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if rr.Last.Step != stepNone {
			signedAt[rr.Last] = rr.LastPayload
		}
		locks[rr.LockedRound] = true
	}
	if !locks[0] || !locks[1] || !locks[2] || len(ref.records) < 6 {
		t.Fatalf("the reference run should lock in rounds 0, 1 and 2: %d records, locks %v", len(ref.records), locks)
	}
	for k, record := range ref.records {
		t.Run(fmt.Sprintf("record %d", k), func(t *testing.T) {
			want, _ := decodeSafetyRecord(record)
			x := newRuleNode(t, 4, 0)
			x.restart(record)
			again := map[hrs][]byte{}
			check := func() {
				t.Helper()
				for _, s := range outputsOf[consensus.SignAndBroadcast](x.out) {
					m, err := DecodeMessage(s.Payload)
					if err != nil {
						t.Fatalf("signed garbage: %v", err)
					}
					pos := hrs{m.height(), m.round(), step(s.Payload[1])}
					// What it signed before the crash it signs again only
					// identically; after that it is free (and CheckHRS keeps
					// it consistent with itself).
					if prev, ok := signedAt[pos]; ok && pos.cmp(want.Last) <= 0 && !bytes.Equal(prev, s.Payload) {
						t.Fatalf("after a crash at record %d it signed something else at %+v", k, pos)
					}
					if prev, ok := again[pos]; ok && !bytes.Equal(prev, s.Payload) {
						t.Fatalf("after a crash at record %d it signed two different messages at %+v", k, pos)
					}
					again[pos] = s.Payload
					if pos.cmp(want.Last) < 0 {
						named := false
						for _, v := range want.OwnVotes {
							named = named || bytes.Equal(v, s.Payload)
						}
						if !named {
							t.Fatalf("signed %+v, before its last signature %+v", pos, want.Last)
						}
					}
				}
			}
			x.start(1, 1, 2, 3, 0)
			check()
			st := x.eng.Status()
			if st.LockedRound != want.LockedRound || st.LockedID != want.LockedID || st.ValidRound != want.ValidRound {
				t.Fatalf("restored locked %d valid %d, record has locked %d valid %d", st.LockedRound, st.ValidRound, want.LockedRound, want.ValidRound)
			}
			// Everything again, then the tempting inputs: every timeout of
			// every round and proposals of other values.
			for _, f := range []func(){
				func() { x.timeout(consensus.TimeoutCommit, 0) },
				func() { x.proposal(1, 0, -1, "A") },
				func() { x.timeout(consensus.TimeoutPropose, 0) },
				func() { x.votes(Prevote, 0, "A", 1, 2) },
				func() { x.timeout(consensus.TimeoutPrevote, 0) },
				func() { x.nilRound(0) },
				func() { x.proposal(2, 1, -1, "C") },
				func() { x.proposal(2, 1, -1, "B") },
				func() { x.timeout(consensus.TimeoutPropose, 1) },
				func() { x.votes(Prevote, 1, "B", 1, 2, 3) },
				func() { x.timeout(consensus.TimeoutPrevote, 1) },
				func() { x.nilRound(1) },
				func() { x.proposal(3, 2, 1, "B") },
				func() { x.proposal(3, 2, -1, "C") },
				func() { x.timeout(consensus.TimeoutPropose, 2) },
				func() { x.votes(Prevote, 2, "B", 1, 2) },
				func() { x.timeout(consensus.TimeoutPrevote, 2) },
				func() { x.votes(Precommit, 2, "B", 1, 2, 3) },
			} {
				f()
				check()
			}
			if !x.eng.Status().Decided {
				t.Fatalf("after a crash at record %d the node did not decide B", k)
			}
		})
	}
}

// Buffers and catch-up (spec §7): messages are kept only for h and h+1 and
// rounds up to round+n; evidence of being behind makes the engine ask the
// driver for decided ledgers with RequestCatchUp{Height: h}.

// TestMessagesBeyondNextHeightAreDroppedAndRequestCatchUp: a message for
// h+2 or later is not stored but is proof that a validator is ahead: the
// engine asks at once, then at most once per round period.
func TestMessagesBeyondNextHeightAreDroppedAndRequestCatchUp(t *testing.T) {
	x := newRuleNode(t, 4, 0)
	x.start(3, 1)
	x.h = 5
	x.votes(Prevote, 0, "", 1)
	c := outputsOf[consensus.RequestCatchUp](x.out)
	if len(c) != 1 || c[0].Height != 3 {
		t.Fatalf("RequestCatchUp %+v, want one from height 3", c)
	}
	if x.eng.next != nil || len(x.eng.hs.votes.rounds) != 0 {
		t.Fatal("a message two heights ahead was stored")
	}
	x.votes(Prevote, 0, "", 2)
	x.step(consensus.Tick{Now: testEpoch.Add(time.Second)})
	if len(outputsOf[consensus.RequestCatchUp](x.out)) != 0 {
		t.Fatal("asked again within a round period")
	}
	x.step(consensus.Tick{Now: testEpoch.Add(loopbackTimeouts.RoundPeriod(0))})
	if len(outputsOf[consensus.RequestCatchUp](x.out)) != 1 {
		t.Fatal("did not ask again after a round period")
	}
}

// TestWeakQuorumAtNextHeightRequestsCatchUp: W validators sending messages
// for h+1 (buffered, within rounds 0..n) mean h is decided elsewhere; after
// a grace of timeoutPrecommit(0) for the decision to arrive by gossip, the
// engine asks for it. One validator at h+1 is not enough.
func TestWeakQuorumAtNextHeightRequestsCatchUp(t *testing.T) {
	x := newRuleNode(t, 4, 0)
	x.start(1, 1)
	x.step(consensus.Tick{Now: testEpoch})
	x.h = 2
	x.votes(Precommit, 0, "A", 1)
	x.votes(Precommit, 5, "A", 2) // round 5 > n: not buffered, does not count
	x.step(consensus.Tick{Now: testEpoch.Add(10 * time.Second)})
	if len(outputsOf[consensus.RequestCatchUp](x.out)) != 0 {
		t.Fatal("one validator at h+1 made the node catch up")
	}
	x.votes(Precommit, 0, "A", 2)
	x.step(consensus.Tick{Now: testEpoch.Add(10*time.Second + loopbackTimeouts.Precommit - time.Millisecond)})
	if len(outputsOf[consensus.RequestCatchUp](x.out)) != 0 {
		t.Fatal("asked before the grace period")
	}
	x.step(consensus.Tick{Now: testEpoch.Add(10*time.Second + loopbackTimeouts.Precommit)})
	if c := outputsOf[consensus.RequestCatchUp](x.out); len(c) != 1 || c[0].Height != 1 {
		t.Fatalf("RequestCatchUp %+v, want one from height 1", c)
	}
	if b := x.eng.next; b == nil || len(b.msgs) != 2 {
		t.Fatalf("h+1 buffer %+v, want the two round-0 precommits", b)
	}
}

// TestDecisionWithoutBlockRequestsCatchUp: Q precommits for a block whose
// proposal never arrived decide the height elsewhere; only catch-up can
// bring the block, so the engine asks after the grace period, and decides
// at once if the proposal turns up first.
func TestDecisionWithoutBlockRequestsCatchUp(t *testing.T) {
	x := newRuleNode(t, 4, 0)
	x.start(1, 1)
	x.step(consensus.Tick{Now: testEpoch})
	x.votes(Precommit, 0, "A", 1, 2, 3)
	if len(outputsOf[consensus.Commit](x.out)) != 0 {
		t.Fatal("committed a block it does not have")
	}
	x.step(consensus.Tick{Now: testEpoch.Add(loopbackTimeouts.Precommit)})
	if c := outputsOf[consensus.RequestCatchUp](x.out); len(c) != 1 || c[0].Height != 1 {
		t.Fatalf("RequestCatchUp %+v", c)
	}
	x.proposal(1, 0, -1, "A")
	if c := outputsOf[consensus.Commit](x.out); len(c) != 1 || c[0].Block.ID != ruleBlock("A", 1) {
		t.Fatalf("commit %+v after the proposal arrived", c)
	}
}

// TestStatusReportsConsensusInfo: what consensus_info shows, on a node
// locked on A in round 0 of height 1.
func TestStatusReportsConsensusInfo(t *testing.T) {
	x := newRuleNode(t, 7, 0)
	if st := x.eng.Status(); st.Height != 0 || st.Round != -1 || st.Step != "none" || st.Validators != 0 {
		t.Fatalf("status before StartHeight %+v", st)
	}
	x.start(4, 3)
	x.timeout(consensus.TimeoutCommit, 0)
	x.h = 4
	x.proposal(3, 0, -1, "A")
	x.votes(Prevote, 0, "A", 1, 2, 3, 4)
	x.votes(Prevote, 0, "", 5)
	x.votes(Precommit, 0, "", 6)
	want := Status{
		Height: 4, Round: 0, Step: "precommit",
		LockedRound: 0, LockedID: ruleBlock("A", 4), ValidRound: 0, ValidID: ruleBlock("A", 4),
		Proposer: testAddr(3), Prevotes: 6, Precommits: 2, Validators: 7, Validator: true,
	}
	if st := x.eng.Status(); st != want {
		t.Fatalf("status\n got %+v\nwant %+v", st, want)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = x.eng.Status() }); allocs != 0 {
		t.Errorf("Status allocates %.0f times", allocs)
	}
}
