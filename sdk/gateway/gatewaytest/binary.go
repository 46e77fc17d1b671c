package gatewaytest

import (
	"os/exec"
	"testing"

	"github.com/jtchain/jtchain/sdk/gateway"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
)

// Launch starts the gateway plugin binary at path the way the node does
// (gateway.Protocol's handshake, gRPC only, AutoMTLS, none of the test's
// environment) and returns its client. The process is killed when t ends;
// if t failed, the plugin's log is printed.
func Launch(t testing.TB, path string) *gateway.Client {
	t.Helper()
	plugintest.RequireBinary(t, plugin.KindGateway, path)
	c, _ := plugintest.Client(t, gateway.Protocol(), path, exec.Command(path))
	gw, err := gateway.Dispense(c, path)
	if err != nil {
		t.Fatalf("launch %s: %v", path, err)
	}
	return gw
}
