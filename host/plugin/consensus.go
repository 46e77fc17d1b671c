package plugin

import (
	"context"
	"fmt"

	sdkconsensus "github.com/jtchain/jtchain/sdk/consensus"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// DispenseConsensus returns the consensus client of s's running plugin.
// The client is bound to the current process: it stops working when the
// plugin restarts, and calls through it bypass the supervisor's timeout,
// counters and restart-on-hang. The node's consensus driver should use
// ConsensusEngine instead.
func DispenseConsensus(s *Supervisor) (*sdkconsensus.Client, error) {
	if s.cfg.Kind != sdkplugin.KindConsensus {
		return nil, fmt.Errorf("plugin instance %q is a %s plugin, not a consensus plugin", s.cfg.Name, s.cfg.Kind)
	}
	s.mu.Lock()
	p, state := s.proc, s.state
	s.mu.Unlock()
	if p == nil {
		return nil, fmt.Errorf("plugin instance %q is %s: %w", s.cfg.Name, state, ErrNotRunning)
	}
	c, ok := p.raw.(*sdkconsensus.Client)
	if !ok {
		return nil, fmt.Errorf("plugin instance %q: client is %T, not *consensus.Client", s.cfg.Name, p.raw)
	}
	return c, nil
}

// ConsensusEngine returns an Engine that calls s's plugin through
// Supervisor.Call: each method runs under CallTimeout, is counted, follows
// the plugin across restarts and fails with ErrNotRunning while there is
// none. A restarted plugin has lost its state; the driver must Configure
// (and Restore, if the plugin has the capability) again before stepping.
func ConsensusEngine(s *Supervisor) interface {
	sdkconsensus.Engine
	sdkconsensus.Restorer
} {
	return consensusEngine{s}
}

type consensusEngine struct{ s *Supervisor }

// Generation tells the node's engine adapter that the plugin was restarted
// and must be configured again (see Supervisor.Generation).
func (e consensusEngine) Generation() uint64 { return e.s.Generation() }

func (e consensusEngine) Info(ctx context.Context) (info sdkplugin.Info, err error) {
	err = CallAs(ctx, e.s, func(ctx context.Context, c *sdkconsensus.Client) error {
		info, err = c.Info(ctx)
		return err
	})
	return info, err
}

func (e consensusEngine) Configure(ctx context.Context, req sdkconsensus.ConfigureRequest) (resp sdkconsensus.ConfigureResponse, err error) {
	err = CallAs(ctx, e.s, func(ctx context.Context, c *sdkconsensus.Client) error {
		resp, err = c.Configure(ctx, req)
		return err
	})
	return resp, err
}

func (e consensusEngine) Step(ctx context.Context, req sdkconsensus.StepRequest) (resp sdkconsensus.StepResponse, err error) {
	err = CallAs(ctx, e.s, func(ctx context.Context, c *sdkconsensus.Client) error {
		resp, err = c.Step(ctx, req)
		return err
	})
	return resp, err
}

func (e consensusEngine) Restore(ctx context.Context, req sdkconsensus.RestoreRequest) (resp sdkconsensus.RestoreResponse, err error) {
	err = CallAs(ctx, e.s, func(ctx context.Context, c *sdkconsensus.Client) error {
		resp, err = c.Restore(ctx, req)
		return err
	})
	return resp, err
}
