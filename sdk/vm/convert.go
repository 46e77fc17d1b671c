package vm

import (
	"bytes"
	"fmt"
	"time"

	vmv1 "github.com/jtchain/jtchain/sdk/proto/jt/vm/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Conversion between the Go types and jt.vm.v1. Decoding checks what the
// Go types guarantee (fixed-size ids, a known status, code for every hash)
// and fails naming the field. Times cross the wire as UTC instants: compare
// them with time.Time.Equal, not ==.

// encodeCalls puts each distinct code of calls into the request's code
// table once. Two calls with the same CodeHash and different Code are an
// error: the hash is how the runtime tells code apart.
func encodeCalls(calls []Call) (*vmv1.ExecuteRequest, error) {
	req := &vmv1.ExecuteRequest{Calls: make([]*vmv1.Call, len(calls))}
	first := map[Hash256]int{} // code hash -> first call with it
	for i, c := range calls {
		if j, seen := first[c.CodeHash]; !seen {
			first[c.CodeHash] = i
			req.Codes = append(req.Codes, &vmv1.Code{Hash: bytes.Clone(c.CodeHash[:]), Code: c.Code})
		} else if !bytes.Equal(calls[j].Code, c.Code) {
			return nil, fmt.Errorf("calls %d and %d have code hash %x but different code", j, i, c.CodeHash)
		}
		req.Calls[i] = &vmv1.Call{
			CodeHash: bytes.Clone(c.CodeHash[:]),
			Contract: bytes.Clone(c.Contract[:]),
			Input:    c.Input,
			GasLimit: c.GasLimit,
			Context: &vmv1.CallContext{
				LedgerIndex: c.Context.LedgerIndex,
				LedgerHash:  bytes.Clone(c.Context.LedgerHash[:]),
				CloseTime:   encodeTime(c.Context.CloseTime),
				Caller:      bytes.Clone(c.Context.Caller[:]),
				Seed:        bytes.Clone(c.Context.Seed[:]),
			},
		}
	}
	return req, nil
}

// decodeCalls is the inverse of encodeCalls. Calls with the same code
// share one Code slice.
func decodeCalls(req *vmv1.ExecuteRequest) ([]Call, error) {
	if n := len(req.GetCalls()); n > MaxBatchCalls {
		return nil, fmt.Errorf("the batch has %d calls, more than %d", n, MaxBatchCalls)
	}
	codes := make(map[Hash256][]byte, len(req.GetCodes()))
	for i, c := range req.GetCodes() {
		var h Hash256
		if err := decodeFixed(h[:], c.GetHash(), fmt.Sprintf("codes[%d].hash", i), false); err != nil {
			return nil, err
		}
		if _, dup := codes[h]; dup {
			return nil, fmt.Errorf("codes[%d].hash %x appears twice in the code table", i, h)
		}
		codes[h] = c.GetCode()
	}
	calls := make([]Call, len(req.GetCalls()))
	for i, pb := range req.GetCalls() {
		c := &calls[i]
		field := func(name string) string { return fmt.Sprintf("calls[%d].%s", i, name) }
		if err := decodeFixed(c.CodeHash[:], pb.GetCodeHash(), field("code_hash"), false); err != nil {
			return nil, err
		}
		code, ok := codes[c.CodeHash]
		if !ok {
			return nil, fmt.Errorf("%s %x is not in the code table", field("code_hash"), c.CodeHash)
		}
		c.Code, c.Input, c.GasLimit = code, pb.GetInput(), pb.GetGasLimit()
		ctx := pb.GetContext()
		c.Context.LedgerIndex = ctx.GetLedgerIndex()
		c.Context.CloseTime = decodeTime(ctx.GetCloseTime())
		for _, f := range []struct {
			dst  []byte
			src  []byte
			name string
		}{
			{c.Contract[:], pb.GetContract(), "contract"},
			{c.Context.LedgerHash[:], ctx.GetLedgerHash(), "context.ledger_hash"},
			{c.Context.Caller[:], ctx.GetCaller(), "context.caller"},
			{c.Context.Seed[:], ctx.GetSeed(), "context.seed"},
		} {
			if err := decodeFixed(f.dst, f.src, field(f.name), true); err != nil {
				return nil, err
			}
		}
	}
	return calls, nil
}

func encodeResults(results []Result) []*vmv1.Result {
	out := make([]*vmv1.Result, len(results))
	for i, r := range results {
		pb := &vmv1.Result{Status: vmv1.Status(r.Status), Output: r.Output, GasUsed: r.GasUsed, Error: r.Error}
		for _, w := range r.Writes {
			pb.Writes = append(pb.Writes, &vmv1.Write{Key: w.Key, Value: w.Value, Delete: w.Delete})
		}
		for _, rd := range r.ReadSet {
			read := &vmv1.Read{Key: rd.Key, Found: rd.Found}
			if rd.Found {
				read.ValueHash = bytes.Clone(rd.ValueHash[:])
			}
			pb.ReadSet = append(pb.ReadSet, read)
		}
		for _, e := range r.Events {
			pb.Events = append(pb.Events, &vmv1.Event{Name: e.Name, Data: e.Data})
		}
		out[i] = pb
	}
	return out
}

func decodeResults(pbs []*vmv1.Result) ([]Result, error) {
	out := make([]Result, len(pbs))
	for i, pb := range pbs {
		r := Result{Status: Status(pb.GetStatus()), Output: pb.GetOutput(), GasUsed: pb.GetGasUsed(), Error: pb.GetError()}
		if r.Status < StatusOK || r.Status > StatusError {
			return nil, fmt.Errorf("results[%d].status %d is not a known status (a newer plugin?)", i, pb.GetStatus())
		}
		for _, w := range pb.GetWrites() {
			r.Writes = append(r.Writes, Write{Key: w.GetKey(), Value: w.GetValue(), Delete: w.GetDelete()})
		}
		for j, rd := range pb.GetReadSet() {
			read := Read{Key: rd.GetKey(), Found: rd.GetFound()}
			field := fmt.Sprintf("results[%d].read_set[%d].value_hash", i, j)
			switch {
			case read.Found && len(rd.GetValueHash()) != len(read.ValueHash):
				return nil, fmt.Errorf("%s is %d bytes, want %d for a key that was found", field, len(rd.GetValueHash()), len(read.ValueHash))
			case !read.Found && len(rd.GetValueHash()) != 0:
				return nil, fmt.Errorf("%s is set for a key that was not found", field)
			}
			copy(read.ValueHash[:], rd.GetValueHash())
			r.ReadSet = append(r.ReadSet, read)
		}
		for _, e := range pb.GetEvents() {
			r.Events = append(r.Events, Event{Name: e.GetName(), Data: e.GetData()})
		}
		out[i] = r
	}
	return out, nil
}

// decodeFixed copies a fixed-size id; with zeroOK, no bytes at all decode
// to the zero id.
func decodeFixed(dst, src []byte, field string, zeroOK bool) error {
	if len(src) == len(dst) || (zeroOK && len(src) == 0) {
		copy(dst, src)
		return nil
	}
	return fmt.Errorf("%s is %d bytes, want %d", field, len(src), len(dst))
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
