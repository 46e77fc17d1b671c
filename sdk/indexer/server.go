package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	indexerv1 "github.com/jtchain/jtchain/sdk/proto/jt/indexer/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The plugin side: gRPC servers that call the author's Indexer.

type baseServer struct {
	basev1.UnimplementedPluginBaseServer
	impl Indexer
}

func (s *baseServer) GetInfo(ctx context.Context, _ *basev1.GetInfoRequest) (*basev1.GetInfoResponse, error) {
	info, err := indexerInfo(ctx, s.impl)
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

// indexerInfo is the author's Info with what the SDK knows filled in.
func indexerInfo(ctx context.Context, impl Indexer) (plugin.Info, error) {
	info, err := impl.Info(ctx)
	if err != nil {
		return plugin.Info{}, err
	}
	info.Kind = plugin.KindIndexer
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

// Configure ignores kind_params: jt.indexer.v1 defines none, and a newer
// node's are for features this plugin's minor does not have.
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

type indexerServer struct {
	indexerv1.UnimplementedIndexerServer
	impl Indexer
	// consuming holds a token while a Consume stream runs: the node opens
	// one at a time, but a new stream may arrive while the handler of one
	// the node gave up on is still inside Store, and Store is never called
	// concurrently.
	consuming chan struct{}
}

func newIndexerServer(impl Indexer) *indexerServer {
	return &indexerServer{impl: impl, consuming: make(chan struct{}, 1)}
}

// grantWindow is the window granted for one asked for.
func grantWindow(asked uint32) uint32 {
	switch {
	case asked == 0:
		return DefaultWindow
	case asked > MaxWindow:
		return MaxWindow
	}
	return asked
}

// Consume stores the ledgers of one stream in order and acknowledges each
// once Store returned. It checks the order itself: the first ledger may
// replay stored ones but not skip any, and every later one follows its
// predecessor by seq and parent hash. It stores one ledger at a time;
// the window only lets the next ledgers wait in the connection's buffers
// while one is stored.
func (s *indexerServer) Consume(stream indexerv1.Indexer_ConsumeServer) error {
	ctx := stream.Context()
	select {
	case s.consuming <- struct{}{}:
		defer func() { <-s.consuming }()
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}

	first, err := stream.Recv()
	if err != nil {
		return err
	}
	open := first.GetOpen()
	if open == nil {
		return status.Errorf(codes.InvalidArgument, "the first message of a Consume stream must be open, got %T", first.GetRequest())
	}
	last, hasLast, err := s.impl.LastStored(ctx)
	if err != nil {
		return toStatus(fmt.Errorf("last stored: %w", err))
	}
	opened := &indexerv1.Opened{Window: grantWindow(open.GetWindow()), HasLastStored: hasLast, LastStored: last}
	if err := stream.Send(&indexerv1.ConsumeResponse{Response: &indexerv1.ConsumeResponse_Opened{Opened: opened}}); err != nil {
		return err
	}

	var prev *Ledger
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil // the node ended the stream
		}
		if err != nil {
			return err
		}
		pb := msg.GetLedger()
		if pb == nil {
			return status.Errorf(codes.InvalidArgument, "Consume: want a ledger, got %T", msg.GetRequest())
		}
		l, err := decodeLedger(pb)
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "Consume: %v", err)
		}
		if err := follows(l, prev, last, hasLast); err != nil {
			return status.Errorf(codes.FailedPrecondition, "Consume: %v", err)
		}
		if err := s.impl.Store(ctx, l); err != nil {
			return toStatus(fmt.Errorf("store ledger %d: %w", l.Seq, err))
		}
		ack := &indexerv1.ConsumeResponse{Response: &indexerv1.ConsumeResponse_Ack{Ack: &indexerv1.Ack{Seq: l.Seq}}}
		if err := stream.Send(ack); err != nil {
			return err
		}
		prev = &Ledger{Seq: l.Seq, Hash: l.Hash}
	}
}

// follows checks that l may come after prev (nil: l is the stream's first)
// for a plugin whose last stored ledger is last.
func follows(l Ledger, prev *Ledger, last uint32, hasLast bool) error {
	switch {
	case prev == nil && hasLast && uint64(l.Seq) > uint64(last)+1:
		return fmt.Errorf("ledger %d would leave a gap: the plugin's last stored ledger is %d", l.Seq, last)
	case prev != nil && uint64(l.Seq) != uint64(prev.Seq)+1:
		return fmt.Errorf("ledger %d after ledger %d: ledgers must come in order", l.Seq, prev.Seq)
	case prev != nil && l.ParentHash != prev.Hash:
		return fmt.Errorf("ledger %d's parent hash %s is not the hash %s of ledger %d", l.Seq, l.ParentHash, prev.Hash, prev.Seq)
	}
	return nil
}

func (s *indexerServer) LastStored(ctx context.Context, _ *indexerv1.LastStoredRequest) (*indexerv1.LastStoredResponse, error) {
	seq, ok, err := s.impl.LastStored(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	if !ok {
		seq = 0
	}
	return &indexerv1.LastStoredResponse{HasLastStored: ok, LastStored: seq}, nil
}

func (s *indexerServer) Query(ctx context.Context, req *indexerv1.QueryRequest) (*indexerv1.QueryResponse, error) {
	q, err := decodeQuery(req)
	if err != nil {
		return nil, toStatus(err)
	}
	res, err := s.impl.Query(ctx, q)
	if err != nil {
		return nil, toStatus(err)
	}
	// The node checks the answer too; refusing a page over the limit here
	// names the plugin's bug in its own log.
	if len(res.Records) > q.Limit {
		return nil, status.Errorf(codes.Internal, "query: the plugin returned %d records for a limit of %d", len(res.Records), q.Limit)
	}
	return encodeResult(res), nil
}

// toStatus carries a plugin error to the node with a code it can branch
// on.
func toStatus(err error) error {
	switch {
	case errors.Is(err, ErrUnimplemented):
		return status.Error(codes.Unimplemented, err.Error())
	case errors.Is(err, ErrBadQuery):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

// fromStatus names the method and restores ErrUnimplemented (and, for
// Query, ErrBadQuery) on the node's side.
func fromStatus(method string, err error) error {
	switch status.Code(err) {
	case codes.Unimplemented:
		return fmt.Errorf("indexer plugin: %s: %w", method, ErrUnimplemented)
	case codes.InvalidArgument:
		if method == "Query" {
			msg := strings.TrimPrefix(status.Convert(err).Message(), ErrBadQuery.Error()+": ")
			return fmt.Errorf("indexer plugin: %s: %w: %s", method, ErrBadQuery, msg)
		}
	}
	return fmt.Errorf("indexer plugin: %s: %w", method, err)
}
