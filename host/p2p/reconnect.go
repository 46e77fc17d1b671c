package p2p

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// poke wakes p's reconnect loop after its connectedness changed.
func (h *Host) poke(p peer.ID) {
	if ps, ok := h.peers[p]; ok {
		select {
		case ps.wake <- struct{}{}:
		default:
		}
	}
}

// keepConnected keeps a connection to p open for as long as the host runs:
// whenever there is none it dials, and after a failed dial it waits, the
// wait doubling from ReconnectMin to ReconnectMax (with ±20% jitter so
// restarted peers do not dial in lockstep). A connection that closes before
// it has lasted ReconnectMax counts as a failed dial, so a peer that accepts
// and then drops us (it does not list us, or it banned us) is redialed with
// backoff, not in a tight loop; after a connection that lasted, the first
// redial is immediate.
//
// Dials bypass the swarm's own dial backoff (5 s growing to 5 min after
// failures), which would otherwise keep a restarted peer unreachable for
// minutes; this loop is the backoff.
func (h *Host) keepConnected(p *peerState) {
	defer h.wg.Done()
	wait := h.cfg.ReconnectMin
	net := h.host.Network()
	var upSince time.Time // when we last saw p connected; zero: not since the last drop
	backoff := func() bool {
		jittered := time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
		wait = min(2*wait, h.cfg.ReconnectMax)
		return h.sleep(jittered)
	}
	for {
		if net.Connectedness(p.id) == network.Connected {
			if upSince.IsZero() {
				upSince = time.Now()
			}
			select {
			case <-h.ctx.Done():
				return
			case <-p.wake:
			}
			continue
		}
		if !upSince.IsZero() {
			lasted := time.Since(upSince)
			upSince = time.Time{}
			if lasted >= h.cfg.ReconnectMax {
				wait = h.cfg.ReconnectMin
			} else if !backoff() {
				return
			}
			continue // the peer may have redialed us meanwhile
		}
		if until := h.gater.bannedUntil(p.id); !until.IsZero() {
			if !h.sleep(time.Until(until)) {
				return
			}
			continue
		}
		ctx, cancel := context.WithTimeout(h.ctx, h.cfg.DialTimeout)
		ctx = network.WithForceDirectDial(ctx, "jtchain reconnect")
		err := h.host.Connect(ctx, peer.AddrInfo{ID: p.id, Addrs: p.addrs})
		cancel()
		if h.ctx.Err() != nil {
			return
		}
		if err == nil {
			h.log.Debug("connected", "peer", p.text)
			upSince = time.Now() // even if the connection is already gone again
			continue
		}
		h.log.Debug("dial failed", "peer", p.text, "retry_in", wait, "err", err)
		if !backoff() {
			return
		}
	}
}

// sleep waits for d or until the host closes; it reports whether the host
// is still running.
func (h *Host) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-h.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
