package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	gatewayv1 "github.com/jtchain/jtchain/sdk/proto/jt/gateway/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The plugin side: gRPC servers that call the author's Gateway.

type baseServer struct {
	basev1.UnimplementedPluginBaseServer
	impl Gateway
}

func (s *baseServer) GetInfo(ctx context.Context, _ *basev1.GetInfoRequest) (*basev1.GetInfoResponse, error) {
	info, err := gatewayInfo(ctx, s.impl)
	if err != nil {
		return nil, toStatus(err)
	}
	return &basev1.GetInfoResponse{
		Kind:          string(info.Kind),
		Name:          info.Name,
		PluginVersion: info.Version,
		ApiMajor:      info.APIMajor,
		ApiMinor:      info.APIMinor,
		Capabilities:  info.Capabilities,
		Semantics:     info.Semantics,
	}, nil
}

// gatewayInfo is the author's Info with what the SDK knows filled in.
func gatewayInfo(ctx context.Context, impl Gateway) (plugin.Info, error) {
	info, err := impl.Info(ctx)
	if err != nil {
		return plugin.Info{}, err
	}
	info.Kind = plugin.KindGateway
	info.APIMajor = APIMajor
	info.APIMinor = APIMinor
	if _, ok := impl.(ReservesReporter); ok && !info.HasCapability(CapReserves) {
		info.Capabilities = append(info.Capabilities, CapReserves)
	}
	return info, nil
}

func (s *baseServer) GetConfigSchema(ctx context.Context, _ *basev1.GetConfigSchemaRequest) (*basev1.GetConfigSchemaResponse, error) {
	p, ok := s.impl.(ConfigSchemaProvider)
	if !ok {
		return &basev1.GetConfigSchemaResponse{}, nil
	}
	schema, err := p.ConfigSchema(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return &basev1.GetConfigSchemaResponse{JsonSchema: schema}, nil
}

func (s *baseServer) Configure(ctx context.Context, req *basev1.ConfigureRequest) (*basev1.ConfigureResponse, error) {
	_, err := s.impl.Configure(ctx, ConfigureRequest{
		APIMinor:         req.GetApiMinor(),
		HostCapabilities: req.GetHostCapabilities(),
		Config:           req.GetConfigJson(),
		ChainID:          req.GetChainId(),
		DataDir:          req.GetDataDir(),
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &basev1.ConfigureResponse{}, nil
}

type gatewayServer struct {
	gatewayv1.UnimplementedGatewayServer
	impl Gateway
}

func (s *gatewayServer) WatchDeposits(req *gatewayv1.WatchDepositsRequest, stream grpc.ServerStreamingServer[gatewayv1.WatchDepositsResponse]) error {
	if n := len(req.GetCursor()); n > MaxCursorLength {
		return status.Errorf(codes.InvalidArgument, "watch deposits: the cursor is %d bytes, more than %d", n, MaxCursorLength)
	}
	err := s.impl.WatchDeposits(stream.Context(), WatchRequest{Cursor: req.GetCursor()}, &streamSink{stream: stream})
	if err != nil {
		return toStatus(err)
	}
	return nil // the node reports ErrWatchEnded
}

// streamSink sends each deposit to the node as one stream message.
type streamSink struct {
	stream grpc.ServerStreamingServer[gatewayv1.WatchDepositsResponse]
}

func (s *streamSink) Send(ctx context.Context, d Deposit) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Send blocks under gRPC flow control until the node reads, and fails
	// once the stream's context ends.
	if err := s.stream.Send(&gatewayv1.WatchDepositsResponse{Deposits: []*gatewayv1.Deposit{encodeDeposit(d)}}); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("gateway: send deposit %q to the node: %w", d.ExternalID, err)
	}
	return nil
}

func (s *gatewayServer) Redeem(ctx context.Context, pb *gatewayv1.RedeemRequest) (*gatewayv1.RedeemResponse, error) {
	req, err := decodeRedeem(pb)
	if err != nil {
		return nil, toStatus(err)
	}
	resp, err := s.impl.Redeem(ctx, req)
	if err != nil {
		return nil, toStatus(err)
	}
	if err := checkRef(resp.ExternalRef); err != nil {
		return nil, status.Errorf(codes.Internal, "redeem %q: the gateway broke the contract: %v", req.RedemptionID, err)
	}
	return &gatewayv1.RedeemResponse{ExternalRef: resp.ExternalRef}, nil
}

func (s *gatewayServer) Reserves(ctx context.Context, _ *gatewayv1.ReservesRequest) (*gatewayv1.ReservesResponse, error) {
	r, ok := s.impl.(ReservesReporter)
	if !ok {
		return nil, toStatus(ErrUnimplemented)
	}
	resp, err := r.Reserves(ctx, ReservesRequest{})
	if err != nil {
		return nil, toStatus(err)
	}
	if err := resp.Validate(); err != nil {
		return nil, status.Errorf(codes.Internal, "reserves: the gateway broke the contract: %v", err)
	}
	return encodeReserves(resp), nil
}

// retryablePrefix marks a retryable error's message on the wire, beside
// its code, so that the node tells Retryable from gRPC's own Aborted.
const retryablePrefix = "retryable: "

// toStatus carries a gateway error to the node with a code it can branch
// on.
func toStatus(err error) error {
	switch {
	case errors.Is(err, ErrUnimplemented):
		return status.Error(codes.Unimplemented, err.Error())
	case errors.Is(err, ErrInvalidRequest):
		return status.Error(codes.InvalidArgument, err.Error())
	case IsRetryable(err):
		return status.Error(codes.Aborted, retryablePrefix+err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

// fromStatus names the method and restores the SDK's sentinels and
// Retryable on the node.
func fromStatus(method string, err error) error {
	st := status.Convert(err)
	switch {
	case st.Code() == codes.Unimplemented:
		return fmt.Errorf("gateway plugin: %s: %w", method, ErrUnimplemented)
	case st.Code() == codes.InvalidArgument:
		return fmt.Errorf("gateway plugin: %s: %w: %w", method, ErrInvalidRequest, err)
	case st.Code() == codes.Aborted && strings.HasPrefix(st.Message(), retryablePrefix):
		return Retryable(fmt.Errorf("gateway plugin: %s: %w", method, err))
	}
	return fmt.Errorf("gateway plugin: %s: %w", method, err)
}
