package plugin

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkconsensus "github.com/jtchain/jtchain/sdk/consensus"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

func newManager(t *testing.T, cfgs ...InstanceConfig) *Manager {
	t.Helper()
	m, err := NewManager(cfgs, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.sups {
		cleanupSup(t, s)
	}
	return m
}

func states(m *Manager) []State {
	var out []State
	for _, st := range m.List() {
		out = append(out, st.State)
	}
	return out
}

func TestManagerStartReportsEveryFailedInstanceAtOnce(t *testing.T) {
	pinned := instance("pinned")
	pinned.SHA256 = strings.Repeat("00", 32)
	m := newManager(t, instance("good"), pinned, instance("crasher", "-crash"))
	err := m.Start(ctxFor(t, 30*time.Second))
	if err == nil {
		t.Fatal("Start succeeded with two broken instances")
	}
	t.Logf("error: %v", err)
	for _, want := range []string{`"pinned"`, "sha256sum", `"crasher"`, "crashing at start as asked"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q", want)
		}
	}
	if strings.Contains(err.Error(), `"good"`) {
		t.Errorf("error names the instance that started")
	}
	if got, want := states(m), []State{StateReady, StateFailed, StateFailed}; !equalStates(got, want) {
		t.Errorf("states = %v, want %v", got, want)
	}
}

func TestNoPluginProcessOrChildSurvivesManagerStop(t *testing.T) {
	requireProc(t)
	hung := instance("c", "-hang-step")
	hung.CallTimeout = time.Minute
	m := newManager(t, instance("a", "-spawn-child"), instance("b", "-spawn-child"), hung)
	if err := m.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	var pids, groups []int
	for _, name := range []string{"a", "b"} {
		s, _ := m.Supervisor(name)
		pids = append(pids, s.Status().PID, childPID(t, s))
		groups = append(groups, s.Status().PID)
	}
	c, _ := m.Supervisor("c")
	pids = append(pids, c.Status().PID)
	groups = append(groups, c.Status().PID)
	// c is stuck in a call when the node stops.
	callDone := make(chan error, 1)
	go func() {
		_, err := ConsensusEngine(c).Step(context.Background(), sdkconsensus.StepRequest{})
		callDone <- err
	}()
	time.Sleep(200 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped in %s", time.Since(start))
	// The plugins were reaped before Stop returned; their children got
	// SIGKILL through the group, which the kernel delivers asynchronously,
	// so allow them a moment.
	deadline := time.Now().Add(time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("process %d is alive after Stop", pid)
		}
	}
	for _, g := range groups {
		if members := groupMembers(g); len(members) > 0 {
			t.Errorf("process group %d still has %v after Stop", g, members)
		}
	}
	select {
	case err := <-callDone:
		t.Logf("the stuck call returned: %v", err)
	case <-time.After(5 * time.Second):
		t.Error("the call stuck in a stopped plugin did not return")
	}
	for _, st := range m.List() {
		if st.State != StateStopped || st.PID != 0 {
			t.Errorf("%s: state %s pid %d after Stop", st.Name, st.State, st.PID)
		}
	}
}

func TestNewManagerReportsEveryConfigProblemAtOnce(t *testing.T) {
	bad := instance("bad")
	bad.Path = "relative/bin"
	bad.SHA256 = "xyz"
	bad.Kind = sdkplugin.Kind("teleport")
	bad.Env = map[string]string{"PLUGIN_MIN_PORT": "1"}
	_, err := NewManager([]InstanceConfig{instance("dup"), instance("dup"), bad}, nil)
	if err == nil {
		t.Fatal("NewManager accepted broken configs")
	}
	for _, want := range []string{
		`plugins.instance[1]: the name "dup" is used twice`,
		`plugins.instance[2]: plugin instance "bad": kind "teleport" has no plugin protocol in this node: use one of consensus`,
		`path "relative/bin" is not absolute`,
		`sha256 "xyz" is not 64 hex digits: run sha256sum relative/bin`,
		"env names PLUGIN_MIN_PORT, which go-plugin sets",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func equalStates(a, b []State) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
