package consensus

import (
	"testing"

	consensusv1 "github.com/jtchain/jtchain/sdk/proto/jt/consensus/v1"
	"google.golang.org/protobuf/proto"
)

// BenchmarkStepCodec1000 is the wire work of one 1,000-message Step
// without the process boundary: encode and marshal on the node's side,
// unmarshal and decode on the plugin's (go test -bench StepCodec ./sdk/consensus/).
func BenchmarkStepCodec1000(b *testing.B) {
	batch := make([]Input, 1000)
	for i := range batch {
		m := Message{Payload: make([]byte, 128), Signature: make([]byte, 64)}
		m.From[0] = byte(i)
		batch[i] = m
	}
	b.ReportAllocs()
	for b.Loop() {
		pbs, err := encodeInputs(batch)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := proto.Marshal(&consensusv1.StepRequest{Inputs: pbs})
		if err != nil {
			b.Fatal(err)
		}
		var req consensusv1.StepRequest
		if err := proto.Unmarshal(raw, &req); err != nil {
			b.Fatal(err)
		}
		if _, err := decodeInputs(req.GetInputs()); err != nil {
			b.Fatal(err)
		}
	}
}
