package plugin

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sdkconsensus "github.com/jtchain/jtchain/sdk/consensus"
)

func TestKilledPluginIsRestartedWithItsChildrenAndCallsWorkAgain(t *testing.T) {
	requireProc(t)
	s := newSup(t, instance("victim", "-spawn-child"))
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := step(t, s, 1); err != nil {
		t.Fatal(err)
	}
	pid, child := s.Status().PID, childPID(t, s)

	kill9(t, pid)
	waitFor(t, 15*time.Second, "the restarted plugin", func() bool {
		st := s.Status()
		return st.State == StateReady && st.Restarts == 1
	})
	st := s.Status()
	if st.PID == pid || st.PID == 0 {
		t.Errorf("pid after restart = %d, before %d", st.PID, pid)
	}
	if st.LastError == nil || !strings.Contains(st.LastError.Error(), "exited") {
		t.Errorf("LastError = %v, want the exit that caused the restart", st.LastError)
	}
	waitFor(t, 5*time.Second, "the old plugin's child to be killed with its group", func() bool { return !alive(child) })
	if err := step(t, s, 2); err != nil {
		t.Fatalf("Step after restart: %v", err)
	}
}

func TestPluginExitingDuringACallFailsTheCallAndIsRestarted(t *testing.T) {
	cfg := instance("quitter", "-exit-after", "1")
	cfg.HealthInterval = time.Hour // the failed call alone must trigger the restart
	s := newSup(t, cfg)
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := step(t, s, 1); err != nil {
		t.Fatal(err)
	}
	err := step(t, s, 2)
	if err == nil || !strings.Contains(err.Error(), `plugin instance "quitter"`) {
		t.Fatalf("err = %v, want the failed call naming the instance", err)
	}
	waitFor(t, 15*time.Second, "the restarted plugin", func() bool {
		st := s.Status()
		return st.State == StateReady && st.Restarts == 1
	})
	if err := step(t, s, 3); err != nil {
		t.Fatalf("Step after restart: %v", err)
	}
}

func TestHangingCallTimesOutAndThePluginIsRestarted(t *testing.T) {
	cfg := instance("hanger", "-hang-step")
	cfg.CallTimeout = 300 * time.Millisecond
	s := newSup(t, cfg)
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	pid := s.Status().PID

	start := time.Now()
	err := step(t, s, 1)
	elapsed := time.Since(start)
	if !errors.Is(err, ErrCallTimeout) {
		t.Fatalf("err = %v, want ErrCallTimeout", err)
	}
	t.Logf("error after %s: %v", elapsed, err)
	if elapsed > cfg.CallTimeout+time.Second {
		t.Errorf("the call returned after %s, CallTimeout is %s", elapsed, cfg.CallTimeout)
	}
	waitFor(t, 15*time.Second, "the restarted plugin", func() bool {
		st := s.Status()
		return st.State == StateReady && st.Restarts == 1
	})
	st := s.Status()
	if st.PID == pid || !errors.Is(st.LastError, ErrCallTimeout) {
		t.Errorf("after restart: pid %d (was %d), LastError %v", st.PID, pid, st.LastError)
	}
	if st.Calls != 1 || st.Errors != 1 || st.Timeouts != 1 {
		t.Errorf("counters: calls %d errors %d timeouts %d, want 1 1 1", st.Calls, st.Errors, st.Timeouts)
	}
	if _, err := ConsensusEngine(s).Info(ctxFor(t, 10*time.Second)); err != nil {
		t.Errorf("Info after restart: %v", err)
	}
}

func TestRelaunchesThatKeepFailingEndInFailed(t *testing.T) {
	// The instance runs from its own copy of the binary, which is replaced
	// while it runs: every relaunch re-checks the sha256 and is refused.
	bin := filepath.Join(t.TempDir(), "misbehave")
	b, err := os.ReadFile(misbehaveBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := instance("swapped")
	cfg.Path = bin
	cfg.Restart.MaxAttempts = 2
	s := newSup(t, cfg)
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	tmp := bin + ".new"
	if err := os.WriteFile(tmp, append(b, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, bin); err != nil { // a running binary cannot be written in place
		t.Fatal(err)
	}

	kill9(t, s.Status().PID)
	waitFor(t, 15*time.Second, "the instance to fail", func() bool { return s.Status().State == StateFailed })
	st := s.Status()
	var failed *FailedError
	var mismatch *HashMismatchError
	if !errors.As(st.LastError, &failed) || failed.Attempts != 2 || !errors.As(st.LastError, &mismatch) {
		t.Fatalf("LastError = %v, want a *FailedError after 2 attempts wrapping a *HashMismatchError", st.LastError)
	}
	t.Logf("error: %v", st.LastError)
	if st.PID != 0 || st.Restarts != 0 {
		t.Errorf("status = %+v", st)
	}
	_, err = ConsensusEngine(s).Step(ctxFor(t, 5*time.Second), sdkconsensus.StepRequest{})
	if !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "failed") {
		t.Errorf("call on a failed instance: err = %v, want ErrNotRunning naming the state", err)
	}
}

func TestBackoffDoublesUpToTheCapWithJitterOfAtMostHalf(t *testing.T) {
	p := RestartPolicy{BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second}
	steps := []time.Duration{100, 200, 400, 800, 1000, 1000}
	rng := newRand("x")
	for n, full := range steps {
		full *= time.Millisecond
		got := backoff(p, n+1, rng)
		if got > full || got < full/2 {
			t.Errorf("attempt %d: backoff %s, want within [%s, %s]", n+1, got, full/2, full)
		}
	}
	// The jitter is a function of the instance name, so runs repeat.
	a, b := newRand("acme"), newRand("acme")
	for n := 1; n <= 5; n++ {
		if x, y := backoff(p, n, a), backoff(p, n, b); x != y {
			t.Errorf("attempt %d: %s and %s from the same name", n, x, y)
		}
	}
}

func TestPluginDiesWhenTheNodeIsKilled(t *testing.T) {
	requireProc(t)
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux only")
	}
	node := exec.Command(os.Args[0], "-test.run=^$")
	node.Env = append(os.Environ(), hostModeEnv+"="+misbehaveBin)
	out, err := node.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	node.Stderr = os.Stderr
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = node.Process.Kill(); _ = node.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the plugin pid from the node: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("node printed %q", line)
	}
	t.Cleanup(func() { killGroup(pid) })
	if !alive(pid) {
		t.Fatalf("plugin %d is not running", pid)
	}

	kill9(t, node.Process.Pid)
	_ = node.Wait()
	waitFor(t, 5*time.Second, "the plugin to die with its node", func() bool { return !alive(pid) })
}

func TestFrozenPluginIsDegradedThenRestartedAfterFailedPings(t *testing.T) {
	s := newSup(t, instance("frozen"))
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	pid := s.Status().PID
	// A stopped process keeps its socket open but answers nothing, like a
	// plugin stuck in a deadlock.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*PingTimeout, "the first failed ping", func() bool { return s.Status().State == StateDegraded })
	waitFor(t, (FailedPingsBeforeRestart+2)*PingTimeout, "the restart", func() bool {
		st := s.Status()
		return st.State == StateReady && st.Restarts == 1
	})
	st := s.Status()
	if st.PID == pid || st.LastError == nil || !strings.Contains(st.LastError.Error(), "health check 3 of 3 failed") {
		t.Errorf("after restart: pid %d (was %d), LastError %v", st.PID, pid, st.LastError)
	}
	if err := step(t, s, 1); err != nil {
		t.Errorf("Step after restart: %v", err)
	}
}
