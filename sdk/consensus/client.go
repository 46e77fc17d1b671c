package consensus

import (
	"context"

	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	consensusv1 "github.com/jtchain/jtchain/sdk/proto/jt/consensus/v1"
	"google.golang.org/protobuf/types/known/anypb"
)

// Client is the node's side of a consensus plugin: it implements Engine by
// calling the plugin over gRPC. Get one from Dispense. It also implements
// Restorer and ConfigSchemaProvider whatever the plugin does; the node
// checks Info's capabilities before calling Restore, and a plugin without
// the method answers ErrUnimplemented.
//
// Every method honours ctx's deadline; the node sets one on each call.
type Client struct {
	base   basev1.PluginBaseClient
	engine consensusv1.EngineClient
}

var (
	_ Engine               = (*Client)(nil)
	_ Restorer             = (*Client)(nil)
	_ ConfigSchemaProvider = (*Client)(nil)
)

// Info fetches the plugin's self-description. The node must check Kind,
// APIMajor and Semantics against its config before configuring the engine.
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

// Configure sends the engine its parameters.
func (c *Client) Configure(ctx context.Context, req ConfigureRequest) (ConfigureResponse, error) {
	params, err := anypb.New(encodeParams(req.Params))
	if err != nil {
		return ConfigureResponse{}, fromStatus("Configure", err)
	}
	_, err = c.base.Configure(ctx, &basev1.ConfigureRequest{
		ApiMinor:         req.APIMinor,
		HostCapabilities: req.HostCapabilities,
		ConfigJson:       req.Config,
		ChainId:          req.Params.ChainID,
		DataDir:          req.DataDir,
		KindParams:       params,
	})
	if err != nil {
		return ConfigureResponse{}, fromStatus("Configure", err)
	}
	return ConfigureResponse{}, nil
}

// Step sends a batch of inputs and returns the outputs of all of them.
func (c *Client) Step(ctx context.Context, req StepRequest) (StepResponse, error) {
	inputs, err := encodeInputs(req.Inputs)
	if err != nil {
		return StepResponse{}, fromStatus("Step", err)
	}
	resp, err := c.engine.Step(ctx, &consensusv1.StepRequest{Inputs: inputs})
	if err != nil {
		return StepResponse{}, fromStatus("Step", err)
	}
	outputs, err := decodeOutputs(resp.GetOutputs())
	if err != nil {
		return StepResponse{}, fromStatus("Step", err)
	}
	return StepResponse{Outputs: outputs}, nil
}

// Restore asks a restarted engine to rebuild its state.
func (c *Client) Restore(ctx context.Context, req RestoreRequest) (RestoreResponse, error) {
	_, err := c.engine.Restore(ctx, &consensusv1.RestoreRequest{Safety: req.Safety, LastCommitted: req.LastCommitted})
	if err != nil {
		return RestoreResponse{}, fromStatus("Restore", err)
	}
	return RestoreResponse{}, nil
}
