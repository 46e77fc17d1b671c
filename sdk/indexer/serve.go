package indexer

import (
	"context"
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/plugin"
	basev1 "github.com/jtchain/jtchain/sdk/proto/jt/base/v1"
	indexerv1 "github.com/jtchain/jtchain/sdk/proto/jt/indexer/v1"
	"google.golang.org/grpc"
)

// Protocol is the indexer kind's wire protocol as the node offers it: the
// handshake and APIMajor's plugin set. The node's launcher puts it in
// go-plugin's ClientConfig (HandshakeConfig: Protocol().Handshake(),
// VersionedPlugins: Protocol().Plugins).
func Protocol() plugin.Protocol { return protocol(nil) }

func protocol(impl Indexer) plugin.Protocol {
	return plugin.Protocol{
		Kind: plugin.KindIndexer,
		Plugins: map[int]goplugin.PluginSet{
			APIMajor: {string(plugin.KindIndexer): &grpcPlugin{impl: impl}},
		},
	}
}

// Serve runs impl as an indexer plugin; it is the whole of a plugin's main
// and does not return. stdout is go-plugin's handshake: log through hclog
// (hclog.Default() is set up to write JSON to stderr) or the standard log
// package, never fmt.Print.
func Serve(impl Indexer) {
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
		return nil, fmt.Errorf("dispense indexer plugin %q: got %T, want *indexer.Client", name, raw)
	}
	return cl, nil
}

// grpcPlugin joins Indexer to go-plugin: on the plugin side it registers
// the servers around impl, on the node side it builds a Client.
type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	impl Indexer // nil on the node side
}

func (p *grpcPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	register(s, p.impl)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return newClient(cc), nil
}

// register serves impl's PluginBase and Indexer services on s.
func register(s *grpc.Server, impl Indexer) {
	basev1.RegisterPluginBaseServer(s, &baseServer{impl: impl})
	indexerv1.RegisterIndexerServer(s, newIndexerServer(impl))
}
