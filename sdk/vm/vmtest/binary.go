package vmtest

import (
	"os/exec"
	"testing"

	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
	"github.com/jtchain/jtchain/sdk/vm"
)

// Launch starts the vm plugin binary at path the way the node does
// (vm.Protocol's handshake, gRPC only, AutoMTLS, none of the test's
// environment) and returns its client. The process is killed when t ends;
// if t failed, the plugin's log is printed.
func Launch(t testing.TB, path string) *vm.Client {
	t.Helper()
	plugintest.RequireBinary(t, plugin.KindVM, path)
	c, _ := plugintest.Client(t, vm.Protocol(), path, exec.Command(path))
	rt, err := vm.Dispense(c, path)
	if err != nil {
		t.Fatalf("launch %s: %v", path, err)
	}
	return rt
}
