package consensus

import (
	"fmt"
	"time"

	consensusv1 "github.com/jtchain/jtchain/sdk/proto/jt/consensus/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Conversion between the Go types and jt.consensus.v1. Encoding cannot
// fail; decoding checks what the Go types guarantee (fixed-size ids, a set
// oneof) and fails with the field's name. Times cross the wire as UTC
// instants: compare them with time.Time.Equal, not ==.

func encodeInputs(ins []Input) ([]*consensusv1.Input, error) {
	out := make([]*consensusv1.Input, len(ins))
	// Messages dominate large batches: their wire structs come from three
	// allocations for the whole batch instead of four per message.
	n := 0
	for _, in := range ins {
		if _, ok := in.(Message); ok {
			n++
		}
	}
	slab := make([]consensusv1.Input, len(ins))
	wrappers := make([]consensusv1.Input_Message, n)
	msgs := make([]consensusv1.Message, n)
	froms := make([]byte, n*len(AccountID{}))
	k := 0 // messages so far
	for i, in := range ins {
		pb := &slab[i]
		switch in := in.(type) {
		case StartHeight:
			vals := make([]*consensusv1.Validator, len(in.Validators))
			for j, v := range in.Validators {
				vals[j] = &consensusv1.Validator{Address: v.Address[:], PublicKey: v.PublicKey}
			}
			pb.Input = &consensusv1.Input_StartHeight{StartHeight: &consensusv1.StartHeight{
				Height: in.Height, ParentId: in.ParentID[:], Validators: vals, Seed: in.Seed[:], Now: encodeTime(in.Now),
			}}
		case Tick:
			pb.Input = &consensusv1.Input_Tick{Tick: &consensusv1.Tick{Now: encodeTime(in.Now)}}
		case TxsAvailable:
			pb.Input = &consensusv1.Input_TxsAvailable{TxsAvailable: &consensusv1.TxsAvailable{Count: int64(in.Count), Now: encodeTime(in.Now)}}
		case Timeout:
			pb.Input = &consensusv1.Input_Timeout{Timeout: &consensusv1.Timeout{Kind: consensusv1.TimeoutKind(in.Kind), Height: in.Height, Round: in.Round}}
		case BlockBuilt:
			pb.Input = &consensusv1.Input_BlockBuilt{BlockBuilt: &consensusv1.BlockBuilt{Height: in.Height, Round: in.Round, Block: encodeBlock(in.Block)}}
		case Validated:
			pb.Input = &consensusv1.Input_Validated{Validated: &consensusv1.Validated{BlockId: in.BlockID[:], Ok: in.OK}}
		case Message:
			from := froms[k*len(in.From) : (k+1)*len(in.From) : (k+1)*len(in.From)]
			copy(from, in.From[:])
			m := &msgs[k]
			m.From, m.Payload, m.Signature = from, in.Payload, in.Signature
			wrappers[k].Message = m
			pb.Input = &wrappers[k]
			k++
		default:
			return nil, fmt.Errorf("input %d: unknown input type %T", i, in)
		}
		out[i] = pb
	}
	return out, nil
}

func decodeInputs(pbs []*consensusv1.Input) ([]Input, error) {
	out := make([]Input, len(pbs))
	for i, pb := range pbs {
		in, err := decodeInput(pb)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		out[i] = in
	}
	return out, nil
}

func decodeInput(pb *consensusv1.Input) (Input, error) {
	switch x := pb.GetInput().(type) {
	case *consensusv1.Input_StartHeight:
		s := x.StartHeight
		in := StartHeight{Height: s.GetHeight(), Now: decodeTime(s.GetNow())}
		if err := decodeHash(&in.ParentID, s.GetParentId(), "start_height.parent_id"); err != nil {
			return nil, err
		}
		if err := decodeHash(&in.Seed, s.GetSeed(), "start_height.seed"); err != nil {
			return nil, err
		}
		in.Validators = make([]Validator, len(s.GetValidators()))
		for j, v := range s.GetValidators() {
			if err := decodeAccount(&in.Validators[j].Address, v.GetAddress(), fmt.Sprintf("start_height.validators[%d].address", j)); err != nil {
				return nil, err
			}
			in.Validators[j].PublicKey = v.GetPublicKey()
		}
		return in, nil
	case *consensusv1.Input_Tick:
		return Tick{Now: decodeTime(x.Tick.GetNow())}, nil
	case *consensusv1.Input_TxsAvailable:
		return TxsAvailable{Count: int(x.TxsAvailable.GetCount()), Now: decodeTime(x.TxsAvailable.GetNow())}, nil
	case *consensusv1.Input_Timeout:
		t := x.Timeout
		return Timeout{Kind: TimeoutKind(t.GetKind()), Height: t.GetHeight(), Round: t.GetRound()}, nil
	case *consensusv1.Input_BlockBuilt:
		b, err := decodeBlock(x.BlockBuilt.GetBlock(), "block_built.block")
		if err != nil {
			return nil, err
		}
		return BlockBuilt{Height: x.BlockBuilt.GetHeight(), Round: x.BlockBuilt.GetRound(), Block: b}, nil
	case *consensusv1.Input_Validated:
		in := Validated{OK: x.Validated.GetOk()}
		if err := decodeHash(&in.BlockID, x.Validated.GetBlockId(), "validated.block_id"); err != nil {
			return nil, err
		}
		return in, nil
	case *consensusv1.Input_Message:
		return decodeMessage(x.Message, "message")
	default:
		return nil, fmt.Errorf("no input set (a newer node's input type?)")
	}
}

func encodeOutputs(outs []Output) ([]*consensusv1.Output, error) {
	pbs := make([]*consensusv1.Output, len(outs))
	for i, o := range outs {
		var pb consensusv1.Output
		switch o := o.(type) {
		case BuildBlock:
			pb.Output = &consensusv1.Output_BuildBlock{BuildBlock: &consensusv1.BuildBlock{Height: o.Height, Round: o.Round}}
		case Validate:
			pb.Output = &consensusv1.Output_Validate{Validate: &consensusv1.Validate{Block: encodeBlock(o.Block)}}
		case Commit:
			pb.Output = &consensusv1.Output_Commit{Commit: &consensusv1.Commit{Block: encodeBlock(o.Block), Certificate: o.Certificate}}
		case ScheduleTimeout:
			pb.Output = &consensusv1.Output_ScheduleTimeout{ScheduleTimeout: &consensusv1.ScheduleTimeout{
				Kind: consensusv1.TimeoutKind(o.Kind), Height: o.Height, Round: o.Round, Delay: durationpb.New(o.Delay),
			}}
		case PersistSafety:
			pb.Output = &consensusv1.Output_PersistSafety{PersistSafety: &consensusv1.PersistSafety{Record: o.Record}}
		case SignAndBroadcast:
			pb.Output = &consensusv1.Output_SignAndBroadcast{SignAndBroadcast: &consensusv1.SignAndBroadcast{Payload: o.Payload}}
		case Evidence:
			pb.Output = &consensusv1.Output_Evidence{Evidence: &consensusv1.Evidence{Payload: o.Payload}}
		case Rebroadcast:
			msgs := make([]*consensusv1.Message, len(o.Messages))
			for j, m := range o.Messages {
				msgs[j] = encodeMessage(m)
			}
			pb.Output = &consensusv1.Output_Rebroadcast{Rebroadcast: &consensusv1.Rebroadcast{Messages: msgs}}
		case RequestCatchUp:
			pb.Output = &consensusv1.Output_RequestCatchUp{RequestCatchUp: &consensusv1.RequestCatchUp{Height: o.Height}}
		default:
			return nil, fmt.Errorf("output %d: unknown output type %T", i, o)
		}
		pbs[i] = &pb
	}
	return pbs, nil
}

func decodeOutputs(pbs []*consensusv1.Output) ([]Output, error) {
	out := make([]Output, len(pbs))
	for i, pb := range pbs {
		o, err := decodeOutput(pb)
		if err != nil {
			return nil, fmt.Errorf("output %d: %w", i, err)
		}
		out[i] = o
	}
	return out, nil
}

func decodeOutput(pb *consensusv1.Output) (Output, error) {
	switch x := pb.GetOutput().(type) {
	case *consensusv1.Output_BuildBlock:
		return BuildBlock{Height: x.BuildBlock.GetHeight(), Round: x.BuildBlock.GetRound()}, nil
	case *consensusv1.Output_Validate:
		b, err := decodeBlock(x.Validate.GetBlock(), "validate.block")
		return Validate{Block: b}, err
	case *consensusv1.Output_Commit:
		b, err := decodeBlock(x.Commit.GetBlock(), "commit.block")
		return Commit{Block: b, Certificate: x.Commit.GetCertificate()}, err
	case *consensusv1.Output_ScheduleTimeout:
		s := x.ScheduleTimeout
		return ScheduleTimeout{Kind: TimeoutKind(s.GetKind()), Height: s.GetHeight(), Round: s.GetRound(), Delay: decodeDuration(s.GetDelay())}, nil
	case *consensusv1.Output_PersistSafety:
		return PersistSafety{Record: x.PersistSafety.GetRecord()}, nil
	case *consensusv1.Output_SignAndBroadcast:
		return SignAndBroadcast{Payload: x.SignAndBroadcast.GetPayload()}, nil
	case *consensusv1.Output_Evidence:
		return Evidence{Payload: x.Evidence.GetPayload()}, nil
	case *consensusv1.Output_Rebroadcast:
		msgs := make([]Message, len(x.Rebroadcast.GetMessages()))
		for j, m := range x.Rebroadcast.GetMessages() {
			var err error
			if msgs[j], err = decodeMessage(m, fmt.Sprintf("rebroadcast.messages[%d]", j)); err != nil {
				return nil, err
			}
		}
		return Rebroadcast{Messages: msgs}, nil
	case *consensusv1.Output_RequestCatchUp:
		return RequestCatchUp{Height: x.RequestCatchUp.GetHeight()}, nil
	default:
		return nil, fmt.Errorf("no output set (a newer plugin's output type?)")
	}
}

func encodeParams(p Params) *consensusv1.Params {
	return &consensusv1.Params{
		ChainId:       p.ChainID,
		Self:          p.Self[:],
		CloseInterval: durationpb.New(p.CloseInterval),
		IdleInterval:  durationpb.New(p.IdleInterval),
		LedgerTarget:  int64(p.LedgerTarget),
		Options:       p.Options,
		Safety:        p.Safety,
	}
}

func decodeParams(pb *consensusv1.Params) (Params, error) {
	p := Params{
		ChainID:       pb.GetChainId(),
		CloseInterval: decodeDuration(pb.GetCloseInterval()),
		IdleInterval:  decodeDuration(pb.GetIdleInterval()),
		LedgerTarget:  int(pb.GetLedgerTarget()),
		Options:       pb.GetOptions(),
		Safety:        pb.GetSafety(),
	}
	err := decodeAccount(&p.Self, pb.GetSelf(), "params.self")
	return p, err
}

func encodeBlock(b Block) *consensusv1.Block {
	return &consensusv1.Block{Height: b.Height, Id: b.ID[:], ParentId: b.ParentID[:], Payload: b.Payload}
}

func decodeBlock(pb *consensusv1.Block, field string) (Block, error) {
	b := Block{Height: pb.GetHeight(), Payload: pb.GetPayload()}
	if err := decodeHash(&b.ID, pb.GetId(), field+".id"); err != nil {
		return Block{}, err
	}
	if err := decodeHash(&b.ParentID, pb.GetParentId(), field+".parent_id"); err != nil {
		return Block{}, err
	}
	return b, nil
}

func encodeMessage(m Message) *consensusv1.Message {
	return &consensusv1.Message{From: m.From[:], Payload: m.Payload, Signature: m.Signature}
}

func decodeMessage(pb *consensusv1.Message, field string) (Message, error) {
	m := Message{Payload: pb.GetPayload(), Signature: pb.GetSignature()}
	err := decodeAccount(&m.From, pb.GetFrom(), field+".from")
	return m, err
}

// decodeHash accepts 32 bytes, or none for the zero hash.
func decodeHash(dst *Hash256, b []byte, field string) error {
	if len(b) != 0 && len(b) != len(dst) {
		return fmt.Errorf("%s is %d bytes, want %d", field, len(b), len(dst))
	}
	copy(dst[:], b)
	return nil
}

// decodeAccount accepts 20 bytes, or none for the zero account.
func decodeAccount(dst *AccountID, b []byte, field string) error {
	if len(b) != 0 && len(b) != len(dst) {
		return fmt.Errorf("%s is %d bytes, want %d", field, len(b), len(dst))
	}
	copy(dst[:], b)
	return nil
}

// The zero time crosses as an unset field, so it decodes to time.Time{}.
func encodeTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func decodeTime(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func decodeDuration(d *durationpb.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.AsDuration()
}
