package consensustest

import (
	"os/exec"
	"testing"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
)

// Launch starts the consensus plugin binary at path the way the node does
// (consensus.Protocol's handshake, gRPC only, AutoMTLS, none of the test's
// environment) and returns its client. The process is killed when t ends;
// if t failed, the plugin's log is printed.
func Launch(t testing.TB, path string) *consensus.Client {
	t.Helper()
	plugintest.RequireBinary(t, plugin.KindConsensus, path)
	c, _ := plugintest.Client(t, consensus.Protocol(), path, exec.Command(path))
	engine, err := consensus.Dispense(c, path)
	if err != nil {
		t.Fatalf("launch %s: %v", path, err)
	}
	return engine
}
