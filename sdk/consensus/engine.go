package consensus

import (
	"context"
	"errors"

	"github.com/jtchain/jtchain/sdk/plugin"
)

// Engine is what a consensus plugin implements. The node calls it from one
// goroutine: Info, then Configure, then Step for as long as it runs.
type Engine interface {
	// Info reports the plugin's name, version, semantics and own
	// capabilities; the SDK fills in the kind, the API version and the
	// capabilities of the optional interfaces the engine implements.
	Info(ctx context.Context) (plugin.Info, error)
	// Configure hands the engine its parameters; an error stops the start.
	Configure(ctx context.Context, req ConfigureRequest) (ConfigureResponse, error)
	// Step applies the inputs in order and returns the outputs. It must be
	// deterministic: the same state and inputs give the same outputs.
	Step(ctx context.Context, req StepRequest) (StepResponse, error)
}

// Restorer is implemented by engines that can rebuild their volatile state
// after a plugin restart while the node keeps running (capability
// CapRestore). The node calls Restore after Configure, before the first
// Step; engines without it make the node stop voting when they fail.
type Restorer interface {
	Restore(ctx context.Context, req RestoreRequest) (RestoreResponse, error)
}

// ConfigSchemaProvider is implemented by engines that accept operator
// config: ConfigSchema returns a JSON Schema document the node validates the
// config against before Configure. Engines without it take no config.
type ConfigSchemaProvider interface {
	ConfigSchema(ctx context.Context) ([]byte, error)
}

// ErrUnimplemented is returned by UnimplementedEngine's methods, and by a
// Client when the plugin does not implement the called method.
var ErrUnimplemented = errors.New("consensus: method not implemented by this plugin")

// UnimplementedEngine makes an engine forward compatible: embed it, and
// methods added to Engine in later minors return ErrUnimplemented instead
// of breaking the build.
type UnimplementedEngine struct{}

// Info returns an empty Info; override it to name the engine.
func (UnimplementedEngine) Info(context.Context) (plugin.Info, error) { return plugin.Info{}, nil }

// Configure accepts any parameters.
func (UnimplementedEngine) Configure(context.Context, ConfigureRequest) (ConfigureResponse, error) {
	return ConfigureResponse{}, nil
}

// Step returns ErrUnimplemented.
func (UnimplementedEngine) Step(context.Context, StepRequest) (StepResponse, error) {
	return StepResponse{}, ErrUnimplemented
}

var _ Engine = UnimplementedEngine{}
