package rpc

import (
	"strconv"
	"time"
)

// plugins (admin): every plugin instance the node runs, with its state,
// the version it reported, restarts, its last error, and call counters
// with a latency histogram. `jtd plugins list` prints it.
func init() { register("plugins", command{run: doPlugins, admin: true}) }

// PluginInfo is one plugin instance as the plugins command shows it.
type PluginInfo struct {
	Name, Kind, State string
	Since             time.Time // when State was entered
	Version           string    // what the plugin reported at its last launch
	Semantics         string
	APIMajor          uint32
	APIMinor          uint32
	Capabilities      []string
	PID               int
	Restarts          int
	LastError         string
	Calls             uint64
	Errors            uint64
	Timeouts          uint64
	Latency           time.Duration // summed over Calls
	// Buckets is the call latency histogram: Buckets[i] counts calls of at
	// most Bounds[i]; a last extra entry counts the slower ones.
	Buckets []uint64
	Bounds  []time.Duration
	// Cursor is an indexer's durable position: the highest ledger it
	// acknowledged as stored (nil for other kinds).
	Cursor *uint32
}

// PluginLister is implemented by a backend that runs plugins.
type PluginLister interface {
	PluginInfos() []PluginInfo
}

func doPlugins(r *request) (map[string]any, *rpcError) {
	var infos []PluginInfo
	if pl, ok := r.srv.backend.(PluginLister); ok {
		infos = pl.PluginInfos()
	}
	out := make([]any, 0, len(infos))
	for _, p := range infos {
		hist := make([]any, 0, len(p.Buckets))
		for i, n := range p.Buckets {
			le := any("+Inf")
			if i < len(p.Bounds) {
				le = p.Bounds[i].Microseconds()
			}
			hist = append(hist, map[string]any{"le_us": le, "count": n})
		}
		var mean int64
		if p.Calls > 0 {
			mean = (p.Latency / time.Duration(p.Calls)).Microseconds()
		}
		caps := p.Capabilities
		if caps == nil {
			caps = []string{}
		}
		e := map[string]any{
			"name": p.Name, "kind": p.Kind, "state": p.State,
			"since":   p.Since.UTC().Format(time.RFC3339),
			"version": p.Version, "semantics": p.Semantics,
			"api_version":  apiVersion(p.APIMajor, p.APIMinor),
			"capabilities": caps,
			"pid":          p.PID, "restarts": p.Restarts,
			"calls": p.Calls, "errors": p.Errors, "timeouts": p.Timeouts,
			"latency_mean_us":   mean,
			"latency_histogram": hist,
		}
		if p.LastError != "" {
			e["last_error"] = p.LastError
		}
		if p.Cursor != nil {
			e["cursor"] = *p.Cursor
		}
		out = append(out, e)
	}
	return map[string]any{"plugins": out}, nil
}

func apiVersion(major, minor uint32) string {
	if major == 0 {
		return ""
	}
	return strconv.FormatUint(uint64(major), 10) + "." + strconv.FormatUint(uint64(minor), 10)
}
