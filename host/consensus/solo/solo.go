// Package solo is the single-validator consensus engine: the node's own
// ledgers are final. It closes a ledger when transactions are waiting, at
// most every CloseInterval, and at least every IdleInterval so subscribers
// see ledgers advance. Under load it closes as soon as the open ledger holds
// half of LedgerTarget: while that ledger is stored, submissions keep
// filling the next one, and the other half is the headroom that keeps them
// below the size where fees escalate. Fees then rise only when the node
// truly cannot keep up. It is for development chains and single-operator
// chains; it tolerates no faults beyond a restart.
package solo

import (
	"fmt"
	"time"

	"github.com/jtchain/jtchain/host/consensus"
)

func init() { consensus.Register("solo", New) }

// Engine is the solo state machine.
type Engine struct {
	p         consensus.Params
	height    uint64
	started   bool
	building  bool
	lastClose time.Time // when the current height started
	pending   int
}

// New creates a solo engine.
func New(p consensus.Params) (consensus.Engine, error) {
	if p.CloseInterval <= 0 || p.IdleInterval < p.CloseInterval {
		return nil, fmt.Errorf("solo: need 0 < close interval (%s) <= idle interval (%s)", p.CloseInterval, p.IdleInterval)
	}
	return &Engine{p: p}, nil
}

// Step implements consensus.Engine.
func (e *Engine) Step(in consensus.Input) []consensus.Output {
	switch in := in.(type) {
	case consensus.StartHeight:
		e.height, e.started, e.building, e.lastClose = in.Height, true, false, in.Now
		return nil
	case consensus.TxsAvailable:
		e.pending = in.Count
		return e.maybeBuild(in.Now)
	case consensus.Tick:
		return e.maybeBuild(in.Now)
	case consensus.BlockBuilt:
		if !e.building || in.Height != e.height {
			return nil
		}
		e.building = false
		e.pending = 0
		// The only validator's own ledger is decided as soon as it exists.
		return []consensus.Output{consensus.Commit{Block: in.Block}}
	}
	return nil
}

func (e *Engine) maybeBuild(now time.Time) []consensus.Output {
	if !e.started || e.building {
		return nil
	}
	since := now.Sub(e.lastClose)
	full := e.p.LedgerTarget > 0 && e.pending >= max(1, e.p.LedgerTarget/2)
	if full || (e.pending > 0 && since >= e.p.CloseInterval) || since >= e.p.IdleInterval {
		e.building = true
		return []consensus.Output{consensus.BuildBlock{Height: e.height}}
	}
	return nil
}
