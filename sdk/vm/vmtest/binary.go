package vmtest

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
	"github.com/jtchain/jtchain/sdk/vm"
)

// Launch starts the vm plugin binary at path the way the node does
// (vm.Protocol's handshake, gRPC only, AutoMTLS, none of the test's
// environment) and returns its client. The process is killed when t ends;
// if t failed, the plugin's log is printed.
func Launch(t *testing.T, path string) *vm.Client {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("vm plugin binary: %v (build it first, e.g. with go build -o in TestMain)", err)
	}
	logs := &syncBuffer{}
	// Registered before Kill so that it runs after it (cleanups run last
	// first), when the plugin's stderr has been copied.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("plugin %s log:\n%s", path, logs)
		}
	})
	p := vm.Protocol()
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  p.Handshake(),
		VersionedPlugins: p.Plugins,
		Cmd:              exec.Command(path),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		StartTimeout:     20 * time.Second,
		GRPCDialOptions:  plugin.GRPCDialOptions(),
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logs, Level: hclog.Debug}),
	})
	t.Cleanup(c.Kill)
	rt, err := vm.Dispense(c, path)
	if err != nil {
		t.Fatalf("launch %s: %v", path, err)
	}
	return rt
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
