package p2p

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// gater admits configured peers only, in both directions, and refuses a
// banned peer until its ban ends. It checks the peer id after the security
// handshake (InterceptSecured), which is the first point an inbound peer's
// identity is proven; outbound dials are refused before they start, and so
// are dials to peers configured without addresses (followers dial us, never
// the other way round).
//
// The dialer of a refused inbound connection may see the connection open
// for a moment (its side of the handshake completes first), until it
// notices we closed it. No stream is ever accepted on it: the refusal
// happens before the muxer runs on our side.
type gater struct {
	allowed  map[peer.ID]struct{}
	dialable map[peer.ID]struct{} // allowed peers that have addresses

	mu     sync.Mutex
	banned map[peer.ID]time.Time
	now    func() time.Time

	refused atomic.Uint64
	bans    atomic.Uint64
}

func newGater(allowed, dialable map[peer.ID]struct{}) *gater {
	return &gater{allowed: allowed, dialable: dialable, banned: make(map[peer.ID]time.Time), now: time.Now}
}

func (g *gater) mayDial(p peer.ID) bool {
	if _, ok := g.dialable[p]; !ok {
		return false
	}
	return g.admits(p)
}

func (g *gater) admits(p peer.ID) bool {
	if _, ok := g.allowed[p]; !ok {
		g.refused.Add(1)
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	until, ok := g.banned[p]
	if !ok {
		return true
	}
	if g.now().Before(until) {
		g.refused.Add(1)
		return false
	}
	delete(g.banned, p)
	return true
}

// ban refuses p until the given time; it reports whether p was not banned
// already.
func (g *gater) ban(p peer.ID, until time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if old, ok := g.banned[p]; ok && g.now().Before(old) {
		return false
	}
	g.banned[p] = until
	g.bans.Add(1)
	return true
}

// bannedUntil returns the end of p's ban, or the zero time.
func (g *gater) bannedUntil(p peer.ID) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until, ok := g.banned[p]; ok && g.now().Before(until) {
		return until
	}
	return time.Time{}
}

func (g *gater) InterceptPeerDial(p peer.ID) bool                 { return g.mayDial(p) }
func (g *gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return g.mayDial(p) }
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool      { return true }
func (g *gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return g.admits(p)
}
func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
