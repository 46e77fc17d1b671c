package plugin

import (
	"errors"
	"fmt"

	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// ErrCallTimeout is wrapped by the error of a call that ran into the
// instance's CallTimeout. The supervisor restarts such a plugin.
var ErrCallTimeout = errors.New("plugin call timed out")

// ErrNotRunning is wrapped by the error of a call made while the instance
// has no running process (not started, restarting, failed or stopped).
var ErrNotRunning = errors.New("plugin is not running")

// ErrExitedBeforeHandshake is wrapped by the start error of a plugin that
// exited before completing go-plugin's handshake (the SDK's error); the
// error carries the last lines the plugin wrote to stderr.
var ErrExitedBeforeHandshake = sdkplugin.ErrExitedBeforeHandshake

// FailedError says the supervisor gave up on an instance: its launch failed
// RestartPolicy.MaxAttempts consecutive times. Last is the final launch
// error. The instance stays Failed until the node is restarted.
type FailedError struct {
	Instance string
	Attempts int
	Last     error
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("plugin instance %q failed: %d consecutive relaunches failed, the supervisor stopped retrying; fix the cause and restart the node: last error: %v",
		e.Instance, e.Attempts, e.Last)
}

func (e *FailedError) Unwrap() error { return e.Last }
