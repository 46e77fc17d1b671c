package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	gatewayv1 "github.com/jtchain/jtchain/sdk/proto/jt/gateway/v1"
)

// Client is the node's side of a gateway plugin: it implements Gateway by
// calling the plugin over gRPC. Get one from Dispense. It also implements
// ReservesReporter and ConfigSchemaProvider whatever the plugin does; the
// node checks Info's capabilities before calling Reserves, and a plugin
// without the method answers ErrUnimplemented.
//
// Everything that crosses is validated on arrival: a malformed deposit
// ends WatchDeposits with an error wrapping ErrInvalidRequest instead of
// reaching the sink. Every method honours ctx; methods are safe for
// concurrent use.
type Client struct {
	base    basev1.PluginBaseClient
	gateway gatewayv1.GatewayClient
}

var (
	_ Gateway              = (*Client)(nil)
	_ ReservesReporter     = (*Client)(nil)
	_ ConfigSchemaProvider = (*Client)(nil)
)

// Info fetches the plugin's self-description. The node must check Kind
// and APIMajor against its config before configuring the gateway.
func (c *Client) Info(ctx context.Context) (plugin.Info, error) {
	resp, err := c.base.GetInfo(ctx, &basev1.GetInfoRequest{})
	if err != nil {
		return plugin.Info{}, fromStatus("GetInfo", err)
	}
	return plugin.Info{
		Kind:         plugin.Kind(resp.GetKind()),
		Name:         resp.GetName(),
		Version:      resp.GetPluginVersion(),
		APIMajor:     resp.GetApiMajor(),
		APIMinor:     resp.GetApiMinor(),
		Capabilities: resp.GetCapabilities(),
		Semantics:    resp.GetSemantics(),
	}, nil
}

// ConfigSchema fetches the JSON Schema of the plugin's operator config
// (empty: the plugin takes none).
func (c *Client) ConfigSchema(ctx context.Context) ([]byte, error) {
	resp, err := c.base.GetConfigSchema(ctx, &basev1.GetConfigSchemaRequest{})
	if err != nil {
		return nil, fromStatus("GetConfigSchema", err)
	}
	return resp.GetJsonSchema(), nil
}

// Configure sends the gateway its config and data directory.
func (c *Client) Configure(ctx context.Context, req ConfigureRequest) (ConfigureResponse, error) {
	_, err := c.base.Configure(ctx, &basev1.ConfigureRequest{
		ApiMinor:         req.APIMinor,
		HostCapabilities: req.HostCapabilities,
		ConfigJson:       req.Config,
		ChainId:          req.ChainID,
		DataDir:          req.DataDir,
	})
	if err != nil {
		return ConfigureResponse{}, fromStatus("Configure", err)
	}
	return ConfigureResponse{}, nil
}

// WatchDeposits streams the plugin's deposits after req.Cursor into out
// until ctx ends, then returns an error wrapping ctx.Err(). It returns
// earlier with out's error, with the plugin's, with one wrapping
// ErrInvalidRequest for a malformed deposit, or with one wrapping
// ErrWatchEnded if the plugin ends the stream.
func (c *Client) WatchDeposits(ctx context.Context, req WatchRequest, out DepositSink) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the stream on every early return
	if n := len(req.Cursor); n > MaxCursorLength {
		return fmt.Errorf("gateway plugin: WatchDeposits: %w: the cursor is %d bytes, more than %d", ErrInvalidRequest, n, MaxCursorLength)
	}
	stream, err := c.gateway.WatchDeposits(ctx, &gatewayv1.WatchDepositsRequest{Cursor: req.Cursor})
	if err != nil {
		return c.watchError(ctx, err)
	}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("gateway plugin: WatchDeposits: %w", ErrWatchEnded)
		}
		if err != nil {
			return c.watchError(ctx, err)
		}
		deposits, err := decodeDeposits(resp.GetDeposits())
		if err != nil {
			return fmt.Errorf("gateway plugin: WatchDeposits: malformed deposit: %w", err)
		}
		for _, d := range deposits {
			if err := out.Send(ctx, d); err != nil {
				return err
			}
		}
	}
}

func (c *Client) watchError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("gateway plugin: WatchDeposits: %w", ctx.Err())
	}
	return fromStatus("WatchDeposits", err)
}

// Redeem asks the plugin to pay out a redemption. A request that is not
// well formed fails with ErrInvalidRequest before anything is sent; an
// error the plugin marked Retryable is one here too (IsRetryable).
func (c *Client) Redeem(ctx context.Context, req RedeemRequest) (RedeemResponse, error) {
	if err := req.Validate(); err != nil {
		return RedeemResponse{}, fmt.Errorf("gateway plugin: Redeem: %w", err)
	}
	resp, err := c.gateway.Redeem(ctx, encodeRedeem(req))
	if err != nil {
		return RedeemResponse{}, fromStatus("Redeem", err)
	}
	if err := checkRef(resp.GetExternalRef()); err != nil {
		return RedeemResponse{}, fmt.Errorf("gateway plugin: Redeem: %w", err)
	}
	return RedeemResponse{ExternalRef: resp.GetExternalRef()}, nil
}

// Reserves asks the plugin what it holds.
func (c *Client) Reserves(ctx context.Context, _ ReservesRequest) (ReservesResponse, error) {
	resp, err := c.gateway.Reserves(ctx, &gatewayv1.ReservesRequest{})
	if err != nil {
		return ReservesResponse{}, fromStatus("Reserves", err)
	}
	r, err := decodeReserves(resp)
	if err != nil {
		return ReservesResponse{}, fmt.Errorf("gateway plugin: Reserves: %w", err)
	}
	return r, nil
}
