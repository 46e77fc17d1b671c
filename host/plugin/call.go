package plugin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Call runs fn with the kind's client of the running plugin (for
// consensus, a *sdkconsensus.Client) under the instance's CallTimeout, and
// counts it in Status. fn must honour ctx, as gRPC calls do.
//
// A call that runs into CallTimeout returns an error wrapping
// ErrCallTimeout, marks the instance Degraded and has the supervisor
// restart the plugin: a plugin that hangs one call is assumed to hang the
// next. A call made while no process is running (starting, restarting,
// Failed, Stopped) fails at once with ErrNotRunning. Other errors are the
// plugin's, wrapped with the instance name; if the process turns out to
// have exited (or the call failed in transport and the plugin does not
// answer a ping), the restart starts without waiting for the health check.
func (s *Supervisor) Call(ctx context.Context, fn func(ctx context.Context, raw any) error) error {
	s.mu.Lock()
	p, state := s.proc, s.state
	s.mu.Unlock()
	if p == nil {
		return fmt.Errorf("plugin instance %q is %s: %w", s.cfg.Name, state, ErrNotRunning)
	}

	cctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	start := time.Now()
	err := fn(cctx, p.raw)
	took := time.Since(start)
	s.calls.Add(1)
	s.latency.Add(int64(took))
	s.buckets[latencyBucket(took)].Add(1)
	if err == nil {
		return nil
	}
	s.errs.Add(1)

	if s.timedOut(ctx, cctx, start, err) {
		s.timeouts.Add(1)
		reason := fmt.Errorf("plugin instance %q: call did not return within %s, restarting the plugin: %w",
			s.cfg.Name, s.cfg.CallTimeout, ErrCallTimeout)
		s.requestRestart(restartRequest{gen: p.gen, reason: reason})
		return fmt.Errorf("%w: %w", reason, err)
	}
	// A dead plugin shows as a transport error before go-plugin has
	// noticed the exit; have the loop check now rather than at the next
	// health tick.
	if p.client.Exited() || status.Code(err) == codes.Unavailable {
		s.requestRestart(restartRequest{gen: p.gen, suspect: !p.client.Exited(),
			reason: fmt.Errorf("plugin instance %q: a call failed: %w", s.cfg.Name, err)})
	}
	return fmt.Errorf("plugin instance %q: %w", s.cfg.Name, err)
}

// CallAs is Call with the client asserted to T, the kind's client type.
func CallAs[T any](ctx context.Context, s *Supervisor, fn func(ctx context.Context, client T) error) error {
	return s.Call(ctx, func(ctx context.Context, raw any) error {
		c, ok := raw.(T)
		if !ok {
			var want T
			return fmt.Errorf("plugin instance %q is a %s plugin with client %T, not %T", s.cfg.Name, s.cfg.Kind, raw, want)
		}
		return fn(ctx, c)
	})
}

// timedOut reports whether a call that failed with err ran into the
// instance's CallTimeout rather than the caller's own deadline or
// cancellation. The server side may report DeadlineExceeded a moment before
// the client's context does (grpc-timeout travels rounded down), so the
// status code counts as well as the context.
func (s *Supervisor) timedOut(parent, cctx context.Context, start time.Time, err error) bool {
	if parent.Err() != nil {
		return false
	}
	if d, ok := parent.Deadline(); ok && d.Before(start.Add(s.cfg.CallTimeout)) {
		return false // the caller's deadline was the binding one
	}
	return errors.Is(cctx.Err(), context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded
}
