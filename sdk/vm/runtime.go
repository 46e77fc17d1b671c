package vm

import (
	"context"
	"errors"

	"github.com/jtchain/jtchain/sdk/plugin"
)

// Runtime is what a contract-runtime plugin implements. The node calls
// Info, then Configure, then Validate and Execute for as long as it runs,
// possibly concurrently.
type Runtime interface {
	// Info reports the plugin's name, version, semantics and own
	// capabilities; the SDK fills in the kind and the API version. Semantics
	// is required: contracts pin it, and two runtimes reporting the same
	// Semantics must give identical results.
	Info(ctx context.Context) (plugin.Info, error)
	// Configure hands the runtime its operator config; an error stops the
	// start. ConfigureRequest.Decode reads the config strictly.
	Configure(ctx context.Context, req ConfigureRequest) (ConfigureResponse, error)
	// Validate checks code at deploy time. Invalid code is reported in
	// ValidateResponse.Problems; an error means the runtime could not decide.
	Validate(ctx context.Context, req ValidateRequest) (ValidateResponse, error)
	// Execute runs a batch of calls against req.State and returns one Result
	// per call, in call order. A call that fails (bad code, a revert, out of
	// gas) is a Result with that Status; Execute returns an error only when
	// it cannot produce deterministic results at all, in particular when
	// req.State fails: the node then abstains instead of attesting a result
	// that depends on a transient failure.
	Execute(ctx context.Context, req ExecuteRequest) (ExecuteResponse, error)
}

// StateReader reads the contract state of the snapshot a batch runs
// against. Keys are StateKey(contract, key); Get returns the value and
// whether the key exists. Implementations are safe for concurrent use.
type StateReader interface {
	Get(ctx context.Context, key []byte) (value []byte, found bool, err error)
}

// ConfigSchemaProvider is implemented by runtimes that accept operator
// config: ConfigSchema returns a JSON Schema document the node validates the
// config against before Configure. Runtimes without it take no config.
type ConfigSchemaProvider interface {
	ConfigSchema(ctx context.Context) ([]byte, error)
}

// ErrUnimplemented is returned by UnimplementedRuntime's methods, and by a
// Client when the plugin does not implement the called method.
var ErrUnimplemented = errors.New("vm: method not implemented by this plugin")

// UnimplementedRuntime makes a runtime forward compatible: embed it, and
// methods added to Runtime in later minors return ErrUnimplemented instead
// of breaking the build.
type UnimplementedRuntime struct{}

// Info returns an empty Info; override it to name the runtime.
func (UnimplementedRuntime) Info(context.Context) (plugin.Info, error) { return plugin.Info{}, nil }

// Configure accepts an empty config and refuses any other, as befits a
// runtime that declares no config schema; override it to take config.
func (UnimplementedRuntime) Configure(_ context.Context, req ConfigureRequest) (ConfigureResponse, error) {
	return ConfigureResponse{}, req.Decode(&struct{}{})
}

// Validate returns ErrUnimplemented.
func (UnimplementedRuntime) Validate(context.Context, ValidateRequest) (ValidateResponse, error) {
	return ValidateResponse{}, ErrUnimplemented
}

// Execute returns ErrUnimplemented.
func (UnimplementedRuntime) Execute(context.Context, ExecuteRequest) (ExecuteResponse, error) {
	return ExecuteResponse{}, ErrUnimplemented
}

var _ Runtime = UnimplementedRuntime{}
