package rbft

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// The rule tests are scripts in testdata/*.txt, in the style of etcd raft's
// datadriven tests: each command feeds inputs to one engine and is followed,
// after "----", by the full trace of its outputs. The harness plays the
// driver: it loops the engine's own signed messages back ("> own …") and
// answers Validate ("> validated …") as the driver would, and it verifies
// every certificate and piece of evidence it sees. Run with -rewrite to
// regenerate the traces, then read the diff.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected traces of testdata/*.txt")

func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			runScript(t, f)
		})
	}
}

type scriptCase struct {
	lead     string // comments and blank lines before the command
	cmd      string
	line     int
	expected string
}

func parseScript(t *testing.T, path string) []scriptCase {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var cases []scriptCase
	var lead strings.Builder
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			if lead.Len() > 0 {
				lead.WriteString("\n")
			}
			continue
		}
		if strings.HasPrefix(l, "#") {
			lead.WriteString(l + "\n")
			continue
		}
		c := scriptCase{lead: strings.TrimRight(lead.String(), "\n"), cmd: l, line: i + 1}
		if c.lead != "" {
			c.lead += "\n"
		}
		lead.Reset()
		i++
		if i >= len(lines) || lines[i] != "----" {
			t.Fatalf("%s:%d: command without ----", path, i)
		}
		var exp []string
		for i++; i < len(lines) && lines[i] != ""; i++ {
			exp = append(exp, lines[i])
		}
		c.expected = strings.Join(exp, "\n")
		cases = append(cases, c)
	}
	return cases
}

func runScript(t *testing.T, path string) {
	cases := parseScript(t, path)
	s := &scriptRun{t: t}
	var file strings.Builder
	for i, c := range cases {
		got := strings.TrimRight(s.run(c.cmd), "\n")
		if *rewrite {
			if i > 0 {
				file.WriteString("\n")
			}
			file.WriteString(c.lead + c.cmd + "\n----\n")
			if got != "" {
				file.WriteString(got + "\n")
			}
			continue
		}
		if got != c.expected {
			t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s", path, c.line, c.cmd, c.expected, got)
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scriptRun is the harness state: one engine and its fake driver.
type scriptRun struct {
	t            *testing.T
	n            int
	self         int // −1: not a validator
	options      map[string]string
	eng          *Engine
	h            uint64
	seeds        map[uint64]codec.Hash256
	names        map[codec.Hash256]string
	invalid      map[string]bool
	autoValidate bool
	safety       [][]byte // every PersistSafety record, oldest first
	now          time.Duration
	b            strings.Builder
}

type args map[string]string

func parseArgs(fields []string) args {
	a := args{}
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		a[k] = v
	}
	return a
}

func (s *scriptRun) fail(format string, v ...any) {
	s.t.Helper()
	s.t.Fatalf(format, v...)
}

func (a args) int(s *scriptRun, k string, def int) int {
	v, ok := a[k]
	if !ok {
		return def
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		s.fail("%s=%q: %v", k, v, err)
	}
	return i
}

func (s *scriptRun) validator(name string) int {
	if name == "none" {
		return -1
	}
	i, err := strconv.Atoi(strings.TrimPrefix(name, "v"))
	if err != nil || !strings.HasPrefix(name, "v") {
		s.fail("bad validator %q", name)
	}
	return i
}

func (s *scriptRun) validatorList(v string) []int {
	var out []int
	for _, name := range strings.Split(v, ",") {
		if name != "" {
			out = append(out, s.validator(name))
		}
	}
	return out
}

func (s *scriptRun) blockID(name string, h uint64) codec.Hash256 {
	id := BlockID(testBlockPayload(name, h))
	s.names[id] = name
	return id
}

func (s *scriptRun) parent(h uint64) codec.Hash256 {
	return codec.Hash256(BlockID([]byte(fmt.Sprintf("parent of %d", h))))
}

func (s *scriptRun) run(cmd string) string {
	s.b.Reset()
	fields := strings.Fields(cmd)
	a := parseArgs(fields[1:])
	h := uint64(a.int(s, "h", int(s.h)))
	r := int32(a.int(s, "r", 0))
	switch fields[0] {
	case "engine":
		s.n = a.int(s, "n", 4)
		s.self = s.validator(a["self"])
		s.names = map[codec.Hash256]string{}
		s.invalid = map[string]bool{}
		s.seeds = map[uint64]codec.Hash256{}
		s.autoValidate = a["autovalidate"] != "off"
		s.safety = nil
		s.options = loopbackTimeouts.Options()
		for k, v := range a {
			if strings.HasPrefix(k, "timeout_") {
				s.options[k] = v
			}
		}
		s.newEngine(nil)
	case "restart":
		// record=-k restarts from the k-th last record: a crash right
		// after that PersistSafety, before anything after it was sent.
		var rec []byte
		if k := a.int(s, "record", -1); len(s.safety) >= -k {
			rec = s.safety[len(s.safety)+k]
		}
		s.newEngine(rec)
	case "start":
		s.h = h
		seed := seedWithProposers(s.n, s.validatorList(a["proposers"]))
		s.seeds[h] = seed
		s.step(consensus.StartHeight{Height: h, ParentID: s.parent(h), Validators: testValidators(s.n), Seed: seed, Now: testEpoch.Add(s.now)})
	case "tick":
		d, err := time.ParseDuration(a["t"])
		if err != nil {
			s.fail("tick: %v", err)
		}
		s.now = d
		s.step(consensus.Tick{Now: testEpoch.Add(d)})
	case "timeout":
		kinds := map[string]consensus.TimeoutKind{"commit": consensus.TimeoutCommit, "propose": consensus.TimeoutPropose, "prevote": consensus.TimeoutPrevote, "precommit": consensus.TimeoutPrecommit}
		k, ok := kinds[fields[1]]
		if !ok {
			s.fail("timeout kind %q", fields[1])
		}
		s.step(consensus.Timeout{Kind: k, Height: h, Round: r})
	case "proposal":
		vr := int32(a.int(s, "vr", -1))
		p := &Proposal{Height: h, Round: r, ValidRound: vr, BlockID: s.blockID(a["block"], h), Payload: testBlockPayload(a["block"], h)}
		for _, i := range s.validatorList(a["from"]) {
			s.step(signed(i, p.Encode()))
		}
	case "prevote", "precommit":
		t := Prevote
		if fields[0] == "precommit" {
			t = Precommit
		}
		v := &Vote{Type: t, Height: h, Round: r}
		if a["block"] == "nil" {
			v.Nil = true
		} else {
			v.BlockID = s.blockID(a["block"], h)
		}
		for _, i := range s.validatorList(a["from"]) {
			s.step(signed(i, v.Encode()))
		}
	case "built":
		payload := testBlockPayload(a["block"], h)
		blk := consensus.Block{Height: h, ID: s.blockID(a["block"], h), ParentID: s.parent(h), Payload: payload}
		if a["id"] == "wrong" {
			blk.ID[0] ^= 1
		}
		if a["parent"] == "wrong" {
			blk.ParentID[0] ^= 1
		}
		s.step(consensus.BlockBuilt{Height: h, Round: r, Block: blk})
	case "validated":
		s.step(consensus.Validated{BlockID: s.blockID(a["block"], h), OK: a["ok"] != "false"})
	case "invalid":
		s.invalid[a["block"]] = true
	case "raw":
		payload, err := hexOrText(a["payload"])
		if err != nil {
			s.fail("raw: %v", err)
		}
		from := 0
		if a["from"] != "stranger" {
			from = s.validator(a["from"])
		}
		m := signed(from, payload)
		if sig, ok := a["sig"]; ok {
			m.Signature = []byte(sig)
			if sig == "none" {
				m.Signature = nil
			}
		}
		if a["from"] == "stranger" {
			m.From = codec.AccountID{0xee}
		}
		s.step(m)
	case "status":
		st := s.eng.Status()
		lock, valid := fmt.Sprint(st.LockedRound), fmt.Sprint(st.ValidRound)
		if st.LockedRound >= 0 {
			lock += " " + s.name(st.LockedID)
		}
		if st.ValidRound >= 0 {
			valid += " " + s.name(st.ValidID)
		}
		proposer := "-"
		if st.Round >= 0 {
			proposer = s.vname(st.Proposer)
		}
		fmt.Fprintf(&s.b, "h=%d r=%d step=%s locked=%s valid=%s proposer=%s prevotes=%d precommits=%d n=%d decided=%v refused=%d\n",
			st.Height, st.Round, st.Step, lock, valid, proposer, st.Prevotes, st.Precommits, st.Validators, st.Decided, st.Refused)
	default:
		s.fail("unknown command %q", fields[0])
	}
	return s.b.String()
}

func hexOrText(v string) ([]byte, error) {
	if t, ok := strings.CutPrefix(v, "text:"); ok {
		return []byte(t), nil
	}
	return hex.DecodeString(v)
}

func (s *scriptRun) newEngine(safety []byte) {
	p := consensus.Params{ChainID: testChain, Options: s.options, Safety: safety}
	if s.self >= 0 {
		p.Self = testAddr(s.self)
	} else {
		p.Self = codec.AccountID{0xff}
	}
	e, err := New(p)
	if err != nil {
		fmt.Fprintf(&s.b, "error: %v\n", err)
		return
	}
	s.eng = e.(*Engine)
}

// step feeds one input and then, like the driver, the inputs its outputs
// cause: own signed messages looped back, validation answers.
func (s *scriptRun) step(in consensus.Input) {
	queue := []consensus.Input{in}
	for len(queue) > 0 {
		in := queue[0]
		queue = queue[1:]
		if len(queue) > 1000 {
			s.fail("runaway loop")
		}
		for _, o := range s.eng.Step(in) {
			if follow := s.print(o); follow != nil {
				queue = append(queue, follow)
			}
		}
		if len(queue) > 0 {
			switch next := queue[0].(type) {
			case consensus.Message:
				fmt.Fprintf(&s.b, "> own %s\n", s.describe(next.Payload))
			case consensus.Validated:
				fmt.Fprintf(&s.b, "> validated %s ok=%v\n", s.name(next.BlockID), next.OK)
			}
		}
	}
}

func (s *scriptRun) name(id codec.Hash256) string {
	if n, ok := s.names[id]; ok {
		return n
	}
	return fmt.Sprintf("%x", id[:4])
}

func (s *scriptRun) describe(payload []byte) string {
	m, err := DecodeMessage(payload)
	if err != nil {
		return "undecodable: " + err.Error()
	}
	switch m := m.(type) {
	case *Proposal:
		return fmt.Sprintf("proposal h=%d r=%d vr=%d %s", m.Height, m.Round, m.ValidRound, s.name(m.BlockID))
	case *Vote:
		v := "nil"
		if !m.Nil {
			v = s.name(m.BlockID)
		}
		return fmt.Sprintf("%s h=%d r=%d %s", m.Type, m.Height, m.Round, v)
	}
	return "?"
}

func (s *scriptRun) vname(a codec.AccountID) string {
	for i := 0; i < s.n; i++ {
		if testAddr(i) == a {
			return fmt.Sprintf("v%d", i)
		}
	}
	return fmt.Sprintf("%x", a[:2])
}

// print writes one output and returns the input the fake driver answers
// it with, if any.
func (s *scriptRun) print(o consensus.Output) consensus.Input {
	w := &s.b
	switch o := o.(type) {
	case consensus.PersistSafety:
		s.safety = append(s.safety, o.Record)
		rec, err := decodeSafetyRecord(o.Record)
		if err != nil {
			fmt.Fprintf(w, "persist: UNDECODABLE %v\n", err)
			return nil
		}
		last := "nothing"
		if rec.Last.Step != stepNone {
			last = s.describe(rec.LastPayload)
		}
		lock, valid := "-1", "-1"
		if rec.LockedRound >= 0 {
			lock = fmt.Sprintf("%d %s", rec.LockedRound, s.name(rec.LockedID))
		}
		if rec.ValidRound >= 0 {
			valid = fmt.Sprintf("%d %s", rec.ValidRound, s.name(BlockID(rec.ValidPayload)))
		}
		fmt.Fprintf(w, "persist: signed %s; locked %s; valid %s\n", last, lock, valid)
	case consensus.SignAndBroadcast:
		fmt.Fprintf(w, "sign %s\n", s.describe(o.Payload))
		if s.self >= 0 {
			return signed(s.self, o.Payload)
		}
	case consensus.ScheduleTimeout:
		fmt.Fprintf(w, "schedule %s h=%d r=%d %s\n", timeoutName(o.Kind), o.Height, o.Round, o.Delay)
	case consensus.BuildBlock:
		fmt.Fprintf(w, "build h=%d r=%d\n", o.Height, o.Round)
	case consensus.Validate:
		fmt.Fprintf(w, "validate %s\n", s.name(o.Block.ID))
		if o.Block.ID != BlockID(o.Block.Payload) || o.Block.Height != s.h || o.Block.ParentID != s.parent(s.h) {
			fmt.Fprintf(w, "BAD VALIDATE BLOCK\n")
		}
		if s.autoValidate {
			return consensus.Validated{BlockID: o.Block.ID, OK: !s.invalid[s.name(o.Block.ID)]}
		}
	case consensus.Commit:
		c, err := DecodeCertificate(o.Certificate)
		if err != nil {
			fmt.Fprintf(w, "commit with UNDECODABLE certificate: %v\n", err)
			return nil
		}
		var signers []string
		for _, p := range c.Precommits {
			signers = append(signers, s.vname(p.Signer))
		}
		fmt.Fprintf(w, "commit h=%d %s (certificate r=%d: %s)\n", o.Block.Height, s.name(o.Block.ID), c.Round, strings.Join(signers, " "))
		if err := VerifyCertificate(o.Certificate, testValidators(s.n), testChain, fakeVerify); err != nil || c.BlockID != o.Block.ID || c.Height != o.Block.Height {
			fmt.Fprintf(w, "INVALID CERTIFICATE: %v\n", err)
		}
		if o.Block.ID != BlockID(o.Block.Payload) || o.Block.ParentID != s.parent(o.Block.Height) {
			fmt.Fprintf(w, "BAD COMMITTED BLOCK\n")
		}
	case consensus.Evidence:
		ev, err := DecodeEvidence(o.Payload)
		if err != nil {
			fmt.Fprintf(w, "evidence UNDECODABLE: %v\n", err)
			return nil
		}
		switch ev := ev.(type) {
		case *DuplicateVote:
			fmt.Fprintf(w, "evidence duplicate vote by %s: %s | %s\n", s.vname(ev.Signer), s.describe(ev.VoteA), s.describe(ev.VoteB))
		case *ConflictingProposal:
			a, _ := decodeProposalHeader(ev.ProposalA)
			b, _ := decodeProposalHeader(ev.ProposalB)
			fmt.Fprintf(w, "evidence conflicting proposals by %s: h=%d r=%d vr=%d %s | vr=%d %s\n", s.vname(ev.Signer), a.Height, a.Round, a.ValidRound, s.name(a.BlockID), b.ValidRound, s.name(b.BlockID))
		}
		if err := VerifyEvidence(o.Payload, testValidators(s.n), testChain, fakeVerify); err != nil {
			fmt.Fprintf(w, "INVALID EVIDENCE: %v\n", err)
		}
	case consensus.RequestCatchUp:
		fmt.Fprintf(w, "catch up from h=%d\n", o.Height)
	case consensus.Rebroadcast:
		fmt.Fprintf(w, "rebroadcast %d:\n", len(o.Messages))
		for _, m := range o.Messages {
			i := s.validator(s.vname(m.From))
			bad := ""
			if fakeVerify(testKey(i), SignBytes(testChain, m.Payload), m.Signature) != nil {
				bad = " BAD SIGNATURE"
			}
			fmt.Fprintf(w, "  %s %s%s\n", s.vname(m.From), s.describe(m.Payload), bad)
		}
	default:
		fmt.Fprintf(w, "unknown output %T\n", o)
	}
	return nil
}

func timeoutName(k consensus.TimeoutKind) string {
	names := []string{"?", "propose", "prevote", "precommit", "commit"}
	if int(k) < len(names) {
		return names[k]
	}
	return "?"
}
