// Command echo is the consensus plugin the SDK's tests launch: a trivial
// engine whose outputs echo its inputs, so a test can check that every
// field crossed the wire. With -stdout-first it prints to stdout before
// serving, as a careless plugin would.
package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
)

type echo struct {
	consensus.UnimplementedEngine
	params consensus.Params
}

func (e *echo) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "echo", Version: "0.1.0", Semantics: "echo/1", Capabilities: []string{"echo.test"}}, nil
}

func (e *echo) ConfigSchema(context.Context) ([]byte, error) {
	return []byte(`{"type":"object"}`), nil
}

func (e *echo) Configure(_ context.Context, req consensus.ConfigureRequest) (consensus.ConfigureResponse, error) {
	if req.Params.ChainID == "" {
		return consensus.ConfigureResponse{}, fmt.Errorf("chain id is empty")
	}
	e.params = req.Params
	return consensus.ConfigureResponse{}, nil
}

// Step answers StartHeight with BuildBlock and a SignAndBroadcast of the
// configured chain id, BlockBuilt with Commit, Message with Rebroadcast and
// Timeout with ScheduleTimeout of the configured close interval.
func (e *echo) Step(_ context.Context, req consensus.StepRequest) (consensus.StepResponse, error) {
	var out []consensus.Output
	for _, in := range req.Inputs {
		switch in := in.(type) {
		case consensus.StartHeight:
			out = append(out, consensus.BuildBlock{Height: in.Height},
				consensus.SignAndBroadcast{Payload: []byte(e.params.ChainID)})
		case consensus.BlockBuilt:
			out = append(out, consensus.Commit{Block: in.Block, Certificate: []byte("cert")})
		case consensus.Message:
			out = append(out, consensus.Rebroadcast{Messages: []consensus.Message{in}})
		case consensus.Timeout:
			out = append(out, consensus.ScheduleTimeout{Kind: in.Kind, Height: in.Height, Round: in.Round, Delay: e.params.CloseInterval})
		}
	}
	return consensus.StepResponse{Outputs: out}, nil
}

func (e *echo) Restore(context.Context, consensus.RestoreRequest) (consensus.RestoreResponse, error) {
	return consensus.RestoreResponse{}, nil
}

var (
	_ consensus.Restorer             = (*echo)(nil)
	_ consensus.ConfigSchemaProvider = (*echo)(nil)
)

func main() {
	stdoutFirst := flag.Bool("stdout-first", false, "print to stdout before serving")
	flag.Parse()
	if *stdoutFirst {
		fmt.Println("starting echo engine")
	}
	consensus.Serve(&echo{})
}
