package indexer

import (
	"context"
	"fmt"
	"io"

	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	indexerv1 "github.com/jtchain/jtchain/sdk/proto/jt/indexer/v1"
	"google.golang.org/grpc"
)

// Client is the node's side of an indexer plugin. Get one from Dispense.
// It implements Indexer, so the conformance suite runs against a plugin
// process the same way as in process, and ConfigSchemaProvider whatever
// the plugin does. The node feeds ledgers with Feed; Store is a feed of
// one ledger.
//
// Every method honours ctx; the node sets a deadline on each call. A Client
// is safe for concurrent use.
type Client struct {
	base    basev1.PluginBaseClient
	indexer indexerv1.IndexerClient
}

var (
	_ Indexer              = (*Client)(nil)
	_ ConfigSchemaProvider = (*Client)(nil)
)

func newClient(cc grpc.ClientConnInterface) *Client {
	return &Client{base: basev1.NewPluginBaseClient(cc), indexer: indexerv1.NewIndexerClient(cc)}
}

// Info fetches the plugin's self-description. The node checks Kind and
// APIMajor against its config before configuring the plugin.
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

// Configure sends the plugin its configuration.
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

// LastStored asks for the highest ledger the plugin stored durably.
func (c *Client) LastStored(ctx context.Context) (uint32, bool, error) {
	resp, err := c.indexer.LastStored(ctx, &indexerv1.LastStoredRequest{})
	if err != nil {
		return 0, false, fromStatus("LastStored", err)
	}
	if !resp.GetHasLastStored() {
		return 0, false, nil
	}
	return resp.GetLastStored(), true, nil
}

// Query asks for a page of records. A malformed query fails with an error
// wrapping ErrBadQuery, before it is sent or as the plugin's answer; so
// does an answer that breaks the protocol (more records than the limit,
// records out of ledger order, malformed records), as a plain error.
func (c *Client) Query(ctx context.Context, q Query) (QueryResult, error) {
	req, err := encodeQuery(q)
	if err != nil {
		return QueryResult{}, fmt.Errorf("indexer plugin: Query: %w", err)
	}
	resp, err := c.indexer.Query(ctx, req)
	if err != nil {
		return QueryResult{}, fromStatus("Query", err)
	}
	res, err := decodeResult(resp, q.EffectiveLimit())
	if err != nil {
		return QueryResult{}, fmt.Errorf("indexer plugin: Query: the plugin's answer: %w", err)
	}
	return res, nil
}

// Store sends the one ledger l over a Consume stream of its own and returns
// once the plugin acknowledged it. The plugin refuses a ledger that would
// leave a gap after its last stored one.
func (c *Client) Store(ctx context.Context, l Ledger) error {
	sent := false
	return c.Feed(ctx, FeedRequest{
		Window: 1,
		Start:  func(uint32, bool) (uint32, error) { return l.Seq, nil },
		Next: func(_ context.Context, seq uint32) (Ledger, error) {
			if sent {
				return Ledger{}, io.EOF
			}
			sent = true
			return l, nil
		},
	})
}
