package gatewaytest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/gateway"
)

// watcher runs one WatchDeposits in the background and hands its deposits
// over one at a time; the goroutine ends when the watch returns, which stop
// (or the test's end) brings about.
type watcher struct {
	cursor   string
	deposits chan gateway.Deposit
	cancel   context.CancelFunc
	done     chan struct{}
	err      error // WatchDeposits' result, once done is closed
}

func startWatch(t *testing.T, gw gateway.Gateway, cursor string) *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{cursor: cursor, deposits: make(chan gateway.Deposit), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer guard("WatchDeposits", &w.err)
		w.err = gw.WatchDeposits(ctx, gateway.WatchRequest{Cursor: cursor}, gateway.SinkFunc(func(ctx context.Context, d gateway.Deposit) error {
			select {
			case w.deposits <- d:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	}()
	t.Cleanup(cancel)
	return w
}

// next returns the next deposit, waiting up to waitBound.
func (w *watcher) next() (gateway.Deposit, error) {
	t := time.NewTimer(waitBound)
	defer t.Stop()
	select {
	case d := <-w.deposits:
		return d, nil
	case <-w.done:
		return gateway.Deposit{}, fmt.Errorf("WatchDeposits from cursor %q returned before it was cancelled: %v", w.cursor, w.err)
	case <-t.C:
		return gateway.Deposit{}, fmt.Errorf("WatchDeposits from cursor %q delivered nothing within %s", w.cursor, waitBound)
	}
}

// expect receives len(want) deposits and checks that they are want, in
// order (the cursors are the gateway's), and well formed. It returns them
// with their cursors.
func (w *watcher) expect(want []gateway.Deposit, what string) ([]gateway.Deposit, error) {
	var got []gateway.Deposit
	for i, wd := range want {
		d, err := w.next()
		if err != nil {
			return got, fmt.Errorf("%s: waiting for %s (%d of %d): %w", what, wd.ExternalID, i+1, len(want), err)
		}
		if err := d.Validate(); err != nil {
			return got, fmt.Errorf("%s: deposit %d: %w", what, i+1, err)
		}
		if d.ExternalID != wd.ExternalID || d.To != wd.To || d.Currency != wd.Currency || d.Amount != wd.Amount {
			return got, fmt.Errorf("%s: deposit %d is %s (to %s, %s %s), want %s (to %s, %s %s): deposits come once each, in the order they were made, only those after the cursor",
				what, i+1, d.ExternalID, d.To, d.Amount, d.Currency, wd.ExternalID, wd.To, wd.Amount, wd.Currency)
		}
		got = append(got, d)
	}
	return got, nil
}

// stop cancels the watch and waits up to waitBound for WatchDeposits to
// return, which it must do with no error or the context's.
func (w *watcher) stop() error {
	w.cancel()
	t := time.NewTimer(waitBound)
	defer t.Stop()
	select {
	case <-w.done:
	case <-t.C:
		return fmt.Errorf("WatchDeposits from cursor %q did not return within %s of its cancellation: return ctx.Err() when ctx ends", w.cursor, waitBound)
	}
	if w.err != nil && !errors.Is(w.err, context.Canceled) {
		return fmt.Errorf("WatchDeposits from cursor %q, cancelled, returned %w: return ctx.Err() (or nil) when ctx ends", w.cursor, w.err)
	}
	return nil
}
