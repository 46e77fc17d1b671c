package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sdkgateway "github.com/jtchain/jtchain/sdk/gateway"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Gateway is a gateway plugin instance as the node uses it: every method
// goes through the instance's Supervisor, so call timeouts, counters and
// restarts apply, and follows the plugin across restarts. Before the first
// call that reaches a process it configures that process (with the
// instance's config, data directory and the chain id), so a restarted
// gateway is configured again without the caller noticing. Safe for
// concurrent use: the node redeems while it watches.
type Gateway struct {
	s   *Supervisor
	req sdkgateway.ConfigureRequest

	mu         sync.Mutex
	configured *sdkgateway.Client // the process the last Configure succeeded on
}

// NewGateway returns the node's client of s's gateway plugin; chainID
// names the chain in Configure.
func NewGateway(s *Supervisor, chainID string) (*Gateway, error) {
	if s.cfg.Kind != sdkplugin.KindGateway {
		return nil, fmt.Errorf("plugin instance %q is a %s plugin, not a gateway plugin", s.cfg.Name, s.cfg.Kind)
	}
	return &Gateway{s: s, req: sdkgateway.ConfigureRequest{
		APIMinor: sdkgateway.APIMinor,
		Config:   s.cfg.Config,
		ChainID:  chainID,
		DataDir:  s.cfg.DataDir,
	}}, nil
}

// Name is the instance's name.
func (g *Gateway) Name() string { return g.s.cfg.Name }

// Info returns what the running plugin reports about itself.
func (g *Gateway) Info(ctx context.Context) (info sdkplugin.Info, err error) {
	err = CallAs(ctx, g.s, func(ctx context.Context, c *sdkgateway.Client) error {
		info, err = c.Info(ctx)
		return err
	})
	return info, err
}

// Redeem asks the plugin to pay out a redemption (idempotent on its id).
// An error the plugin marked retryable stays so (sdkgateway.IsRetryable),
// and so does one that says nothing about the redemption: no plugin was
// running, it hung, or it died during the call. Since Redeem is
// idempotent, retrying those after the supervisor restarted the plugin is
// safe; anything else (sdkgateway.ErrInvalidRequest, the plugin's own
// refusal) is for an operator to look at.
func (g *Gateway) Redeem(ctx context.Context, req sdkgateway.RedeemRequest) (resp sdkgateway.RedeemResponse, err error) {
	err = g.call(ctx, func(ctx context.Context, c *sdkgateway.Client) error {
		resp, err = c.Redeem(ctx, req)
		return err
	})
	if err != nil && !sdkgateway.IsRetryable(err) &&
		(errors.Is(err, ErrNotRunning) || errors.Is(err, ErrCallTimeout) || status.Code(err) == codes.Unavailable) {
		err = sdkgateway.Retryable(err)
	}
	return resp, err
}

// Reserves asks the plugin what it holds; check Info's capabilities for
// sdkgateway.CapReserves first, a plugin without it answers
// sdkgateway.ErrUnimplemented.
func (g *Gateway) Reserves(ctx context.Context, req sdkgateway.ReservesRequest) (resp sdkgateway.ReservesResponse, err error) {
	err = g.call(ctx, func(ctx context.Context, c *sdkgateway.Client) error {
		resp, err = c.Reserves(ctx, req)
		return err
	})
	return resp, err
}

// WatchDeposits streams the plugin's deposits after req.Cursor into out
// until ctx ends (then it returns ctx's error) or something fails; then the
// caller, who keeps the durable cursor, pauses and calls again from the
// last cursor it persisted.
//
// How a watch fits the supervisor's calls: deposits may not come for
// hours, so waiting for one is no sign of a hung plugin. The watch runs as
// a series of windows, each one Supervisor.Call that streams for at most
// half the instance's CallTimeout and then ends the stream, and the next
// window resumes from the cursor of the last deposit out took. So every
// call is bounded, the instance's counters show the watch, a restarted
// plugin is configured and watched again at the next window, and a
// window's end is never a timeout. out.Send gets ctx, not the window's: a
// window ending does not interrupt the node's issuing of a deposit.
func (g *Gateway) WatchDeposits(ctx context.Context, req sdkgateway.WatchRequest, out sdkgateway.DepositSink) error {
	cursor := req.Cursor
	window := max(g.s.cfg.CallTimeout/2, time.Millisecond)
	for {
		var sinkErr error
		err := g.call(ctx, func(cctx context.Context, c *sdkgateway.Client) error {
			// Cancelled by a timer rather than given a deadline: a deadline
			// would travel to the plugin, which could end the stream with
			// DeadlineExceeded a moment before the window, and that would
			// look like a hung call.
			wctx, cancel := context.WithCancel(cctx)
			defer cancel()
			defer time.AfterFunc(window, cancel).Stop()
			err := c.WatchDeposits(wctx, sdkgateway.WatchRequest{Cursor: cursor}, sdkgateway.SinkFunc(func(_ context.Context, d sdkgateway.Deposit) error {
				if sinkErr = out.Send(ctx, d); sinkErr == nil {
					cursor = d.Cursor
				}
				return sinkErr
			}))
			if sinkErr == nil && ctx.Err() == nil && wctx.Err() != nil {
				return nil // the window ended; the next one resumes
			}
			return err
		})
		switch {
		case sinkErr != nil:
			return sinkErr
		case ctx.Err() != nil:
			return fmt.Errorf("plugin instance %q: watch deposits: %w", g.s.cfg.Name, ctx.Err())
		case err != nil:
			return err
		}
	}
}

// call is CallAs with the process configured first, within the same call.
func (g *Gateway) call(ctx context.Context, fn func(ctx context.Context, c *sdkgateway.Client) error) error {
	return CallAs(ctx, g.s, func(ctx context.Context, c *sdkgateway.Client) error {
		if err := g.configure(ctx, c); err != nil {
			return err
		}
		return fn(ctx, c)
	})
}

// configure configures the process behind c unless it already was. It
// holds mu throughout, so concurrent first calls configure it once.
func (g *Gateway) configure(ctx context.Context, c *sdkgateway.Client) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.configured == c {
		return nil
	}
	if _, err := c.Configure(ctx, g.req); err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	g.configured = c
	return nil
}
