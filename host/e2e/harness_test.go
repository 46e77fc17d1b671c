package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// jtdBin is the jtd binary built once for all tests in this package.
var jtdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jtd-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	jtdBin = filepath.Join(dir, "jtd")
	build := exec.Command("go", "build", "-o", jtdBin, "github.com/jtchain/jtchain/host/cmd/jtd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building jtd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// devNode is a jtd process on a development chain in a temporary directory.
type devNode struct {
	t        testing.TB
	dir      string
	wsPort   int
	httpPort int
	extra    []string // extra config lines
	cmd      *exec.Cmd
	logMu    sync.Mutex
	log      strings.Builder
	exited   chan struct{}
}

// newDevNode initializes a dev chain (genesis account snoPBj...) in a temp dir.
func newDevNode(t testing.TB, extraConfig ...string) *devNode {
	t.Helper()
	n := &devNode{t: t, dir: t.TempDir(), wsPort: freePort(t), httpPort: freePort(t), extra: extraConfig}
	out, err := exec.Command(jtdBin, "init", "--dev", "--data-dir", filepath.Join(n.dir, "data")).CombinedOutput()
	if err != nil {
		t.Fatalf("jtd init: %v\n%s", err, out)
	}
	cfg := fmt.Sprintf(`data_dir = %q
[log]
level = "info"
format = "json"
[consensus]
engine = "solo"
close_interval = "200ms"
idle_interval = "1s"
[rpc]
ws_listen = "127.0.0.1:%d"
http_listen = "127.0.0.1:%d"
server_signing = "auto"
`, filepath.Join(n.dir, "data"), n.wsPort, n.httpPort)
	cfg += strings.Join(extraConfig, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(n.dir, "node.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.kill() })
	return n
}

func (n *devNode) url() string { return fmt.Sprintf("ws://127.0.0.1:%d", n.wsPort) }

// start launches jtd and waits until its WebSocket port accepts connections.
func (n *devNode) start() {
	n.t.Helper()
	n.cmd = exec.Command(jtdBin, "run", "--config", filepath.Join(n.dir, "node.toml"))
	stderr, _ := n.cmd.StderrPipe()
	n.cmd.Stdout = io.Discard
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.exited = make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			n.logMu.Lock()
			n.log.WriteString(sc.Text() + "\n")
			n.logMu.Unlock()
		}
	}()
	go func(c *exec.Cmd, done chan struct{}) { c.Wait(); close(done) }(n.cmd, n.exited)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			n.t.Fatalf("jtd exited during start:\n%s", n.logs())
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", n.wsPort), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	n.t.Fatalf("jtd did not open its WebSocket port within 30s:\n%s", n.logs())
}

func (n *devNode) logs() string {
	n.logMu.Lock()
	defer n.logMu.Unlock()
	return n.log.String()
}

// kill sends SIGKILL (no chance to flush anything) and waits for the exit.
func (n *devNode) kill() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
	n.cmd = nil
}

// stop sends SIGTERM and waits for a graceful exit.
func (n *devNode) stop() error {
	if n.cmd == nil {
		return nil
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		n.kill()
		return fmt.Errorf("jtd did not stop within 20s of SIGTERM")
	}
	err := n.cmd.ProcessState.ExitCode()
	n.cmd = nil
	if err != 0 {
		return fmt.Errorf("jtd exited with status %d", err)
	}
	return nil
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
