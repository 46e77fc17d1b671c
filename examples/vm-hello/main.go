// Command vm-hello is the smallest contract runtime: code is "echo" (answer
// the input), "get KEY" (answer the contract's KEY, revert if it is unset)
// or "put KEY" (store the input there). Gas: 10 a call plus 1 a byte in/out.
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/vm"
)

type hello struct {
	vm.UnimplementedRuntime
	cfg struct {
		MaxCodeSize int `json:"max_code_size"`
	}
}

var info = plugin.Info{Name: "hello", Version: "0.1.0", Semantics: "hello/1"}

const schema = `{"type": "object", "additionalProperties": false,
	"properties": {"max_code_size": {"type": "integer", "minimum": 1, "default": 1024}}}`

func (h *hello) Info(context.Context) (plugin.Info, error)    { return info, nil }
func (h *hello) ConfigSchema(context.Context) ([]byte, error) { return []byte(schema), nil }

func (h *hello) Configure(_ context.Context, req vm.ConfigureRequest) (vm.ConfigureResponse, error) {
	h.cfg.MaxCodeSize = 1024
	return vm.ConfigureResponse{}, req.Decode(&h.cfg)
}

func (h *hello) parse(code []byte) (op, key string, err error) {
	op, key, _ = strings.Cut(string(code), " ")
	if len(code) > h.cfg.MaxCodeSize || !(op == "echo" && key == "" || (op == "get" || op == "put") && key != "") {
		return "", "", fmt.Errorf("code %.20q is not echo, get KEY or put KEY of at most %d bytes", code, h.cfg.MaxCodeSize)
	}
	return op, key, nil
}

func (h *hello) Validate(_ context.Context, req vm.ValidateRequest) (resp vm.ValidateResponse, _ error) {
	if _, _, err := h.parse(req.Code); err != nil {
		resp.Problems = []string{err.Error()}
	}
	return resp, nil
}

// Execute runs each call alone against the snapshot, recording its reads.
func (h *hello) Execute(ctx context.Context, req vm.ExecuteRequest) (resp vm.ExecuteResponse, _ error) {
	for _, c := range req.Calls {
		state := vm.NewRecorder(req.State)
		r := vm.Result{Status: vm.StatusOK, Output: c.Input}
		op, key, err := h.parse(c.Code)
		k := vm.StateKey(c.Contract, []byte(key))
		switch {
		case err != nil:
			r = vm.Result{Status: vm.StatusError, Error: err.Error()}
		case op == "get":
			var found bool
			if r.Output, found, err = state.Get(ctx, k); err != nil {
				return vm.ExecuteResponse{}, err // a failed read fails the batch: the node abstains
			} else if !found {
				r.Status, r.Error = vm.StatusReverted, "no such key"
			}
		case op == "put":
			r.Writes, r.Output = []vm.Write{{Key: k, Value: c.Input}}, nil
		}
		r.GasUsed, r.ReadSet = 10+uint64(len(c.Input)+len(r.Output)), state.ReadSet()
		if r.GasUsed > c.GasLimit {
			r = vm.Result{Status: vm.StatusOutOfGas, GasUsed: c.GasLimit, ReadSet: r.ReadSet}
		}
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

func main() { vm.Serve(&hello{}) }
