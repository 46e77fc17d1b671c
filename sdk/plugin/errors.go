package plugin

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// VersionMismatchError says the host and a plugin share no protocol major
// for the plugin's kind. It is what Protocol.Dispense returns when go-plugin
// rejects the handshake's version, so callers can branch on it with
// errors.As and operators get a fix instead of go-plugin's raw message.
type VersionMismatchError struct {
	Kind   Kind
	Plugin string // the instance name or binary the host launched
	// PluginVersions are the majors the plugin offered. go-plugin's handshake
	// carries one: the plugin's lowest major, which it falls back to when it
	// shares none with the host.
	PluginVersions []int
	HostVersions   []int // the majors the host offered
}

func (e *VersionMismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s plugin %q speaks %s protocol %s, this node speaks %s: ",
		e.Kind, e.Plugin, e.Kind, versionList(e.PluginVersions), versionList(e.HostVersions))
	if len(e.PluginVersions) > 0 && len(e.HostVersions) > 0 &&
		slices.Max(e.PluginVersions) > slices.Max(e.HostVersions) {
		fmt.Fprintf(&b, "the plugin is newer than the node; upgrade the node to a release that speaks %s protocol %d, or install a release of the plugin built for protocol %s",
			e.Kind, slices.Max(e.PluginVersions), versionList(e.HostVersions))
	} else {
		fmt.Fprintf(&b, "the plugin is older than the node; install a release of the plugin built against an SDK for %s protocol %s, or run a node release that still speaks %s",
			e.Kind, versionList(e.HostVersions), versionList(e.PluginVersions))
	}
	return b.String()
}

func versionList(vs []int) string {
	if len(vs) == 0 {
		return "(unknown)"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = "v" + strconv.Itoa(v)
	}
	return strings.Join(parts, " or ")
}

// ErrStdoutBeforeHandshake says a plugin printed to stdout before (or
// instead of) go-plugin's handshake line. stdout belongs to the handshake;
// plugins log to stderr through hclog (go-plugin#164, #199, #233).
var ErrStdoutBeforeHandshake = errors.New("plugin wrote to stdout before the handshake")

// ErrExitedBeforeHandshake is wrapped by the error of a plugin that exited
// (or closed stdout) before it wrote the handshake: a crash at start, a
// binary that is not a plugin, or a plugin that refused its environment.
// Its stderr, in the host's log, says why.
var ErrExitedBeforeHandshake = errors.New("plugin exited before the handshake")

// go-plugin reports both problems only as text (client.go in v1.8.0):
// "incompatible API version with plugin. Plugin version: %d, Client
// versions: %d" and "Unrecognized remote plugin message: %s". A go-plugin
// upgrade that rewords them turns these errors back into plain ones, which
// the tests of this package catch.
var pluginVersionRE = regexp.MustCompile(`(?i)incompatible API version with plugin\. Plugin version: (\d+)`)

const unrecognizedMessage = "Unrecognized remote plugin message: "

// classifyStartError turns go-plugin's start errors into the typed ones
// above when it recognises them, and otherwise names the plugin.
func (p Protocol) classifyStartError(name string, err error) error {
	msg := err.Error()
	if m := pluginVersionRE.FindStringSubmatch(msg); m != nil {
		v, _ := strconv.Atoi(m[1])
		return &VersionMismatchError{Kind: p.Kind, Plugin: name, PluginVersions: []int{v}, HostVersions: p.Majors()}
	}
	if strings.Contains(msg, "plugin exited before we could connect") {
		return fmt.Errorf("start %s plugin %q: %w (see its stderr in the node log): %w", p.Kind, name, ErrExitedBeforeHandshake, err)
	}
	if line, ok := strings.CutPrefix(msg, unrecognizedMessage); ok {
		line, rest, _ := strings.Cut(line, "\n")
		if line == "" && strings.Contains(rest, "Failed to read any lines") {
			return fmt.Errorf("start %s plugin %q: %w (see its stderr in the node log): %w", p.Kind, name, ErrExitedBeforeHandshake, err)
		}
		return fmt.Errorf("start %s plugin %q: %w: its first line was %q; a plugin must log to stderr (hclog or the log package) and never print to stdout: %w",
			p.Kind, name, ErrStdoutBeforeHandshake, line, err)
	}
	return fmt.Errorf("start %s plugin %q: %w", p.Kind, name, err)
}
