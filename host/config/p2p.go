package config

import (
	"fmt"
	"strings"
)

// P2PConfig is the validator network ([p2p]). A solo node leaves Listen
// empty and runs without networking.
type P2PConfig struct {
	// Listen holds libp2p listen addresses, e.g. "/ip4/127.0.0.1/tcp/51235".
	// Empty: no peer-to-peer networking (solo chains). Default empty.
	Listen []string `koanf:"listen"`
	// Peers are the nodes this one exchanges messages with, as
	// "PEER_ID@MULTIADDR" (dialed, and redialed when the link drops) or a bare
	// "PEER_ID" (accepted when it dials in, never dialed: how a validator
	// lists its followers). jtd testnet init writes them. Only these peers
	// may connect: the network is permissioned. Default empty.
	Peers []string `koanf:"peers"`
	// Chaos turns on the fault-injection layer (delays, drops, partitions)
	// and the admin "chaos" command that drives it. For tests only: never
	// enable it on a real network. Default false.
	Chaos bool `koanf:"chaos"`
	// KeyFile holds the node's libp2p identity: 64 hex digits of a 32-byte
	// Ed25519 seed. Empty: the identity is derived from the node key, so a
	// node's peer id follows from node_key.json. Set it to give the
	// network identity its own key (rotate it without touching the
	// validator key). A relative path is in data_dir. Default empty.
	KeyFile string `koanf:"key_file"`
}

// Validate reports every problem with the section at once.
func (c P2PConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c P2PConfig) check(p *problems) {
	for i, a := range c.Listen {
		if !strings.HasPrefix(a, "/") {
			p.add(fmt.Sprintf("p2p.listen[%d]", i), a, "must be a multiaddr such as /ip4/127.0.0.1/tcp/51235")
		}
	}
	for i, peer := range c.Peers {
		id, addr, ok := strings.Cut(peer, "@")
		if id == "" || strings.ContainsAny(id, "/ \t") || (ok && !strings.HasPrefix(addr, "/")) {
			p.add(fmt.Sprintf("p2p.peers[%d]", i), peer, "must be PEER_ID@MULTIADDR (e.g. 12D3KooW...@/ip4/127.0.0.1/tcp/51235) or a bare PEER_ID for a peer that dials in")
		}
	}
	if len(c.Peers) > 0 && len(c.Listen) == 0 {
		p.add("p2p.listen", "", "is empty although p2p.peers is set: give the node an address to listen on")
	}
}
