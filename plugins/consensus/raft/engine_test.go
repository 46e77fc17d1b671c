package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/consensus/consensustest"
)

// The plugin binary is built once, by the first test that needs it, so
// fuzz workers (which run TestMain too) do not build it.
var (
	binDir   string
	binOnce  sync.Once
	bin      string
	binError error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func pluginBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binError = os.MkdirTemp("", "raft-plugin-test"); binError != nil {
			return
		}
		bin = filepath.Join(binDir, "raft")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			binError = fmt.Errorf("build the raft plugin: %v\n%s", err, out)
		}
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return bin
}

// suite adds raft's own refusals to the contract's.
var suite = consensustest.Suite{Malformed: []consensus.Params{
	{CloseInterval: 0, IdleInterval: time.Second},
	{CloseInterval: time.Second, IdleInterval: 10 * time.Second, Options: map[string]string{"election_ticks": "1"}},
	{CloseInterval: time.Second, IdleInterval: 10 * time.Second, Options: map[string]string{"tick": "fast"}},
	{CloseInterval: time.Second, IdleInterval: 10 * time.Second, Safety: []byte("not a record")},
}}

func TestRaftPluginBinaryConforms(t *testing.T) {
	suite.RunBinary(t, pluginBinary(t))
}

func TestRaftEngineConformsInProcess(t *testing.T) {
	suite.Run(t, func(*testing.T) consensus.Engine { return quiet() })
}

// quiet is an unconfigured engine that logs nowhere.
func quiet() *engine { return &engine{log: hclog.NewNullLogger()} }

var (
	self  = consensus.AccountID{0x5e, 0x1f}
	t0    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alone = []consensus.Validator{{Address: self, PublicKey: []byte{2, 1}}}
)

func validParams() consensus.Params {
	return consensus.Params{ChainID: "raft-test", Self: self, CloseInterval: time.Second, IdleInterval: 10 * time.Second, LedgerTarget: 100}
}

func newRaft(t *testing.T, p consensus.Params) *engine {
	t.Helper()
	e := quiet()
	if _, err := e.Configure(context.Background(), consensus.ConfigureRequest{Params: p}); err != nil {
		t.Fatal(err)
	}
	return e
}

func step(t *testing.T, e *engine, ins ...consensus.Input) []consensus.Output {
	t.Helper()
	resp, err := e.Step(context.Background(), consensus.StepRequest{Inputs: ins})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Outputs
}

// without drops PersistSafety outputs, to compare the rest.
func without(out []consensus.Output) []consensus.Output {
	var rest []consensus.Output
	for _, o := range out {
		if _, ok := o.(consensus.PersistSafety); !ok {
			rest = append(rest, o)
		}
	}
	return rest
}

func lastRecord(t *testing.T, out []consensus.Output, prev []byte) []byte {
	t.Helper()
	for _, o := range out {
		if p, ok := o.(consensus.PersistSafety); ok {
			prev = p.Record
		}
	}
	return prev
}

func block(h uint64, parent consensus.Hash256, payload string) consensus.Block {
	return consensus.Block{Height: h, ID: consensus.Hash256{byte(h), 0xb1}, ParentID: parent, Payload: []byte(payload)}
}

func TestRaftLoneValidatorClosesLikeSoloAndCommitsWhatItBuilt(t *testing.T) {
	e := newRaft(t, validParams())
	parent := consensus.Hash256{4}
	out := step(t, e, consensus.StartHeight{Height: 5, ParentID: parent, Validators: alone, Now: t0})
	if len(without(out)) != 0 || lastRecord(t, out, nil) == nil {
		t.Fatalf("StartHeight of a lone validator: want only a safety record (it elected itself), got %v", out)
	}
	if out := step(t, e, consensus.TxsAvailable{Count: 3, Now: t0.Add(500 * time.Millisecond)}); len(out) != 0 {
		t.Fatalf("built before the close interval: %v", out)
	}
	if out := step(t, e, consensus.Tick{Now: t0.Add(time.Second)}); !reflect.DeepEqual(out, []consensus.Output{consensus.BuildBlock{Height: 5}}) {
		t.Fatalf("did not build at the close interval: %v", out)
	}
	if out := step(t, e, consensus.Tick{Now: t0.Add(2 * time.Second)}); len(out) != 0 {
		t.Fatalf("built twice: %v", out)
	}
	b := block(5, parent, "five")
	out = step(t, e, consensus.BlockBuilt{Height: 5, Block: b})
	if len(out) != 2 {
		t.Fatalf("BlockBuilt: want a safety record and the Commit, got %v", out)
	}
	if _, ok := out[0].(consensus.PersistSafety); !ok {
		t.Fatalf("the record does not come first: %v", out)
	}
	c, ok := out[1].(consensus.Commit)
	if !ok || !reflect.DeepEqual(c.Block, b) {
		t.Fatalf("the Commit is not last or not the built block: %v", out)
	}
	if term, index, err := decodeCertificate(c.Certificate); err != nil || term == 0 || index < 2 {
		t.Fatalf("certificate (term %d, index %d): %v", term, index, err)
	}
	// Nothing more until the node confirms the ledger.
	if out := step(t, e, consensus.Tick{Now: t0.Add(20 * time.Second)}); len(out) != 0 {
		t.Fatalf("acted before StartHeight(6): %v", out)
	}
	step(t, e, consensus.StartHeight{Height: 6, ParentID: b.ID, Validators: alone, Now: t0.Add(20 * time.Second)})
	if out := step(t, e, consensus.Tick{Now: t0.Add(30 * time.Second)}); !reflect.DeepEqual(out, []consensus.Output{consensus.BuildBlock{Height: 6}}) {
		t.Fatalf("did not close the idle ledger 6: %v", out)
	}
}

func TestRaftClosesEarlyAtHalfTheLedgerTarget(t *testing.T) {
	e := newRaft(t, validParams())
	step(t, e, consensus.StartHeight{Height: 5, Validators: alone, Now: t0})
	if out := step(t, e, consensus.TxsAvailable{Count: 49, Now: t0.Add(10 * time.Millisecond)}); len(out) != 0 {
		t.Fatalf("closed below half the target: %v", out)
	}
	if out := step(t, e, consensus.TxsAvailable{Count: 50, Now: t0.Add(20 * time.Millisecond)}); !reflect.DeepEqual(out, []consensus.Output{consensus.BuildBlock{Height: 5}}) {
		t.Fatalf("did not close at half the target: %v", out)
	}
}

func TestRaftIgnoresAnswersItDidNotAskFor(t *testing.T) {
	e := newRaft(t, validParams())
	parent := consensus.Hash256{4}
	step(t, e, consensus.StartHeight{Height: 5, ParentID: parent, Validators: alone, Now: t0})
	for _, in := range []consensus.Input{
		consensus.BlockBuilt{Height: 4, Block: block(4, parent, "old")},
		consensus.BlockBuilt{Height: 5, Block: block(5, parent, "unasked")},
		consensus.Validated{BlockID: consensus.Hash256{5}, OK: true},
		consensus.Timeout{Kind: consensus.TimeoutPropose, Height: 5},
		consensus.Message{From: self, Payload: []byte{messageVersion, 0xff, 0xff}},
	} {
		if out := step(t, e, in); len(out) != 0 {
			t.Fatalf("%T%+v: got %v", in, in, out)
		}
	}
	// Asked, but answered with a block for another parent or height.
	step(t, e, consensus.Tick{Now: t0.Add(10 * time.Second)})
	for _, b := range []consensus.Block{block(5, consensus.Hash256{9}, "fork"), block(6, parent, "next")} {
		if out := step(t, e, consensus.BlockBuilt{Height: 5, Block: b}); len(out) != 0 {
			t.Fatalf("committed %+v: %v", b, out)
		}
	}
}

// A restarted plugin rebuilds from the record the node kept: if the node
// did not store the committed ledger it gets the same Commit again, and if
// it did, nothing is committed twice.
func TestRaftRestartFromTheRecordRecommitsOnlyWhatTheNodeLacks(t *testing.T) {
	p := validParams()
	e := newRaft(t, p)
	parent := consensus.Hash256{4}
	rec := lastRecord(t, step(t, e, consensus.StartHeight{Height: 5, ParentID: parent, Validators: alone, Now: t0}), nil)
	step(t, e, consensus.Tick{Now: t0.Add(10 * time.Second)})
	b := block(5, parent, "five")
	out := step(t, e, consensus.BlockBuilt{Height: 5, Block: b})
	rec = lastRecord(t, out, rec)
	want := out[len(out)-1].(consensus.Commit)

	restart := func(t *testing.T, lastCommitted uint64) *engine {
		p := p
		p.Safety = rec
		e := newRaft(t, p)
		if _, err := e.Restore(context.Background(), consensus.RestoreRequest{Safety: rec, LastCommitted: lastCommitted}); err != nil {
			t.Fatal(err)
		}
		return e
	}
	t.Run("node lacks the ledger", func(t *testing.T) {
		e := restart(t, 4)
		out := without(step(t, e, consensus.StartHeight{Height: 5, ParentID: parent, Validators: alone, Now: t0.Add(time.Minute)}))
		if !reflect.DeepEqual(out, []consensus.Output{want}) {
			t.Fatalf("replayed StartHeight(5): want the same Commit again, got %v", out)
		}
	})
	t.Run("node holds the ledger", func(t *testing.T) {
		e := restart(t, 5)
		if out := without(step(t, e, consensus.StartHeight{Height: 6, ParentID: b.ID, Validators: alone, Now: t0.Add(time.Minute)})); len(out) != 0 {
			t.Fatalf("StartHeight(6): want nothing, got %v", out)
		}
		if out := step(t, e, consensus.Tick{Now: t0.Add(2 * time.Minute)}); !reflect.DeepEqual(out, []consensus.Output{consensus.BuildBlock{Height: 6}}) {
			t.Fatalf("did not go on with height 6: %v", out)
		}
	})
}

// The record holds a window of entries, not the chain.
func TestRaftRecordStaysShort(t *testing.T) {
	e := newRaft(t, validParams())
	var parent consensus.Hash256
	now := t0
	var rec []byte
	for h := uint64(2); h < 40; h++ {
		rec = lastRecord(t, step(t, e, consensus.StartHeight{Height: h, ParentID: parent, Validators: alone, Now: now}), rec)
		now = now.Add(11 * time.Second)
		if out := step(t, e, consensus.Tick{Now: now}); !reflect.DeepEqual(out, []consensus.Output{consensus.BuildBlock{Height: h}}) {
			t.Fatalf("height %d: %v", h, out)
		}
		b := block(h, parent, strings.Repeat("x", 100))
		out := step(t, e, consensus.BlockBuilt{Height: h, Block: b})
		rec = lastRecord(t, out, rec)
		if c, ok := out[len(out)-1].(consensus.Commit); !ok || c.Block.ID != b.ID {
			t.Fatalf("height %d not committed: %v", h, out)
		}
		parent = b.ID
	}
	r, err := decodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	// Ledgers 2..39, 39 not yet confirmed: the entries of the last
	// retainLedgers confirmed ledgers stay, and 39's.
	if len(r.entries) != retainLedgers+1 || r.snap.height != 38-retainLedgers {
		t.Fatalf("after 38 ledgers the record holds %d entries, compacted at ledger %d", len(r.entries), r.snap.height)
	}
}

func TestRaftObserverEmitsNothing(t *testing.T) {
	e := newRaft(t, validParams())
	others := []consensus.Validator{{Address: consensus.AccountID{1}}, {Address: consensus.AccountID{2}}}
	ins := []consensus.Input{
		consensus.StartHeight{Height: 5, Validators: others, Now: t0},
		consensus.TxsAvailable{Count: 100, Now: t0.Add(time.Second)},
		consensus.Tick{Now: t0.Add(time.Minute)},
		consensus.Message{From: consensus.AccountID{1}, Payload: []byte{messageVersion, 8, 1}},
	}
	for _, in := range ins {
		if out := step(t, e, in); len(out) != 0 {
			t.Fatalf("observer answered %T: %v", in, out)
		}
	}
}

func TestRaftConfigureNamesEveryProblemAndTheFix(t *testing.T) {
	_, err := quiet().Configure(context.Background(), consensus.ConfigureRequest{
		Params: consensus.Params{CloseInterval: 2 * time.Second, IdleInterval: time.Second, Options: map[string]string{
			"tick": "5s0", "election_ticks": "ten", "heartbeat_ticks": "0", "timeout_propose": "1s", "fast": "yes",
		}},
		Config: []byte(`{"peers":[]}`),
	})
	if err == nil {
		t.Fatal("accepted bad intervals, options and config")
	}
	for _, want := range []string{
		"close interval (2s) <= idle interval (1s)",
		`option "tick" = "5s0": want a duration from 10ms to 10s`,
		`option "election_ticks" = "ten": want a whole number from 2 to 1000`,
		`option "heartbeat_ticks" = "0": want a whole number from 1 to 1000`,
		`unknown options "fast", "timeout_propose": the raft engine knows "election_ticks", "heartbeat_ticks", "tick"`,
		`unknown config keys "peers"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	p := validParams()
	p.Options = map[string]string{"election_ticks": "5", "heartbeat_ticks": "5"}
	if _, err := quiet().Configure(context.Background(), consensus.ConfigureRequest{Params: p}); err == nil ||
		!strings.Contains(err.Error(), `"heartbeat_ticks" (5) must be below "election_ticks" (5)`) {
		t.Errorf("heartbeat = election: %v", err)
	}
	p.Options = map[string]string{"tick": "50ms", "election_ticks": "20", "heartbeat_ticks": "2"}
	e := newRaft(t, p)
	if e.opts != (options{tick: 50 * time.Millisecond, electionTicks: 20, heartbeatTicks: 2}) {
		t.Errorf("options parsed as %+v", e.opts)
	}
	if _, err := quiet().Step(context.Background(), consensus.StepRequest{}); err != errNotConfigured {
		t.Errorf("Step before Configure: err = %v, want errNotConfigured", err)
	}
	if _, err := quiet().Restore(context.Background(), consensus.RestoreRequest{LastCommitted: 3}); err != errNotConfigured {
		t.Errorf("Restore before Configure: err = %v, want errNotConfigured", err)
	}
}

func TestRaftConfigureRefusesARecordOfAnotherNodeOrDamaged(t *testing.T) {
	e := newRaft(t, validParams())
	rec := lastRecord(t, step(t, e, consensus.StartHeight{Height: 2, Validators: alone, Now: t0}), nil)
	p := validParams()
	p.Self = consensus.AccountID{0xee}
	p.Safety = rec
	if _, err := quiet().Configure(context.Background(), consensus.ConfigureRequest{Params: p}); err == nil || !strings.Contains(err.Error(), "belongs to another node") {
		t.Errorf("record of another node: %v", err)
	}
	p = validParams()
	p.Safety = append([]byte(nil), rec...)
	p.Safety[len(p.Safety)/2] ^= 1
	if _, err := quiet().Configure(context.Background(), consensus.ConfigureRequest{Params: p}); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged record: %v", err)
	}
}
