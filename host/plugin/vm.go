package plugin

import (
	"context"
	"fmt"
	"sync"

	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
	sdkvm "github.com/jtchain/jtchain/sdk/vm"
)

// VM is a contract-runtime plugin instance as the node uses it: every
// method goes through the instance's Supervisor, so call timeouts,
// counters and restarts apply, and follows the plugin across restarts.
// Before the first call that reaches a process it configures that process
// (with the instance's config, data directory and the chain id), so a
// restarted runtime is configured again without the caller noticing. Safe
// for concurrent use.
type VM struct {
	s   *Supervisor
	req sdkvm.ConfigureRequest

	mu         sync.Mutex
	configured *sdkvm.Client // the process the last Configure succeeded on
}

// NewVM returns the node's client of s's vm plugin; chainID names the
// chain in Configure.
func NewVM(s *Supervisor, chainID string) (*VM, error) {
	if s.cfg.Kind != sdkplugin.KindVM {
		return nil, fmt.Errorf("plugin instance %q is a %s plugin, not a vm plugin", s.cfg.Name, s.cfg.Kind)
	}
	return &VM{s: s, req: sdkvm.ConfigureRequest{
		APIMinor: sdkvm.APIMinor,
		Config:   s.cfg.Config,
		ChainID:  chainID,
		DataDir:  s.cfg.DataDir,
	}}, nil
}

// Name is the instance's name.
func (v *VM) Name() string { return v.s.cfg.Name }

// Info returns what the running plugin reports about itself; the node
// checks its Semantics against the runtime a contract pinned.
func (v *VM) Info(ctx context.Context) (info sdkplugin.Info, err error) {
	err = CallAs(ctx, v.s, func(ctx context.Context, c *sdkvm.Client) error {
		info, err = c.Info(ctx)
		return err
	})
	return info, err
}

// Validate asks the runtime whether code may be deployed.
func (v *VM) Validate(ctx context.Context, req sdkvm.ValidateRequest) (resp sdkvm.ValidateResponse, err error) {
	err = v.call(ctx, func(ctx context.Context, c *sdkvm.Client) error {
		resp, err = c.Validate(ctx, req)
		return err
	})
	return resp, err
}

// Execute runs a batch of calls in one plugin call, serving req.State to
// the plugin over go-plugin's broker for the length of that call (see
// sdkvm.Client.Execute). The batch, configuring a restarted process
// included, runs under the instance's CallTimeout: a runtime that takes
// longer is restarted and the executor abstains from the batch. A batch
// over the SDK's limits fails with sdkvm.ErrBatchTooLarge; split it.
func (v *VM) Execute(ctx context.Context, req sdkvm.ExecuteRequest) (resp sdkvm.ExecuteResponse, err error) {
	err = v.call(ctx, func(ctx context.Context, c *sdkvm.Client) error {
		resp, err = c.Execute(ctx, req)
		return err
	})
	return resp, err
}

// call is CallAs with the process configured first, within the same call.
func (v *VM) call(ctx context.Context, fn func(ctx context.Context, c *sdkvm.Client) error) error {
	return CallAs(ctx, v.s, func(ctx context.Context, c *sdkvm.Client) error {
		if err := v.configure(ctx, c); err != nil {
			return err
		}
		return fn(ctx, c)
	})
}

// configure configures the process behind c unless it already was. It
// holds mu throughout, so concurrent first calls configure it once.
func (v *VM) configure(ctx context.Context, c *sdkvm.Client) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.configured == c {
		return nil
	}
	if _, err := c.Configure(ctx, v.req); err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	v.configured = c
	return nil
}
