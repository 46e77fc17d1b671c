package vm

import (
	"context"
	"errors"
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	vmv1 "github.com/jtchain/jtchain/sdk/proto/jt/vm/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// The plugin side: gRPC servers that call the author's Runtime.

type baseServer struct {
	basev1.UnimplementedPluginBaseServer
	impl Runtime
}

func (s *baseServer) GetInfo(ctx context.Context, _ *basev1.GetInfoRequest) (*basev1.GetInfoResponse, error) {
	info, err := runtimeInfo(ctx, s.impl)
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

// runtimeInfo is the author's Info with what the SDK knows filled in.
func runtimeInfo(ctx context.Context, impl Runtime) (plugin.Info, error) {
	info, err := impl.Info(ctx)
	if err != nil {
		return plugin.Info{}, err
	}
	info.Kind = plugin.KindVM
	info.APIMajor = APIMajor
	info.APIMinor = APIMinor
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

type runtimeServer struct {
	vmv1.UnimplementedRuntimeServer
	impl   Runtime
	broker *goplugin.GRPCBroker
}

// Validate refuses empty and oversized code itself, so no runtime sees
// either over the wire.
func (s *runtimeServer) Validate(ctx context.Context, req *vmv1.ValidateRequest) (*vmv1.ValidateResponse, error) {
	if p := sizeProblem(req.GetCode()); p != "" {
		return &vmv1.ValidateResponse{Problems: []string{p}}, nil
	}
	resp, err := s.impl.Validate(ctx, ValidateRequest{Code: req.GetCode()})
	if err != nil {
		return nil, toStatus(err)
	}
	return &vmv1.ValidateResponse{Problems: resp.Problems}, nil
}

func sizeProblem(code []byte) string {
	switch {
	case len(code) == 0:
		return "code is empty"
	case len(code) > MaxCodeSize:
		return fmt.Sprintf("code is %d bytes, more than the %d a contract may have", len(code), MaxCodeSize)
	}
	return ""
}

func (s *runtimeServer) Execute(ctx context.Context, req *vmv1.ExecuteRequest) (*vmv1.ExecuteResponse, error) {
	calls, err := decodeCalls(req)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "execute: %v", err)
	}
	state, closeState, err := s.dialState(req.GetStateBrokerId(), req.GetSnapshot())
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "execute: %v", err)
	}
	defer closeState()
	resp, err := s.impl.Execute(ctx, ExecuteRequest{Calls: calls, State: state})
	if err != nil {
		return nil, toStatus(err)
	}
	if err := checkResults(calls, resp.Results); err != nil {
		return nil, status.Errorf(codes.Internal, "execute: the runtime broke the contract: %v", err)
	}
	out := &vmv1.ExecuteResponse{Results: encodeResults(resp.Results)}
	if n := proto.Size(out); n > plugin.MaxMessageSize {
		return nil, status.Errorf(codes.ResourceExhausted, "execute: the results of %d calls are %d bytes, more than the %d one message may carry: %v",
			len(calls), n, plugin.MaxMessageSize, ErrBatchTooLarge)
	}
	return out, nil
}

// dialState connects to the StateReader the node serves for this batch.
// The node announces it on the broker when it sends Execute and go-plugin
// drops an announcement nobody dials within five seconds, so this dials at
// once rather than at the first read.
func (s *runtimeServer) dialState(id uint32, snapshot uint64) (StateReader, func(), error) {
	if id == 0 {
		return noState{}, func() {}, nil
	}
	if s.broker == nil {
		return nil, nil, errors.New("no broker to reach the node's state reader")
	}
	conn, err := s.broker.DialWithOptions(id, plugin.GRPCDialOptions()...)
	if err != nil {
		return nil, nil, fmt.Errorf("dial the node's state reader (broker id %d): %w", id, err)
	}
	return &remoteState{client: vmv1.NewStateReaderClient(conn), snapshot: snapshot}, func() { _ = conn.Close() }, nil
}

// remoteState reads the node's snapshot over the broker.
type remoteState struct {
	client   vmv1.StateReaderClient
	snapshot uint64
}

func (r *remoteState) Get(ctx context.Context, key []byte) ([]byte, bool, error) {
	if len(key) > MaxKeySize {
		return nil, false, fmt.Errorf("vm: read state key %.16x…: it is %d bytes, more than MaxKeySize (%d)", key, len(key), MaxKeySize)
	}
	resp, err := r.client.Get(ctx, &vmv1.GetRequest{Snapshot: r.snapshot, Key: key})
	if err != nil {
		return nil, false, fmt.Errorf("vm: read state key %x: %w", key, err)
	}
	return resp.GetValue(), resp.GetFound(), nil
}

// noState is the StateReader of a batch the node sent without one.
type noState struct{}

func (noState) Get(context.Context, []byte) ([]byte, bool, error) {
	return nil, false, errors.New("vm: this batch has no state reader")
}

// toStatus carries a runtime error to the node with a code it can branch
// on.
func toStatus(err error) error {
	switch {
	case errors.Is(err, ErrUnimplemented):
		return status.Error(codes.Unimplemented, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

// fromStatus names the method and restores the SDK's sentinels on the
// node.
func fromStatus(method string, err error) error {
	switch status.Code(err) {
	case codes.Unimplemented:
		return fmt.Errorf("vm plugin: %s: %w", method, ErrUnimplemented)
	case codes.ResourceExhausted:
		return fmt.Errorf("vm plugin: %s: %w: %w", method, ErrBatchTooLarge, err)
	}
	return fmt.Errorf("vm plugin: %s: %w", method, err)
}
