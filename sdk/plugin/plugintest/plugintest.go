// Package plugintest starts plugin binaries from tests the way a node
// starts them, for the conformance suites of every kind and for plugin
// authors' own process tests. It imports nothing from host.
package plugintest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/santhosh-tekuri/jsonschema/v6"

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

// CheckConfigSchema accepts an empty schema (the plugin takes no config)
// or a JSON Schema document that compiles, self-contained, with the same
// validator (and dialect rules, e.g. Go's regular expressions in
// "pattern") the node uses to check an operator's config at every launch.
func CheckConfigSchema(schema []byte) error {
	if len(bytes.TrimSpace(schema)) == 0 {
		return nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return fmt.Errorf("ConfigSchema: not JSON: %w", err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return fmt.Errorf("ConfigSchema: %.60q is not a JSON object", schema)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const url = "urn:jtchain:plugin-config"
	if err := c.AddResource(url, doc); err != nil {
		return fmt.Errorf("ConfigSchema: %w", err)
	}
	if _, err := c.Compile(url); err != nil {
		return fmt.Errorf("ConfigSchema does not compile, so every node would refuse to launch the plugin: %w", err)
	}
	return nil
}

// noLoader refuses external references: a node never fetches any.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the schema refers to %s: plugin schemas must be self-contained", url)
}

// RequireBinary fails t unless the plugin binary at path exists.
func RequireBinary(t testing.TB, kind plugin.Kind, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s plugin binary: %v (build it first, e.g. with go build -o in TestMain)", kind, err)
	}
}
