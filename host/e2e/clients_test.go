//go:build jscompat

// The client-compatibility suite: unmodified jingtum-lib 2.4.15 and swtc-lib
// 2.0.9 (the npm packages `make jsdeps` installs for the codec cross-check)
// drive a real jtd process through testdata/clients/suite.js, which checks
// every answer. Run with `make jscompat`, or
//
//	go test -tags jscompat -run Clients -count=1 -v ./host/e2e/
//
// Each library gets its own dev chain (the suite uses fixed keys), and the
// two run in parallel.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// genesisSecret is the dev chain's genesis account (jtd init --dev).
const genesisSecret = "snoPBjXtMeMyMHUVTgbuqAfg1SUTb"

// clientLibs are the libraries and the exact versions the suite is for.
var clientLibs = map[string]string{"jingtum-lib": "2.4.15", "swtc-lib": "2.0.9"}

// clientSteps is every step suite.js reports, in order. Each library must
// report each one, as passed or, for clientSkips only, as skipped.
var clientSteps = []string{
	"connect",
	"server_info",
	"ledger_closed",
	"ledger",
	"account_info",
	"ledger_closed_event",
	"payment_local_sign",
	"transactions_event",
	"tx",
	"account_info_funded",
	"payment_server_sign",
	"payments_explicit_sequence",
	"trust_set",
	"usercoin_issue",
	"usercoin_transfer",
	"account_lines",
	"account_stub_events",
	"account_tx_paging",
	"error_account_not_found",
	"error_tx_not_found",
	"payment_tec_result",
	"account_currencies",
	"ed25519_payment",
	"signer_list_set",
	"multisign_payment",
	"multisign_server_sign",
	"reconnect",
	"multisign_fee_noise",
	"multisign_amount_noise",
	"transactions_stream_complete",
	"disconnect",
}

// clientSkips are the steps a library cannot do (suite.js says why).
var clientSkips = map[string][]string{
	"jingtum-lib": {
		"ed25519_payment", // it has no ed25519 keys
	},
	"swtc-lib": {
		"payment_server_sign",   // it always signs locally
		"account_stub_events",   // its Account stub never calls back (a library bug)
		"multisign_server_sign", // it always signs locally
	},
}

// clientLine is one line suite.js prints.
type clientLine struct {
	Step    string          `json:"step"`
	Control string          `json:"control"`
	Lib     string          `json:"lib"`
	OK      bool            `json:"ok"`
	Skipped string          `json:"skipped"`
	MS      int64           `json:"ms"`
	Detail  json.RawMessage `json:"detail"`
}

func TestClientsJingtumLibrariesDriveTheNode(t *testing.T) {
	modules := jsModules(t)
	for _, lib := range []string{"jingtum-lib", "swtc-lib"} {
		t.Run(lib, func(t *testing.T) {
			t.Parallel()
			runClientSuite(t, modules, lib)
		})
	}
}

// jsModules is the node_modules that `make jsdeps` fills, checked for the
// pinned library versions.
func jsModules(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node (Node.js 20) is not on PATH: the client-compatibility suite runs the JS client libraries")
	}
	dir, err := filepath.Abs(filepath.Join("..", "codec", "testdata", "jscompat", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	for lib, want := range clientLibs {
		data, err := os.ReadFile(filepath.Join(dir, lib, "package.json"))
		if err != nil {
			t.Fatalf("%s is not installed in %s: run `make jsdeps` first (%v)", lib, dir, err)
		}
		var pkg struct{ Version string }
		if err := json.Unmarshal(data, &pkg); err != nil || pkg.Version != want {
			t.Fatalf("%s in %s is version %q, want %s: run `make jsdeps` (%v)", lib, dir, pkg.Version, want, err)
		}
	}
	return dir
}

// runClientSuite starts a dev node, runs suite.js for lib against it
// (restarting the node when the suite asks) and checks the reported steps.
func runClientSuite(t *testing.T, modules, lib string) {
	start := time.Now()
	n := newDevNode(t)
	n.start()

	ctx := ctxFor(t, 100*time.Second)
	cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "clients", "suite.js"),
		"--lib", lib, "--url", n.url(), "--secret", genesisSecret,
		"--timeout", "10000", "--deadline", "90000", "--restart")
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &tailBuffer{max: 32 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	// Read the steps as they come, in this goroutine: restarting the node
	// (devNode.stop/start) may call t.Fatal.
	results := map[string]clientLine{}
	var order, problems []string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var l clientLine
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &l) != nil {
			problems = append(problems, fmt.Sprintf("unexpected output line %q", line))
			continue
		}
		if l.Control != "" {
			if l.Control != "restart" {
				problems = append(problems, fmt.Sprintf("unknown control request %q", l.Control))
				continue
			}
			t.Logf("%s: restarting the node", lib)
			if err := n.stop(); err != nil {
				t.Errorf("%s: stopping the node: %v", lib, err)
			}
			n.start()
			if _, err := io.WriteString(stdin, "restart done\n"); err != nil {
				problems = append(problems, fmt.Sprintf("telling the suite the node restarted: %v", err))
			}
			continue
		}
		if l.Lib != lib {
			problems = append(problems, fmt.Sprintf("step %q reported for library %q", l.Step, l.Lib))
		}
		if _, dup := results[l.Step]; dup {
			problems = append(problems, fmt.Sprintf("step %q reported twice", l.Step))
		}
		results[l.Step] = l
		order = append(order, l.Step)
		switch {
		case !l.OK:
			t.Logf("%s: FAIL %s (%d ms): %s", lib, l.Step, l.MS, l.Detail)
		case l.Skipped != "":
			t.Logf("%s: skip %s: %s", lib, l.Step, l.Skipped)
		default:
			t.Logf("%s: ok   %s (%d ms) %s", lib, l.Step, l.MS, abbreviate(l.Detail, 300))
		}
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, "reading the suite's output: "+err.Error())
	}
	stdin.Close()
	runErr := cmd.Wait()

	var failed, missing, badSkips []string
	for _, step := range order {
		l := results[step]
		if !l.OK {
			failed = append(failed, fmt.Sprintf("%s: %s", step, detailText(l.Detail)))
		}
		if !slices.Contains(clientSteps, step) {
			problems = append(problems, fmt.Sprintf("step %q is not in clientSteps", step))
		}
	}
	for _, step := range clientSteps {
		l, ran := results[step]
		canSkip := slices.Contains(clientSkips[lib], step)
		switch {
		case !ran:
			missing = append(missing, step)
		case l.OK && l.Skipped != "" && !canSkip:
			badSkips = append(badSkips, fmt.Sprintf("%s (%s)", step, l.Skipped))
		case l.OK && l.Skipped == "" && canSkip:
			problems = append(problems, fmt.Sprintf("step %q ran, but clientSkips says %s cannot do it", step, lib))
		}
	}
	if len(failed) > 0 || len(missing) > 0 || len(badSkips) > 0 || len(problems) > 0 || runErr != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "%s against jtd: the client-compatibility suite failed (suite.js exit: %v)\n", lib, runErr)
		if ctx.Err() != nil {
			fmt.Fprintf(&b, "  the suite ran out of time (%v)\n", ctx.Err())
		}
		for _, f := range failed {
			fmt.Fprintf(&b, "  FAILED %s\n", f)
		}
		if len(missing) > 0 {
			fmt.Fprintf(&b, "  did not run (%d): %s\n", len(missing), strings.Join(missing, ", "))
		}
		for _, s := range badSkips {
			fmt.Fprintf(&b, "  skipped but required: %s\n", s)
		}
		for _, p := range problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
		fmt.Fprintf(&b, "--- suite.js stderr (tail):\n%s\n--- jtd log (tail):\n%s", stderr.String(), lastLines(n.logs(), 40))
		t.Fatal(b.String())
	}
	t.Logf("%s: %d steps passed, %d skipped (%s), in %.1fs",
		lib, len(clientSteps)-len(clientSkips[lib]), len(clientSkips[lib]), strings.Join(clientSkips[lib], ", "),
		time.Since(start).Seconds())
}

// detailText is a step's detail as text (failures carry a JSON string).
func detailText(d json.RawMessage) string {
	var s string
	if json.Unmarshal(d, &s) == nil {
		return s
	}
	return string(d)
}

func abbreviate(d json.RawMessage, max int) string {
	if len(d) <= max {
		return string(d)
	}
	return string(d[:max]) + "…"
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
