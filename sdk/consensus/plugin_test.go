package consensus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
)

// echoBin is the testdata/echo plugin, built once by TestMain.
var echoBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "consensus-plugin-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		echoBin = filepath.Join(dir, "echo")
		out, err := exec.Command("go", "build", "-o", echoBin, "./testdata/echo").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build testdata/echo: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// launch creates a go-plugin client for the echo plugin speaking p, with
// the settings the node uses (gRPC only, AutoMTLS, no host environment),
// and kills the process when the test ends.
func launch(t *testing.T, p plugin.Protocol, args ...string) (*goplugin.Client, *plugintest.Logs) {
	t.Helper()
	return plugintest.Client(t, p, "echo", exec.Command(echoBin, args...))
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestEchoPluginAnswersInfoConfigureAndStepOverGRPC(t *testing.T) {
	c, logs := launch(t, Protocol())
	engine, err := Dispense(c, "echo")
	if err != nil {
		t.Fatalf("dispense: %v\nhost log:\n%s", err, logs)
	}
	ctx := callCtx(t)

	info, err := engine.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := plugin.Info{
		Kind: plugin.KindConsensus, Name: "echo", Version: "0.1.0", APIMajor: APIMajor, APIMinor: APIMinor,
		Capabilities: []string{"echo.test", CapRestore}, Semantics: "echo/1",
	}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("Info = %+v, want %+v", info, want)
	}

	schema, err := engine.ConfigSchema(ctx)
	if err != nil || string(schema) != `{"type":"object"}` {
		t.Errorf("ConfigSchema = %q, %v", schema, err)
	}

	if _, err := engine.Configure(ctx, ConfigureRequest{APIMinor: APIMinor}); err == nil || !strings.Contains(err.Error(), "chain id is empty") {
		t.Errorf("Configure without a chain id: err = %v, want the plugin's refusal", err)
	}
	params := Params{ChainID: "jt-test", Self: AccountID{1}, CloseInterval: 3 * time.Second, IdleInterval: time.Minute}
	if _, err := engine.Configure(ctx, ConfigureRequest{APIMinor: APIMinor, Params: params}); err != nil {
		t.Fatal(err)
	}

	now := time.Date(2026, 5, 1, 12, 0, 0, 5, time.UTC)
	block := Block{Height: 7, ID: Hash256{7}, ParentID: Hash256{6}, Payload: []byte("txs")}
	msg := Message{From: AccountID{9}, Payload: []byte("vote"), Signature: []byte("sig")}
	resp, err := engine.Step(ctx, StepRequest{Inputs: []Input{
		StartHeight{Height: 7, ParentID: Hash256{6}, Validators: []Validator{{Address: AccountID{1}, PublicKey: []byte{2}}}, Seed: Hash256{3}, Now: now},
		Tick{Now: now},
		BlockBuilt{Height: 7, Block: block},
		Message(msg),
		Timeout{Kind: TimeoutPropose, Height: 7, Round: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantOut := []Output{
		BuildBlock{Height: 7},
		SignAndBroadcast{Payload: []byte("jt-test")},
		Commit{Block: block, Certificate: []byte("cert")},
		Rebroadcast{Messages: []Message{msg}},
		ScheduleTimeout{Kind: TimeoutPropose, Height: 7, Round: 1, Delay: 3 * time.Second},
	}
	if !reflect.DeepEqual(resp.Outputs, wantOut) {
		t.Errorf("Step outputs =\n%#v\nwant\n%#v", resp.Outputs, wantOut)
	}

	if _, err := engine.Restore(ctx, RestoreRequest{Safety: []byte("rec"), LastCommitted: 6}); err != nil {
		t.Errorf("Restore: %v", err)
	}

	c.Kill()
	if !c.Exited() {
		t.Error("the plugin process is still running after Kill")
	}
}

func TestPluginOfAnotherProtocolMajorGivesVersionMismatchError(t *testing.T) {
	// A node that speaks only major 2 launches the echo plugin, which speaks
	// 1: the same handshake a v1 node sees from a v2-only plugin.
	host := plugin.Protocol{
		Kind:    plugin.KindConsensus,
		Plugins: map[int]goplugin.PluginSet{2: {string(plugin.KindConsensus): &grpcPlugin{}}},
	}
	c, _ := launch(t, host)
	_, err := dispense(host, c, "echo")
	var mismatch *plugin.VersionMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v (%T), want a *plugin.VersionMismatchError", err, err)
	}
	t.Logf("error: %v", err)
	if !reflect.DeepEqual(mismatch.PluginVersions, []int{1}) || !reflect.DeepEqual(mismatch.HostVersions, []int{2}) ||
		mismatch.Kind != plugin.KindConsensus || mismatch.Plugin != "echo" {
		t.Errorf("mismatch = %+v", mismatch)
	}
	const wantMsg = `consensus plugin "echo" speaks consensus protocol v1, this node speaks v2: the plugin is older than the node; install a release of the plugin built against an SDK for consensus protocol v2, or run a node release that still speaks v1`
	if err.Error() != wantMsg {
		t.Errorf("message:\n%s\nwant\n%s", err, wantMsg)
	}
}

func TestPluginPrintingToStdoutBeforeTheHandshakeFailsNamingTheCause(t *testing.T) {
	c, _ := launch(t, Protocol(), "-stdout-first")
	_, err := Dispense(c, "echo")
	if !errors.Is(err, plugin.ErrStdoutBeforeHandshake) {
		t.Fatalf("err = %v, want one wrapping plugin.ErrStdoutBeforeHandshake", err)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{`consensus plugin "echo"`, "stdout before the handshake", `"starting echo engine"`, "log to stderr"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
}

func TestPluginLaunchedAsAnotherKindExitsNamingBothKinds(t *testing.T) {
	asGateway := plugin.Protocol{Kind: plugin.KindGateway, Plugins: Protocol().Plugins}
	c, logs := launch(t, asGateway)
	if _, err := dispense(asGateway, c, "echo"); err == nil {
		t.Fatal("a consensus plugin launched as a gateway started")
	}
	c.Kill() // waits for go-plugin to copy the plugin's stderr into the log
	const want = "this binary is a consensus plugin, but the node launched it as a gateway plugin"
	if !strings.Contains(logs.String(), want) {
		t.Errorf("host log lacks %q:\n%s", want, logs)
	}
}
