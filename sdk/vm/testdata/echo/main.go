// Command echo is the vm plugin the SDK's tests launch: a trivial runtime
// whose results echo its calls, so a test can check that every field
// crossed the wire and that state reads reach the node through the broker.
// With -stdout-first it prints to stdout before serving, as a careless
// plugin would.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/vm"
)

type echo struct {
	vm.UnimplementedRuntime
	cfg struct {
		Greeting string `json:"greeting"`
	}
}

func (e *echo) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "echo", Version: "0.1.0", Semantics: "echo/1", Capabilities: []string{"echo.test"}}, nil
}

func (e *echo) ConfigSchema(context.Context) ([]byte, error) {
	return []byte(`{"type":"object"}`), nil
}

func (e *echo) Configure(_ context.Context, req vm.ConfigureRequest) (vm.ConfigureResponse, error) {
	if req.ChainID == "" {
		return vm.ConfigureResponse{}, fmt.Errorf("chain id is empty")
	}
	return vm.ConfigureResponse{}, req.Decode(&e.cfg)
}

func (e *echo) Validate(_ context.Context, req vm.ValidateRequest) (vm.ValidateResponse, error) {
	if string(req.Code) == "bad" {
		return vm.ValidateResponse{Problems: []string{"echo: bad code"}}, nil
	}
	return vm.ValidateResponse{}, nil
}

// Execute answers each call with the greeting and the values of the keys
// named in the input (one per line, in the contract's state), an event
// describing the call's context and a write of the caller; code "revert"
// reverts, and code "slow" waits for the node to give up.
func (e *echo) Execute(ctx context.Context, req vm.ExecuteRequest) (vm.ExecuteResponse, error) {
	var resp vm.ExecuteResponse
	for _, c := range req.Calls {
		state := vm.NewRecorder(req.State)
		out := []byte(e.cfg.Greeting)
		for _, key := range bytes.Fields(c.Input) {
			v, found, err := state.Get(ctx, vm.StateKey(c.Contract, key))
			if err != nil {
				return vm.ExecuteResponse{}, err
			}
			out = fmt.Appendf(out, " %s=%s/%t", key, v, found)
		}
		x := c.Context
		r := vm.Result{Status: vm.StatusOK, Output: out, GasUsed: 1, ReadSet: state.ReadSet(),
			Writes: []vm.Write{{Key: vm.StateKey(c.Contract, []byte("caller")), Value: x.Caller[:]}},
			Events: []vm.Event{{Name: "context", Data: fmt.Appendf(nil, "%d %x %s %x %x %x",
				x.LedgerIndex, x.LedgerHash[:2], x.CloseTime.Format(time.RFC3339Nano), x.Caller[:2], x.Seed[:2], c.CodeHash[:2])}}}
		switch string(c.Code) {
		case "revert":
			r = vm.Result{Status: vm.StatusReverted, GasUsed: 1, Error: "echo: reverted"}
		case "slow":
			<-ctx.Done()
			return vm.ExecuteResponse{}, ctx.Err()
		}
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

var _ vm.ConfigSchemaProvider = (*echo)(nil)

func main() {
	stdoutFirst := flag.Bool("stdout-first", false, "print to stdout before serving")
	flag.Parse()
	if *stdoutFirst {
		fmt.Println("starting echo runtime")
	}
	vm.Serve(&echo{})
}
