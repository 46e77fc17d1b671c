package plugin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	sdkconsensus "github.com/jtchain/jtchain/sdk/consensus"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// misbehaveBin is testdata/misbehave, built once by TestMain, and
// misbehaveSum its sha256.
var misbehaveBin, misbehaveSum string

func TestMain(m *testing.M) {
	if bin := os.Getenv(hostModeEnv); bin != "" {
		runHostMode(bin)
		return
	}
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "host-plugin-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		misbehaveBin = filepath.Join(dir, "misbehave")
		out, err := exec.Command("go", "build", "-o", misbehaveBin, "./testdata/misbehave").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build testdata/misbehave: %v\n%s", err, out)
			return 1
		}
		if misbehaveSum, err = fileSHA256(misbehaveBin); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}())
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// instance is a config for the misbehave plugin with short timings.
func instance(name string, args ...string) InstanceConfig {
	return InstanceConfig{
		Name:           name,
		Kind:           sdkplugin.KindConsensus,
		Path:           misbehaveBin,
		SHA256:         misbehaveSum,
		Args:           args,
		StartTimeout:   20 * time.Second,
		CallTimeout:    5 * time.Second,
		HealthInterval: 50 * time.Millisecond,
		Restart:        RestartPolicy{MaxAttempts: 3, BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond},
	}
}

// syncBuffer collects the host log, which go-plugin writes from several
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testLogger logs to a buffer that is printed if the test fails.
func testLogger(t *testing.T) hclog.Logger {
	t.Helper()
	buf := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("host log:\n%s", buf)
		}
	})
	return hclog.New(&hclog.LoggerOptions{Output: buf, Level: hclog.Debug})
}

// newSup returns a supervisor for cfg that is stopped, and whose every
// process group is killed, when the test ends, whatever happened.
func newSup(t *testing.T, cfg InstanceConfig) *Supervisor {
	t.Helper()
	s, err := NewSupervisor(cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	cleanupSup(t, s)
	return s
}

func cleanupSup(t *testing.T, s *Supervisor) {
	t.Helper()
	pids := trackPIDs(t, s)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		for _, pid := range pids() {
			killGroup(pid)
		}
	})
}

// trackPIDs records every pid s reports while the test runs, so cleanup
// can kill leftovers of processes the test did not look at.
func trackPIDs(t *testing.T, s *Supervisor) func() []int {
	t.Helper()
	var mu sync.Mutex
	seen := map[int]bool{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if pid := s.Status().PID; pid != 0 {
				mu.Lock()
				seen[pid] = true
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() []int {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		var out []int
		for pid := range seen {
			out = append(out, pid)
		}
		return out
	}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// step runs one Step through the supervisor and checks its output.
func step(t *testing.T, s *Supervisor, height uint64) error {
	t.Helper()
	resp, err := ConsensusEngine(s).Step(ctxFor(t, 10*time.Second), sdkconsensus.StepRequest{
		Inputs: []sdkconsensus.Input{sdkconsensus.StartHeight{Height: height}},
	})
	if err != nil {
		return err
	}
	if len(resp.Outputs) != 1 || resp.Outputs[0] != (sdkconsensus.BuildBlock{Height: height}) {
		t.Errorf("Step outputs = %#v, want BuildBlock{%d}", resp.Outputs, height)
	}
	return nil
}

// capability returns the value of the first "prefix:value" capability.
func capability(info sdkplugin.Info, prefix string) (string, bool) {
	for _, c := range info.Capabilities {
		if v, ok := strings.CutPrefix(c, prefix+":"); ok {
			return v, true
		}
	}
	return "", false
}

func childPID(t *testing.T, s *Supervisor) int {
	t.Helper()
	v, ok := capability(s.Status().Info, "child")
	if !ok {
		t.Fatalf("the plugin reported no child: %v", s.Status().Info.Capabilities)
	}
	pid, err := strconv.Atoi(v)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// procState returns the state letter of pid from /proc ("" if there is no
// such process) and its process group.
func procState(pid int) (state string, pgrp int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0
	}
	// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 3 {
		return "", 0
	}
	pgrp, _ = strconv.Atoi(fields[2])
	return fields[0], pgrp
}

// alive reports whether pid is a live process. A zombie is dead: it only
// waits for its parent (or, for orphans, a container's init that may never
// reap it) to collect its status.
func alive(pid int) bool {
	st, _ := procState(pid)
	return st != "" && st != "Z"
}

// groupMembers lists the live processes of process group pgid.
func groupMembers(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, pg := procState(pid); pg == pgid && st != "" && st != "Z" {
			out = append(out, pid)
		}
	}
	return out
}

func requireProc(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to inspect processes")
	}
}

// kill9 kills pid as an operator or the OOM killer would.
func kill9(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
}

// hostModeEnv makes the test binary act as a node that supervises the
// plugin binary the variable names and prints its pid, so a test can kill
// that "node" with SIGKILL.
const hostModeEnv = "JT_HOST_PLUGIN_TEST_NODE"

func runHostMode(bin string) {
	sum, err := fileSHA256(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	misbehaveBin, misbehaveSum = bin, sum
	s, err := NewSupervisor(instance("orphan"), nil)
	if err == nil {
		err = s.Start(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(s.Status().PID)
	time.Sleep(time.Minute)
	os.Exit(1) // the test kills us long before
}
