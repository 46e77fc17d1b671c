package consensus

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	consensusv1 "github.com/jtchain/jtchain/sdk/proto/jt/consensus/v1"
	"google.golang.org/protobuf/proto"
)

func TestEveryInputAndOutputSurvivesTheWire(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC)
	block := Block{Height: 9, ID: Hash256{1, 2}, ParentID: Hash256{3}, Payload: []byte{4, 5}}
	msg := Message{From: AccountID{6}, Payload: []byte("p"), Signature: []byte("s")}
	inputs := []Input{
		StartHeight{Height: 9, ParentID: Hash256{3}, Validators: []Validator{{Address: AccountID{7}, PublicKey: []byte{8}}}, Seed: Hash256{9}, Now: now},
		StartHeight{Height: 1, Validators: []Validator{}}, // zero ids and time
		Tick{Now: now},
		TxsAvailable{Count: 42, Now: now},
		Timeout{Kind: TimeoutPrecommit, Height: 9, Round: 2},
		BlockBuilt{Height: 9, Round: 2, Block: block},
		Validated{BlockID: Hash256{1, 2}, OK: true},
		msg,
	}
	outputs := []Output{
		BuildBlock{Height: 9, Round: 2},
		Validate{Block: block},
		Commit{Block: block, Certificate: []byte("c")},
		ScheduleTimeout{Kind: TimeoutCommit, Height: 9, Round: 2, Delay: 1500 * time.Millisecond},
		PersistSafety{Record: []byte("r")},
		SignAndBroadcast{Payload: []byte("p")},
		Evidence{Payload: []byte("e")},
		Rebroadcast{Messages: []Message{msg}},
		RequestCatchUp{Height: 8},
	}

	pbIn, err := encodeInputs(inputs)
	if err != nil {
		t.Fatal(err)
	}
	gotIn, err := decodeInputs(marshalRoundTrip(t, &consensusv1.StepRequest{Inputs: pbIn}).(*consensusv1.StepRequest).GetInputs())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotIn, inputs) {
		t.Errorf("inputs =\n%#v\nwant\n%#v", gotIn, inputs)
	}

	pbOut, err := encodeOutputs(outputs)
	if err != nil {
		t.Fatal(err)
	}
	gotOut, err := decodeOutputs(marshalRoundTrip(t, &consensusv1.StepResponse{Outputs: pbOut}).(*consensusv1.StepResponse).GetOutputs())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotOut, outputs) {
		t.Errorf("outputs =\n%#v\nwant\n%#v", gotOut, outputs)
	}

	params := Params{ChainID: "c", Self: AccountID{1}, CloseInterval: time.Second, IdleInterval: time.Hour, LedgerTarget: 100, Options: map[string]string{"k": "v"}, Safety: []byte("s")}
	gotParams, err := decodeParams(marshalRoundTrip(t, encodeParams(params)).(*consensusv1.Params))
	if err != nil || !reflect.DeepEqual(gotParams, params) {
		t.Errorf("params = %#v, %v; want %#v", gotParams, err, params)
	}
}

func marshalRoundTrip(t *testing.T, m proto.Message) proto.Message {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface()
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodingRejectsMalformedWireValues(t *testing.T) {
	tests := []struct {
		name string
		in   *consensusv1.Input
		want string
	}{
		{"empty oneof", &consensusv1.Input{}, "no input set"},
		{"short parent id", &consensusv1.Input{Input: &consensusv1.Input_StartHeight{StartHeight: &consensusv1.StartHeight{ParentId: []byte{1}}}}, "start_height.parent_id is 1 bytes, want 32"},
		{"long sender", &consensusv1.Input{Input: &consensusv1.Input_Message{Message: &consensusv1.Message{From: make([]byte, 21)}}}, "message.from is 21 bytes, want 20"},
		{"bad validator", &consensusv1.Input{Input: &consensusv1.Input_StartHeight{StartHeight: &consensusv1.StartHeight{Validators: []*consensusv1.Validator{{Address: []byte{1}}}}}}, "start_height.validators[0].address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeInputs([]*consensusv1.Input{tt.in})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := decodeOutputs([]*consensusv1.Output{{}}); err == nil || !strings.Contains(err.Error(), "output 0: no output set") {
		t.Errorf("empty output: err = %v", err)
	}
}

func TestUnimplementedMethodsReachTheHostAsErrUnimplemented(t *testing.T) {
	s := &engineServer{impl: UnimplementedEngine{}}
	ctx := context.Background()
	if _, err := s.Step(ctx, &consensusv1.StepRequest{}); !errors.Is(fromStatus("Step", err), ErrUnimplemented) {
		t.Errorf("Step: %v", err)
	}
	// UnimplementedEngine has no Restore, so it does not claim CapRestore.
	if _, err := s.Restore(ctx, &consensusv1.RestoreRequest{}); !errors.Is(fromStatus("Restore", err), ErrUnimplemented) {
		t.Errorf("Restore: %v", err)
	}
	info, err := engineInfo(ctx, UnimplementedEngine{})
	if err != nil || info.HasCapability(CapRestore) || info.Kind != "consensus" || info.APIMajor != APIMajor {
		t.Errorf("info = %+v, %v", info, err)
	}
}
