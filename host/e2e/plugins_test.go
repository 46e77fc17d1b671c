package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pluginDir holds the first-party plugin binaries built for these tests,
// named like `make plugins` names them; pluginSHA their hashes.
var (
	pluginDir string
	pluginSHA = map[string]string{}
)

// firstPartyPlugins are built once in TestMain: binary name → package.
var firstPartyPlugins = map[string]string{
	"consensus-solo":   "github.com/jtchain/jtchain/plugins/consensus/solo",
	"consensus-raft":   "github.com/jtchain/jtchain/plugins/consensus/raft",
	"indexer-sqlite":   "github.com/jtchain/jtchain/plugins/indexer/sqlite",
	"indexer-postgres": "github.com/jtchain/jtchain/plugins/indexer/postgres",
}

func buildPlugins(dir string) error {
	pluginDir = filepath.Join(dir, "plugins")
	for name, pkg := range firstPartyPlugins {
		out := filepath.Join(pluginDir, name)
		build := exec.Command("go", "build", "-o", out, pkg)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("%s: %w", pkg, err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		pluginSHA[name] = hex.EncodeToString(sum[:])
	}
	return nil
}

// soloPluginConfig is the config of a dev node whose solo engine runs as a
// plugin (with JTD_CONSENSUS_PLUGIN=solo), pinned by sha (the real hash
// unless a test wants a wrong one).
func soloPluginConfig(sha string) []string {
	return []string{
		"[plugins]",
		fmt.Sprintf("dir = %q", pluginDir),
		"health_interval = \"500ms\"",
		"[[plugins.instance]]",
		`name = "solo"`,
		`kind = "consensus"`,
		`command = "consensus-solo"`,
		fmt.Sprintf("sha256 = %q", sha),
		`call_timeout = "2s"`,
		`restart = { max_attempts = 5, backoff_min = "100ms", backoff_max = "1s" }`,
	}
}

// pluginEntry is one instance of the plugins command's answer.
type pluginEntry struct {
	Name     string `json:"name"`
	Cursor   uint32 `json:"cursor"`
	State    string `json:"state"`
	PID      int    `json:"pid"`
	Restarts int    `json:"restarts"`
	Calls    uint64 `json:"calls"`
	Errors   uint64 `json:"errors"`
	Version  string `json:"version"`
}

// plugins asks the node's admin HTTP API for its plugin instances.
func (n *devNode) plugins(ctx context.Context) ([]pluginEntry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.httpURL(), bytes.NewReader([]byte(`{"method":"plugins","params":[{}]}`)))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var ans struct {
		Result struct {
			Status  string        `json:"status"`
			Plugins []pluginEntry `json:"plugins"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return nil, err
	}
	if ans.Result.Status != "success" {
		return nil, fmt.Errorf("plugins: status %q", ans.Result.Status)
	}
	return ans.Result.Plugins, nil
}

// alive reports whether a process with pid exists (and is not a zombie we
// could still signal: a killed plugin's parent reaps it).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// The state is the field after the parenthesised command name.
	if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) {
		return b[i+2] != 'Z'
	}
	return true
}

// TestSoloPluginKilledUnderLoadIsRestartedAndNothingIsLost runs the dev
// chain on the solo consensus plugin, kill -9s the plugin while payments
// flow, and checks that the API kept answering, the supervisor restarted
// the plugin, ledgers close again, every payment the node accepted is
// validated, and no plugin process outlives a kill -9 of the node.
func TestSoloPluginKilledUnderLoadIsRestartedAndNothingIsLost(t *testing.T) {
	ctx := ctxFor(t, 3*time.Minute)
	n := newDevNode(t, soloPluginConfig(pluginSHA["consensus-solo"])...)
	n.env = []string{"JTD_CONSENSUS_PLUGIN=solo"}
	n.start()
	c := n.dial(ctx)
	gen := genesisTestAccount(t)

	list, err := n.plugins(ctx)
	if err != nil || len(list) != 1 || list[0].State != "ready" || list[0].PID == 0 {
		t.Fatalf("plugins at start: %+v, %v", list, err)
	}
	firstPID := list[0].PID

	// Load: the genesis account pays fresh accounts, one payment every few
	// milliseconds, until told to stop; every accepted one is recorded.
	seq, err := nextSequence(ctx, c, gen.addr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var accepted []string
	stop := make(chan struct{})
	loadDone := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				loadDone <- nil
				return
			default:
			}
			dest := newTestAccount(t, fmt.Sprintf("plugin-load-%d", i%50))
			blob, hash, err := signTx(gen.kp, payment(gen, seq, dest.addr, "1000000000"))
			if err != nil {
				loadDone <- err
				return
			}
			if err := submitOK(ctx, c, blob); err != nil {
				loadDone <- fmt.Errorf("payment %d: %w", i, err)
				return
			}
			seq++
			mu.Lock()
			accepted = append(accepted, hash)
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
		}
	}()

	waitLedger := func(after uint32, what string) uint32 {
		t.Helper()
		for {
			l, err := getLedger(ctx, c, "validated", false)
			if err == nil && l.Index > after {
				return l.Index
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: no ledger after %d: %v\n%s", what, after, err, n.logs())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	before := waitLedger(3, "before the kill")

	if err := syscall.Kill(firstPID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 the plugin: %v", err)
	}
	// The API keeps serving while consensus waits for its engine.
	if _, err := c.ServerInfo(ctx); err != nil {
		t.Fatalf("server_info right after the plugin died: %v", err)
	}

	var restarted pluginEntry
	for {
		list, err := n.plugins(ctx)
		if err == nil && len(list) == 1 && list[0].Restarts >= 1 && list[0].State == "ready" && list[0].PID != firstPID {
			restarted = list[0]
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the plugin was not restarted: %+v, %v\n%s", list, err, n.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if alive(firstPID) {
		t.Errorf("the killed plugin process %d is still there", firstPID)
	}
	// jtd plugins list shows what the API says.
	out, err := exec.Command(jtdBin, "plugins", "list", "--url", n.httpURL()).CombinedOutput()
	if err != nil {
		t.Fatalf("jtd plugins list: %v\n%s", err, out)
	}
	if fields := strings.Fields(lineWith(string(out), "solo")); len(fields) < 7 || fields[1] != "consensus" || fields[2] != "ready" ||
		fields[5] != fmt.Sprint(restarted.PID) || fields[6] != fmt.Sprint(restarted.Restarts) {
		t.Errorf("jtd plugins list:\n%s", out)
	}
	after := waitLedger(before+3, "after the restart")
	close(stop)
	if err := <-loadDone; err != nil {
		t.Fatalf("load: %v", err)
	}

	mu.Lock()
	hashes := append([]string(nil), accepted...)
	mu.Unlock()
	if len(hashes) < 50 {
		t.Fatalf("only %d payments were accepted; the load did not run", len(hashes))
	}
	for _, h := range hashes {
		r, err := waitValidated(ctx, c, h)
		if err != nil {
			t.Fatalf("accepted payment %s: %v", h, err)
		}
		if r.Result != "tesSUCCESS" {
			t.Fatalf("accepted payment %s validated with %s", h, r.Result)
		}
	}
	last, err := getLedger(ctx, c, "validated", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkLedgerChain(ctx, c, last.Index, false); err != nil {
		t.Fatalf("ledger chain: %v", err)
	}
	t.Logf("%d payments validated across a plugin kill -9 (ledger %d before, %d after; plugin pid %d -> %d, restarts %d)",
		len(hashes), before, after, firstPID, restarted.PID, restarted.Restarts)

	// kill -9 the node: its plugin must not survive it.
	n.kill()
	deadline := time.Now().Add(5 * time.Second)
	for alive(restarted.PID) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(restarted.PID) {
		syscall.Kill(restarted.PID, syscall.SIGKILL)
		t.Fatalf("plugin process %d survived a kill -9 of its node", restarted.PID)
	}
}

// lineWith is the first line of s that starts with prefix.
func lineWith(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestNodeRefusesAPluginWhoseHashDoesNotMatch: a binary that is not the
// one the config pins never runs, and jtd says how to fix it.
func TestNodeRefusesAPluginWhoseHashDoesNotMatch(t *testing.T) {
	n := newDevNode(t, soloPluginConfig(strings.Repeat("0", 64))...)
	cmd := exec.Command(jtdBin, "run", "--config", filepath.Join(n.dir, "node.toml"))
	cmd.Env = append(os.Environ(), "JTD_CONSENSUS_PLUGIN=solo")
	cmd.SysProcAttr = childProcAttr()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("jtd ran with a plugin whose sha256 does not match:\n%s", out)
	}
	for _, want := range []string{"sha256", pluginSHA["consensus-solo"], "consensus-solo"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("jtd's error does not mention %q:\n%s", want, out)
		}
	}
}

// TestNodeRefusesAPluginOfAnotherEngine: the chain's genesis fixes the
// engine; a config naming another engine, or a plugin serving another
// engine, is refused at start with the fix.
func TestNodeRefusesAPluginOfAnotherEngine(t *testing.T) {
	cfg := soloPluginConfig(pluginSHA["consensus-solo"])
	cfg = append(cfg, "[[plugins.instance]]", `name = "raft"`, `kind = "consensus"`, `command = "consensus-raft"`,
		fmt.Sprintf("sha256 = %q", pluginSHA["consensus-raft"]))
	n := newDevNode(t, cfg...)
	run := func(env ...string) string {
		t.Helper()
		cmd := exec.Command(jtdBin, "run", "--config", filepath.Join(n.dir, "node.toml"))
		cmd.Env = append(os.Environ(), env...)
		cmd.SysProcAttr = childProcAttr()
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("jtd ran with %v:\n%s", env, out)
		}
		return string(out)
	}
	// The chain is a solo chain; a config claiming raft is refused.
	if out := run("JTD_CONSENSUS_PLUGIN=raft", "JTD_CONSENSUS_ENGINE=raft"); !strings.Contains(out, "genesis") {
		t.Errorf("engine other than the genesis one:\n%s", out)
	}
	// The raft plugin cannot stand in for the solo engine.
	if out := run("JTD_CONSENSUS_PLUGIN=raft"); !strings.Contains(out, `runs engine "raft"`) || !strings.Contains(out, `chain's engine is "solo"`) {
		t.Errorf("plugin of another engine:\n%s", out)
	}
}
