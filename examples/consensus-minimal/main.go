// Command consensus-minimal is the smallest working consensus plugin: a lone
// validator that asks the node for a block once the close interval has passed
// since the height started, and commits the block it gets.
package main

import (
	"context"
	"errors"
	"time"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// engine is a deterministic state machine: its only clock is the inputs'
// Now, and the node calls it from one goroutine, so it needs no lock.
type engine struct {
	consensus.UnimplementedEngine
	interval time.Duration // 0 until configured
	height   uint64        // the height in progress; 0 while none is
	started  time.Time     // when it started
	asked    bool          // a BuildBlock for it is outstanding
}

func (e *engine) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "minimal", Version: "0.1.0", Semantics: "minimal/1"}, nil
}

// Configure is a fresh start; it refuses what it does not understand.
func (e *engine) Configure(_ context.Context, req consensus.ConfigureRequest) (consensus.ConfigureResponse, error) {
	*e = engine{}
	if c := string(req.Config); len(req.Params.Options) > 0 || c != "" && c != "{}" && c != "null" {
		return consensus.ConfigureResponse{}, errors.New("minimal takes no options and no config")
	}
	if req.Params.CloseInterval <= 0 {
		return consensus.ConfigureResponse{}, errors.New("minimal needs a positive close interval")
	}
	e.interval = req.Params.CloseInterval
	return consensus.ConfigureResponse{}, nil
}

func (e *engine) Step(_ context.Context, req consensus.StepRequest) (consensus.StepResponse, error) {
	if e.interval == 0 {
		return consensus.StepResponse{}, errors.New("minimal: not configured")
	}
	var out []consensus.Output
	for _, in := range req.Inputs {
		switch in := in.(type) {
		case consensus.StartHeight:
			e.height, e.started, e.asked = in.Height, in.Now, false
		case consensus.Tick:
			if e.height > 0 && !e.asked && in.Now.Sub(e.started) >= e.interval {
				e.asked = true
				out = append(out, consensus.BuildBlock{Height: e.height})
			}
		case consensus.BlockBuilt: // the only validator decides alone
			if e.asked && in.Height == e.height && in.Block.Height == e.height {
				out = append(out, consensus.Commit{Block: in.Block, Certificate: []byte("sole validator")})
				e.height = 0 // until the node starts the next height
			}
		}
	}
	return consensus.StepResponse{Outputs: out}, nil
}

func main() { consensus.Serve(&engine{}) }
