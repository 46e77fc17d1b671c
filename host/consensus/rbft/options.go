package rbft

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Timeouts are the round timers of spec/rbft.md §6: timeoutX(r) = X0 + r·δ.
type Timeouts struct {
	Propose   time.Duration // timeout_propose, X0 of TimeoutPropose
	Prevote   time.Duration // timeout_prevote
	Precommit time.Duration // timeout_precommit
	Delta     time.Duration // timeout_delta, δ: growth per round
	Commit    time.Duration // timeout_commit: pause after a decision before round 0
}

// DefaultTimeouts are CometBFT's (config/config.go:1281-1287).
var DefaultTimeouts = Timeouts{
	Propose:   3 * time.Second,
	Prevote:   time.Second,
	Precommit: time.Second,
	Delta:     500 * time.Millisecond,
	Commit:    time.Second,
}

// maxTimeout caps every timer and every option, so round arithmetic cannot
// overflow.
const maxTimeout = time.Hour

// option names in Params.Options.
var optionFields = map[string]func(*Timeouts) *time.Duration{
	"timeout_propose":   func(t *Timeouts) *time.Duration { return &t.Propose },
	"timeout_prevote":   func(t *Timeouts) *time.Duration { return &t.Prevote },
	"timeout_precommit": func(t *Timeouts) *time.Duration { return &t.Precommit },
	"timeout_delta":     func(t *Timeouts) *time.Duration { return &t.Delta },
	"timeout_commit":    func(t *Timeouts) *time.Duration { return &t.Commit },
}

// ParseOptions reads the engine's options (Params.Options) over the
// defaults. Values are Go durations ("3s", "250ms"). It reports every
// problem at once: unknown keys, unparsable values, and values out of range
// (propose, prevote and precommit in (0, 1h], delta and commit in [0, 1h]).
func ParseOptions(opts map[string]string) (Timeouts, error) {
	t := DefaultTimeouts
	keys := make([]string, 0, len(opts))
	for k := range opts { // order-independent: sorted below
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var problems []string
	for _, k := range keys {
		v := opts[k]
		field, ok := optionFields[k]
		if !ok {
			known := make([]string, 0, len(optionFields))
			for name := range optionFields { // order-independent: sorted below
				known = append(known, name)
			}
			slices.Sort(known)
			problems = append(problems, fmt.Sprintf("unknown option %q (known: %s)", k, strings.Join(known, ", ")))
			continue
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			problems = append(problems, fmt.Sprintf("option %s=%q is not a duration: want a Go duration such as \"1s\" or \"250ms\"", k, v))
			continue
		}
		zeroOK := k == "timeout_delta" || k == "timeout_commit"
		if d < 0 || (d == 0 && !zeroOK) || d > maxTimeout {
			lo := "greater than 0"
			if zeroOK {
				lo = "at least 0"
			}
			problems = append(problems, fmt.Sprintf("option %s=%s is out of range: want %s and at most %s", k, v, lo, maxTimeout))
			continue
		}
		*field(&t) = d
	}
	if len(problems) > 0 {
		return t, fmt.Errorf("rbft: %s", strings.Join(problems, "; "))
	}
	return t, nil
}

// Options renders t as Params.Options.
func (t Timeouts) Options() map[string]string {
	return map[string]string{
		"timeout_propose":   t.Propose.String(),
		"timeout_prevote":   t.Prevote.String(),
		"timeout_precommit": t.Precommit.String(),
		"timeout_delta":     t.Delta.String(),
		"timeout_commit":    t.Commit.String(),
	}
}

// grow returns base + r·δ, capped at maxTimeout.
func (t Timeouts) grow(base time.Duration, r int32) time.Duration {
	if r <= 0 {
		return min(base, maxTimeout)
	}
	if t.Delta > 0 && time.Duration(r) > (maxTimeout-base)/t.Delta {
		return maxTimeout
	}
	return min(base+time.Duration(r)*t.Delta, maxTimeout)
}

// ProposeTimeout is timeoutPropose(r).
func (t Timeouts) ProposeTimeout(r int32) time.Duration { return t.grow(t.Propose, r) }

// PrevoteTimeout is timeoutPrevote(r).
func (t Timeouts) PrevoteTimeout(r int32) time.Duration { return t.grow(t.Prevote, r) }

// PrecommitTimeout is timeoutPrecommit(r).
func (t Timeouts) PrecommitTimeout(r int32) time.Duration { return t.grow(t.Precommit, r) }

// RoundPeriod is the rebroadcast period of round r (spec/rbft.md §9):
// timeoutPropose(r) + timeoutPrevote(r) + timeoutPrecommit(r).
func (t Timeouts) RoundPeriod(r int32) time.Duration {
	return t.ProposeTimeout(r) + t.PrevoteTimeout(r) + t.PrecommitTimeout(r)
}
