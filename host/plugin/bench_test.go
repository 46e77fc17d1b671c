package plugin

import (
	"context"
	"testing"

	"github.com/hashicorp/go-hclog"
	sdkconsensus "github.com/jtchain/jtchain/sdk/consensus"
)

// Round trips through a real plugin process (gRPC over a Unix socket with
// AutoMTLS), as the node's consensus driver makes them:
//
//	go test -run '^$' -bench RoundTrip -count 5 ./host/plugin/
//
// "direct" calls the go-plugin client; "supervised" goes through
// Supervisor.Call (timeout, counters, histogram), as the node does.
func BenchmarkRoundTrip(b *testing.B) {
	s, err := NewSupervisor(instance("bench"), hclog.NewNullLogger())
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Stop(context.Background()) })
	direct, err := DispenseConsensus(s)
	if err != nil {
		b.Fatal(err)
	}
	supervised := ConsensusEngine(s)

	batch := make([]sdkconsensus.Input, 1000)
	for i := range batch {
		m := sdkconsensus.Message{Payload: make([]byte, 128), Signature: make([]byte, 64)}
		m.From[0], m.Payload[0] = byte(i), byte(i>>8)
		batch[i] = m
	}
	for _, c := range []struct {
		name   string
		inputs []sdkconsensus.Input
	}{{"empty", nil}, {"batch1000", batch}} {
		for _, e := range []struct {
			name string
			eng  sdkconsensus.Engine
		}{{"direct", direct}, {"supervised", supervised}} {
			b.Run(c.name+"/"+e.name, func(b *testing.B) {
				ctx := context.Background()
				req := sdkconsensus.StepRequest{Inputs: c.inputs}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.eng.Step(ctx, req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
