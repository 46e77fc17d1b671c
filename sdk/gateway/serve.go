package gateway

import (
	"context"
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	gatewayv1 "github.com/jtchain/jtchain/sdk/proto/jt/gateway/v1"
	"google.golang.org/grpc"
)

// Protocol is the gateway kind's wire protocol as the node offers it: the
// handshake and APIMajor's plugin set. The node's launcher puts it in
// go-plugin's ClientConfig (HandshakeConfig: Protocol().Handshake(),
// VersionedPlugins: Protocol().Plugins).
func Protocol() plugin.Protocol { return protocol(nil) }

func protocol(impl Gateway) plugin.Protocol {
	return plugin.Protocol{
		Kind: plugin.KindGateway,
		Plugins: map[int]goplugin.PluginSet{
			APIMajor: {string(plugin.KindGateway): &grpcPlugin{impl: impl}},
		},
	}
}

// Serve runs impl as a gateway plugin; it is the whole of a plugin's main
// and does not return. stdout is go-plugin's handshake: log through hclog
// (hclog.Default() is set up to write JSON to stderr) or the standard log
// package, never fmt.Print.
func Serve(impl Gateway) {
	name := "unnamed"
	if info, err := impl.Info(context.Background()); err == nil && info.Name != "" {
		name = info.Name
	}
	plugin.Serve(protocol(impl), name)
}

// Dispense starts the plugin behind c (created with Protocol's handshake
// and plugins) and returns its client. A plugin of another protocol major
// gives a *plugin.VersionMismatchError; one that printed to stdout gives an
// error wrapping plugin.ErrStdoutBeforeHandshake. name names the plugin in
// errors.
func Dispense(c *goplugin.Client, name string) (*Client, error) {
	return dispense(Protocol(), c, name)
}

func dispense(p plugin.Protocol, c *goplugin.Client, name string) (*Client, error) {
	raw, err := p.Dispense(c, name)
	if err != nil {
		return nil, err
	}
	cl, ok := raw.(*Client)
	if !ok {
		return nil, fmt.Errorf("dispense gateway plugin %q: got %T, want *gateway.Client", name, raw)
	}
	return cl, nil
}

// grpcPlugin joins Gateway to go-plugin: on the plugin side it registers
// the servers around impl, on the node side it builds a Client.
type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	impl Gateway // nil on the node side
}

func (p *grpcPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	basev1.RegisterPluginBaseServer(s, &baseServer{impl: p.impl})
	gatewayv1.RegisterGatewayServer(s, &gatewayServer{impl: p.impl})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return &Client{base: basev1.NewPluginBaseClient(cc), gateway: gatewayv1.NewGatewayClient(cc)}, nil
}
