package vm

import (
	"context"
	"crypto/sha256"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	vmv1 "github.com/jtchain/jtchain/sdk/proto/jt/vm/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func TestCallsAndResultsSurviveTheWire(t *testing.T) {
	cc := CallContext{LedgerIndex: 9, LedgerHash: Hash256{1}, CloseTime: time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC), Caller: AccountID{2}, Seed: Hash256{3}}
	calls := []Call{
		{CodeHash: Hash256{4}, Code: []byte("code a"), Contract: AccountID{5}, Input: []byte("in"), Context: cc, GasLimit: 100},
		{CodeHash: Hash256{6}, Code: []byte("code b"), Contract: AccountID{7}, GasLimit: 1},
		{CodeHash: Hash256{4}, Code: []byte("code a"), Contract: AccountID{5}, Input: []byte("again"), Context: cc},
		{}, // zero ids, no code, zero time
	}
	pb, err := encodeCalls(calls)
	if err != nil {
		t.Fatal(err)
	}
	if len(pb.GetCodes()) != 3 {
		t.Errorf("the code table has %d entries, want 3: each distinct code crosses once", len(pb.GetCodes()))
	}
	got, err := decodeCalls(marshalRoundTrip(t, pb))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, calls) {
		t.Errorf("calls =\n%+v\nwant\n%+v", got, calls)
	}

	results := []Result{
		{Status: StatusOK, Output: []byte("out"), GasUsed: 42,
			Writes:  []Write{{Key: []byte("k"), Value: []byte("v")}, {Key: []byte("gone"), Delete: true}},
			ReadSet: []Read{{Key: []byte("k"), Found: true, ValueHash: sha256.Sum256([]byte("old"))}, {Key: []byte("absent")}},
			Events:  []Event{{Name: "transfer", Data: []byte{1}}}},
		{Status: StatusReverted, Output: []byte("why"), GasUsed: 1, Error: "revert"},
		{Status: StatusOutOfGas, GasUsed: 100},
		{Status: StatusError, Error: "trap"},
	}
	gotResults, err := decodeResults(marshalRoundTrip(t, &vmv1.ExecuteResponse{Results: encodeResults(results)}).GetResults())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotResults, results) {
		t.Errorf("results =\n%+v\nwant\n%+v", gotResults, results)
	}
}

func marshalRoundTrip[M proto.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface().(M)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodingRejectsMalformedWireValues(t *testing.T) {
	hash := make([]byte, 32)
	code := []*vmv1.Code{{Hash: hash, Code: []byte("c")}}
	requests := []struct {
		name string
		req  *vmv1.ExecuteRequest
		want string
	}{
		{"short code hash in the table", &vmv1.ExecuteRequest{Codes: []*vmv1.Code{{Hash: []byte{1}}}}, "codes[0].hash is 1 bytes, want 32"},
		{"hash twice in the table", &vmv1.ExecuteRequest{Codes: append(code, code...)}, "appears twice in the code table"},
		{"call without code hash", &vmv1.ExecuteRequest{Codes: code, Calls: []*vmv1.Call{{}}}, "calls[0].code_hash is 0 bytes, want 32"},
		{"call with unknown code", &vmv1.ExecuteRequest{Calls: []*vmv1.Call{{CodeHash: hash}}}, "calls[0].code_hash 0000"},
		{"long contract", &vmv1.ExecuteRequest{Codes: code, Calls: []*vmv1.Call{{CodeHash: hash, Contract: make([]byte, 21)}}}, "calls[0].contract is 21 bytes, want 20"},
		{"short seed", &vmv1.ExecuteRequest{Codes: code, Calls: []*vmv1.Call{{CodeHash: hash, Context: &vmv1.CallContext{Seed: []byte{1}}}}}, "calls[0].context.seed is 1 bytes, want 32"},
		{"short caller", &vmv1.ExecuteRequest{Codes: code, Calls: []*vmv1.Call{{CodeHash: hash, Context: &vmv1.CallContext{Caller: []byte{1}}}}}, "calls[0].context.caller is 1 bytes, want 20"},
		{"too many calls", &vmv1.ExecuteRequest{Calls: make([]*vmv1.Call, MaxBatchCalls+1)}, "more than 4096"},
	}
	for _, tt := range requests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeCalls(tt.req); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	results := []struct {
		name string
		r    *vmv1.Result
		want string
	}{
		{"no status", &vmv1.Result{}, "results[0].status 0 is not a known status"},
		{"future status", &vmv1.Result{Status: 9}, "results[0].status 9"},
		{"found without hash", &vmv1.Result{Status: 1, ReadSet: []*vmv1.Read{{Found: true}}}, "results[0].read_set[0].value_hash is 0 bytes, want 32"},
		{"absent with hash", &vmv1.Result{Status: 1, ReadSet: []*vmv1.Read{{ValueHash: hash}}}, "value_hash is set for a key that was not found"},
	}
	for _, tt := range results {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeResults([]*vmv1.Result{tt.r}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestResultsThatBreakTheContractAreRefused(t *testing.T) {
	calls := []Call{{GasLimit: 10}, {GasLimit: 10}}
	tests := []struct {
		name    string
		results []Result
		want    string
	}{
		{"one result short", []Result{{Status: StatusOK}}, "1 results for 2 calls"},
		{"gas over the limit", []Result{{Status: StatusOK}, {Status: StatusOK, GasUsed: 11}}, "result 1: used 11 gas, more than the call's limit of 10"},
		{"writes of a revert", []Result{{Status: StatusReverted, Writes: []Write{{}}}, {Status: StatusOK}}, "result 0: status reverted carries 1 writes"},
		{"no status", []Result{{Status: StatusOK}, {}}, "result 1: status 0 is not a known status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkResults(calls, tt.results); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			// The plugin side refuses to send them too.
			s := &runtimeServer{impl: fixedRuntime{results: tt.results}}
			req, _ := encodeCalls(calls)
			if _, err := s.Execute(context.Background(), req); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("plugin side: err = %v", err)
			}
		})
	}
}

type fixedRuntime struct {
	UnimplementedRuntime
	results []Result
}

func (f fixedRuntime) Execute(context.Context, ExecuteRequest) (ExecuteResponse, error) {
	return ExecuteResponse{Results: f.results}, nil
}

func TestThePluginSideRefusesEmptyAndOversizedCodeItself(t *testing.T) {
	s := &runtimeServer{impl: UnimplementedRuntime{}} // would answer ErrUnimplemented
	for _, code := range [][]byte{nil, make([]byte, MaxCodeSize+1)} {
		resp, err := s.Validate(context.Background(), &vmv1.ValidateRequest{Code: code})
		if err != nil || len(resp.GetProblems()) != 1 {
			t.Errorf("Validate(%d bytes) = %q, %v", len(code), resp.GetProblems(), err)
		}
	}
}

func TestUnimplementedMethodsReachTheHostAsErrUnimplemented(t *testing.T) {
	s := &runtimeServer{impl: UnimplementedRuntime{}}
	ctx := context.Background()
	if _, err := s.Validate(ctx, &vmv1.ValidateRequest{Code: []byte("x")}); !errors.Is(fromStatus("Validate", err), ErrUnimplemented) {
		t.Errorf("Validate: %v", err)
	}
	if _, err := s.Execute(ctx, &vmv1.ExecuteRequest{}); !errors.Is(fromStatus("Execute", err), ErrUnimplemented) {
		t.Errorf("Execute: %v", err)
	}
	info, err := runtimeInfo(ctx, UnimplementedRuntime{})
	if err != nil || info.Kind != "vm" || info.APIMajor != APIMajor || info.APIMinor != APIMinor {
		t.Errorf("info = %+v, %v", info, err)
	}
	// A runtime without config takes none.
	for config, ok := range map[string]bool{"": true, "null": true, "{}": true, ` {"a":1}`: false, "[]": false} {
		_, err := UnimplementedRuntime{}.Configure(ctx, ConfigureRequest{Config: []byte(config)})
		if (err == nil) != ok {
			t.Errorf("Configure(%q): err = %v", config, err)
		}
	}
}

func TestDecodeReadsConfigStrictly(t *testing.T) {
	type config struct {
		Limit int    `json:"limit"`
		Name  string `json:"name"`
	}
	tests := []struct {
		config string
		want   config
		err    string
	}{
		{"", config{Limit: 7}, ""},
		{"null", config{Limit: 7}, ""},
		{`{"name":"x"}`, config{Limit: 7, Name: "x"}, ""},
		{`{"limit":1,"name":"y"}`, config{Limit: 1, Name: "y"}, ""},
		{`{"limt":1}`, config{}, `unknown field "limt"`},
		{`{"limit":"1"}`, config{}, "cannot unmarshal string"},
		{`[1]`, config{}, "is not a JSON object"},
		{`{"limit":1} {}`, config{}, "trailing data"},
		{`{"limit":`, config{}, "unexpected EOF"},
	}
	for _, tt := range tests {
		got := config{Limit: 7}
		err := ConfigureRequest{Config: []byte(tt.config)}.Decode(&got)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("Decode(%q) = %+v, %v; want %+v", tt.config, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Decode(%q): err = %v, want it to contain %q", tt.config, err, tt.err)
		}
	}
}

func TestRecorderReportsWhatEachKeySawOnceAndSorted(t *testing.T) {
	state := &mapState{m: map[string][]byte{"b": []byte("2"), "a": {}}}
	r := NewRecorder(state)
	ctx := context.Background()
	for _, k := range []string{"b", "c", "a", "b"} {
		if _, _, err := r.Get(ctx, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	want := []Read{
		{Key: []byte("a"), Found: true, ValueHash: sha256.Sum256(nil)},
		{Key: []byte("b"), Found: true, ValueHash: sha256.Sum256([]byte("2"))},
		{Key: []byte("c")},
	}
	if got := r.ReadSet(); !reflect.DeepEqual(got, want) {
		t.Errorf("ReadSet = %+v, want %+v", got, want)
	}
	state.err = errors.New("gone")
	if _, _, err := r.Get(ctx, []byte("d")); err == nil || len(r.ReadSet()) != 3 {
		t.Errorf("a failed read: err %v, read set %d long", err, len(r.ReadSet()))
	}
	if got := StateKey(AccountID{1}, []byte("k")); len(got) != 21 || got[0] != 1 || got[20] != 'k' {
		t.Errorf("StateKey = %x", got)
	}
}
