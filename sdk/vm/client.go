package vm

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	vmv1 "github.com/jtchain/jtchain/sdk/proto/jt/vm/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// ErrBatchTooLarge is wrapped by the error of an Execute whose batch has
// more than MaxBatchCalls calls, or whose request or results do not fit one
// message: the node splits the batch and tries again.
var ErrBatchTooLarge = errors.New("vm: batch too large")

// Client is the node's side of a vm plugin: it implements Runtime by
// calling the plugin over gRPC. Get one from Dispense. It also implements
// ConfigSchemaProvider whatever the plugin does.
//
// Execute serves the request's StateReader to the plugin for the length of
// the call: it starts a gRPC server on a fresh GRPCBroker id, sends the id
// with the batch and stops the server when the plugin answers, so a plugin
// can read one batch's snapshot only while that batch runs.
//
// Every method honours ctx's deadline; the node sets one on each call.
// Methods are safe for concurrent use.
type Client struct {
	base    basev1.PluginBaseClient
	runtime vmv1.RuntimeClient
	broker  *goplugin.GRPCBroker
	// snapshots numbers the batches, so a state read names the batch it
	// belongs to and the node can refuse one that strayed.
	snapshots atomic.Uint64
}

var (
	_ Runtime              = (*Client)(nil)
	_ ConfigSchemaProvider = (*Client)(nil)
)

// Info fetches the plugin's self-description. The node must check Kind,
// APIMajor and Semantics against its config before configuring it.
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

// Configure sends the runtime its config.
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

// Validate asks whether code may be deployed.
func (c *Client) Validate(ctx context.Context, req ValidateRequest) (ValidateResponse, error) {
	if len(req.Code) > MaxCodeSize { // would not fit the message anyway
		return ValidateResponse{Problems: []string{sizeProblem(req.Code)}}, nil
	}
	resp, err := c.runtime.Validate(ctx, &vmv1.ValidateRequest{Code: req.Code})
	if err != nil {
		return ValidateResponse{}, fromStatus("Validate", err)
	}
	return ValidateResponse{Problems: resp.GetProblems()}, nil
}

// Execute sends the batch in one call, serving req.State to the plugin
// while it runs. A batch of more than MaxBatchCalls calls, or one that does
// not fit one message, fails with ErrBatchTooLarge before anything is sent.
// The results are checked: one per call, known statuses, no more gas than
// each call's limit, writes and events only on success.
func (c *Client) Execute(ctx context.Context, req ExecuteRequest) (ExecuteResponse, error) {
	if len(req.Calls) > MaxBatchCalls {
		return ExecuteResponse{}, fmt.Errorf("vm plugin: Execute: the batch has %d calls, more than MaxBatchCalls (%d): %w", len(req.Calls), MaxBatchCalls, ErrBatchTooLarge)
	}
	pb, err := encodeCalls(req.Calls)
	if err != nil {
		return ExecuteResponse{}, fmt.Errorf("vm plugin: Execute: %w", err)
	}
	if n := proto.Size(pb); n > plugin.MaxMessageSize {
		return ExecuteResponse{}, fmt.Errorf("vm plugin: Execute: the batch of %d calls is %d bytes, more than the %d one message may carry: %w",
			len(req.Calls), n, plugin.MaxMessageSize, ErrBatchTooLarge)
	}
	if len(req.Calls) > 0 && req.State != nil {
		pb.Snapshot = c.snapshots.Add(1)
		id, stop := c.serveState(req.State, pb.Snapshot)
		defer stop()
		pb.StateBrokerId = id
	}
	resp, err := c.runtime.Execute(ctx, pb)
	if err != nil {
		return ExecuteResponse{}, fromStatus("Execute", err)
	}
	results, err := decodeResults(resp.GetResults())
	if err == nil {
		err = checkResults(req.Calls, results)
	}
	if err != nil {
		return ExecuteResponse{}, fmt.Errorf("vm plugin: Execute: malformed results: %w", err)
	}
	return ExecuteResponse{Results: results}, nil
}

// serveState serves r as snapshot on a fresh broker id until the returned
// stop is called. stop returns once the server is gone.
func (c *Client) serveState(r StateReader, snapshot uint64) (id uint32, stop func()) {
	id = c.broker.NextId()
	srv := make(chan *grpc.Server, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Returns when the server stops, or at once if the broker could
		// not announce the id (the plugin's dial then fails and says so).
		c.broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, grpc.MaxRecvMsgSize(plugin.MaxMessageSize), grpc.MaxSendMsgSize(plugin.MaxMessageSize))
			s := grpc.NewServer(opts...)
			vmv1.RegisterStateReaderServer(s, &stateServer{r: r, snapshot: snapshot})
			srv <- s
			return s
		})
	}()
	return id, func() {
		select {
		case s := <-srv:
			s.Stop() // a Serve that has not begun yet returns at once
		case <-done:
		}
		<-done
	}
}

// stateServer is the node's StateReader as the plugin sees it.
type stateServer struct {
	vmv1.UnimplementedStateReaderServer
	r        StateReader
	snapshot uint64
}

func (s *stateServer) Get(ctx context.Context, req *vmv1.GetRequest) (*vmv1.GetResponse, error) {
	if req.GetSnapshot() != s.snapshot {
		return nil, status.Errorf(codes.FailedPrecondition, "snapshot %d is not served here (this is snapshot %d): a state reader is valid only for its own batch", req.GetSnapshot(), s.snapshot)
	}
	if len(req.GetKey()) > MaxKeySize {
		return nil, status.Errorf(codes.InvalidArgument, "key is %d bytes, more than MaxKeySize (%d)", len(req.GetKey()), MaxKeySize)
	}
	v, found, err := s.r.Get(ctx, req.GetKey())
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "the node could not read key %x: %v", req.GetKey(), err)
	}
	return &vmv1.GetResponse{Found: found, Value: v}, nil
}
