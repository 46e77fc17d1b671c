package vm

import (
	"context"
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	vmv1 "github.com/jtchain/jtchain/sdk/proto/jt/vm/v1"
	"google.golang.org/grpc"
)

// Protocol is the vm kind's wire protocol as the node offers it: the
// handshake and APIMajor's plugin set. The node's launcher puts it in
// go-plugin's ClientConfig (HandshakeConfig: Protocol().Handshake(),
// VersionedPlugins: Protocol().Plugins).
func Protocol() plugin.Protocol { return protocol(nil) }

func protocol(impl Runtime) plugin.Protocol {
	return plugin.Protocol{
		Kind: plugin.KindVM,
		Plugins: map[int]goplugin.PluginSet{
			APIMajor: {string(plugin.KindVM): &grpcPlugin{impl: impl}},
		},
	}
}

// Serve runs impl as a vm plugin; it is the whole of a plugin's main and
// does not return. stdout is go-plugin's handshake: log through hclog
// (hclog.Default() is set up to write JSON to stderr) or the standard log
// package, never fmt.Print.
func Serve(impl Runtime) {
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
		return nil, fmt.Errorf("dispense vm plugin %q: got %T, want *vm.Client", name, raw)
	}
	return cl, nil
}

// grpcPlugin joins Runtime to go-plugin: on the plugin side it registers
// the servers around impl, on the node side it builds a Client. Both sides
// keep the broker: the node serves each batch's StateReader through it and
// the plugin dials that.
type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	impl Runtime // nil on the node side
}

func (p *grpcPlugin) GRPCServer(broker *goplugin.GRPCBroker, s *grpc.Server) error {
	basev1.RegisterPluginBaseServer(s, &baseServer{impl: p.impl})
	vmv1.RegisterRuntimeServer(s, &runtimeServer{impl: p.impl, broker: broker})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, broker *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return &Client{base: basev1.NewPluginBaseClient(cc), runtime: vmv1.NewRuntimeClient(cc), broker: broker}, nil
}
