package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/sdk/client"
)

// jtdBin is the jtd binary built once for all tests in this package, and
// jtBin the jt client.
var jtdBin, jtBin string

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
		os.RemoveAll(dir)
		os.Exit(1)
	}
	jtBin = filepath.Join(dir, "jt")
	build = exec.Command("go", "build", "-o", jtBin, "github.com/jtchain/jtchain/host/cmd/jt")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building jt:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if err := buildPlugins(dir); err != nil {
		fmt.Fprintln(os.Stderr, "building plugins:", err)
		os.RemoveAll(dir)
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
	config   string   // the config file; empty: dir/node.toml
	env      []string // extra environment of the process (JTD_LOG_LEVEL=debug)
	cmd      *exec.Cmd
	logMu    sync.Mutex
	log      strings.Builder
	logHook  func([]byte) // sees each chunk of stderr as it arrives; under logMu
	exited   chan struct{}
}

// newDevNode initializes a dev chain (genesis account snoPBj...) in a temp dir.
// extraConfig lines are appended to the config after its [rpc] section, so
// bare keys there set [rpc] options (e.g. "requests_per_second = 50",
// "admin_ips = []"); a line "[mempool]" starts another section. The node's
// process and directory are removed when the test ends, whatever happened.
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

// httpURL is the node's JSON-RPC endpoint.
func (n *devNode) httpURL() string { return fmt.Sprintf("http://127.0.0.1:%d/", n.httpPort) }

// start launches jtd and waits until its WebSocket port accepts connections.
func (n *devNode) start() {
	n.t.Helper()
	if n.cmd != nil {
		n.t.Fatal("devNode.start: jtd is already running")
	}
	cfg := n.config
	if cfg == "" {
		cfg = filepath.Join(n.dir, "node.toml")
	}
	n.cmd = exec.Command(jtdBin, "run", "--config", cfg)
	n.cmd.SysProcAttr = childProcAttr()
	n.cmd.Env = append(os.Environ(), n.env...)
	// exec copies stderr into the log and Wait waits for the copy, so once
	// exited is closed the log holds everything the process wrote.
	n.cmd.Stderr = logWriter{n}
	n.cmd.Stdout = io.Discard
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.exited = make(chan struct{})
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

// logWriter appends the process's stderr to the node's log.
type logWriter struct{ n *devNode }

func (w logWriter) Write(p []byte) (int, error) {
	w.n.logMu.Lock()
	defer w.n.logMu.Unlock()
	if w.n.logHook != nil {
		w.n.logHook(p)
	}
	return w.n.log.Write(p)
}

// setLogHook has f see the process's stderr as it is written (jtd writes a
// log line per write), until it is replaced; nil removes it. f must be quick.
func (n *devNode) setLogHook(f func(chunk []byte)) {
	n.logMu.Lock()
	n.logHook = f
	n.logMu.Unlock()
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
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		// Cannot happen for SIGKILL short of a kernel problem; do not hang
		// the test binary over it.
		n.t.Errorf("jtd (pid %d) did not exit within 30s of SIGKILL", n.cmd.Process.Pid)
	}
	n.cmd = nil
}

// running reports whether the jtd process is alive.
func (n *devNode) running() bool {
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
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

// childProcAttr makes jtd die with the test binary: on Linux it sets
// Pdeathsig, so a test binary killed by its -timeout (or by anything else)
// leaves no jtd behind holding ports and CPU. Pdeathsig exists only on
// Linux, hence the reflection; elsewhere t.Cleanup is the only guard.
func childProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(syscall.SIGKILL).Convert(f.Type()))
	}
	return attr
}

// dial connects an SDK client to the node; it is closed when the test ends.
func (n *devNode) dial(ctx context.Context) *client.Client {
	n.t.Helper()
	c, err := client.Dial(ctx, n.url(), &client.Options{RequestTimeout: 15 * time.Second})
	if err != nil {
		n.t.Fatalf("dial %s: %v", n.url(), err)
	}
	n.t.Cleanup(func() { c.Close() })
	return c
}

// testAccount is a key pair derived from a passphrase, as tests name them.
type testAccount struct {
	name string
	kp   crypto.KeyPair
	addr string
}

func newTestAccount(t testing.TB, passphrase string) testAccount {
	t.Helper()
	kp, err := crypto.DeriveKeyPair(crypto.SeedFromPassphrase(passphrase), crypto.Secp256k1)
	if err != nil {
		t.Fatal(err)
	}
	return testAccount{name: passphrase, kp: kp, addr: kp.AccountID().String()}
}

// genesisTestAccount is the dev chain's genesis account, from its secret.
func genesisTestAccount(t testing.TB) testAccount {
	t.Helper()
	seed, kt, err := crypto.ParseSecret(crypto.GenesisSecret)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := crypto.DeriveKeyPair(seed, kt)
	if err != nil {
		t.Fatal(err)
	}
	return testAccount{name: "genesis", kp: kp, addr: kp.AccountID().String()}
}

// signTx signs a transaction given as JSON fields with kp and returns its
// blob (upper-case hex) and hash. Missing Fee and Flags get 10 drops and 0.
func signTx(kp crypto.KeyPair, fields map[string]any) (blob, hash string, err error) {
	m := map[string]any{"Fee": "10", "Flags": 0}
	for k, v := range fields {
		m[k] = v
	}
	js, err := json.Marshal(m)
	if err != nil {
		return "", "", err
	}
	obj, err := codec.ParseJSON(js)
	if err != nil {
		return "", "", fmt.Errorf("tx JSON %s: %w", js, err)
	}
	b, h, err := codec.Sign(obj, kp)
	if err != nil {
		return "", "", err
	}
	return strings.ToUpper(hex.EncodeToString(b)), strings.ToUpper(hex.EncodeToString(h[:])), nil
}

// payment is a Payment's fields from a to dest.
func payment(from testAccount, seq uint32, dest string, amount any) map[string]any {
	return map[string]any{"TransactionType": "Payment", "Account": from.addr, "Sequence": seq,
		"Destination": dest, "Amount": amount}
}

// nextSequence is the Sequence the account's next transaction must use,
// from the open ledger.
func nextSequence(ctx context.Context, c *client.Client, addr string) (uint32, error) {
	ai, err := c.AccountInfo(ctx, addr, client.SelectCurrent)
	if err != nil {
		return 0, err
	}
	return ai.Sequence, nil
}

// submitOK submits a signed blob and requires tesSUCCESS.
func submitOK(ctx context.Context, c *client.Client, blob string) error {
	r, err := c.Submit(ctx, blob)
	if err != nil {
		return err
	}
	if r.EngineResult != "tesSUCCESS" {
		return fmt.Errorf("submit: %s (%s)", r.EngineResult, r.EngineResultMessage)
	}
	return nil
}

// waitValidated polls the tx command until the transaction is in a
// validated ledger or ctx ends.
func waitValidated(ctx context.Context, c *client.Client, hash string) (client.TxResult, error) {
	for {
		r, err := c.Tx(ctx, hash)
		switch {
		case err == nil && r.Validated:
			return r, nil
		case err != nil && !errors.Is(err, client.ErrNotFound):
			return r, err
		}
		select {
		case <-ctx.Done():
			return r, fmt.Errorf("transaction %s not validated: %w", hash, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ledgerHeader is what the chain checks read from the ledger command.
type ledgerHeader struct {
	Index      uint32
	Hash       string
	ParentHash string
	TotalCoins uint64
	Txs        []json.RawMessage // expanded transactions with metaData, if asked for
}

type ledgerWire struct {
	Ledger struct {
		Hash         string            `json:"hash"`
		LedgerIndex  string            `json:"ledger_index"`
		ParentHash   string            `json:"parent_hash"`
		TotalCoins   string            `json:"total_coins"`
		Transactions []json.RawMessage `json:"transactions"`
	} `json:"ledger"`
	LedgerHash  string `json:"ledger_hash"`
	LedgerIndex uint32 `json:"ledger_index"`
	Validated   bool   `json:"validated"`
}

// decodeLedger decodes a ledger command's result for a closed ledger.
func decodeLedger(raw json.RawMessage) (ledgerHeader, error) {
	var w ledgerWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return ledgerHeader{}, fmt.Errorf("%w: %.400s", err, raw)
	}
	h := ledgerHeader{Index: w.LedgerIndex, Hash: w.Ledger.Hash, ParentHash: w.Ledger.ParentHash, Txs: w.Ledger.Transactions}
	if _, err := fmt.Sscan(w.Ledger.TotalCoins, &h.TotalCoins); err != nil {
		return h, fmt.Errorf("total_coins %q: %v", w.Ledger.TotalCoins, err)
	}
	if !w.Validated || w.Ledger.LedgerIndex != fmt.Sprint(w.LedgerIndex) || w.LedgerHash != w.Ledger.Hash || len(h.Hash) != 64 {
		return h, fmt.Errorf("not a consistent validated ledger: %.400s", raw)
	}
	return h, nil
}

// getLedger reads one validated ledger by index ("validated" for the
// latest), with its expanded transactions when txs is set.
func getLedger(ctx context.Context, c *client.Client, index any, txs bool) (ledgerHeader, error) {
	params := map[string]any{"ledger_index": index}
	if txs {
		params["transactions"], params["expand"] = true, true
	}
	raw, err := c.Request(ctx, "ledger", params)
	if err != nil {
		return ledgerHeader{}, fmt.Errorf("ledger %v: %w", index, err)
	}
	h, err := decodeLedger(raw)
	if err != nil {
		return h, fmt.Errorf("ledger %v: %w", index, err)
	}
	return h, nil
}

// checkLedgerChain reads ledgers 1..upTo and checks that each one's
// parent_hash is the previous one's hash and that ledger 1 has no parent.
// Requests are pipelined; each ledger's transactions are included if txs.
func checkLedgerChain(ctx context.Context, c *client.Client, upTo uint32, txs bool) ([]ledgerHeader, error) {
	out := make([]ledgerHeader, 0, upTo)
	const window = 32
	for lo := uint32(1); lo <= upTo; lo += window {
		hi := min(lo+window-1, upTo)
		calls := make([]*client.Call, 0, window)
		for i := lo; i <= hi; i++ {
			params := map[string]any{"ledger_index": i}
			if txs {
				params["transactions"], params["expand"] = true, true
			}
			calls = append(calls, c.Go(ctx, "ledger", params))
		}
		for k, call := range calls {
			i := lo + uint32(k)
			raw, err := call.Wait()
			if err != nil {
				return out, fmt.Errorf("ledger %d: %w", i, err)
			}
			h, err := decodeLedger(raw)
			if err != nil {
				return out, fmt.Errorf("ledger %d: %w", i, err)
			}
			if h.Index != i {
				return out, fmt.Errorf("asked for ledger %d, got ledger %d", i, h.Index)
			}
			if i == 1 && h.ParentHash != strings.Repeat("0", 64) {
				return out, fmt.Errorf("ledger 1 has parent_hash %s", h.ParentHash)
			}
			if i > 1 && h.ParentHash != out[len(out)-1].Hash {
				return out, fmt.Errorf("the chain breaks at ledger %d: parent_hash %s, but ledger %d is %s",
					i, h.ParentHash, i-1, out[len(out)-1].Hash)
			}
			out = append(out, h)
		}
	}
	return out, nil
}
