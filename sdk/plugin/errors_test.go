package plugin

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
)

func TestVersionMismatchErrorTellsTheOperatorWhichSideToUpgrade(t *testing.T) {
	tests := []struct {
		name string
		err  VersionMismatchError
		want string
	}{
		{
			"plugin newer",
			VersionMismatchError{Kind: KindGateway, Plugin: "acme", PluginVersions: []int{3}, HostVersions: []int{1, 2}},
			`gateway plugin "acme" speaks gateway protocol v3, this node speaks v1 or v2: the plugin is newer than the node; upgrade the node to a release that speaks gateway protocol 3, or install a release of the plugin built for protocol v1 or v2`,
		},
		{
			"plugin older",
			VersionMismatchError{Kind: KindVM, Plugin: "wasm", PluginVersions: []int{1}, HostVersions: []int{2}},
			`vm plugin "wasm" speaks vm protocol v1, this node speaks v2: the plugin is older than the node; install a release of the plugin built against an SDK for vm protocol v2, or run a node release that still speaks v1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// These are go-plugin v1.8.0's texts (client.go); if an upgrade rewords
// them, this test and the process tests in sdk/consensus fail.
func TestStartErrorsFromGoPluginBecomeTyped(t *testing.T) {
	p := Protocol{Kind: KindConsensus, Plugins: nil}
	err := p.classifyStartError("x", errors.New("incompatible API version with plugin. Plugin version: 4, Client versions: [1 2]"))
	var mismatch *VersionMismatchError
	if !errors.As(err, &mismatch) || fmt.Sprint(mismatch.PluginVersions) != "[4]" {
		t.Errorf("version: err = %#v", err)
	}

	// A plugin that died before writing anything is not a stdout problem.
	if err := p.classifyStartError("x", errors.New("Unrecognized remote plugin message: \nFailed to read any lines from plugin's stdout\nThis usually means...")); !errors.Is(err, ErrExitedBeforeHandshake) || errors.Is(err, ErrStdoutBeforeHandshake) {
		t.Fatalf("exit before handshake: %v", err)
	}
	err = p.classifyStartError("x", errors.New("Unrecognized remote plugin message: hello\nThis usually means..."))
	if !errors.Is(err, ErrStdoutBeforeHandshake) || !strings.Contains(err.Error(), `its first line was "hello"`) {
		t.Errorf("stdout: err = %v", err)
	}

	other := errors.New("timeout while waiting for plugin to start")
	if err := p.classifyStartError("x", other); !errors.Is(err, other) || !strings.Contains(err.Error(), `consensus plugin "x"`) {
		t.Errorf("other: err = %v", err)
	}
}

func TestHandshakeCookieNamesTheKind(t *testing.T) {
	h := Protocol{Kind: KindIndexer}.Handshake()
	if h.MagicCookieKey != "JT_PLUGIN" || h.MagicCookieValue != "jtchain.indexer" {
		t.Errorf("handshake = %+v", h)
	}
	if got := (Protocol{Plugins: map[int]goplugin.PluginSet{3: nil, 1: nil, 2: nil}}).Majors(); fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("Majors = %v", got)
	}
}
