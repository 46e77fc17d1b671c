package p2p

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Defaults. The queue sizes are the ones measured in research/perf.md §3.5
// and §6.4: at go-libp2p-pubsub's defaults (32) a 100 k burst lost 0.22% of
// its messages; at these sizes it lost none.
const (
	DefaultMaxMessageSize        = 1 << 20  // pubsub's own default; see Config.Validate on why not larger
	DefaultMaxRequestSize        = 1 << 20  // a request names what it wants; it is small
	DefaultMaxResponseSize       = 16 << 20 // a ledger's transactions, a state chunk
	DefaultRequestTimeout        = 10 * time.Second
	DefaultValidateTimeout       = 2 * time.Second
	DefaultMaxConcurrentHandlers = 32
	DefaultMaxHandlersPerPeer    = 8
	DefaultOutboundQueueSize     = 2048
	DefaultValidateQueueSize     = 1024
	DefaultSubscriptionBuffer    = 2048
	DefaultSeenTTL               = 2 * time.Minute
	DefaultReconnectMin          = 200 * time.Millisecond
	DefaultReconnectMax          = 10 * time.Second
	DefaultDialTimeout           = 5 * time.Second
	DefaultMaxRejects            = 100
	DefaultBanDuration           = time.Minute
	DefaultHeartbeat             = 700 * time.Millisecond
)

// KeyType says how Config.Key is to be read.
type KeyType int

const (
	// KeyEd25519: Key is a 32-byte ed25519 seed (the default, and the
	// recommended type: cheaper handshakes, and it is what genesis tooling
	// prints peer ids for).
	KeyEd25519 KeyType = iota
	// KeySecp256k1: Key is a 32-byte secp256k1 private scalar, big-endian.
	KeySecp256k1
)

func (t KeyType) String() string {
	switch t {
	case KeyEd25519:
		return "ed25519"
	case KeySecp256k1:
		return "secp256k1"
	}
	return fmt.Sprintf("KeyType(%d)", int(t))
}

// Peer is a configured peer: a validator or a follower this host exchanges
// messages with. Only configured peers may connect (a connection gater refuses
// every other peer id, inbound and outbound).
type Peer struct {
	// ID is the libp2p peer id text ("12D3KooW..."), as PeerIDFromKey prints it.
	ID string
	// Addrs are multiaddrs to dial, e.g. "/ip4/10.0.0.2/tcp/51235" (a trailing
	// "/p2p/<ID>" is accepted if it names the same peer). A peer with
	// addresses is dialed at start and redialed with backoff whenever its
	// connection drops. A peer without addresses is accepted when it dials
	// us but never dialed (the gater refuses dials to it, so a Request to it
	// fails unless it is connected): a validator lists its followers this
	// way.
	Addrs []string
}

// Config configures a Host. Zero values take the defaults above.
type Config struct {
	// ListenAddrs are TCP multiaddrs to listen on, e.g.
	// "/ip4/0.0.0.0/tcp/51235". Port 0 picks a free port (see Host.Addrs).
	ListenAddrs []string
	// Key is the libp2p identity key, read as KeyType says. The node should
	// derive it from its node key with a domain-separated hash rather than
	// reuse the consensus signing key itself; the peer id is a function of it.
	Key     []byte
	KeyType KeyType
	// Peers are the only peers this host talks to. Validators list each other
	// (with addresses) and their followers (addresses optional); a follower
	// lists the validators it follows. Every configured peer is a gossipsub
	// direct peer, so the listing must be reciprocal: a peer that lists us
	// but that we do not list cannot connect.
	Peers []Peer
	// ChainID is part of every topic name and stream protocol id, so two
	// chains never exchange a message even if their peers meet. At most 128
	// bytes, no '/', no spaces or control characters.
	ChainID string

	// MaxMessageSize bounds a pubsub payload (default 1 MiB). Publish refuses
	// larger data; receivers reject it before forwarding. The pubsub wire
	// limit is set a little above it for the envelope.
	MaxMessageSize int
	// MaxRequestSize and MaxResponseSize bound a request/response frame
	// (defaults 1 MiB and 16 MiB).
	MaxRequestSize  int
	MaxResponseSize int
	// RequestTimeout bounds one request/response exchange on both sides: a
	// Request whose context has no earlier deadline, and a handler's context
	// (default 10 s).
	RequestTimeout time.Duration
	// MaxConcurrentHandlers bounds the request handlers running at once over
	// all protocols and peers, MaxHandlersPerPeer those for one peer
	// (defaults 32 and 8). A request over either limit is answered at once
	// with ErrBusy.
	MaxConcurrentHandlers int
	MaxHandlersPerPeer    int
	// ValidateTimeout bounds one call of a topic validator (default 2 s). A
	// validator that returns after it counts as Ignore.
	ValidateTimeout time.Duration

	// Pubsub queues (research/perf.md §6.4).
	OutboundQueueSize  int // per-peer outbound RPC queue (default 2048)
	ValidateQueueSize  int // messages waiting for validation (default 1024)
	SubscriptionBuffer int // accepted messages waiting for deliver, per topic (default 2048)
	// SeenTTL is how long a message id is remembered, so the same content is
	// neither delivered nor forwarded twice (default 2 min). go-libp2p-pubsub
	// sweeps expired ids once a minute, so the real window is up to a minute
	// longer.
	SeenTTL time.Duration
	// Heartbeat is the gossipsub heartbeat (default 700 ms).
	Heartbeat time.Duration

	// Reconnect backoff for peers with addresses: the wait doubles from
	// ReconnectMin to ReconnectMax after each failed dial (defaults 200 ms and
	// 10 s), each dial bounded by DialTimeout (default 5 s).
	ReconnectMin time.Duration
	ReconnectMax time.Duration
	DialTimeout  time.Duration

	// MaxRejects is how many messages from one peer a validator may Reject in
	// a minute before the peer is disconnected and refused for BanDuration
	// (defaults 100 and 1 min). Negative: never ban.
	MaxRejects  int
	BanDuration time.Duration

	// Chaos injects seeded faults into what this host receives (see Chaos).
	// For tests and test networks only: nil in production. Several hosts in
	// one process may share one Chaos.
	Chaos *Chaos
}

func (c Config) withDefaults() Config {
	setInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	setInt(&c.MaxMessageSize, DefaultMaxMessageSize)
	setInt(&c.MaxRequestSize, DefaultMaxRequestSize)
	setInt(&c.MaxResponseSize, DefaultMaxResponseSize)
	setDur(&c.RequestTimeout, DefaultRequestTimeout)
	setInt(&c.MaxConcurrentHandlers, DefaultMaxConcurrentHandlers)
	setInt(&c.MaxHandlersPerPeer, DefaultMaxHandlersPerPeer)
	setDur(&c.ValidateTimeout, DefaultValidateTimeout)
	setInt(&c.OutboundQueueSize, DefaultOutboundQueueSize)
	setInt(&c.ValidateQueueSize, DefaultValidateQueueSize)
	setInt(&c.SubscriptionBuffer, DefaultSubscriptionBuffer)
	setDur(&c.SeenTTL, DefaultSeenTTL)
	setDur(&c.Heartbeat, DefaultHeartbeat)
	setDur(&c.ReconnectMin, DefaultReconnectMin)
	setDur(&c.ReconnectMax, DefaultReconnectMax)
	setDur(&c.DialTimeout, DefaultDialTimeout)
	setInt(&c.MaxRejects, DefaultMaxRejects)
	setDur(&c.BanDuration, DefaultBanDuration)
	return c
}

// Validate reports every problem in the configuration at once. New calls
// it after filling in defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf("p2p: "+format, args...)) }

	if len(c.ListenAddrs) == 0 {
		add("listen_addrs is empty: give at least one, e.g. /ip4/0.0.0.0/tcp/51235")
	}
	for i, s := range c.ListenAddrs {
		if err := checkTCPAddr(s); err != nil {
			add("listen_addrs[%d] %q: %v", i, s, err)
		}
	}
	var self peer.ID
	if _, err := privKey(c.KeyType, c.Key); err != nil {
		add("key: %v", err)
	} else {
		self, _ = peerIDOf(c.KeyType, c.Key)
	}
	if err := checkChainID(c.ChainID); err != nil {
		add("chain_id %q: %v", c.ChainID, err)
	}
	seen := make(map[peer.ID]int)
	for i, p := range c.Peers {
		id, err := peer.Decode(p.ID)
		if err != nil {
			add("peers[%d].id %q is not a peer id: %v", i, p.ID, err)
			continue
		}
		if id == self {
			add("peers[%d] is this host itself (%s): remove it", i, p.ID)
		}
		if j, dup := seen[id]; dup {
			add("peers[%d] repeats peers[%d] (%s)", i, j, p.ID)
		}
		seen[id] = i
		for k, a := range p.Addrs {
			if _, err := splitPeerAddr(a, id); err != nil {
				add("peers[%d].addrs[%d] %q: %v", i, k, a, err)
			}
		}
	}
	positive := []struct {
		name string
		v    int64
	}{
		{"max_message_size", int64(c.MaxMessageSize)},
		{"max_request_size", int64(c.MaxRequestSize)},
		{"max_response_size", int64(c.MaxResponseSize)},
		{"request_timeout", int64(c.RequestTimeout)},
		{"max_concurrent_handlers", int64(c.MaxConcurrentHandlers)},
		{"max_handlers_per_peer", int64(c.MaxHandlersPerPeer)},
		{"validate_timeout", int64(c.ValidateTimeout)},
		{"outbound_queue_size", int64(c.OutboundQueueSize)},
		{"validate_queue_size", int64(c.ValidateQueueSize)},
		{"subscription_buffer", int64(c.SubscriptionBuffer)},
		{"seen_ttl", int64(c.SeenTTL)},
		{"heartbeat", int64(c.Heartbeat)},
		{"reconnect_min", int64(c.ReconnectMin)},
		{"reconnect_max", int64(c.ReconnectMax)},
		{"dial_timeout", int64(c.DialTimeout)},
		{"ban_duration", int64(c.BanDuration)},
	}
	for _, f := range positive {
		if f.v < 0 {
			add("%s is negative (%d): leave it 0 for the default", f.name, f.v)
		}
	}
	if c.MaxMessageSize > maxPubsubMessage {
		add("max_message_size %d is above %d: pubsub writes every message to every peer, so fetch large objects by hash with Request instead", c.MaxMessageSize, maxPubsubMessage)
	}
	if c.MaxResponseSize > maxFrame || c.MaxRequestSize > maxFrame {
		add("max_request_size and max_response_size must be at most %d", maxFrame)
	}
	if c.ReconnectMin > c.ReconnectMax {
		add("reconnect_min %v is above reconnect_max %v", c.ReconnectMin, c.ReconnectMax)
	}
	return errors.Join(errs...)
}

const (
	maxPubsubMessage = 16 << 20
	maxFrame         = 1 << 30
	// envelopeSlack is room in the pubsub wire limit for the protobuf framing
	// around one payload (topic name, field tags, a control message riding
	// along), so a payload of exactly MaxMessageSize still fits.
	envelopeSlack = 64 << 10
)

func checkChainID(s string) error {
	if s == "" {
		return errors.New("is empty: every host must name its chain")
	}
	if len(s) > 128 {
		return errors.New("is longer than 128 bytes")
	}
	for _, r := range s {
		if r == '/' || r <= ' ' || r == 0x7f {
			return fmt.Errorf("contains %q: use letters, digits and punctuation other than '/'", r)
		}
	}
	return nil
}

func checkTCPAddr(s string) error {
	a, err := ma.NewMultiaddr(s)
	if err != nil {
		return err
	}
	if _, err := a.ValueForProtocol(ma.P_TCP); err != nil {
		return errors.New("only TCP addresses are supported")
	}
	return nil
}

// splitPeerAddr parses a configured address of peer id, dropping a trailing
// /p2p/<id> component if it names the same peer.
func splitPeerAddr(s string, id peer.ID) (ma.Multiaddr, error) {
	a, err := ma.NewMultiaddr(s)
	if err != nil {
		return nil, err
	}
	transport, named := peer.SplitAddr(a)
	if named != "" && named != id {
		return nil, fmt.Errorf("names peer %s, not %s", named, id)
	}
	if transport == nil {
		return nil, errors.New("has no transport part")
	}
	if _, err := transport.ValueForProtocol(ma.P_TCP); err != nil {
		return nil, errors.New("only TCP addresses are supported")
	}
	return transport, nil
}

func validProtocolName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("p2p: protocol name %q must be 1 to 64 bytes", name)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._-", r)
		if !ok {
			return fmt.Errorf("p2p: protocol name %q: use lower-case letters, digits, '.', '_' and '-'", name)
		}
	}
	return nil
}
