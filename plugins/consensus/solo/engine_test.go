package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/consensus/consensustest"
)

// bin is this plugin, built by TestMain.
var bin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "solo-plugin-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "solo")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build the solo plugin: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

func validParams() consensus.Params {
	return consensus.Params{ChainID: "solo-test", CloseInterval: time.Second, IdleInterval: 10 * time.Second}
}

// suite adds solo's own refusals to the contract's.
var suite = consensustest.Suite{Malformed: []consensus.Params{
	{CloseInterval: 0, IdleInterval: time.Second},
	{CloseInterval: 2 * time.Second, IdleInterval: time.Second},
}}

func TestSoloPluginBinaryConforms(t *testing.T) {
	suite.RunBinary(t, bin)
}

func TestSoloEngineConformsInProcess(t *testing.T) {
	suite.Run(t, func(*testing.T) consensus.Engine { return &engine{} })
}

func newSolo(t *testing.T, p consensus.Params) *engine {
	t.Helper()
	e := &engine{}
	if _, err := e.Configure(context.Background(), consensus.ConfigureRequest{Params: p}); err != nil {
		t.Fatal(err)
	}
	return e
}

func step(t *testing.T, e *engine, in consensus.Input) []consensus.Output {
	t.Helper()
	resp, err := e.Step(context.Background(), consensus.StepRequest{Inputs: []consensus.Input{in}})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Outputs
}

func builds(out []consensus.Output) bool {
	return reflect.DeepEqual(out, []consensus.Output{consensus.BuildBlock{Height: 5}})
}

func TestSoloClosesWhenTransactionsWaitAtMostEveryCloseInterval(t *testing.T) {
	e := newSolo(t, validParams())
	t0 := time.Unix(1000, 0)
	step(t, e, consensus.StartHeight{Height: 5, Now: t0})
	if out := step(t, e, consensus.TxsAvailable{Count: 3, Now: t0.Add(500 * time.Millisecond)}); len(out) != 0 {
		t.Fatalf("built before the close interval: %v", out)
	}
	if out := step(t, e, consensus.Tick{Now: t0.Add(time.Second)}); !builds(out) {
		t.Fatalf("did not build at the close interval: %v", out)
	}
	if out := step(t, e, consensus.Tick{Now: t0.Add(2 * time.Second)}); len(out) != 0 {
		t.Fatalf("built twice: %v", out)
	}
	block := consensus.Block{Height: 5, ID: consensus.Hash256{5}}
	if out := step(t, e, consensus.BlockBuilt{Height: 5, Block: block}); !reflect.DeepEqual(out, []consensus.Output{consensus.Commit{Block: block}}) {
		t.Fatalf("built block not committed: %v", out)
	}
}

func TestSoloClosesEarlyAtHalfTheLedgerTarget(t *testing.T) {
	p := validParams()
	p.LedgerTarget = 100
	e := newSolo(t, p)
	t0 := time.Unix(1000, 0)
	step(t, e, consensus.StartHeight{Height: 5, Now: t0})
	if out := step(t, e, consensus.TxsAvailable{Count: 49, Now: t0.Add(10 * time.Millisecond)}); len(out) != 0 {
		t.Fatalf("closed below half the target: %v", out)
	}
	if out := step(t, e, consensus.TxsAvailable{Count: 50, Now: t0.Add(20 * time.Millisecond)}); !builds(out) {
		t.Fatalf("did not close at half the target: %v", out)
	}
}

func TestSoloClosesEmptyLedgersAtTheIdleInterval(t *testing.T) {
	e := newSolo(t, validParams())
	t0 := time.Unix(1000, 0)
	step(t, e, consensus.StartHeight{Height: 5, Now: t0})
	if out := step(t, e, consensus.Tick{Now: t0.Add(9 * time.Second)}); len(out) != 0 {
		t.Fatalf("closed an idle ledger early: %v", out)
	}
	if out := step(t, e, consensus.Tick{Now: t0.Add(10 * time.Second)}); !builds(out) {
		t.Fatalf("did not close at the idle interval: %v", out)
	}
}

func TestSoloIgnoresAnswersItDidNotAskFor(t *testing.T) {
	e := newSolo(t, validParams())
	step(t, e, consensus.StartHeight{Height: 5, Now: time.Unix(1000, 0)})
	if out := step(t, e, consensus.BlockBuilt{Height: 4}); len(out) != 0 {
		t.Fatalf("committed a block of another height: %v", out)
	}
	if out := step(t, e, consensus.BlockBuilt{Height: 5, Block: consensus.Block{Height: 5, ID: consensus.Hash256{5}}}); len(out) != 0 {
		t.Fatalf("committed a block it did not ask for: %v", out)
	}
}

func TestSoloConfigureNamesEveryProblemAndTheFix(t *testing.T) {
	_, err := (&engine{}).Configure(context.Background(), consensus.ConfigureRequest{
		Params: consensus.Params{CloseInterval: 2 * time.Second, IdleInterval: time.Second, Options: map[string]string{"timeout_propose": "1s", "fast": "yes"}},
		Config: []byte(`{"peers":[]}`),
	})
	if err == nil {
		t.Fatal("accepted idle < close, options and config")
	}
	for _, want := range []string{
		"close interval (2s) <= idle interval (1s)",
		`unknown options "fast", "timeout_propose": the solo engine takes none`,
		`unknown config keys "peers"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := (&engine{}).Step(context.Background(), consensus.StepRequest{}); err != errNotConfigured {
		t.Errorf("Step before Configure: err = %v, want errNotConfigured", err)
	}
}
