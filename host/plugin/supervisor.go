package plugin

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// Supervisor runs one plugin instance: it launches the process, checks its
// health, restarts it with backoff and stops it. Its loop goroutine is the
// only one that launches, replaces or kills the process; Call and Status
// read the current state under mu.
type Supervisor struct {
	cfg   InstanceConfig
	proto sdkplugin.Protocol
	log   hclog.Logger

	calls, errs, timeouts atomic.Uint64
	latency               atomic.Int64 // nanoseconds
	buckets               [len(LatencyBounds) + 1]atomic.Uint64

	wake     chan struct{} // a restart was asked for; see restartWanted
	stopc    chan struct{}
	stopOnce sync.Once
	started  atomic.Bool

	mu            sync.Mutex
	state         State
	since         time.Time
	proc          *process // nil while none answers calls
	gen           uint64   // of the last installed process
	info          sdkplugin.Info
	restarts      int
	lastErr       error
	restartWanted *restartRequest
	stopCtx       context.Context // Stop's, for the loop's shutdown
	done          chan struct{}   // closed when the loop returns; nil if it never ran
}

type restartRequest struct {
	gen    uint64
	reason error
	// suspect: restart only if the process has exited or fails a ping (a
	// call failed in a way a dead plugin would make it fail).
	suspect bool
}

// NewSupervisor checks cfg (after WithDefaults) and returns a supervisor
// for it; nothing is launched until Start. logger may be nil; the
// instance logs under plugin.<kind>.<name>, and go-plugin re-emits the
// plugin's own hclog output there with levels preserved.
func NewSupervisor(cfg InstanceConfig, logger hclog.Logger) (*Supervisor, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newSupervisor(cfg, protocols[cfg.Kind](), logger), nil
}

func newSupervisor(cfg InstanceConfig, proto sdkplugin.Protocol, logger hclog.Logger) *Supervisor {
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	return &Supervisor{
		cfg:   cfg,
		proto: proto,
		log:   logger.Named("plugin." + string(cfg.Kind) + "." + cfg.Name),
		wake:  make(chan struct{}, 1),
		stopc: make(chan struct{}),
		since: time.Now(),
	}
}

// Name is the instance's name.
func (s *Supervisor) Name() string { return s.cfg.Name }

// Config is the instance's configuration, defaults applied.
func (s *Supervisor) Config() InstanceConfig { return s.cfg }

// Generation numbers the plugin processes: it changes whenever a new
// process is installed, so a caller that configured the plugin can tell
// that it must configure the new one before using it.
func (s *Supervisor) Generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// Start launches the plugin and, once it is Ready, starts supervising it.
// A failed start is not retried: the instance is Failed and the error (a
// *HashMismatchError, a *sdkplugin.VersionMismatchError, one wrapping
// sdkplugin.ErrStdoutBeforeHandshake, ...) names the instance and the
// cause. The launch is bounded by StartTimeout, not by ctx; if ctx is done
// when it returns, the plugin is stopped again.
func (s *Supervisor) Start(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return fmt.Errorf("plugin instance %q: already started", s.cfg.Name)
	}
	p, info, err := launch(s.cfg, s.proto, s.log, func(st State) { s.setState(st, nil) })
	if err == nil && ctx.Err() != nil {
		p.kill()
		err = fmt.Errorf("plugin instance %q: start: %w", s.cfg.Name, ctx.Err())
	}
	if err != nil {
		s.setState(StateFailed, err)
		s.log.Error("plugin failed to start", "error", err)
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.stopc: // Stop ran while we launched
		p.kill()
		return fmt.Errorf("plugin instance %q: stopped while starting", s.cfg.Name)
	default:
	}
	s.installLocked(p, info)
	s.done = make(chan struct{})
	go s.loop(p)
	return nil
}

// Stop stops supervising and stops the plugin: go-plugin asks it to exit,
// then its process group is killed, at once if ctx ends first. It returns
// when the process is gone, or with ctx's error. Stop is idempotent.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.stopCtx = ctx
		close(s.stopc)
		s.mu.Unlock()
	})
	s.mu.Lock()
	done := s.done
	if done == nil { // never ran: nothing to kill
		s.setStateLocked(StateStopped, nil)
	}
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("plugin instance %q: stop: %w", s.cfg.Name, ctx.Err())
	}
}

// Status returns a snapshot of the instance.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{
		Name:      s.cfg.Name,
		Kind:      s.cfg.Kind,
		State:     s.state,
		Since:     s.since,
		Info:      s.info,
		Restarts:  s.restarts,
		LastError: s.lastErr,
		Calls:     s.calls.Load(),
		Errors:    s.errs.Load(),
		Timeouts:  s.timeouts.Load(),
		Latency:   time.Duration(s.latency.Load()),
	}
	st.LatencyBuckets = make([]uint64, len(s.buckets))
	for i := range s.buckets {
		st.LatencyBuckets[i] = s.buckets[i].Load()
	}
	if s.proc != nil {
		st.PID = s.proc.pid
	}
	return st
}

// loop supervises p until Stop. It owns the process: only it replaces or
// kills it.
func (s *Supervisor) loop(p *process) {
	defer close(s.done)
	tick := time.NewTicker(s.cfg.HealthInterval)
	defer tick.Stop()
	rng := newRand(s.cfg.Name)
	failedPings := 0
	for {
		select {
		case <-s.stopc:
			s.shutdown(p)
			return
		case <-s.wake:
			s.mu.Lock()
			req := s.restartWanted
			s.restartWanted = nil
			s.mu.Unlock()
			if p == nil || req == nil || req.gen != p.gen {
				continue
			}
			if req.suspect && !p.client.Exited() {
				err := p.ping()
				if err == nil {
					continue // the plugin is fine; the call's error was its own
				}
				req.reason = fmt.Errorf("%w, and the plugin does not answer pings: %w", req.reason, err)
			}
			p, failedPings = s.restart(p, req.reason, rng), 0
		case <-tick.C:
			if p == nil { // Failed
				continue
			}
			if p.client.Exited() {
				p, failedPings = s.restart(p, fmt.Errorf("plugin instance %q: process %d exited", s.cfg.Name, p.pid), rng), 0
				continue
			}
			if err := p.ping(); err != nil {
				failedPings++
				err = fmt.Errorf("plugin instance %q: health check %d of %d failed: %w", s.cfg.Name, failedPings, FailedPingsBeforeRestart, err)
				if failedPings >= FailedPingsBeforeRestart {
					p, failedPings = s.restart(p, err, rng), 0
				} else {
					s.degrade(p.gen, err)
				}
				continue
			}
			failedPings = 0
			s.mu.Lock()
			if s.state == StateDegraded && s.gen == p.gen {
				s.setStateLocked(StateReady, nil)
			}
			s.mu.Unlock()
		}
	}
}

// restart kills p and relaunches the plugin, waiting a backoff before each
// attempt. It returns the new process, or nil when the instance Failed or
// Stop was called.
func (s *Supervisor) restart(p *process, reason error, rng *rand.Rand) *process {
	s.log.Warn("restarting plugin", "reason", reason)
	s.mu.Lock()
	s.proc = nil // calls now fail fast with ErrNotRunning
	s.setStateLocked(StateRestarting, reason)
	s.mu.Unlock()
	p.kill()

	for attempt := 1; ; attempt++ {
		wait := backoff(s.cfg.Restart, attempt, rng)
		s.log.Info("relaunching plugin", "attempt", attempt, "max_attempts", s.cfg.Restart.MaxAttempts, "backoff", wait)
		t := time.NewTimer(wait)
		select {
		case <-s.stopc:
			t.Stop()
			return nil
		case <-t.C:
		}
		np, info, err := launch(s.cfg, s.proto, s.log, nil)
		if err == nil {
			s.mu.Lock()
			s.restarts++
			s.installLocked(np, info)
			s.mu.Unlock()
			s.log.Info("plugin restarted", "pid", np.pid, "attempt", attempt)
			return np
		}
		s.log.Error("relaunch failed", "attempt", attempt, "error", err)
		if attempt >= s.cfg.Restart.MaxAttempts {
			failed := &FailedError{Instance: s.cfg.Name, Attempts: attempt, Last: err}
			s.log.Error("plugin failed; no more restarts", "error", failed)
			s.setState(StateFailed, failed)
			return nil
		}
		s.setState(StateRestarting, err)
	}
}

// shutdown stops p (if any) with Stop's context and marks the instance
// Stopped.
func (s *Supervisor) shutdown(p *process) {
	s.mu.Lock()
	ctx := s.stopCtx
	s.proc = nil
	s.mu.Unlock()
	if p != nil {
		p.stop(ctx)
	}
	s.setState(StateStopped, nil)
	s.log.Info("plugin stopped")
}

// requestRestart asks the loop to restart process gen, marking the
// instance Degraded until it does; a suspect request has the loop check
// the process first. Requests about a process that was already replaced
// are ignored, and a suspect one does not replace a pending certain one.
func (s *Supervisor) requestRestart(req restartRequest) {
	s.mu.Lock()
	if req.gen == s.gen && s.proc != nil && (s.restartWanted == nil || !req.suspect) {
		s.restartWanted = &req
		if s.state == StateReady && !req.suspect {
			s.setStateLocked(StateDegraded, req.reason)
		}
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is pending; it will read restartWanted
	}
}

func (s *Supervisor) degrade(gen uint64, reason error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen == s.gen && s.state == StateReady {
		s.setStateLocked(StateDegraded, reason)
	}
}

func (s *Supervisor) installLocked(p *process, info sdkplugin.Info) {
	s.gen++
	p.gen = s.gen
	s.proc = p
	s.info = info
	s.setStateLocked(StateReady, nil)
	s.log.Info("plugin ready", "pid", p.pid, "name", info.Name, "version", info.Version, "api", fmt.Sprintf("%d.%d", info.APIMajor, info.APIMinor))
}

func (s *Supervisor) setState(st State, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setStateLocked(st, err)
}

// setStateLocked enters st; a non-nil err becomes LastError.
func (s *Supervisor) setStateLocked(st State, err error) {
	if s.state != st {
		s.state = st
		s.since = time.Now()
	}
	if err != nil {
		s.lastErr = err
	}
}

// backoff is the wait before relaunch attempt n (1-based): BackoffMin
// doubled n-1 times, capped at BackoffMax, less a random part of up to
// half ("equal jitter", so the wait never drops below half the step).
func backoff(p RestartPolicy, n int, rng *rand.Rand) time.Duration {
	d := p.BackoffMin
	for i := 1; i < n && d < p.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, p.BackoffMax)
	if half := d / 2; half > 0 {
		d -= time.Duration(rng.Int64N(int64(half) + 1))
	}
	return d
}

// newRand returns the jitter's source, seeded from the instance name:
// deterministic for tests and replays, and different between instances so
// they do not relaunch in lockstep.
func newRand(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	a := h.Sum64()
	return rand.New(rand.NewPCG(a, a^0x9e3779b97f4a7c15))
}
