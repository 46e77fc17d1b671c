package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the operator's settings, from Params.Options.
type options struct {
	// tick is the time one raft tick stands for. The node reports time
	// about every 100 ms; a shorter tick gives several raft ticks per
	// report.
	tick time.Duration
	// electionTicks is raft's election timeout: a follower that hears
	// nothing from a leader for a random time in [electionTicks,
	// 2×electionTicks) ticks starts an election, and a leader that does
	// not hear from a quorum within it steps down (CheckQuorum).
	electionTicks int
	// heartbeatTicks is how often a leader sends heartbeats.
	heartbeatTicks int
}

// Defaults and bounds of the options.
const (
	defaultTick           = 100 * time.Millisecond
	defaultElectionTicks  = 10
	defaultHeartbeatTicks = 1
	minTick               = 10 * time.Millisecond
	maxTick               = 10 * time.Second
	maxElectionTicks      = 1000
)

// optionNames lists the options the engine knows, for error messages.
var optionNames = []string{"election_ticks", "heartbeat_ticks", "tick"}

// parseOptions reads the options, returning every problem at once, each
// naming the option and the fix.
func parseOptions(in map[string]string) (options, []string) {
	o := options{tick: defaultTick, electionTicks: defaultElectionTicks, heartbeatTicks: defaultHeartbeatTicks}
	var problems []string
	var unknown []string
	// Sorted, so the message is the same on every run.
	for _, k := range slices.Sorted(maps.Keys(in)) {
		v := in[k]
		switch k {
		case "tick":
			d, err := time.ParseDuration(v)
			if err != nil || d < minTick || d > maxTick {
				problems = append(problems, fmt.Sprintf("option \"tick\" = %q: want a duration from %s to %s, such as \"100ms\"", v, minTick, maxTick))
				continue
			}
			o.tick = d
		case "election_ticks":
			n, err := strconv.Atoi(v)
			if err != nil || n < 2 || n > maxElectionTicks {
				problems = append(problems, fmt.Sprintf("option \"election_ticks\" = %q: want a whole number from 2 to %d, such as \"10\"", v, maxElectionTicks))
				continue
			}
			o.electionTicks = n
		case "heartbeat_ticks":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxElectionTicks {
				problems = append(problems, fmt.Sprintf("option \"heartbeat_ticks\" = %q: want a whole number from 1 to %d, such as \"1\"", v, maxElectionTicks))
				continue
			}
			o.heartbeatTicks = n
		default:
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) > 0 {
		problems = append(problems, fmt.Sprintf("unknown options %s: the raft engine knows %s; remove or correct them in the node's consensus options",
			strings.Join(unknown, ", "), strings.Join(quoteAll(optionNames), ", ")))
	}
	if o.heartbeatTicks >= o.electionTicks {
		problems = append(problems, fmt.Sprintf("option \"heartbeat_ticks\" (%d) must be below \"election_ticks\" (%d): raft needs several heartbeats per election timeout; raise election_ticks (10× heartbeat_ticks is usual)",
			o.heartbeatTicks, o.electionTicks))
	}
	return o, problems
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
