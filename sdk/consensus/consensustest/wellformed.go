package consensustest

import (
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/sdk/consensus"
)

// outputChecker checks that outputs are well formed given the inputs fed
// so far. Outputs of a batch cannot be attributed to single inputs, so a
// height counts as started once any StartHeight of the batch names it.
type outputChecker struct {
	started   map[uint64]bool
	committed map[uint64]consensus.Hash256
}

func newOutputChecker() *outputChecker {
	return &outputChecker{started: map[uint64]bool{}, committed: map[uint64]consensus.Hash256{}}
}

// check returns every problem of outs, the outputs of the batch ins.
func (c *outputChecker) check(ins []consensus.Input, outs []consensus.Output) error {
	for _, in := range ins {
		if s, ok := in.(consensus.StartHeight); ok {
			c.started[s.Height] = true
		}
	}
	var errs []error
	bad := func(i int, o consensus.Output, format string, args ...any) {
		errs = append(errs, fmt.Errorf("output %d (%T %+v): %s", i, o, o, fmt.Sprintf(format, args...)))
	}
	height := func(i int, o consensus.Output, h uint64) {
		if !c.started[h] {
			bad(i, o, "height %d was never started (no StartHeight named it)", h)
		}
	}
	for i, o := range outs {
		switch o := o.(type) {
		case consensus.BuildBlock:
			height(i, o, o.Height)
			if o.Round < 0 {
				bad(i, o, "negative round")
			}
		case consensus.Validate:
			height(i, o, o.Block.Height)
			if o.Block.ID == (consensus.Hash256{}) {
				bad(i, o, "the block has no id")
			}
		case consensus.Commit:
			if o.Block.Height == 0 {
				bad(i, o, "the block has no height")
			} else {
				height(i, o, o.Block.Height)
			}
			if o.Block.ID == (consensus.Hash256{}) {
				bad(i, o, "the block has no id")
			}
			if prev, ok := c.committed[o.Block.Height]; ok && prev != o.Block.ID {
				bad(i, o, "contradicts the earlier Commit of block %x at height %d", prev[:8], o.Block.Height)
			} else {
				c.committed[o.Block.Height] = o.Block.ID
			}
		case consensus.ScheduleTimeout:
			height(i, o, o.Height)
			if o.Delay <= 0 {
				bad(i, o, "delay %s is not positive", o.Delay)
			}
			if o.Kind < consensus.TimeoutPropose || o.Kind > consensus.TimeoutCommit {
				bad(i, o, "unknown timeout kind %d", o.Kind)
			}
			if o.Round < 0 {
				bad(i, o, "negative round")
			}
		case consensus.PersistSafety:
			if len(o.Record) == 0 {
				bad(i, o, "empty record")
			}
		case consensus.SignAndBroadcast:
			if len(o.Payload) == 0 {
				bad(i, o, "empty payload")
			}
		case consensus.Evidence:
			if len(o.Payload) == 0 {
				bad(i, o, "empty payload")
			}
		case consensus.Rebroadcast:
			if len(o.Messages) == 0 {
				bad(i, o, "no messages")
			}
		case consensus.RequestCatchUp:
			// Catching up is about heights the engine has not started.
			if o.Height == 0 {
				bad(i, o, "height 0")
			}
		default:
			errs = append(errs, fmt.Errorf("output %d: %T is not an output of sdk/consensus", i, o))
		}
	}
	return errors.Join(errs...)
}
