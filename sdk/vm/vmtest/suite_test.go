package vmtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/vm"
)

// echoBin is sdk/vm's testdata/echo plugin, built by TestMain: a wire
// fixture that keeps most of the contract and breaks the gas rules, which
// lets the tests see the suite judge a real plugin process.
var echoBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "vmtest")
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

// toy is a minimal conforming runtime. Its code is one word: "echo"
// answers the input, "read" answers the value of the contract's key named
// by the input (reverting if there is none), "write" stores the input under
// the contract's key "w". Gas is 5 plus a unit per byte in and out. A flaw
// breaks one rule of the contract.
type toy struct {
	vm.UnimplementedRuntime
	flaw  string
	fee   uint64
	cache map[string][]byte // the "cache" flaw's memory across batches
}

// toyCounter is shared by all toys: the "nondeterministic" flaw reads it
// the way a careless runtime reads time.Now.
var toyCounter atomic.Int64

const toyMaxCode = 64

func (r *toy) Info(context.Context) (plugin.Info, error) {
	info := plugin.Info{Name: "toy", Version: "1.0.0", Semantics: "toy/1"}
	if r.flaw == "info" {
		info.Version = "latest"
	}
	return info, nil
}

func (r *toy) Configure(_ context.Context, req vm.ConfigureRequest) (vm.ConfigureResponse, error) {
	var cfg struct {
		Fee uint64 `json:"fee"`
	}
	if r.flaw == "config" {
		if err := json.Unmarshal(req.Config, &cfg); err != nil { // ignores keys it does not know
			return vm.ConfigureResponse{}, err
		}
	} else if err := req.Decode(&cfg); err != nil {
		return vm.ConfigureResponse{}, err
	}
	r.fee = cfg.Fee
	return vm.ConfigureResponse{}, nil
}

func (r *toy) Validate(_ context.Context, req vm.ValidateRequest) (vm.ValidateResponse, error) {
	switch {
	case len(req.Code) == 0 && r.flaw == "panic":
		panic("toy: index out of range")
	case len(req.Code) == 0 && r.flaw == "validate-empty":
		return vm.ValidateResponse{}, nil
	case len(req.Code) > toyMaxCode:
		return vm.ValidateResponse{Problems: []string{"toy: code too long"}}, nil
	case !slices.Contains([]string{"echo", "read", "write"}, string(req.Code)):
		return vm.ValidateResponse{Problems: []string{fmt.Sprintf("toy: unknown code %q", req.Code)}}, nil
	}
	return vm.ValidateResponse{}, nil
}

func (r *toy) Execute(ctx context.Context, req vm.ExecuteRequest) (vm.ExecuteResponse, error) {
	if len(req.Calls) == 0 && r.flaw == "empty-batch" {
		return vm.ExecuteResponse{}, errors.New("toy: no calls")
	}
	var out []vm.Result
	shared := map[string][]byte{} // the "shared-state" flaw's writes
	for _, c := range req.Calls {
		res, err := r.run(ctx, c, req.State, shared)
		if err != nil {
			return vm.ExecuteResponse{}, err
		}
		out = append(out, res)
	}
	if len(out) > 1 {
		switch r.flaw {
		case "reverse":
			slices.Reverse(out)
		case "drop":
			out = out[:len(out)-1]
		}
	}
	return vm.ExecuteResponse{Results: out}, nil
}

func (r *toy) run(ctx context.Context, c vm.Call, state vm.StateReader, shared map[string][]byte) (vm.Result, error) {
	rec := vm.NewRecorder(state)
	res := vm.Result{Status: vm.StatusOK}
	switch string(c.Code) {
	case "echo":
		res.Output = c.Input
		if r.flaw == "nondeterministic" {
			res.Output = fmt.Appendf(nil, "%s %d", c.Input, toyCounter.Add(1))
		}
	case "read":
		key := string(vm.StateKey(c.Contract, c.Input))
		v, found := shared[key]
		if cached, ok := r.cache[key]; ok && r.flaw == "cache" {
			v, found = cached, true
		} else if !found {
			var err error
			if v, found, err = rec.Get(ctx, []byte(key)); err != nil {
				if r.flaw == "swallow" {
					return vm.Result{Status: vm.StatusError, Error: err.Error(), GasUsed: 1}, nil
				}
				return vm.Result{}, err
			}
		}
		if r.flaw == "cache" && found {
			if r.cache == nil {
				r.cache = map[string][]byte{}
			}
			r.cache[key] = v
		}
		res.Output = v
		if !found {
			res.Status, res.Error = vm.StatusReverted, "toy: no such key"
			if r.flaw == "writes-on-revert" {
				res.Writes = []vm.Write{{Key: []byte(key), Value: []byte("partial")}}
			}
		}
	case "write":
		key := vm.StateKey(c.Contract, []byte("w"))
		res.Writes = []vm.Write{{Key: key, Value: c.Input}}
		if r.flaw == "shared-state" {
			shared[string(key)] = c.Input
		}
	default:
		res.Status, res.Error = vm.StatusError, "toy: unknown code"
	}
	res.GasUsed = 5 + r.fee + uint64(len(c.Input)+len(res.Output))
	if r.flaw == "free" && string(c.Code) == "echo" {
		res.GasUsed = 0
	}
	if res.GasUsed > c.GasLimit {
		if r.flaw == "gas-ignored" {
			res.GasUsed = c.GasLimit
		} else {
			return vm.Result{Status: vm.StatusOutOfGas, GasUsed: c.GasLimit, ReadSet: rec.ReadSet()}, nil
		}
	}
	if r.flaw != "no-readset" {
		res.ReadSet = rec.ReadSet()
	}
	return res, nil
}

var toyContract = vm.AccountID{0x70}

// toySuite is the suite as the toy's author would write it.
var toySuite = Suite{
	Config:         json.RawMessage(`{"fee":1}`),
	InvalidConfigs: []json.RawMessage{json.RawMessage(`{"fee":-1}`)},
	Calls: []vm.Call{
		{Code: []byte("echo"), CodeHash: vm.Hash256{1}, Contract: toyContract, Input: []byte("hello")},
		{Code: []byte("read"), CodeHash: vm.Hash256{2}, Contract: toyContract, Input: []byte("k")},
		{Code: []byte("read"), CodeHash: vm.Hash256{2}, Contract: toyContract, Input: []byte("missing")},
		{Code: []byte("write"), CodeHash: vm.Hash256{3}, Contract: toyContract, Input: []byte("v")},
		{Code: []byte("read"), CodeHash: vm.Hash256{2}, Contract: toyContract, Input: []byte("w")},
	},
	State:       map[string][]byte{string(vm.StateKey(toyContract, []byte("k"))): []byte("v1")},
	InvalidCode: [][]byte{[]byte("jump")},
	MaxCodeSize: toyMaxCode,
}

func TestToyRuntimeConforms(t *testing.T) {
	toySuite.Run(t, func(*testing.T) vm.Runtime { return &toy{} })
}

func TestSuiteCatchesEachFlaw(t *testing.T) {
	tests := []struct {
		flaw  string
		check func(*testing.T, Suite, NewRuntime) error
	}{
		{"info", checkInfo},
		{"config", checkConfigureInvalid},
		{"validate-empty", checkValidate},
		{"panic", checkValidate},
		{"empty-batch", checkEmptyBatch},
		{"reverse", checkOneResultPerCall},
		{"drop", checkOneResultPerCall},
		{"shared-state", checkOneResultPerCall},
		{"writes-on-revert", checkOneResultPerCall},
		{"nondeterministic", checkDeterministic},
		{"gas-ignored", checkGas},
		{"free", checkGas},
		{"cache", checkReads},
		{"no-readset", checkReads},
		{"swallow", checkStateErrors},
	}
	for _, tt := range tests {
		t.Run(tt.flaw, func(t *testing.T) {
			err := tt.check(t, toySuite, func(*testing.T) vm.Runtime { return &toy{flaw: tt.flaw} })
			if err == nil {
				t.Fatal("the check passed a runtime with the flaw")
			}
			t.Logf("caught: %.300s", err)
		})
	}
}

func TestSuiteWithoutReadingSamplesSaysSo(t *testing.T) {
	s := toySuite
	s.Calls = s.Calls[:1] // echo only
	for _, c := range []func(*testing.T, Suite, NewRuntime) error{checkReads, checkStateErrors} {
		if err := c(t, s, func(*testing.T) vm.Runtime { return &toy{} }); err == nil {
			t.Error("a suite whose samples read nothing passed a read check")
		}
	}
}

func TestSuiteAgainstEchoPluginPassesWhatEchoKeepsAndCatchesWhatItBreaks(t *testing.T) {
	contract := vm.AccountID{0xec}
	s := Suite{
		Config:      json.RawMessage(`{"greeting":"hi"}`),
		Calls:       []vm.Call{{Code: []byte("read"), Contract: contract, Input: []byte("a b")}, {Code: []byte("say"), CodeHash: vm.Hash256{1}, Contract: contract}},
		State:       map[string][]byte{string(vm.StateKey(contract, []byte("a"))): []byte("1")},
		InvalidCode: [][]byte{[]byte("bad")},
	}
	launch := func(t *testing.T) vm.Runtime { return Launch(t, echoBin) }
	// Empty and oversized code never reach echo: the SDK refuses them on
	// the plugin's side of the wire.
	keeps := map[string]func(*testing.T, Suite, NewRuntime) error{
		"info": checkInfo, "configure": checkConfigureValid, "invalid config": checkConfigureInvalid, "validate": checkValidate,
		"empty batch": checkEmptyBatch, "one result per call": checkOneResultPerCall, "deterministic": checkDeterministic,
		"reads": checkReads, "state errors": checkStateErrors,
	}
	for name, c := range keeps {
		if err := c(t, s, launch); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Echo charges one unit of gas whatever the limit, so a call with a
	// limit of 0 breaks the rules; the SDK refuses to send such a result.
	if err := checkGas(t, s, launch); err == nil {
		t.Error("the gas check passed echo")
	} else {
		t.Logf("caught: %.300s", err)
	}
}
