package indexertest

import (
	"os/exec"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
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
	plugintest.RequireBinary(t, plugin.KindIndexer, path)
	cmd := exec.Command(path)
	c, _ := plugintest.Client(t, indexer.Protocol(), path, cmd)
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
