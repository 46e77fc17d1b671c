package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/jtchain/jtchain/sdk/vm"
	"github.com/jtchain/jtchain/sdk/vm/vmtest"
)

// bin is this example built as the node runs it, by TestMain.
var bin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "vm-hello")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "vm-hello")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

var contract = vm.AccountID{0x11}

// suite holds sample contracts in vm-hello's code and the state they read.
var suite = vmtest.Suite{
	Config:         json.RawMessage(`{"max_code_size": 64}`),
	InvalidConfigs: []json.RawMessage{json.RawMessage(`{"max_code_size": "big"}`)},
	Calls: []vm.Call{
		{CodeHash: vm.Hash256{1}, Code: []byte("echo"), Contract: contract, Input: []byte("hello")},
		{CodeHash: vm.Hash256{2}, Code: []byte("get balance"), Contract: contract},
		{CodeHash: vm.Hash256{3}, Code: []byte("get missing"), Contract: contract},
		{CodeHash: vm.Hash256{4}, Code: []byte("put note"), Contract: contract, Input: []byte("remember me")},
	},
	State:       map[string][]byte{string(vm.StateKey(contract, []byte("balance"))): []byte("100")},
	InvalidCode: [][]byte{[]byte("jump"), []byte("get"), []byte("put "), []byte("echo twice")},
	MaxCodeSize: 64,
}

func TestBinaryConforms(t *testing.T) { suite.RunBinary(t, bin) }

func TestConforms(t *testing.T) {
	suite.Run(t, func(*testing.T) vm.Runtime { return &hello{} })
}

// mapState serves a map as the snapshot.
type mapState map[string][]byte

func (m mapState) Get(_ context.Context, key []byte) ([]byte, bool, error) {
	v, ok := m[string(key)]
	return v, ok, nil
}

func TestHelloEchoesGetsPutsAndCountsGas(t *testing.T) {
	h := &hello{}
	ctx := context.Background()
	if _, err := h.Configure(ctx, vm.ConfigureRequest{}); err != nil {
		t.Fatal(err)
	}
	calls := slices.Clone(suite.Calls)
	for i := range calls {
		calls[i].GasLimit = 100
	}
	calls = append(calls, vm.Call{Code: []byte("echo"), Input: []byte("too long for the gas"), GasLimit: 20})
	resp, err := h.Execute(ctx, vm.ExecuteRequest{Calls: calls, State: mapState(suite.State)})
	if err != nil {
		t.Fatal(err)
	}
	balance, missing := vm.StateKey(contract, []byte("balance")), vm.StateKey(contract, []byte("missing"))
	want := []vm.Result{
		{Status: vm.StatusOK, Output: []byte("hello"), GasUsed: 20, ReadSet: []vm.Read{}},
		{Status: vm.StatusOK, Output: []byte("100"), GasUsed: 13, ReadSet: []vm.Read{vm.ReadOf(balance, []byte("100"), true)}},
		{Status: vm.StatusReverted, Error: "no such key", GasUsed: 10, ReadSet: []vm.Read{vm.ReadOf(missing, nil, false)}},
		{Status: vm.StatusOK, Writes: []vm.Write{{Key: vm.StateKey(contract, []byte("note")), Value: []byte("remember me")}}, GasUsed: 21, ReadSet: []vm.Read{}},
		{Status: vm.StatusOutOfGas, GasUsed: 20, ReadSet: []vm.Read{}},
	}
	if !reflect.DeepEqual(resp.Results, want) {
		t.Errorf("results =\n%+v\nwant\n%+v", resp.Results, want)
	}
}
