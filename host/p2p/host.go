package p2p

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	p2pconnmgr "github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Host is a libp2p host with the chain's two gossip topics and its
// request/response protocols. It is safe for concurrent use. Every goroutine
// it starts is stopped by Close.
type Host struct {
	cfg    Config
	log    hclog.Logger
	host   host.Host
	ps     *pubsub.PubSub
	self   peer.ID
	selfID string
	gater  *gater
	chaos  *Chaos
	peers  map[peer.ID]*peerState // configured peers; the map never changes after New
	order  []*peerState           // the same, in configuration order
	topics [topicCount]*topicState

	ctx    context.Context // canceled by Close; parent of everything the Host runs
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	protocols map[protocol.ID]struct{}
	handlers  int // handlers running, all peers (guarded by mu)

	notifiee  *network.NotifyBundle
	closeOnce sync.Once
	closeErr  error

	streamStats     streamCounters
	outboundDropped atomic.Uint64
	stateResets     atomic.Uint64
	panics          atomic.Uint64
	deadStreams     chan deadStream // pubsub outbound streams that closed (watchdog.go)
}

type peerState struct {
	id    peer.ID
	text  string
	addrs []ma.Multiaddr
	wake  chan struct{} // capacity 1: the peer's connectedness changed

	mu            sync.Mutex
	handlers      int // handlers running for this peer
	windowStart   time.Time
	windowRejects int

	rejected atomic.Uint64
}

// PeerInfo describes a configured peer.
type PeerInfo struct {
	ID        string
	Connected bool
	// Addrs are the configured dial addresses; Remote the addresses of the
	// open connections.
	Addrs  []string
	Remote []string
	// Rejected counts messages from this peer our validators rejected.
	Rejected uint64
	// BannedUntil is set while the peer is banned for too many rejects.
	BannedUntil time.Time
}

// New starts a host: it listens, joins the chain's topics and dials the
// configured peers that have addresses. ctx bounds start-up only; the host
// runs until Close. log may be nil.
func New(ctx context.Context, cfg Config, log hclog.Logger) (*Host, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sk, err := privKey(cfg.KeyType, cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("p2p: key: %w", err)
	}
	h := &Host{
		cfg:         cfg,
		log:         log.Named("p2p"),
		chaos:       cfg.Chaos,
		peers:       make(map[peer.ID]*peerState, len(cfg.Peers)),
		protocols:   make(map[protocol.ID]struct{}),
		deadStreams: make(chan deadStream, 64),
	}
	allowed := make(map[peer.ID]struct{}, len(cfg.Peers))
	dialable := make(map[peer.ID]struct{}, len(cfg.Peers))
	direct := make([]peer.AddrInfo, 0, len(cfg.Peers))
	for _, p := range cfg.Peers {
		id, _ := peer.Decode(p.ID) // Validate checked it
		ps := &peerState{id: id, text: id.String(), wake: make(chan struct{}, 1)}
		for _, a := range p.Addrs {
			addr, _ := splitPeerAddr(a, id)
			ps.addrs = append(ps.addrs, addr)
		}
		h.peers[id] = ps
		h.order = append(h.order, ps)
		allowed[id] = struct{}{}
		if len(ps.addrs) > 0 {
			dialable[id] = struct{}{}
		}
		direct = append(direct, peer.AddrInfo{ID: id, Addrs: ps.addrs})
	}
	h.gater = newGater(allowed, dialable)

	// A real connection manager rather than none: gossipsub's tag tracer
	// bumps a decaying tag on every delivery and logs a warning per message
	// when the manager cannot decay. Its limits are far above any
	// configuration, and gossipsub protects direct peers from trimming.
	cm, err := p2pconnmgr.NewConnManager(len(cfg.Peers)+64, 2*len(cfg.Peers)+128)
	if err != nil {
		return nil, fmt.Errorf("p2p: connection manager: %w", err)
	}
	lh, err := libp2p.New(
		libp2p.Identity(sk),
		// Listen only once pubsub is attached (below): a peer that connects
		// earlier learns from identify that we do not speak gossipsub and
		// never opens its pubsub stream to us.
		libp2p.NoListenAddrs,
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ConnectionGater(h.gater),
		libp2p.ConnectionManager(cm),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.Ping(false),
		libp2p.UserAgent("jtchain"),
		libp2p.WithDialTimeout(cfg.DialTimeout),
	)
	if err != nil {
		_ = cm.Close()
		return nil, fmt.Errorf("p2p: start libp2p: %w", err)
	}
	h.host = lh
	h.self = lh.ID()
	h.selfID = h.self.String()
	h.ctx, h.cancel = context.WithCancel(context.Background())
	for _, p := range h.order {
		lh.Peerstore().AddAddrs(p.id, p.addrs, peerstore.PermanentAddrTTL)
	}

	for t := Topic(1); t < topicCount; t++ {
		h.topics[t] = &topicState{topic: t, name: topicName(cfg.ChainID, t)}
	}

	params := pubsub.DefaultGossipSubParams()
	params.D, params.Dlo, params.Dhi, params.Dout, params.Dlazy = 4, 2, 8, 1, 4
	params.HeartbeatInterval = cfg.Heartbeat
	// We redial configured peers ourselves (reconnect.go), with backoff
	// and without swarm's dial backoff; gossipsub's own direct-peer dialer
	// would only race with it, so it runs once, after a heartbeat, and then
	// practically never (the gater refuses its dials to followers).
	params.DirectConnectInitialDelay = cfg.Heartbeat
	params.DirectConnectTicks = 1 << 40
	ps, err := pubsub.NewGossipSub(h.ctx, lh,
		// Every application message carries its own signature, so pubsub's
		// per-message signing is pure cost: 8x fewer messages per second
		// (perf.md §3.5). Ids are content hashes, so the same bytes from two
		// peers are one message.
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(messageID),
		pubsub.WithPeerOutboundQueueSize(cfg.OutboundQueueSize),
		pubsub.WithValidateQueueSize(cfg.ValidateQueueSize),
		pubsub.WithMaxMessageSize(cfg.MaxMessageSize+envelopeSlack),
		pubsub.WithSeenMessagesTTL(cfg.SeenTTL),
		pubsub.WithPeerExchange(false),
		pubsub.WithFloodPublish(true),
		pubsub.WithDirectPeers(direct),
		pubsub.WithGossipSubParams(params),
		pubsub.WithPeerFilter(func(p peer.ID, _ string) bool { _, ok := h.peers[p]; return ok }),
		pubsub.WithSubscriptionFilter(pubsub.NewAllowlistSubscriptionFilter(h.topics[TopicTx].name, h.topics[TopicConsensus].name)),
		pubsub.WithRawTracer(tracer{h}),
		pubsub.WithLogger(slog.New(newSlogHandler(h.log.Named("pubsub")))),
	)
	if err != nil {
		h.cancel()
		_ = lh.Close()
		return nil, fmt.Errorf("p2p: start gossipsub: %w", err)
	}
	h.ps = ps
	for _, ts := range h.topics[1:] {
		if ts.handle, err = ps.Join(ts.name); err != nil {
			h.cancel()
			_ = lh.Close()
			return nil, fmt.Errorf("p2p: join %s: %w", ts.name, err)
		}
	}

	h.notifiee = &network.NotifyBundle{
		ConnectedF:    func(_ network.Network, c network.Conn) { h.poke(c.RemotePeer()) },
		DisconnectedF: func(_ network.Network, c network.Conn) { h.poke(c.RemotePeer()) },
	}
	lh.Network().Notify(h.notifiee)
	listen := make([]ma.Multiaddr, 0, len(cfg.ListenAddrs))
	for _, a := range cfg.ListenAddrs {
		addr, _ := ma.NewMultiaddr(a) // Validate parsed it
		listen = append(listen, addr)
	}
	if err := lh.Network().Listen(listen...); err != nil {
		h.cancel()
		_ = lh.Close()
		return nil, fmt.Errorf("p2p: listen on %v: %w", cfg.ListenAddrs, err)
	}
	for _, p := range h.order {
		if len(p.addrs) > 0 {
			h.wg.Add(1)
			go h.keepConnected(p)
		}
	}
	h.wg.Add(1)
	go h.watchdog()
	h.log.Info("started", "peer_id", h.selfID, "addrs", h.Addrs(), "peers", len(h.order))
	return h, nil
}

// messageID is a message's content hash: the same bytes on one topic are one
// message, so they are delivered and forwarded once, whoever published them.
// The topic is hashed too, because pubsub keeps one seen-cache for all
// topics: the same bytes on the other topic are another message.
func messageID(m *pb.Message) string {
	hs := sha256.New()
	hs.Write([]byte(m.GetTopic()))
	hs.Write([]byte{0})
	hs.Write(m.GetData())
	var sum [sha256.Size]byte
	return string(hs.Sum(sum[:0]))
}

// ID is this host's peer id.
func (h *Host) ID() string { return h.selfID }

// Addrs are the addresses this host listens on (after port 0 was resolved).
func (h *Host) Addrs() []string {
	var out []string
	for _, a := range h.host.Addrs() {
		out = append(out, a.String())
	}
	return out
}

// Peers reports every configured peer, in configuration order.
func (h *Host) Peers() []PeerInfo {
	out := make([]PeerInfo, 0, len(h.order))
	for _, p := range h.order {
		info := PeerInfo{
			ID:          p.text,
			Connected:   h.host.Network().Connectedness(p.id) == network.Connected,
			Rejected:    p.rejected.Load(),
			BannedUntil: h.gater.bannedUntil(p.id),
		}
		for _, a := range p.addrs {
			info.Addrs = append(info.Addrs, a.String())
		}
		for _, c := range h.host.Network().ConnsToPeer(p.id) {
			info.Remote = append(info.Remote, c.RemoteMultiaddr().String())
		}
		slices.Sort(info.Remote)
		out = append(out, info)
	}
	return out
}

// Close stops every goroutine the host started, waits for running handlers
// and deliveries to return, and closes all connections. It is safe to call
// more than once.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.mu.Lock()
		h.closed = true
		protos := make([]protocol.ID, 0, len(h.protocols))
		for p := range h.protocols {
			protos = append(protos, p)
		}
		h.mu.Unlock()
		for _, p := range protos {
			h.host.RemoveStreamHandler(p)
		}
		h.host.Network().StopNotify(h.notifiee)
		h.cancel() // stops pubsub, the delivery and reconnect loops, handler contexts
		h.wg.Wait()
		h.closeErr = h.host.Close()
		h.log.Info("closed")
	})
	return h.closeErr
}

// track registers a goroutine that Close must wait for; it fails once the
// host is closing.
func (h *Host) track() bool { return h.trackN(1) }

func (h *Host) trackN(n int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(n)
	return true
}

func (h *Host) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// peerText is p's id text without re-encoding it for configured peers.
func (h *Host) peerText(p peer.ID) string {
	if ps, ok := h.peers[p]; ok {
		return ps.text
	}
	if p == h.self {
		return h.selfID
	}
	return p.String()
}

// noteReject counts a rejected message from p and bans p once it has had
// more than MaxRejects rejected within a minute.
func (h *Host) noteReject(p peer.ID) {
	ps, ok := h.peers[p]
	if !ok {
		return
	}
	ps.rejected.Add(1)
	if h.cfg.MaxRejects < 0 {
		return
	}
	now := time.Now()
	ps.mu.Lock()
	if now.Sub(ps.windowStart) > time.Minute {
		ps.windowStart, ps.windowRejects = now, 0
	}
	ps.windowRejects++
	over := ps.windowRejects > h.cfg.MaxRejects
	if over {
		ps.windowRejects = 0
	}
	ps.mu.Unlock()
	if over && h.gater.ban(p, now.Add(h.cfg.BanDuration)) {
		h.log.Warn("banning peer for rejected messages", "peer", ps.text, "max_rejects_per_minute", h.cfg.MaxRejects, "for", h.cfg.BanDuration)
		// Not on the validation goroutine: closing waits for the connection.
		if h.track() {
			go func() {
				defer h.wg.Done()
				_ = h.host.Network().ClosePeer(p)
			}()
		}
	}
}
