package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"

	sdkindexer "github.com/jtchain/jtchain/sdk/indexer"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// Indexer is an indexer plugin instance as the node uses it: every method
// goes through the instance's Supervisor, so call timeouts, counters and
// restarts apply, and follows the plugin across restarts. Before the first
// call that reaches a process it configures that process (with the
// instance's config, data directory and the chain id), so a restarted
// plugin is configured again without the caller noticing. Safe for
// concurrent use: the node queries while it feeds.
type Indexer struct {
	s   *Supervisor
	req sdkindexer.ConfigureRequest

	mu         sync.Mutex
	configured *sdkindexer.Client // the process the last Configure succeeded on
}

// NewIndexer returns the node's client of s's indexer plugin; chainID
// names the chain in Configure.
func NewIndexer(s *Supervisor, chainID string) (*Indexer, error) {
	if s.cfg.Kind != sdkplugin.KindIndexer {
		return nil, fmt.Errorf("plugin instance %q is a %s plugin, not an indexer plugin", s.cfg.Name, s.cfg.Kind)
	}
	return &Indexer{s: s, req: sdkindexer.ConfigureRequest{
		APIMinor: sdkindexer.APIMinor,
		Config:   s.cfg.Config,
		ChainID:  chainID,
		DataDir:  s.cfg.DataDir,
	}}, nil
}

// Name is the instance's name, which queries are routed by.
func (ix *Indexer) Name() string { return ix.s.cfg.Name }

// Info returns what the running plugin reports about itself.
func (ix *Indexer) Info(ctx context.Context) (info sdkplugin.Info, err error) {
	err = CallAs(ctx, ix.s, func(ctx context.Context, c *sdkindexer.Client) error {
		info, err = c.Info(ctx)
		return err
	})
	return info, err
}

// LastStored returns the highest ledger the plugin stored durably.
func (ix *Indexer) LastStored(ctx context.Context) (seq uint32, ok bool, err error) {
	err = ix.call(ctx, func(ctx context.Context, c *sdkindexer.Client) error {
		seq, ok, err = c.LastStored(ctx)
		return err
	})
	return seq, ok, err
}

// Query asks the plugin for a page of records. A malformed query fails
// with an error wrapping sdkindexer.ErrBadQuery, the user's fault rather
// than the plugin's.
func (ix *Indexer) Query(ctx context.Context, q sdkindexer.Query) (res sdkindexer.QueryResult, err error) {
	err = ix.call(ctx, func(ctx context.Context, c *sdkindexer.Client) error {
		res, err = c.Query(ctx, q)
		return err
	})
	return res, err
}

// Feed runs one Consume stream to the running plugin (see
// sdkindexer.Client.Feed) and returns when it ends. The caller keeps the
// durable cursor: it persists each acknowledged seq in req.OnAck and,
// after an error, waits and calls Feed again with req.Cursor set to it.
// The next feed configures a restarted plugin first and resumes after
// min(cursor, the plugin's last stored ledger), so nothing acknowledged is
// lost and the plugin sees again at most what was in flight.
//
// How a stream fits the supervisor's calls: the stream lives as long as
// ctx, not for CallTimeout, because it idles whenever the chain does.
// What runs under Supervisor.Call is every wait for the plugin: for its
// answer to the stream's opening, and, one at a time, for the
// acknowledgement of the oldest ledger in flight. So a plugin that needs
// more than CallTimeout to store a ledger counts as a hung call and is
// restarted, the instance's call count, errors and latency histogram
// describe how fast it stores ledgers, and waiting for the chain's next
// ledger (req.Next) is never a call. The stream is bound to the process it
// was opened to: when the supervisor replaces that process the feed ends
// with an error wrapping ErrNotRunning. Feed sets req.Call; a Call the
// caller set is replaced.
func (ix *Indexer) Feed(ctx context.Context, req sdkindexer.FeedRequest) error {
	var client *sdkindexer.Client
	err := ix.call(ctx, func(_ context.Context, c *sdkindexer.Client) error {
		client = c
		return nil
	})
	if err != nil {
		return err
	}
	var callErr error // the last failed call's error, which names the instance
	req.Call = func(ctx context.Context, wait func(context.Context) error) error {
		err := CallAs(ctx, ix.s, func(ctx context.Context, c *sdkindexer.Client) error {
			if c != client {
				return fmt.Errorf("the plugin was restarted while the feed ran: %w", ErrNotRunning)
			}
			return wait(ctx)
		})
		if err != nil {
			callErr = err // Feed runs its calls from its own goroutine, one at a time
		}
		return err
	}
	err = client.Feed(ctx, req)
	if err == nil || (callErr != nil && errors.Is(err, callErr)) {
		return err
	}
	return fmt.Errorf("plugin instance %q: feed: %w", ix.s.cfg.Name, err)
}

// call is CallAs with the process configured first, within the same call.
func (ix *Indexer) call(ctx context.Context, fn func(ctx context.Context, c *sdkindexer.Client) error) error {
	return CallAs(ctx, ix.s, func(ctx context.Context, c *sdkindexer.Client) error {
		if err := ix.configure(ctx, c); err != nil {
			return err
		}
		return fn(ctx, c)
	})
}

// configure configures the process behind c unless it already was. It
// holds mu throughout, so concurrent first calls configure it once.
func (ix *Indexer) configure(ctx context.Context, c *sdkindexer.Client) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.configured == c {
		return nil
	}
	if _, err := c.Configure(ctx, ix.req); err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	ix.configured = c
	return nil
}
