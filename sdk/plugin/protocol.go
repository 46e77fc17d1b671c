package plugin

import (
	"slices"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// MagicCookieKey is the environment variable go-plugin's handshake cookie
// travels in. Its value names the kind (see Protocol.Handshake), so a
// binary launched as the wrong kind refuses to start.
const MagicCookieKey = "JT_PLUGIN"

// MaxMessageSize caps one gRPC message in either direction. gRPC's default
// of 4 MiB is smaller than a full block proposal; 64 MiB leaves room for the
// largest ledger the node accepts, and bigger payloads must be streamed.
const MaxMessageSize = 64 << 20

// Protocol describes one kind's wire protocol: what the host offers when it
// launches a plugin of that kind and what a plugin of that kind serves.
// Each kind package exports one (consensus.Protocol, ...).
type Protocol struct {
	Kind Kind
	// Plugins maps each protocol major this side speaks to the go-plugin
	// set that serves it; the major is go-plugin's VersionedPlugins key.
	// During a transition a host offers two majors (N and N-1) and go-plugin
	// picks the highest one both sides speak.
	Plugins map[int]goplugin.PluginSet
}

// Handshake returns the go-plugin handshake of the kind: the cookie value
// names the kind, and the protocol version lives in Plugins' keys.
func (p Protocol) Handshake() goplugin.HandshakeConfig {
	return goplugin.HandshakeConfig{
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: cookieValue(p.Kind),
	}
}

// Majors returns the protocol majors this side speaks, in ascending order.
func (p Protocol) Majors() []int {
	out := make([]int, 0, len(p.Plugins))
	for v := range p.Plugins {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// GRPCDialOptions are the dial options a host should put in
// go-plugin's ClientConfig.GRPCDialOptions for any kind.
func GRPCDialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(MaxMessageSize),
		grpc.MaxCallSendMsgSize(MaxMessageSize),
	)}
}

const cookiePrefix = "jtchain."

func cookieValue(k Kind) string { return cookiePrefix + string(k) }
