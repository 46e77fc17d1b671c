package p2p

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The watchdog repairs a go-libp2p-pubsub v0.19 failure that otherwise
// mutes a host towards a peer for as long as their connection lasts.
//
// Pubsub keeps one outbound stream per peer. When that stream dies while a
// connection to the peer stays up (the receiver reset it because an RPC was
// over its size limit, a write stalled for 30 s, a duplicate connection
// carrying it was closed), pubsub forgets which topics the peer subscribed
// to (handleDeadPeers -> clearPeerFromTopicsState) and opens a new stream.
// But the peer announces its subscriptions only when its own outbound stream
// opens, which has not happened, so no topic message is ever sent to it
// again; after a few such failures in 10 minutes pubsub stops reopening the
// stream at all (MaxBackoffAttempts). TestOversizedMessagesAreRefused shows
// it.
//
// Pubsub tells its tracer when an outbound stream closes. If a connection
// to the peer that was open before that moment is still open a moment
// later, the watchdog closes the peer's connections; the side with the
// other's address redials (reconnect.go), and the fresh connection exchanges
// subscriptions both ways. Connections opened after the stream died are
// left alone: the watchdog's own resets close streams too, and acting on
// those would loop.

// streamDied is called by the pubsub tracer, on pubsub's event loop: it must
// not block.
func (h *Host) streamDied(p peer.ID) {
	if _, ok := h.peers[p]; !ok {
		return
	}
	select {
	case h.deadStreams <- deadStream{p, time.Now()}:
	default: // the watchdog is behind; the peers it has queued are enough to act on
	}
}

type deadStream struct {
	peer peer.ID
	at   time.Time
}

func (h *Host) watchdog() {
	defer h.wg.Done()
	const grace = 200 * time.Millisecond // let a real disconnect show in Connectedness
	net := h.host.Network()
	for {
		var d deadStream
		select {
		case <-h.ctx.Done():
			return
		case d = <-h.deadStreams:
		}
		if wait := grace - time.Since(d.at); wait > 0 && !h.sleep(wait) {
			return
		}
		p, survived := d.peer, false
		for _, c := range net.ConnsToPeer(p) {
			survived = survived || c.Stat().Opened.Before(d.at)
		}
		if !survived {
			continue
		}
		h.stateResets.Add(1)
		h.log.Warn("pubsub stream to a connected peer died, losing its subscriptions; reconnecting", "peer", h.peerText(p))
		_ = net.ClosePeer(p)
	}
}
