package gateway

import (
	"context"

	"github.com/jtchain/jtchain/sdk/plugin"
)

// Gateway is what a gateway plugin implements. The node calls Info, then
// Configure, then keeps one WatchDeposits running and calls Redeem (and
// Reserves) beside it, concurrently.
type Gateway interface {
	// Info reports the plugin's name, version and own capabilities; the SDK
	// fills in the kind, the API version and the capabilities of the
	// optional interfaces the gateway implements.
	Info(ctx context.Context) (plugin.Info, error)
	// Configure hands the gateway its operator config and data directory;
	// an error stops the start. ConfigureRequest.Decode reads the config
	// strictly.
	Configure(ctx context.Context, req ConfigureRequest) (ConfigureResponse, error)
	// WatchDeposits sends the confirmed deposits after req.Cursor to out,
	// in order, and keeps watching for new ones until ctx ends; then it
	// returns ctx.Err() promptly. It returns another error only when it
	// cannot go on (the node calls it again later from its last cursor; wrap
	// a passing failure with Retryable). Each Deposit's Cursor must make a
	// new WatchDeposits, in this process or a restarted one, resume right
	// after that deposit.
	WatchDeposits(ctx context.Context, req WatchRequest, out DepositSink) error
	// Redeem pays one redemption out in the external system. It must be
	// idempotent on req.RedemptionID, across restarts too: a second call
	// with the same id returns the first call's response and pays nothing.
	// Call req.Validate first; wrap failures worth retrying with Retryable.
	Redeem(ctx context.Context, req RedeemRequest) (RedeemResponse, error)
}

// DepositSink receives the deposits WatchDeposits finds. Send blocks until
// the node took the deposit or ctx ends; it fails for a deposit that is not
// well formed (see Deposit.Validate), and WatchDeposits should return that
// error.
type DepositSink interface {
	Send(ctx context.Context, d Deposit) error
}

// SinkFunc adapts a function to DepositSink.
type SinkFunc func(ctx context.Context, d Deposit) error

// Send calls f.
func (f SinkFunc) Send(ctx context.Context, d Deposit) error { return f(ctx, d) }

// ReservesReporter is implemented by gateways that can report what they
// hold in the external system (capability CapReserves), so the node can
// show how far its issued usercoins are backed.
type ReservesReporter interface {
	Reserves(ctx context.Context, req ReservesRequest) (ReservesResponse, error)
}

// ConfigSchemaProvider is implemented by gateways that accept operator
// config: ConfigSchema returns a JSON Schema document the node validates the
// config against before Configure. Gateways without it take no config.
type ConfigSchemaProvider interface {
	ConfigSchema(ctx context.Context) ([]byte, error)
}

// UnimplementedGateway makes a gateway forward compatible: embed it, and
// methods added to Gateway in later minors return ErrUnimplemented instead
// of breaking the build.
type UnimplementedGateway struct{}

// Info returns an empty Info; override it to name the gateway.
func (UnimplementedGateway) Info(context.Context) (plugin.Info, error) { return plugin.Info{}, nil }

// Configure accepts an empty config and refuses any other, as befits a
// gateway that declares no config schema; override it to take config.
func (UnimplementedGateway) Configure(_ context.Context, req ConfigureRequest) (ConfigureResponse, error) {
	return ConfigureResponse{}, req.Decode(&struct{}{})
}

// WatchDeposits returns ErrUnimplemented.
func (UnimplementedGateway) WatchDeposits(context.Context, WatchRequest, DepositSink) error {
	return ErrUnimplemented
}

// Redeem returns ErrUnimplemented.
func (UnimplementedGateway) Redeem(context.Context, RedeemRequest) (RedeemResponse, error) {
	return RedeemResponse{}, ErrUnimplemented
}

var _ Gateway = UnimplementedGateway{}
