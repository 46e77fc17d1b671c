package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// version is the plugin binary's release; semantics names its behaviour,
// which the node checks against the chain's engine. Change semantics only
// with a behaviour change, and then in host/consensus/solo too.
const (
	version   = "0.1.0"
	semantics = "solo/1"
)

// errNotConfigured is Step's answer before a successful Configure.
var errNotConfigured = errors.New("solo: not configured: Configure must succeed before Step")

// engine is the solo state machine. The node calls it from one goroutine,
// so it has no locks.
type engine struct {
	consensus.UnimplementedEngine
	p          consensus.Params
	configured bool
	height     uint64
	started    bool
	building   bool
	lastClose  time.Time // when the current height started
	pending    int
}

var (
	_ consensus.Engine               = (*engine)(nil)
	_ consensus.ConfigSchemaProvider = (*engine)(nil)
)

func (e *engine) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "solo", Version: version, Semantics: semantics}, nil
}

// ConfigSchema says solo takes no operator config.
func (e *engine) ConfigSchema(context.Context) ([]byte, error) {
	return []byte(`{"type":"object","additionalProperties":false}`), nil
}

// Configure checks the parameters, reporting every problem at once, and
// resets the engine: a Configure is a fresh start.
func (e *engine) Configure(_ context.Context, req consensus.ConfigureRequest) (consensus.ConfigureResponse, error) {
	*e = engine{}
	p := req.Params
	var problems []string
	if p.CloseInterval <= 0 || p.IdleInterval < p.CloseInterval {
		problems = append(problems, fmt.Sprintf("need 0 < close interval (%s) <= idle interval (%s)", p.CloseInterval, p.IdleInterval))
	}
	if len(p.Options) > 0 {
		problems = append(problems, fmt.Sprintf("unknown options %s: the solo engine takes none; remove them from the node's consensus options",
			strings.Join(quoted(slices.Sorted(maps.Keys(p.Options))), ", ")))
	}
	if len(req.Config) > 0 {
		var cfg map[string]json.RawMessage
		if err := json.Unmarshal(req.Config, &cfg); err != nil {
			problems = append(problems, fmt.Sprintf("config is not a JSON object: %v", err))
		} else if len(cfg) > 0 {
			problems = append(problems, fmt.Sprintf("unknown config keys %s: the solo plugin takes no config; remove them from the plugin instance",
				strings.Join(quoted(slices.Sorted(maps.Keys(cfg))), ", ")))
		}
	}
	if len(problems) > 0 {
		return consensus.ConfigureResponse{}, fmt.Errorf("solo: %s", strings.Join(problems, "; "))
	}
	e.p, e.configured = p, true
	return consensus.ConfigureResponse{}, nil
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Step applies the inputs in order; the outputs of each follow those of the
// one before, as if the node had stepped them one at a time.
func (e *engine) Step(_ context.Context, req consensus.StepRequest) (consensus.StepResponse, error) {
	if !e.configured {
		return consensus.StepResponse{}, errNotConfigured
	}
	var out []consensus.Output
	for _, in := range req.Inputs {
		out = append(out, e.apply(in)...)
	}
	return consensus.StepResponse{Outputs: out}, nil
}

// apply is host/consensus/solo's Step, input for input. Messages,
// Validated and Timeout mean nothing to a lone validator and are ignored.
func (e *engine) apply(in consensus.Input) []consensus.Output {
	switch in := in.(type) {
	case consensus.StartHeight:
		// pending survives: the transactions waiting are still waiting.
		e.height, e.started, e.building, e.lastClose = in.Height, true, false, in.Now
		return nil
	case consensus.TxsAvailable:
		e.pending = in.Count
		return e.maybeBuild(in.Now)
	case consensus.Tick:
		return e.maybeBuild(in.Now)
	case consensus.BlockBuilt:
		if !e.building || in.Height != e.height {
			return nil
		}
		e.building = false
		e.pending = 0
		// The only validator's own ledger is decided as soon as it exists.
		return []consensus.Output{consensus.Commit{Block: in.Block}}
	}
	return nil
}

func (e *engine) maybeBuild(now time.Time) []consensus.Output {
	if !e.started || e.building {
		return nil
	}
	since := now.Sub(e.lastClose)
	full := e.p.LedgerTarget > 0 && e.pending >= max(1, e.p.LedgerTarget/2)
	if full || (e.pending > 0 && since >= e.p.CloseInterval) || since >= e.p.IdleInterval {
		e.building = true
		return []consensus.Output{consensus.BuildBlock{Height: e.height}}
	}
	return nil
}
