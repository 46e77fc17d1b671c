package indexer

import (
	"context"
	"errors"

	"github.com/jtchain/jtchain/sdk/plugin"
)

// Indexer is what an indexer plugin implements.
//
// The node calls Info, then Configure, then Store for each committed
// ledger in order from one goroutine, while Query and LastStored may run
// at any time from others: an implementation must be safe for that. Every
// method may also be called on a fresh process after a crash, with the
// same DataDir; nothing but what the plugin made durable survives.
type Indexer interface {
	// Info reports the plugin's name, version and own capabilities; the
	// SDK fills in the kind and the API version.
	Info(ctx context.Context) (plugin.Info, error)
	// Configure hands the plugin its settings and data directory; an error
	// stops the start. Calls before a successful Configure must fail.
	Configure(ctx context.Context, req ConfigureRequest) (ConfigureResponse, error)
	// Store makes ledger l durable and returns only once it is: the node
	// acknowledges the ledger, and never sends it again, as soon as Store
	// returns nil. Ledgers come in order, but after a crash the node sends
	// again what it cannot know was stored, so Store must be idempotent: a
	// ledger at or below LastStored changes nothing.
	Store(ctx context.Context, l Ledger) error
	// LastStored reports the highest ledger stored durably (ok false: none).
	// The node resumes the feed after min(its cursor, this).
	LastStored(ctx context.Context) (seq uint32, ok bool, err error)
	// Query returns a page of the stored records q selects. A malformed
	// query fails with an error wrapping ErrBadQuery (Query.Validate and
	// ParseMarker give such errors).
	Query(ctx context.Context, q Query) (QueryResult, error)
}

// ConfigSchemaProvider is implemented by indexers that accept operator
// config: ConfigSchema returns a JSON Schema document the node validates
// the config against before Configure. Indexers without it take no config.
type ConfigSchemaProvider interface {
	ConfigSchema(ctx context.Context) ([]byte, error)
}

// ErrUnimplemented is returned by UnimplementedIndexer's methods, and by a
// Client when the plugin does not implement the called method.
var ErrUnimplemented = errors.New("indexer: method not implemented by this plugin")

// UnimplementedIndexer makes an indexer forward compatible: embed it, and
// methods added to Indexer in later minors return ErrUnimplemented instead
// of breaking the build.
type UnimplementedIndexer struct{}

// Info returns an empty Info; override it to name the indexer.
func (UnimplementedIndexer) Info(context.Context) (plugin.Info, error) { return plugin.Info{}, nil }

// Configure accepts any configuration.
func (UnimplementedIndexer) Configure(context.Context, ConfigureRequest) (ConfigureResponse, error) {
	return ConfigureResponse{}, nil
}

// Store returns ErrUnimplemented.
func (UnimplementedIndexer) Store(context.Context, Ledger) error { return ErrUnimplemented }

// LastStored returns ErrUnimplemented.
func (UnimplementedIndexer) LastStored(context.Context) (uint32, bool, error) {
	return 0, false, ErrUnimplemented
}

// Query returns ErrUnimplemented.
func (UnimplementedIndexer) Query(context.Context, Query) (QueryResult, error) {
	return QueryResult{}, ErrUnimplemented
}

var _ Indexer = UnimplementedIndexer{}
