package plugin

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	sdkconsensus "github.com/jtchain/jtchain/sdk/consensus"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

func TestPluginStartsAndAnswersCallsThroughTheSupervisor(t *testing.T) {
	s := newSup(t, instance("ok"))
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	st := s.Status()
	if st.State != StateReady || st.PID == 0 || st.Info.Name != "misbehave" || st.Info.APIMajor != sdkconsensus.APIMajor {
		t.Fatalf("status = %+v", st)
	}
	for h := uint64(1); h <= 3; h++ {
		if err := step(t, s, h); err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Status(); st.Calls != 3 || st.Errors != 0 || st.Latency <= 0 {
		t.Errorf("counters: calls %d errors %d latency %s", st.Calls, st.Errors, st.Latency)
	}
	if c, err := DispenseConsensus(s); err != nil || c == nil {
		t.Errorf("DispenseConsensus = %v, %v", c, err)
	}
}

func TestBinaryWhoseSHA256DiffersIsRefusedWithTheFix(t *testing.T) {
	cfg := instance("pinned")
	cfg.SHA256 = strings.Repeat("ab", 32)
	s := newSup(t, cfg)
	err := s.Start(ctxFor(t, 30*time.Second))
	var mismatch *HashMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v, want a *HashMismatchError", err)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{`"pinned"`, cfg.SHA256, misbehaveSum, "sha256sum " + misbehaveBin, "if you trust this binary"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q", want)
		}
	}
	if st := s.Status(); st.State != StateFailed || st.PID != 0 || !errors.Is(st.LastError, err) {
		t.Errorf("status = %+v", st)
	}
}

func TestBinaryThatIsMissingOrNotARegularFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(misbehaveBin, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string // "" means verify passes
	}{
		{filepath.Join(dir, "missing"), "no such file"},
		{dir, "not a regular file"},
		{link, ""}, // symlinks resolve to the binary they name
	}
	for _, tt := range tests {
		cfg := instance("v")
		cfg.Path = tt.path
		got, err := verify(cfg)
		switch {
		case tt.want == "" && (err != nil || got != misbehaveBin):
			t.Errorf("%s: verify = %q, %v; want %s", tt.path, got, err, misbehaveBin)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want one saying %q", tt.path, err, tt.want)
		}
	}
}

func TestPluginOfAnotherProtocolMajorGivesVersionMismatchError(t *testing.T) {
	// A node that speaks only consensus major 2 meets the v1 plugin.
	v2 := sdkplugin.Protocol{
		Kind:    sdkplugin.KindConsensus,
		Plugins: map[int]goplugin.PluginSet{2: sdkconsensus.Protocol().Plugins[sdkconsensus.APIMajor]},
	}
	s := newSupervisor(instance("old").WithDefaults(), v2, testLogger(t))
	cleanupSup(t, s)
	err := s.Start(ctxFor(t, 30*time.Second))
	var mismatch *sdkplugin.VersionMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v (%T), want a *VersionMismatchError", err, err)
	}
	t.Logf("error: %v", err)
	if mismatch.Plugin != "old" || !reflect.DeepEqual(mismatch.PluginVersions, []int{1}) || !reflect.DeepEqual(mismatch.HostVersions, []int{2}) {
		t.Errorf("mismatch = %+v", mismatch)
	}
	if s.Status().State != StateFailed {
		t.Errorf("state = %s, want failed", s.Status().State)
	}
}

func TestPluginPrintingToStdoutFailsNamingTheCause(t *testing.T) {
	s := newSup(t, instance("chatty", "-stdout-first"))
	err := s.Start(ctxFor(t, 30*time.Second))
	if !errors.Is(err, sdkplugin.ErrStdoutBeforeHandshake) {
		t.Fatalf("err = %v, want one wrapping ErrStdoutBeforeHandshake", err)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{`"chatty"`, `"misbehave starting"`, "never print to stdout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q", want)
		}
	}
}

func TestPluginCrashingAtStartIsReportedWithWhatItPrinted(t *testing.T) {
	s := newSup(t, instance("crasher", "-crash"))
	err := s.Start(ctxFor(t, 30*time.Second))
	if err == nil {
		t.Fatal("a plugin that exits at start started")
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, ErrExitedBeforeHandshake) || errors.Is(err, sdkplugin.ErrStdoutBeforeHandshake) {
		t.Errorf("err = %v, want ErrExitedBeforeHandshake and not a stdout error", err)
	}
	for _, want := range []string{`"crasher"`, "exited before the handshake", "crashing at start as asked"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q", want)
		}
	}
	if st := s.Status(); st.State != StateFailed || st.PID != 0 {
		t.Errorf("status = %+v", st)
	}
}

func TestPluginSeesOnlyAllowlistedHostVariablesAndItsOwn(t *testing.T) {
	t.Setenv("JT_TEST_ALLOWED", "yes")
	t.Setenv("JT_TEST_SECRET", "hunter2")
	cfg := instance("env")
	cfg.EnvAllowlist = []string{"JT_TEST_ALLOWED", "JT_TEST_UNSET"}
	cfg.Env = map[string]string{"JT_TEST_GIVEN": "x"}
	s := newSup(t, cfg)
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range s.Status().Info.Capabilities {
		if name, ok := strings.CutPrefix(c, "env:"); ok {
			got = append(got, name)
		}
	}
	slices.Sort(got)
	// The rest is what go-plugin itself passes: the handshake cookie, the
	// port range, the protocol majors and the AutoMTLS client certificate.
	want := []string{"JT_PLUGIN", "JT_TEST_ALLOWED", "JT_TEST_GIVEN", "PLUGIN_CLIENT_CERT", "PLUGIN_MAX_PORT", "PLUGIN_MIN_PORT", "PLUGIN_PROTOCOL_VERSIONS"}
	if !slices.Equal(got, want) {
		t.Errorf("plugin environment = %v, want %v", got, want)
	}
}
