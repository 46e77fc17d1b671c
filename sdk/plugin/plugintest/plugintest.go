// Package plugintest starts plugin binaries from tests the way a node
// starts them, for the conformance suites of every kind and for plugin
// authors' own process tests. It imports nothing from host.
package plugintest

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/jtchain/jtchain/sdk/plugin"
)

// Logs collects the host side of a plugin's log (go-plugin re-emits the
// plugin's stderr there), which go-plugin writes from several goroutines.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Client returns a go-plugin client for cmd speaking protocol p, set up as
// the node sets up its own: gRPC only, AutoMTLS, none of the test's
// environment, the SDK's dial options, 20 s to start. Nothing starts until
// the client is dispensed. The process is killed when t ends and, if t
// failed, its log is printed under name.
func Client(t testing.TB, p plugin.Protocol, name string, cmd *exec.Cmd) (*goplugin.Client, *Logs) {
	t.Helper()
	logs := &Logs{}
	// Registered before Kill so that it runs after it (cleanups run last
	// first), when the plugin's stderr has been copied.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("plugin %s log:\n%s", name, logs)
		}
	})
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  p.Handshake(),
		VersionedPlugins: p.Plugins,
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		StartTimeout:     20 * time.Second,
		GRPCDialOptions:  plugin.GRPCDialOptions(),
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin." + string(p.Kind) + "." + name, Output: logs, Level: hclog.Debug}),
	})
	t.Cleanup(c.Kill)
	return c, logs
}

// RequireBinary fails t unless the plugin binary at path exists.
func RequireBinary(t testing.TB, kind plugin.Kind, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s plugin binary: %v (build it first, e.g. with go build -o in TestMain)", kind, err)
	}
}
