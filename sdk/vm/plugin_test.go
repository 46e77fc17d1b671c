package vm

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
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
		dir, err := os.MkdirTemp("", "vm-plugin-test")
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

// configured launches the echo plugin and configures it with greeting "hi".
func configured(t *testing.T) (*Client, *plugintest.Logs) {
	t.Helper()
	c, logs := launch(t, Protocol())
	rt, err := Dispense(c, "echo")
	if err != nil {
		t.Fatalf("dispense: %v\nhost log:\n%s", err, logs)
	}
	if _, err := rt.Configure(callCtx(t), ConfigureRequest{APIMinor: APIMinor, ChainID: "jt-test", Config: []byte(`{"greeting":"hi"}`)}); err != nil {
		t.Fatal(err)
	}
	return rt, logs
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mapState is a StateReader over a map that records the keys it served.
type mapState struct {
	m    map[string][]byte
	err  error
	mu   sync.Mutex
	gets []string
}

func (s *mapState) Get(_ context.Context, key []byte) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets = append(s.gets, string(key))
	if s.err != nil {
		return nil, false, s.err
	}
	v, ok := s.m[string(key)]
	return v, ok, nil
}

func (s *mapState) served() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gets)
}

func TestEchoPluginAnswersInfoConfigureAndValidateOverGRPC(t *testing.T) {
	c, logs := launch(t, Protocol())
	rt, err := Dispense(c, "echo")
	if err != nil {
		t.Fatalf("dispense: %v\nhost log:\n%s", err, logs)
	}
	ctx := callCtx(t)

	info, err := rt.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := plugin.Info{Kind: plugin.KindVM, Name: "echo", Version: "0.1.0", APIMajor: APIMajor, APIMinor: APIMinor,
		Capabilities: []string{"echo.test"}, Semantics: "echo/1"}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("Info = %+v, want %+v", info, want)
	}
	if schema, err := rt.ConfigSchema(ctx); err != nil || string(schema) != `{"type":"object"}` {
		t.Errorf("ConfigSchema = %q, %v", schema, err)
	}

	if _, err := rt.Configure(ctx, ConfigureRequest{}); err == nil || !strings.Contains(err.Error(), "chain id is empty") {
		t.Errorf("Configure without a chain id: err = %v, want the plugin's refusal", err)
	}
	if _, err := rt.Configure(ctx, ConfigureRequest{ChainID: "c", Config: []byte(`{"greting":"hi"}`)}); err == nil || !strings.Contains(err.Error(), `unknown field "greting"`) {
		t.Errorf("Configure with a misspelt key: err = %v, want it named", err)
	}
	if _, err := rt.Configure(ctx, ConfigureRequest{ChainID: "c", Config: []byte(`{"greeting":"hi"}`)}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		code []byte
		want []string
	}{
		{[]byte("fine"), nil},
		{[]byte("bad"), []string{"echo: bad code"}},
		{nil, []string{"code is empty"}}, // refused by the SDK, not the plugin
		{make([]byte, MaxCodeSize+1), []string{fmt.Sprintf("code is %d bytes, more than the %d a contract may have", MaxCodeSize+1, MaxCodeSize)}},
	} {
		resp, err := rt.Validate(ctx, ValidateRequest{Code: tt.code})
		if err != nil || !reflect.DeepEqual(resp.Problems, tt.want) || resp.OK() != (tt.want == nil) {
			t.Errorf("Validate(%.10q) = %q, %v; want %q", tt.code, resp.Problems, err, tt.want)
		}
	}
}

func TestExecuteSendsTheBatchAndServesStateThroughTheBroker(t *testing.T) {
	rt, _ := configured(t)
	ctx := callCtx(t)
	contract := AccountID{0xc0}
	state := &mapState{m: map[string][]byte{string(StateKey(contract, []byte("a"))): []byte("1")}}
	closeTime := time.Date(2026, 5, 1, 12, 0, 0, 5, time.UTC)
	cc := CallContext{LedgerIndex: 7, LedgerHash: Hash256{0xab, 0xcd}, CloseTime: closeTime, Caller: AccountID{0xca, 0x11}, Seed: Hash256{0x5e, 0xed}}
	code := []byte("read")
	calls := []Call{
		{CodeHash: Hash256{0xc1}, Code: code, Contract: contract, Input: []byte("a b"), Context: cc, GasLimit: 10},
		{CodeHash: Hash256{0xc1}, Code: code, Contract: contract, Input: []byte("b"), Context: cc, GasLimit: 10},
		{CodeHash: Hash256{0xc2}, Code: []byte("revert"), Contract: contract, GasLimit: 10},
	}
	resp, err := rt.Execute(ctx, ExecuteRequest{Calls: calls, State: state})
	if err != nil {
		t.Fatal(err)
	}
	keyA, keyB := StateKey(contract, []byte("a")), StateKey(contract, []byte("b"))
	ctxEvent := Event{Name: "context", Data: []byte("7 abcd 2026-05-01T12:00:00.000000005Z ca11 5eed c100")}
	write := []Write{{Key: StateKey(contract, []byte("caller")), Value: cc.Caller[:]}}
	want := []Result{
		{Status: StatusOK, Output: []byte("hi a=1/true b=/false"), GasUsed: 1, Writes: write, Events: []Event{ctxEvent},
			ReadSet: []Read{{Key: keyA, Found: true, ValueHash: sha256.Sum256([]byte("1"))}, {Key: keyB}}},
		{Status: StatusOK, Output: []byte("hi b=/false"), GasUsed: 1, Writes: write, Events: []Event{ctxEvent}, ReadSet: []Read{{Key: keyB}}},
		{Status: StatusReverted, GasUsed: 1, Error: "echo: reverted"},
	}
	if !reflect.DeepEqual(resp.Results, want) {
		t.Errorf("results =\n%+v\nwant\n%+v", resp.Results, want)
	}
	if got, want := state.served(), []string{string(keyA), string(keyB), string(keyB)}; !reflect.DeepEqual(got, want) {
		t.Errorf("the node served %q, want %q", got, want)
	}

	if resp, err := rt.Execute(ctx, ExecuteRequest{State: state}); err != nil || len(resp.Results) != 0 {
		t.Errorf("empty batch: %d results, %v", len(resp.Results), err)
	}
	if resp, err := rt.Execute(ctx, ExecuteRequest{Calls: calls[2:]}); err != nil || len(resp.Results) != 1 {
		t.Errorf("a batch that reads nothing, without a state reader: %d results, %v", len(resp.Results), err)
	}
	_, err = rt.Execute(ctx, ExecuteRequest{Calls: calls[:1]})
	if err == nil || !strings.Contains(err.Error(), "no state reader") {
		t.Errorf("a batch that reads without a state reader: err = %v", err)
	}
}

func TestAFailingNodeStateReaderFailsTheBatch(t *testing.T) {
	rt, _ := configured(t)
	state := &mapState{err: errors.New("snapshot 7 was pruned")}
	_, err := rt.Execute(callCtx(t), ExecuteRequest{State: state, Calls: []Call{{Input: []byte("k"), GasLimit: 1}}})
	if err == nil || !strings.Contains(err.Error(), "snapshot 7 was pruned") {
		t.Errorf("err = %v, want the node's read error", err)
	}
}

func TestConcurrentBatchesEachReadTheirOwnSnapshot(t *testing.T) {
	rt, _ := configured(t)
	ctx := callCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			state := &mapState{m: map[string][]byte{string(StateKey(AccountID{}, []byte("k"))): fmt.Appendf(nil, "v%d", i)}}
			resp, err := rt.Execute(ctx, ExecuteRequest{State: state, Calls: []Call{{Input: []byte("k"), GasLimit: 1}}})
			if err == nil && string(resp.Results[0].Output) != fmt.Sprintf("hi k=v%d/true", i) {
				err = fmt.Errorf("batch %d read %q", i, resp.Results[0].Output)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestBatchesTooLargeFailBeforeAnythingIsSent(t *testing.T) {
	rt, _ := configured(t)
	ctx := callCtx(t)
	_, err := rt.Execute(ctx, ExecuteRequest{Calls: make([]Call, MaxBatchCalls+1)})
	if !errors.Is(err, ErrBatchTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("%d calls, more than MaxBatchCalls", MaxBatchCalls+1)) {
		t.Errorf("too many calls: err = %v", err)
	}
	big := make([]byte, plugin.MaxMessageSize/2+1)
	_, err = rt.Execute(ctx, ExecuteRequest{Calls: []Call{{Input: big}, {Input: big, CodeHash: Hash256{1}}}})
	if !errors.Is(err, ErrBatchTooLarge) || !strings.Contains(err.Error(), "more than the 67108864 one message may carry") {
		t.Errorf("too many bytes: err = %v", err)
	}
	_, err = rt.Execute(ctx, ExecuteRequest{Calls: []Call{{Code: []byte("a")}, {Code: []byte("b")}}})
	if err == nil || !strings.Contains(err.Error(), "calls 0 and 1 have code hash") {
		t.Errorf("two codes under one hash: err = %v", err)
	}
}

func TestABatchThatRunsIntoTheDeadlineFailsAndTheNextOneWorks(t *testing.T) {
	rt, _ := configured(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	state := &mapState{}
	_, err := rt.Execute(ctx, ExecuteRequest{State: state, Calls: []Call{{Code: []byte("slow"), GasLimit: 1}}})
	if err == nil || !strings.Contains(err.Error(), "DeadlineExceeded") {
		t.Errorf("err = %v, want the deadline", err)
	}
	resp, err := rt.Execute(callCtx(t), ExecuteRequest{State: state, Calls: []Call{{Input: []byte("k"), GasLimit: 1}}})
	if err != nil || string(resp.Results[0].Output) != "hi k=/false" {
		t.Errorf("the next batch: %+v, %v", resp.Results, err)
	}
}

func TestPluginOfAnotherProtocolMajorGivesVersionMismatchError(t *testing.T) {
	// A node that speaks only major 2 launches the echo plugin, which speaks
	// 1: the same handshake a v1 node sees from a v2-only plugin.
	host := plugin.Protocol{Kind: plugin.KindVM, Plugins: map[int]goplugin.PluginSet{2: {string(plugin.KindVM): &grpcPlugin{}}}}
	c, _ := launch(t, host)
	_, err := dispense(host, c, "echo")
	var mismatch *plugin.VersionMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v (%T), want a *plugin.VersionMismatchError", err, err)
	}
	if !reflect.DeepEqual(mismatch.PluginVersions, []int{1}) || !reflect.DeepEqual(mismatch.HostVersions, []int{2}) ||
		mismatch.Kind != plugin.KindVM || mismatch.Plugin != "echo" {
		t.Errorf("mismatch = %+v", mismatch)
	}
	const wantMsg = `vm plugin "echo" speaks vm protocol v1, this node speaks v2: the plugin is older than the node; install a release of the plugin built against an SDK for vm protocol v2, or run a node release that still speaks v1`
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
	for _, want := range []string{`vm plugin "echo"`, "stdout before the handshake", `"starting echo runtime"`, "log to stderr"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
}

func TestPluginLaunchedAsAnotherKindExitsNamingBothKinds(t *testing.T) {
	asGateway := plugin.Protocol{Kind: plugin.KindGateway, Plugins: Protocol().Plugins}
	c, logs := launch(t, asGateway)
	if _, err := dispense(asGateway, c, "echo"); err == nil {
		t.Fatal("a vm plugin launched as a gateway started")
	}
	c.Kill() // waits for go-plugin to copy the plugin's stderr into the log
	const want = "this binary is a vm plugin, but the node launched it as a gateway plugin"
	if !strings.Contains(logs.String(), want) {
		t.Errorf("host log lacks %q:\n%s", want, logs)
	}
}
