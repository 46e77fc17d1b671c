// Package p2p is the node's peer-to-peer layer: a permissioned libp2p host
// (TCP, noise, yamux) with the chain's two gossipsub topics and its
// request/response protocols. It is the only package that imports libp2p;
// host/node drives it, and nothing under sdk/ or plugins/ may import it.
//
// # Starting
//
//	h, err := p2p.New(ctx, p2p.Config{
//		ListenAddrs: []string{"/ip4/0.0.0.0/tcp/51235"},
//		Key:         p2pSeed, // 32-byte ed25519 seed
//		ChainID:     "jt-main",
//		Peers:       []p2p.Peer{{ID: "12D3KooW...", Addrs: []string{"/ip4/10.0.0.2/tcp/51235"}}},
//	}, logger)
//	defer h.Close()
//
// PeerIDFromKey prints the peer id a key gives, for other nodes' Peers.
//
// Only configured peers may connect, in either direction (a connection
// gater checks the peer id after the handshake). Peers with addresses are
// dialed, and redialed with backoff (ReconnectMin doubling to ReconnectMax)
// whenever the connection drops; peers with only an id (followers) are
// accepted when they dial in and never dialed. Every configured peer is a
// gossipsub direct peer, so listings must be reciprocal.
//
// # Gossip
//
// Subscribe(topic, validator, deliver) starts receiving TopicTx or
// TopicConsensus; Publish(ctx, topic, data) sends. Topic names contain the
// chain id. The Validator runs before a message is delivered or forwarded;
// Reject drops it and counts against the sending peer (MaxRejects in a
// minute get it banned for BanDuration), Ignore drops it without penalty.
// The layer itself refuses empty messages and those above MaxMessageSize
// (default 1 MiB; the pubsub wire limit is set just above it). Message ids
// are hashes of topic and content, so the same bytes are delivered and
// forwarded once within SeenTTL, and a rebroadcast must change its bytes.
// A host's own messages are not delivered to its own Deliver.
//
// Gossip is best-effort (spec/rbft.md §1f.9): queues are bounded
// (OutboundQueueSize, ValidateQueueSize, SubscriptionBuffer) and what they
// drop is counted in Stats, never waited for. Consensus must rebroadcast.
//
// # Requests
//
// Handle(name, handler) serves a protocol; Request(ctx, peerID, name, req)
// calls it. Requests are bounded by MaxRequestSize (1 MiB), answers by
// MaxResponseSize (16 MiB), an exchange by RequestTimeout (10 s) on both
// sides; at most MaxConcurrentHandlers handlers run at once, and
// MaxHandlersPerPeer for one peer; a request over a limit gets ErrBusy at
// once. A handler's error reaches the caller as *RemoteError; timeouts
// satisfy errors.Is(err, context.DeadlineExceeded).
//
// # Robustness
//
// Nothing read from the network can make the host panic or grow without
// bound: frames are length-checked before they are read, every queue has a
// size, and a panicking validator, deliver or handler is recovered, logged
// and counted (Stats.Panics). A watchdog repairs pubsub's loss of a peer's
// subscriptions when its stream dies under a live connection (watchdog.go).
//
// # Chaos
//
// Config.Chaos, for tests only, injects seeded faults (drop, duplicate,
// delay, reorder, partitions) per link into both gossip and requests; see
// Chaos. Several hosts in one process may share one Chaos.
package p2p
