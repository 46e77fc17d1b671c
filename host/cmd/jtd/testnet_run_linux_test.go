package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/node"
	"github.com/jtchain/jtchain/sdk/client"
)

// soloTestnet writes a network of one validator and one follower with jtd
// testnet init, then switches it to the solo engine, so each node runs on
// its own: these tests are about the supervisor, not consensus.
func soloTestnet(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "net")
	base := freeBasePort(t, 2)
	if _, errOut, code := jtd(t, "testnet", "init", "--validators", "1", "--followers", "1", "--dev",
		"--dir", dir, "--base-port", strconv.Itoa(base)); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	gpath := filepath.Join(dir, "genesis.json")
	g, err := node.LoadGenesis(gpath)
	if err != nil {
		t.Fatal(err)
	}
	g.Consensus.Engine = "solo"
	os.Remove(gpath)
	if err := g.Save(gpath); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"node-1", "follower-1"} {
		path := filepath.Join(dir, name, "config.toml")
		b, _ := os.ReadFile(path)
		s := strings.Replace(string(b), `engine = "rbft"`, `engine = "solo"`, 1)
		if s == string(b) {
			t.Fatalf("%s names no rbft engine:\n%s", path, b)
		}
		os.WriteFile(path, []byte(s), 0o644)
	}
	return dir
}

// freeBasePort finds a base port whose ws and http ports are free for n
// nodes under the port scheme.
func freeBasePort(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		base := 20000 + 10*rand.IntN(3000)
		free := true
		for k := range n {
			for _, off := range []int{0, 1} {
				l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+10*k+off))
				if err != nil {
					free = false
					continue
				}
				l.Close()
			}
		}
		if free {
			return base
		}
	}
	t.Fatal("no free base port")
	return 0
}

// supervised is `jtd testnet run` running as a child of the test.
type supervised struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	errOut bytes.Buffer
	lines  chan string
	exited chan struct{}
	pids   map[string]int
}

var startedLine = regexp.MustCompile(`^started (\S+) \(pid (\d+)\)`)

// startSupervisor runs jtd testnet run on dir and waits until it reports
// every node answering. Everything it started is killed when the test ends.
func startSupervisor(t *testing.T, dir string, nodes int) *supervised {
	t.Helper()
	s := &supervised{t: t, lines: make(chan string, 100), exited: make(chan struct{}), pids: map[string]int{}}
	s.cmd = exec.Command(os.Args[0], "testnet", "run", "--dir", dir, "--grace", "5s")
	s.cmd.Env = append(os.Environ(), runAsJTDEnv+"=1")
	s.cmd.SysProcAttr = childProcAttr() // dies with the test binary
	s.cmd.Stderr = syncWriter{&s.mu, &s.errOut}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	go func() { s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.exited
		for _, pid := range s.pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})

	timeout := time.After(25 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				<-s.exited
				t.Fatalf("jtd testnet run exited before the nodes answered:\n%s", s.output())
			}
			if m := startedLine.FindStringSubmatch(line); m != nil {
				s.pids[m[1]], _ = strconv.Atoi(m[2])
			}
			if line == fmt.Sprintf("all %d nodes answer server_info; Ctrl-C stops them all", nodes) {
				if len(s.pids) != nodes {
					t.Fatalf("pids %v", s.pids)
				}
				return s
			}
		case <-timeout:
			t.Fatalf("the nodes did not all answer within 25s:\n%s", s.output())
		}
	}
}

type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (s *supervised) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "stdout:\n" + s.out.String() + "stderr:\n" + s.errOut.String()
}

// wait waits for the supervisor to exit and returns its exit status.
func (s *supervised) wait(within time.Duration) int {
	s.t.Helper()
	go func() {
		for range s.lines { // keep the pipe drained
		}
	}()
	select {
	case <-s.exited:
	case <-time.After(within):
		s.t.Fatalf("jtd testnet run still running after %s:\n%s", within, s.output())
	}
	return s.cmd.ProcessState.ExitCode()
}

// processGone reports whether pid no longer runs. A zombie counts as gone:
// it runs nothing, and a container's init may never reap it.
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// "pid (comm) S ...": the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && (s[i+2] == 'Z' || s[i+2] == 'X')
}

func (s *supervised) assertAllGone(within time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for name, pid := range s.pids {
		for !processGone(pid) {
			if time.Now().After(deadline) {
				s.t.Fatalf("%s (pid %d) still runs", name, pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestTestnetRunPrintsEndpointsAndStopsEveryNodeOnSIGTERM(t *testing.T) {
	dir := soloTestnet(t)
	s := startSupervisor(t, dir, 2)
	for _, name := range []string{"node-1", "follower-1"} {
		n := loadTestnetNode(t, dir, name)
		ws := "ws://" + n.cfg.RPC.WSListen
		if !strings.Contains(s.output(), ws) || !strings.Contains(s.output(), "http://"+n.cfg.RPC.HTTPListen) {
			t.Errorf("%s endpoints not printed:\n%s", name, s.output())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := client.Dial(ctx, ws, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		info, err := c.ServerInfo(ctx)
		c.Close()
		cancel()
		if err != nil || info.PubkeyNode != n.id.PublicKey() {
			t.Errorf("%s at %s: %v, pubkey %s", name, ws, err, info.PubkeyNode)
		}
	}

	s.cmd.Process.Signal(syscall.SIGTERM)
	if code := s.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM:\n%s", code, s.output())
	}
	if !strings.Contains(s.output(), "all nodes stopped") {
		t.Errorf("no stop report:\n%s", s.output())
	}
	s.assertAllGone(time.Second)
	for _, name := range []string{"node-1", "follower-1"} {
		log, _ := os.ReadFile(filepath.Join(dir, name, "node.log"))
		if !strings.Contains(string(log), "node stopped") {
			t.Errorf("%s did not shut down gracefully; its log:\n%s", name, log)
		}
	}
}

func TestTestnetRunStopsTheNetworkWhenANodeDies(t *testing.T) {
	dir := soloTestnet(t)
	s := startSupervisor(t, dir, 2)
	syscall.Kill(s.pids["follower-1"], syscall.SIGKILL)
	if code := s.wait(15 * time.Second); code != 1 {
		t.Fatalf("exit %d after a node died:\n%s", code, s.output())
	}
	out := s.output()
	if !strings.Contains(out, "follower-1 exited unexpectedly (signal: killed)") ||
		!strings.Contains(out, "last lines of "+filepath.Join(dir, "follower-1", "node.log")) {
		t.Errorf("the failure is not reported:\n%s", out)
	}
	s.assertAllGone(time.Second)
	log, _ := os.ReadFile(filepath.Join(dir, "node-1", "node.log"))
	if !strings.Contains(string(log), "node stopped") {
		t.Errorf("node-1 was not stopped gracefully; its log:\n%s", log)
	}
}

func TestTestnetRunNodesDieWithTheSupervisor(t *testing.T) {
	dir := soloTestnet(t)
	s := startSupervisor(t, dir, 2)
	s.cmd.Process.Kill() // no chance to stop anything: Pdeathsig must
	s.wait(5 * time.Second)
	s.assertAllGone(5 * time.Second)
}

func TestTestnetRunNeedsANetwork(t *testing.T) {
	if _, errOut, code := jtd(t, "testnet", "run"); code != 2 || !strings.Contains(errOut, "--dir is required") {
		t.Errorf("no --dir: exit %d, %s", code, errOut)
	}
	empty := t.TempDir()
	if _, errOut, code := jtd(t, "testnet", "run", "--dir", empty); code != 1 || !strings.Contains(errOut, "holds no test network nodes") {
		t.Errorf("empty dir: exit %d, %s", code, errOut)
	}
	// A broken config is reported before anything starts.
	dir := soloTestnet(t)
	os.WriteFile(filepath.Join(dir, "follower-1", "config.toml"), []byte("data_dir = \"x\"\nbogus = 1\n"), 0o644)
	out, errOut, code := jtd(t, "testnet", "run", "--dir", dir)
	if code != 1 || out != "" || !strings.Contains(errOut, "follower-1") || !strings.Contains(errOut, "bogus") {
		t.Errorf("bad config: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
}
