package indexertest

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// Process is an indexer plugin binary launched the way the node launches
// it, and its client.
type Process struct {
	*indexer.Client
	cmd    *exec.Cmd
	client *goplugin.Client
}

// Launch starts the indexer plugin binary at path the way the node does
// (indexer.Protocol's handshake, gRPC only, AutoMTLS, none of the test's
// environment) and returns it. The process is killed when t ends; if t
// failed, the plugin's log is printed.
func Launch(t testing.TB, path string) *Process {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("indexer plugin binary: %v (build it first, e.g. with go build -o in TestMain)", err)
	}
	logs := &syncBuffer{}
	// Registered before Kill so that it runs after it (cleanups run last
	// first), when the plugin's stderr has been copied.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("plugin %s log:\n%s", path, logs)
		}
	})
	p := indexer.Protocol()
	cmd := exec.Command(path)
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  p.Handshake(),
		VersionedPlugins: p.Plugins,
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		StartTimeout:     20 * time.Second,
		GRPCDialOptions:  plugin.GRPCDialOptions(),
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logs, Level: hclog.Debug}),
	})
	t.Cleanup(c.Kill)
	ix, err := indexer.Dispense(c, path)
	if err != nil {
		t.Fatalf("launch %s: %v", path, err)
	}
	return &Process{Client: ix, cmd: cmd, client: c}
}

// Kill ends the process with SIGKILL, as a crash or the OOM killer would:
// it gets no chance to flush or close anything. It returns once the
// process is gone.
func (p *Process) Kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
	p.client.Kill() // finds the process gone and reaps it
}

// syncBuffer collects the host-side log, which go-plugin writes from
// several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
