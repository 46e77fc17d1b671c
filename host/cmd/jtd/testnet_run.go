package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/sdk/client"
)

func testnetRunCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		dir string
		s   supervisor
	)
	c := &cobra.Command{
		Use:   "run --dir DIR",
		Short: "Run every node of a local test network until Ctrl-C",
		Long: `Start every node that 'jtd testnet init' wrote into DIR (node-1..N, then
follower-1..M) as a child process running 'jtd run --config DIR/<node>/config.toml',
each in its own process group with its output appended to DIR/<node>/node.log.
Once a node answers server_info its WebSocket and HTTP endpoints are printed.

On SIGINT (Ctrl-C) or SIGTERM every node gets SIGTERM, then SIGKILL if it has
not stopped within --grace; a second Ctrl-C kills them at once. If any node
exits on its own, the rest are stopped the same way, the end of its log is
printed and jtd exits with status 1. On Linux the nodes are also killed if
this process dies, so none outlives it.

JTD_* environment variables reach every node (JTD_LOG_LEVEL=debug makes all
of them verbose); do not set per-node keys such as ports that way.`,
		Example: `  jtd testnet run --dir ./testnet
  JTD_LOG_LEVEL=debug jtd testnet run --dir ./testnet --grace 30s
  tail -f ./testnet/node-2/node.log      # in another terminal`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if dir == "" {
				return usageError{errors.New("--dir is required: the directory jtd testnet init wrote")}
			}
			if s.grace <= 0 || s.startTimeout <= 0 {
				return usageError{errors.New("--grace and --start-timeout must be positive")}
			}
			nodes, err := findTestnetNodes(dir)
			if err != nil {
				return err
			}
			if s.exe, err = os.Executable(); err != nil {
				return fmt.Errorf("cannot find the jtd binary to start the nodes with: %w", err)
			}
			s.out, s.errOut = stdout, stderr
			sigs := make(chan os.Signal, 2)
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sigs)
			return s.run(sigs, nodes)
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "the network's directory, as given to jtd testnet init")
	c.Flags().DurationVar(&s.grace, "grace", 10*time.Second, "how long nodes get to stop after SIGTERM before they are killed")
	c.Flags().DurationVar(&s.startTimeout, "start-timeout", time.Minute, "how long to wait for each node to answer server_info before warning")
	return c
}

// testnetProc is one node under the supervisor.
type testnetProc struct {
	name, role string
	config     string // its config.toml
	log        string // its node.log
	ws, http   string // API URLs; "" when the API is off

	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has been waited for
	waitErr error         // set before exited is closed
}

func (p *testnetProc) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// findTestnetNodes lists the nodes of the network in dir, in plan order,
// with their API addresses read from each config the way jtd run reads it.
func findTestnetNodes(dir string) ([]*testnetProc, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--dir: %w (create a network with jtd testnet init --dir %s)", err, dir)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && testnetNodeDir.MatchString(e.Name()) {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), testnetConfigFile)); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no test network nodes (node-I/%s): create one with jtd testnet init --dir %s", dir, testnetConfigFile, dir)
	}
	slices.SortFunc(names, func(a, b string) int {
		if nodeDirLess(a, b) {
			return -1
		}
		return 1
	})
	var nodes []*testnetProc
	var errs []error
	for _, name := range names {
		path := filepath.Join(dir, name, testnetConfigFile)
		cfg, err := config.Load(config.LoadOptions{File: path, Env: os.Environ()})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		role := roleValidator
		if strings.HasPrefix(name, "follower-") {
			role = roleFollower
		}
		nodes = append(nodes, &testnetProc{
			name: name, role: role, config: path, log: filepath.Join(dir, name, testnetLogFile),
			ws: apiURL("ws", cfg.RPC.WSListen), http: apiURL("http", cfg.RPC.HTTPListen),
		})
	}
	return nodes, errors.Join(errs...)
}

// apiURL is the URL a client on this machine uses for a listen address.
func apiURL(scheme, listen string) string {
	if listen == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// supervisor runs the nodes of a test network. One goroutine, the caller
// of run, owns the processes and the output; waiters and pollers report to
// it over channels.
type supervisor struct {
	exe          string // the jtd binary
	out, errOut  io.Writer
	grace        time.Duration
	startTimeout time.Duration
}

type exitEvent struct {
	p   *testnetProc
	err error
}

type readyEvent struct {
	p    *testnetProc
	info client.ServerInfo
	err  error // the node did not answer within startTimeout
}

// run starts every node and supervises them until a signal arrives on sigs
// or a node exits. It returns nil only when every node was stopped on
// request and exited cleanly.
func (s *supervisor) run(sigs <-chan os.Signal, nodes []*testnetProc) error {
	exits := make(chan exitEvent, len(nodes))
	for _, p := range nodes {
		if err := s.start(p, exits); err != nil {
			s.stop(nodes, sigs)
			return err
		}
		fmt.Fprintf(s.out, "started %s (pid %d), log %s\n", p.name, p.cmd.Process.Pid, p.log)
	}

	pollCtx, cancelPolls := context.WithCancel(context.Background())
	var polls sync.WaitGroup
	defer func() { cancelPolls(); polls.Wait() }()
	ready := make(chan readyEvent, len(nodes))
	for _, p := range nodes {
		polls.Add(1)
		go func() { defer polls.Done(); s.poll(pollCtx, p, ready) }()
	}

	answered := 0
	for {
		select {
		case sig := <-sigs:
			fmt.Fprintf(s.out, "%s: stopping %d nodes\n", sig, len(nodes))
			cancelPolls()
			return s.stop(nodes, sigs)

		case e := <-exits:
			cancelPolls()
			fmt.Fprintf(s.errOut, "%s exited unexpectedly (%s); stopping the others\n", e.p.name, describeExit(e.err))
			if tail := logTail(e.p.log, 10); tail != "" {
				fmt.Fprintf(s.errOut, "last lines of %s:\n%s", e.p.log, tail)
			}
			stopErr := s.stop(nodes, sigs)
			return errors.Join(fmt.Errorf("%s exited unexpectedly (%s); the network was stopped (see %s)", e.p.name, describeExit(e.err), e.p.log), stopErr)

		case r := <-ready:
			if r.err != nil {
				fmt.Fprintf(s.errOut, "warning: %s: %v; still waiting (see %s)\n", r.p.name, r.err, r.p.log)
				continue
			}
			ledger := "no validated ledger yet"
			if v := r.info.ValidatedLedger; v != nil {
				ledger = fmt.Sprintf("validated ledger %d", v.Seq)
			}
			fmt.Fprintf(s.out, "%-12s %-9s  %s  %s  (%s)\n", r.p.name, r.p.role, orDash(r.p.ws), orDash(r.p.http), ledger)
			if answered++; answered == len(nodes) {
				fmt.Fprintf(s.out, "all %d nodes answer server_info; Ctrl-C stops them all\n", len(nodes))
			}
		}
	}
}

// start launches p's process. Each node gets its own process group, so a
// Ctrl-C on the terminal reaches only the supervisor, which then stops the
// nodes in order, and a signal to the group also reaches anything the node
// starts (plugins).
func (s *supervisor) start(p *testnetProc, exits chan<- exitEvent) error {
	log, err := os.OpenFile(p.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	defer log.Close() // the child has its own descriptor
	fmt.Fprintf(log, "=== jtd testnet run: starting %s at %s ===\n", p.name, time.Now().Format(time.RFC3339))
	cmd := exec.Command(s.exe, "run", "--config", p.config)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: start %s: %w", p.name, s.exe, err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
		exits <- exitEvent{p, p.waitErr}
	}()
	return nil
}

// poll asks p for server_info until it answers, then reports once.
func (s *supervisor) poll(ctx context.Context, p *testnetProc, ready chan<- readyEvent) {
	if p.ws == "" {
		ready <- readyEvent{p: p, err: errors.New("its WebSocket API is off (rpc.ws_listen is empty), so it cannot be polled")}
		return
	}
	deadline := time.Now().Add(s.startTimeout)
	warned := false
	for {
		if info, err := serverInfo(ctx, p.ws); err == nil {
			ready <- readyEvent{p: p, info: info}
			return
		} else if !warned && time.Now().After(deadline) {
			ready <- readyEvent{p: p, err: fmt.Errorf("no answer to server_info at %s within %s: %v", p.ws, s.startTimeout, err)}
			warned = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func serverInfo(ctx context.Context, url string) (client.ServerInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, url, &client.Options{RequestTimeout: 2 * time.Second})
	if err != nil {
		return client.ServerInfo{}, err
	}
	defer c.Close()
	return c.ServerInfo(ctx)
}

// stop sends SIGTERM to every running node, SIGKILL to those still running
// after the grace period (or at once on another signal), and waits for all.
// It reports nodes that exited with an error or had to be killed.
func (s *supervisor) stop(nodes []*testnetProc, sigs <-chan os.Signal) error {
	var stopping []*testnetProc // a node that exited before has been reported
	for _, p := range nodes {
		if p.running() {
			stopping = append(stopping, p)
			signalGroup(p.cmd.Process, syscall.SIGTERM)
		}
	}
	nodes = stopping
	var killed []string
	why := s.awaitExit(nodes, sigs)
	if why != "" {
		for _, p := range nodes {
			if p.running() {
				killed = append(killed, p.name)
				signalGroup(p.cmd.Process, syscall.SIGKILL)
			}
		}
	}
	var errs []error
	for _, p := range nodes {
		<-p.exited // SIGKILL cannot be ignored
		if p.waitErr != nil && !slices.Contains(killed, p.name) {
			errs = append(errs, fmt.Errorf("%s stopped with an error (%s): see %s", p.name, describeExit(p.waitErr), p.log))
		}
	}
	if len(killed) > 0 {
		errs = append(errs, fmt.Errorf("killed %s: %s", strings.Join(killed, ", "), why))
	}
	if len(errs) == 0 {
		fmt.Fprintln(s.out, "all nodes stopped")
	}
	return errors.Join(errs...)
}

// awaitExit waits for every node to exit. It gives up after the grace
// period or on another signal, and says why; "" means every node exited. A signal within a second of
// the stop is taken as a duplicate of the one that caused it (timeout(1)
// and some service managers signal both the process and its group).
func (s *supervisor) awaitExit(nodes []*testnetProc, sigs <-chan os.Signal) string {
	start := time.Now()
	graceOver := time.After(s.grace)
	for _, p := range nodes {
		for waiting := true; waiting; {
			select {
			case <-p.exited:
				waiting = false
			case <-graceOver:
				fmt.Fprintf(s.errOut, "nodes still running %s after SIGTERM: killing them\n", s.grace)
				return fmt.Sprintf("they did not stop within %s of SIGTERM", s.grace)
			case sig := <-sigs:
				if time.Since(start) >= time.Second {
					fmt.Fprintf(s.errOut, "%s again: killing the nodes\n", sig)
					return "a second " + sig.String() + " asked for it"
				}
			}
		}
	}
	return ""
}

// describeExit says how a process ended, from exec.Cmd.Wait's error.
func describeExit(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error() // "exit status 1", "signal: killed"
}

// logTail returns the last n lines of the file at path, indented.
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const window = 8 << 10
	if st, err := f.Stat(); err == nil && st.Size() > window {
		f.Seek(st.Size()-window, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString("  ")
		sb.Write(l)
		sb.WriteByte('\n')
	}
	return sb.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
