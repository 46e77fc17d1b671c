// Package pluginengine runs a consensus plugin (written with sdk/consensus)
// behind the host's consensus.Engine interface, so the node's driver steps
// an out-of-process engine exactly as it steps a built-in one.
//
// The SDK mirrors host/consensus's types one to one; this package converts
// between them and handles what a process boundary adds: a Step can fail. A
// failed Step returns no outputs (the node stops voting, DESIGN.md §6), and
// the next Step first configures the plugin again (the supervisor may have
// restarted it with empty state), restores it from the last safety record
// when it can, and replays the last StartHeight, so an engine that keeps its
// state per height (solo) resumes where it was. A plugin restarted by its
// supervisor between two Steps (health check, hang) is noticed by its
// Generation and configured the same way before its next Step.
package pluginengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
	sdk "github.com/jtchain/jtchain/sdk/consensus"
)

// Engine is a consensus plugin as a consensus.Engine. It is not safe for
// concurrent use: the driver's loop owns it, as it owns every engine.
type Engine struct {
	eng     sdk.Engine
	params  sdk.Params
	timeout time.Duration
	log     hclog.Logger

	setup      Setup
	configured bool
	gen        uint64 // the plugin generation configured (see Generationer)
	lastStart  *consensus.StartHeight
	safety     []byte // the latest PersistSafety record the plugin emitted
	committed  uint64 // the latest height the plugin committed
	failures   int    // failed steps since the engine was made
	run        int    // failed steps since the last success
}

// Setup is what the node's config says about the plugin instance beyond
// the engine parameters.
type Setup struct {
	// Config is the operator's config for the plugin (JSON), already checked
	// against the plugin's schema at launch.
	Config json.RawMessage
	// DataDir is the instance's private directory.
	DataDir string
}

// Generationer is implemented by engines whose process can be replaced
// underneath (host/plugin's supervised engine): a new generation has lost
// its state and is configured again before its next Step.
type Generationer interface {
	Generation() uint64
}

// New configures the plugin with the node's parameters. timeout bounds each
// call (the supervisor's own call timeout applies too).
func New(eng sdk.Engine, p consensus.Params, timeout time.Duration, log hclog.Logger) (*Engine, error) {
	return NewWithSetup(eng, p, Setup{}, timeout, log)
}

// NewWithSetup is New with the instance's config and data directory, which
// every Configure carries.
func NewWithSetup(eng sdk.Engine, p consensus.Params, setup Setup, timeout time.Duration, log hclog.Logger) (*Engine, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	e := &Engine{eng: eng, params: SDKParams(p), setup: setup, timeout: timeout, log: log, safety: p.Safety}
	if err := e.configure(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) configure() error {
	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	e.params.Safety = e.safety
	if g, ok := e.eng.(Generationer); ok {
		e.gen = g.Generation()
	}
	req := sdk.ConfigureRequest{APIMinor: sdk.APIMinor, Params: e.params, Config: e.setup.Config, DataDir: e.setup.DataDir}
	if _, err := e.eng.Configure(ctx, req); err != nil {
		return fmt.Errorf("consensus plugin: configure: %w", err)
	}
	if r, ok := e.eng.(sdk.Restorer); ok && (len(e.safety) > 0 || e.committed > 0) {
		// An engine without Restore (solo) is brought back by replaying the
		// height in progress instead.
		if _, err := r.Restore(ctx, sdk.RestoreRequest{Safety: e.safety, LastCommitted: e.committed}); err != nil && !errors.Is(err, sdk.ErrUnimplemented) {
			return fmt.Errorf("consensus plugin: restore: %w", err)
		}
	}
	e.configured = true
	return nil
}

// fail counts a failed step and logs the first of a run of failures and
// then every hundredth, so a plugin that stays down does not flood the log.
func (e *Engine) fail(msg string, in consensus.Input, err error) {
	e.failures++
	e.run++
	if e.run == 1 || e.run%100 == 0 {
		e.log.Error(msg, "input", fmt.Sprintf("%T", in), "failed_steps", e.run, "error", err)
	}
}

// Failures counts the Steps that failed since the engine was made.
func (e *Engine) Failures() int { return e.failures }

// Step implements consensus.Engine.
func (e *Engine) Step(in consensus.Input) []consensus.Output {
	inputs := []sdk.Input{SDKInput(in)}
	if g, ok := e.eng.(Generationer); ok && e.configured && g.Generation() != e.gen {
		// Restarted by its supervisor (health check, hang) since the last
		// Configure: the new process knows nothing yet.
		e.log.Warn("consensus plugin was restarted; configuring it again", "generation", g.Generation())
		e.configured = false
	}
	if !e.configured {
		if err := e.configure(); err != nil {
			e.fail("consensus plugin unavailable; not voting until it is back", in, err)
			return nil
		}
		if e.run > 0 {
			e.log.Info("consensus plugin is back", "failed_steps", e.run)
			e.run = 0
		}
		// Bring a restarted plugin back to the height in progress.
		if e.lastStart != nil {
			if _, isStart := in.(consensus.StartHeight); !isStart {
				inputs = append([]sdk.Input{SDKInput(*e.lastStart)}, inputs...)
			}
		}
	}
	if s, ok := in.(consensus.StartHeight); ok {
		e.lastStart = &s
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	resp, err := e.eng.Step(ctx, sdk.StepRequest{Inputs: inputs})
	if err != nil {
		e.configured = false
		e.fail("consensus plugin step failed; not voting until it is back", in, err)
		return nil
	}
	out := make([]consensus.Output, 0, len(resp.Outputs))
	for _, o := range resp.Outputs {
		h, err := HostOutput(o)
		if err != nil {
			e.log.Error("consensus plugin returned an output the host does not know; ignoring it", "error", err)
			continue
		}
		switch h := h.(type) {
		case consensus.PersistSafety:
			e.safety = append([]byte(nil), h.Record...)
		case consensus.Commit:
			e.committed = max(e.committed, h.Block.Height)
		}
		out = append(out, h)
	}
	return out
}

// SDKParams converts the node's engine parameters.
func SDKParams(p consensus.Params) sdk.Params {
	return sdk.Params{
		ChainID: p.ChainID, Self: sdk.AccountID(p.Self),
		CloseInterval: p.CloseInterval, IdleInterval: p.IdleInterval, LedgerTarget: p.LedgerTarget,
		Options: p.Options, Safety: p.Safety,
	}
}

func sdkBlock(b consensus.Block) sdk.Block {
	return sdk.Block{Height: b.Height, ID: sdk.Hash256(b.ID), ParentID: sdk.Hash256(b.ParentID), Payload: b.Payload}
}

func hostBlock(b sdk.Block) consensus.Block {
	return consensus.Block{Height: b.Height, ID: codec.Hash256(b.ID), ParentID: codec.Hash256(b.ParentID), Payload: b.Payload}
}

func sdkMessage(m consensus.Message) sdk.Message {
	return sdk.Message{From: sdk.AccountID(m.From), Payload: m.Payload, Signature: m.Signature}
}

// SDKInput converts one input. Every host input has an SDK counterpart; a
// type the SDK does not know (a host change without an SDK change) panics,
// which the tests of this package catch.
func SDKInput(in consensus.Input) sdk.Input {
	switch in := in.(type) {
	case consensus.StartHeight:
		vals := make([]sdk.Validator, len(in.Validators))
		for i, v := range in.Validators {
			vals[i] = sdk.Validator{Address: sdk.AccountID(v.Address), PublicKey: v.PublicKey}
		}
		return sdk.StartHeight{Height: in.Height, ParentID: sdk.Hash256(in.ParentID), Validators: vals, Seed: sdk.Hash256(in.Seed), Now: in.Now}
	case consensus.Tick:
		return sdk.Tick{Now: in.Now}
	case consensus.TxsAvailable:
		return sdk.TxsAvailable{Count: in.Count, Now: in.Now}
	case consensus.Timeout:
		return sdk.Timeout{Kind: sdk.TimeoutKind(in.Kind), Height: in.Height, Round: in.Round}
	case consensus.BlockBuilt:
		return sdk.BlockBuilt{Height: in.Height, Round: in.Round, Block: sdkBlock(in.Block)}
	case consensus.Validated:
		return sdk.Validated{BlockID: sdk.Hash256(in.BlockID), OK: in.OK}
	case consensus.Message:
		return sdkMessage(in)
	}
	panic(fmt.Sprintf("pluginengine: host input %T has no SDK counterpart", in))
}

// HostOutput converts one output from the plugin.
func HostOutput(o sdk.Output) (consensus.Output, error) {
	switch o := o.(type) {
	case sdk.BuildBlock:
		return consensus.BuildBlock{Height: o.Height, Round: o.Round}, nil
	case sdk.Validate:
		return consensus.Validate{Block: hostBlock(o.Block)}, nil
	case sdk.Commit:
		return consensus.Commit{Block: hostBlock(o.Block), Certificate: o.Certificate}, nil
	case sdk.ScheduleTimeout:
		return consensus.ScheduleTimeout{Kind: consensus.TimeoutKind(o.Kind), Height: o.Height, Round: o.Round, Delay: o.Delay}, nil
	case sdk.PersistSafety:
		return consensus.PersistSafety{Record: o.Record}, nil
	case sdk.SignAndBroadcast:
		return consensus.SignAndBroadcast{Payload: o.Payload}, nil
	case sdk.Evidence:
		return consensus.Evidence{Payload: o.Payload}, nil
	case sdk.RequestCatchUp:
		return consensus.RequestCatchUp{Height: o.Height}, nil
	case sdk.Rebroadcast:
		msgs := make([]consensus.Message, len(o.Messages))
		for i, m := range o.Messages {
			msgs[i] = consensus.Message{From: codec.AccountID(m.From), Payload: m.Payload, Signature: m.Signature}
		}
		return consensus.Rebroadcast{Messages: msgs}, nil
	}
	return nil, fmt.Errorf("pluginengine: unknown output %T", o)
}

// The other two directions, which a plugin side or a test that compares a
// plugin with a built-in engine needs.

// HostParams converts SDK engine parameters to the host's.
func HostParams(p sdk.Params) consensus.Params {
	return consensus.Params{
		ChainID: p.ChainID, Self: codec.AccountID(p.Self),
		CloseInterval: p.CloseInterval, IdleInterval: p.IdleInterval, LedgerTarget: p.LedgerTarget,
		Options: p.Options, Safety: p.Safety,
	}
}

// HostInput converts an SDK input to the host's.
func HostInput(in sdk.Input) (consensus.Input, error) {
	switch in := in.(type) {
	case sdk.StartHeight:
		vals := make([]consensus.Validator, len(in.Validators))
		for i, v := range in.Validators {
			vals[i] = consensus.Validator{Address: codec.AccountID(v.Address), PublicKey: v.PublicKey}
		}
		return consensus.StartHeight{Height: in.Height, ParentID: codec.Hash256(in.ParentID), Validators: vals, Seed: codec.Hash256(in.Seed), Now: in.Now}, nil
	case sdk.Tick:
		return consensus.Tick{Now: in.Now}, nil
	case sdk.TxsAvailable:
		return consensus.TxsAvailable{Count: in.Count, Now: in.Now}, nil
	case sdk.Timeout:
		return consensus.Timeout{Kind: consensus.TimeoutKind(in.Kind), Height: in.Height, Round: in.Round}, nil
	case sdk.BlockBuilt:
		return consensus.BlockBuilt{Height: in.Height, Round: in.Round, Block: hostBlock(in.Block)}, nil
	case sdk.Validated:
		return consensus.Validated{BlockID: codec.Hash256(in.BlockID), OK: in.OK}, nil
	case sdk.Message:
		return consensus.Message{From: codec.AccountID(in.From), Payload: in.Payload, Signature: in.Signature}, nil
	}
	return nil, fmt.Errorf("pluginengine: unknown input %T", in)
}

// SDKOutput converts a host output to the SDK's.
func SDKOutput(o consensus.Output) (sdk.Output, error) {
	switch o := o.(type) {
	case consensus.BuildBlock:
		return sdk.BuildBlock{Height: o.Height, Round: o.Round}, nil
	case consensus.Validate:
		return sdk.Validate{Block: sdkBlock(o.Block)}, nil
	case consensus.Commit:
		return sdk.Commit{Block: sdkBlock(o.Block), Certificate: o.Certificate}, nil
	case consensus.ScheduleTimeout:
		return sdk.ScheduleTimeout{Kind: sdk.TimeoutKind(o.Kind), Height: o.Height, Round: o.Round, Delay: o.Delay}, nil
	case consensus.PersistSafety:
		return sdk.PersistSafety{Record: o.Record}, nil
	case consensus.SignAndBroadcast:
		return sdk.SignAndBroadcast{Payload: o.Payload}, nil
	case consensus.Evidence:
		return sdk.Evidence{Payload: o.Payload}, nil
	case consensus.RequestCatchUp:
		return sdk.RequestCatchUp{Height: o.Height}, nil
	case consensus.Rebroadcast:
		msgs := make([]sdk.Message, len(o.Messages))
		for i, m := range o.Messages {
			msgs[i] = sdkMessage(m)
		}
		return sdk.Rebroadcast{Messages: msgs}, nil
	}
	return nil, fmt.Errorf("pluginengine: unknown output %T", o)
}
