package consensustest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// echoBin is sdk/consensus's testdata/echo plugin, built by TestMain: a
// wire fixture that echoes inputs into outputs and so breaks the contract
// on purpose, which lets the tests see the suite catch a real plugin.
var echoBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "consensustest")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		echoBin = filepath.Join(dir, "echo")
		if out, err := exec.Command("go", "build", "-o", echoBin, "../testdata/echo").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build testdata/echo: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// toy is a minimal conforming engine: it asks for a block when a height
// starts and commits the block it gets, retrying on its propose timer. A
// flaw breaks one rule of the contract.
type toy struct {
	consensus.UnimplementedEngine
	flaw       string
	configured bool
	height     uint64
	asked      bool
	decided    bool
}

// toyClock is shared by all toys: the "nondeterministic" flaw reads it the
// way a careless engine reads time.Now.
var toyClock atomic.Int64

func (e *toy) Info(context.Context) (plugin.Info, error) {
	info := plugin.Info{Name: "toy", Version: "1.0.0", Semantics: "toy/1"}
	if e.flaw == "info" {
		info.Version = "latest"
	}
	return info, nil
}

func (e *toy) Configure(_ context.Context, req consensus.ConfigureRequest) (consensus.ConfigureResponse, error) {
	for k := range req.Params.Options {
		if e.flaw != "options" {
			return consensus.ConfigureResponse{}, fmt.Errorf("toy: unknown option %q", k)
		}
	}
	e.configured = true
	return consensus.ConfigureResponse{}, nil
}

func (e *toy) Step(_ context.Context, req consensus.StepRequest) (consensus.StepResponse, error) {
	if !e.configured && e.flaw != "unconfigured" {
		return consensus.StepResponse{}, errors.New("toy: not configured")
	}
	var out []consensus.Output
	delay := time.Second
	if e.flaw == "zero-delay" {
		delay = 0
	}
	for _, in := range req.Inputs {
		switch in := in.(type) {
		case consensus.StartHeight:
			e.height, e.asked, e.decided = in.Height, true, false
			out = append(out, consensus.BuildBlock{Height: e.height},
				consensus.ScheduleTimeout{Kind: consensus.TimeoutPropose, Height: e.height, Delay: delay})
		case consensus.Timeout:
			if in.Height == e.height && !e.asked && !e.decided {
				e.asked = true
				out = append(out, consensus.BuildBlock{Height: e.height})
			}
		case consensus.BlockBuilt:
			if (in.Height == e.height && e.asked) || e.flaw == "commit-any" {
				e.asked, e.decided = false, true
				out = append(out, consensus.Commit{Block: in.Block})
			}
		case consensus.Message:
			if e.flaw == "panic" && len(in.Payload) > 0 {
				panic("toy: cannot parse message")
			}
		case consensus.Tick:
			if e.flaw == "nondeterministic" {
				out = append(out, consensus.SignAndBroadcast{Payload: fmt.Appendf(nil, "%d", toyClock.Add(1))})
			}
		}
	}
	return consensus.StepResponse{Outputs: out}, nil
}

func TestToyEngineConforms(t *testing.T) {
	Run(t, func(*testing.T) consensus.Engine { return &toy{} })
}

func TestSuiteCatchesEachFlaw(t *testing.T) {
	tests := []struct {
		flaw  string
		check func(*testing.T, Suite, NewEngine) error
	}{
		{"info", checkInfo},
		{"options", checkConfigureMalformed},
		{"unconfigured", checkStepAfterFailedConfigure},
		{"commit-any", checkUnaskedInputs},
		{"panic", checkUnaskedInputs},
		{"nondeterministic", checkDeterministic},
		{"zero-delay", checkDeterministic},
	}
	for _, tt := range tests {
		t.Run(tt.flaw, func(t *testing.T) {
			err := tt.check(t, Suite{}, func(*testing.T) consensus.Engine { return &toy{flaw: tt.flaw} })
			if err == nil {
				t.Fatal("the check passed an engine with the flaw")
			}
			t.Logf("caught: %.300s", err)
		})
	}
}

func TestSuiteAgainstEchoPluginPassesWhatEchoKeepsAndCatchesWhatItBreaks(t *testing.T) {
	launch := func(t *testing.T) consensus.Engine { return Launch(t, echoBin) }
	keeps := []func(*testing.T, Suite, NewEngine) error{checkInfo, checkConfigureValid, checkEmptyBatch}
	for i, c := range keeps {
		if err := c(t, Suite{}, launch); err != nil {
			t.Errorf("check %d: %v", i, err)
		}
	}
	// Echo accepts any option, steps unconfigured and commits any block it
	// is handed: a wire fixture, not an engine.
	breaks := []func(*testing.T, Suite, NewEngine) error{checkConfigureMalformed, checkStepAfterFailedConfigure, checkUnaskedInputs, checkDeterministic}
	for i, c := range breaks {
		if err := c(t, Suite{}, launch); err == nil {
			t.Errorf("check %d passed echo", i)
		}
	}
}

func TestDriverGivesTheSameBatchesForTheSameSeedAndOutputs(t *testing.T) {
	seed := Seed(t)
	run := func() [][]consensus.Input {
		d, e := NewDriver(seed, DefaultParams()), &toy{configured: true}
		var batches [][]consensus.Input
		for range 200 {
			ins := d.Next()
			resp, _ := e.Step(context.Background(), consensus.StepRequest{Inputs: ins})
			d.Observe(resp.Outputs)
			batches = append(batches, ins)
		}
		return batches
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two drivers with the same seed fed different inputs")
	}
	starts := 0
	for _, batch := range a {
		for _, in := range batch {
			if _, ok := in.(consensus.StartHeight); ok {
				starts++
			}
		}
	}
	if starts < 10 {
		t.Errorf("only %d heights started in 200 batches: the driver does not answer BuildBlock and Commit", starts)
	}
}
