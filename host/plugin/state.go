package plugin

import (
	"time"

	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// State is where an instance is in its lifecycle:
//
//	Declared → Verified → Launched → Ready ⇄ Degraded → Restarting → Ready | Failed
//	any → Stopped (Stop)
type State int

const (
	// StateDeclared: configured, not started yet.
	StateDeclared State = iota
	// StateVerified: the binary passed the path and sha256 checks.
	StateVerified
	// StateLaunched: the process is running and passed the handshake.
	StateLaunched
	// StateReady: Info was fetched and the plugin answers calls.
	StateReady
	// StateDegraded: a ping failed or a call timed out; calls still go
	// through, a restart may follow.
	StateDegraded
	// StateRestarting: the process was killed and is being relaunched.
	StateRestarting
	// StateFailed: the start failed, or RestartPolicy.MaxAttempts
	// consecutive relaunches did; the supervisor no longer retries.
	StateFailed
	// StateStopped: Stop was called; the process is gone.
	StateStopped
)

var stateNames = [...]string{"declared", "verified", "launched", "ready", "degraded", "restarting", "failed", "stopped"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Status is a snapshot of one instance, for `jtd plugins list`, the API and
// metrics.
type Status struct {
	Name  string
	Kind  sdkplugin.Kind
	State State
	// Since is when State was entered.
	Since time.Time
	// Info is what the running plugin reported at its last launch.
	Info sdkplugin.Info
	// PID of the running plugin process (0 when none).
	PID int
	// Restarts counts successful relaunches since Start.
	Restarts int
	// LastError is the latest failure: a launch error, the reason for the
	// last restart, or a *FailedError. It is kept after recovery.
	LastError error

	// Calls, Errors and Timeouts count calls through Supervisor.Call since
	// Start (Timeouts are also Errors); Latency is the sum of their
	// durations, so Latency/Calls is the mean.
	Calls, Errors, Timeouts uint64
	Latency                 time.Duration
	// LatencyBuckets is the histogram of call durations: LatencyBuckets[i]
	// counts calls that took at most LatencyBounds[i] (and more than the
	// bound before it); the last entry counts the slower ones.
	LatencyBuckets []uint64
}

// LatencyBounds are the upper bounds of the call latency histogram.
var LatencyBounds = [...]time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 10 * time.Second,
}

// latencyBucket is the histogram index of a call that took d.
func latencyBucket(d time.Duration) int {
	for i, b := range LatencyBounds {
		if d <= b {
			return i
		}
	}
	return len(LatencyBounds)
}
