package consensus

import (
	"context"
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	consensusv1 "github.com/jtchain/jtchain/sdk/proto/jt/consensus/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The plugin side: gRPC servers that call the author's Engine.

type baseServer struct {
	basev1.UnimplementedPluginBaseServer
	impl Engine
}

func (s *baseServer) GetInfo(ctx context.Context, _ *basev1.GetInfoRequest) (*basev1.GetInfoResponse, error) {
	info, err := engineInfo(ctx, s.impl)
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

// engineInfo is the author's Info with what the SDK knows filled in.
func engineInfo(ctx context.Context, impl Engine) (plugin.Info, error) {
	info, err := impl.Info(ctx)
	if err != nil {
		return plugin.Info{}, err
	}
	info.Kind = plugin.KindConsensus
	info.APIMajor = APIMajor
	info.APIMinor = APIMinor
	if _, ok := impl.(Restorer); ok && !info.HasCapability(CapRestore) {
		info.Capabilities = append(info.Capabilities, CapRestore)
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
	if req.GetKindParams() == nil {
		return nil, status.Error(codes.InvalidArgument, "configure: kind_params is missing: a consensus plugin needs jt.consensus.v1.Params")
	}
	var pb consensusv1.Params
	if err := req.GetKindParams().UnmarshalTo(&pb); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "configure: kind_params: %v", err)
	}
	params, err := decodeParams(&pb)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "configure: %v", err)
	}
	if params.ChainID == "" {
		params.ChainID = req.GetChainId()
	}
	_, err = s.impl.Configure(ctx, ConfigureRequest{
		APIMinor:         req.GetApiMinor(),
		HostCapabilities: req.GetHostCapabilities(),
		Config:           req.GetConfigJson(),
		DataDir:          req.GetDataDir(),
		Params:           params,
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &basev1.ConfigureResponse{}, nil
}

type engineServer struct {
	consensusv1.UnimplementedEngineServer
	impl Engine
}

func (s *engineServer) Restore(ctx context.Context, req *consensusv1.RestoreRequest) (*consensusv1.RestoreResponse, error) {
	r, ok := s.impl.(Restorer)
	if !ok {
		return nil, toStatus(ErrUnimplemented)
	}
	if _, err := r.Restore(ctx, RestoreRequest{Safety: req.GetSafety(), LastCommitted: req.GetLastCommitted()}); err != nil {
		return nil, toStatus(err)
	}
	return &consensusv1.RestoreResponse{}, nil
}

func (s *engineServer) Step(ctx context.Context, req *consensusv1.StepRequest) (*consensusv1.StepResponse, error) {
	inputs, err := decodeInputs(req.GetInputs())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "step: %v", err)
	}
	resp, err := s.impl.Step(ctx, StepRequest{Inputs: inputs})
	if err != nil {
		return nil, toStatus(err)
	}
	outputs, err := encodeOutputs(resp.Outputs)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "step: engine returned %v", err)
	}
	return &consensusv1.StepResponse{Outputs: outputs}, nil
}

// toStatus carries an engine error to the host with a code it can branch on.
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

// fromStatus names the method and restores ErrUnimplemented on the host.
func fromStatus(method string, err error) error {
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("consensus plugin: %s: %w", method, ErrUnimplemented)
	}
	return fmt.Errorf("consensus plugin: %s: %w", method, err)
}
