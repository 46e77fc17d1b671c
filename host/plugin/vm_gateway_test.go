package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdkgateway "github.com/jtchain/jtchain/sdk/gateway"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
	sdkvm "github.com/jtchain/jtchain/sdk/vm"
)

// exampleInstance builds examples/<dir> and returns an instance config of
// kind for it with short timings, its own data directory and config.
func exampleInstance(t *testing.T, dir string, kind sdkplugin.Kind, config string) InstanceConfig {
	t.Helper()
	bin := filepath.Join(t.TempDir(), dir)
	if out, err := exec.Command("go", "build", "-o", bin, "../../examples/"+dir).CombinedOutput(); err != nil {
		t.Fatalf("build examples/%s: %v\n%s", dir, err, out)
	}
	sum, err := fileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	return InstanceConfig{
		Name:           dir,
		Kind:           kind,
		Path:           bin,
		SHA256:         sum,
		StartTimeout:   20 * time.Second,
		CallTimeout:    5 * time.Second,
		HealthInterval: 50 * time.Millisecond,
		Restart:        RestartPolicy{MaxAttempts: 3, BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond},
		Config:         json.RawMessage(config),
		DataDir:        t.TempDir(),
	}
}

// restartAfterKill9 kills the running plugin with SIGKILL and waits for
// the supervisor to have a new process ready.
func restartAfterKill9(t *testing.T, s *Supervisor) {
	t.Helper()
	gen, pid := s.Generation(), s.Status().PID
	kill9(t, pid)
	waitFor(t, 20*time.Second, "the plugin to be restarted", func() bool {
		return s.Generation() > gen && s.Status().State == StateReady
	})
}

// snapshot is a StateReader over a map.
type snapshot map[string][]byte

func (m snapshot) Get(_ context.Context, key []byte) ([]byte, bool, error) {
	v, ok := m[string(key)]
	return v, ok, nil
}

func TestVMExampleExecutesUnderTheSupervisorAndIsConfiguredAgainAfterKill9(t *testing.T) {
	s := newSup(t, exampleInstance(t, "vm-hello", sdkplugin.KindVM, `{"max_code_size": 16}`))
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := NewGateway(s, "jt-test"); err == nil {
		t.Error("a vm instance made a Gateway")
	}
	vm, err := NewVM(s, "jt-test")
	if err != nil {
		t.Fatal(err)
	}
	contract := sdkvm.AccountID{7}
	state := snapshot{string(sdkvm.StateKey(contract, []byte("balance"))): []byte("100")}
	calls := []sdkvm.Call{
		{CodeHash: sdkvm.Hash256{1}, Code: []byte("get balance"), Contract: contract, GasLimit: 100},
		{CodeHash: sdkvm.Hash256{2}, Code: []byte("put note"), Contract: contract, Input: []byte("hi"), GasLimit: 100},
	}
	check := func(when string) {
		t.Helper()
		ctx := ctxFor(t, 10*time.Second)
		info, err := vm.Info(ctx)
		if err != nil || info.Kind != sdkplugin.KindVM || info.Semantics != "hello/1" {
			t.Errorf("%s: Info = %+v, %v", when, info, err)
		}
		// The instance's config reached the plugin: 16 bytes of code at most.
		resp, err := vm.Validate(ctx, sdkvm.ValidateRequest{Code: []byte("get a-key-too-long-for-16-bytes")})
		if err != nil || resp.OK() {
			t.Errorf("%s: Validate of code over the configured limit = %+v, %v", when, resp, err)
		}
		res, err := vm.Execute(ctx, sdkvm.ExecuteRequest{Calls: calls, State: state})
		if err != nil {
			t.Fatalf("%s: Execute: %v", when, err)
		}
		if len(res.Results) != 2 || string(res.Results[0].Output) != "100" || len(res.Results[0].ReadSet) != 1 ||
			res.Results[1].Status != sdkvm.StatusOK || string(res.Results[1].Writes[0].Value) != "hi" {
			t.Errorf("%s: results = %+v", when, res.Results)
		}
	}
	check("first process")
	calls0 := s.Status().Calls
	restartAfterKill9(t, s)
	check("after kill -9")
	if st := s.Status(); st.Calls < calls0+3 || st.Restarts != 1 {
		t.Errorf("status = %+v, want the calls counted and one restart", st)
	}
}

// depositLine is a line of examples/gateway-minimal's deposits file.
func depositLine(id string) string {
	return fmt.Sprintf(`{"externalid": %q, "to": "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh", "currency": "CNY", "amount": "5"}`+"\n", id)
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = f.WriteString(text)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

// watch runs Gateway.WatchDeposits in the background, handing deposits
// over one at a time.
type watch struct {
	deposits chan sdkgateway.Deposit
	cancel   context.CancelFunc
	done     chan error
}

func startWatch(t *testing.T, g *Gateway, cursor string) *watch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watch{deposits: make(chan sdkgateway.Deposit), cancel: cancel, done: make(chan error, 1)}
	go func() {
		w.done <- g.WatchDeposits(ctx, sdkgateway.WatchRequest{Cursor: cursor}, sdkgateway.SinkFunc(func(ctx context.Context, d sdkgateway.Deposit) error {
			select {
			case w.deposits <- d:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	}()
	t.Cleanup(func() {
		cancel()
		<-w.done
	})
	return w
}

func (w *watch) next(t *testing.T) sdkgateway.Deposit {
	t.Helper()
	select {
	case d := <-w.deposits:
		return d
	case err := <-w.done:
		w.done <- err
		t.Fatalf("WatchDeposits returned: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("no deposit within 20s")
	}
	return sdkgateway.Deposit{}
}

func (w *watch) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-w.done:
		w.done <- err
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("WatchDeposits did not return within 20s")
		return nil
	}
}

func TestGatewayExampleWatchesInWindowsAcrossARestartAndRedeemsOnce(t *testing.T) {
	deposits := filepath.Join(t.TempDir(), "deposits.jsonl")
	cfg := exampleInstance(t, "gateway-minimal", sdkplugin.KindGateway, fmt.Sprintf(`{"deposits_file": %q}`, deposits))
	cfg.CallTimeout = 600 * time.Millisecond // windows of 300ms
	s := newSup(t, cfg)
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := NewVM(s, "jt-test"); err == nil {
		t.Error("a gateway instance made a VM")
	}
	gw, err := NewGateway(s, "jt-test")
	if err != nil {
		t.Fatal(err)
	}
	appendFile(t, deposits, depositLine("bank-1"))
	w := startWatch(t, gw, "")
	if d := w.next(t); d.ExternalID != "bank-1" || d.Cursor != "1" || d.Amount != "5" {
		t.Errorf("first deposit = %+v", d)
	}
	// Let the watch run through two more windows: ending them is no
	// timeout, and the next window must not deliver bank-1 again.
	calls := s.Status().Calls
	waitFor(t, 20*time.Second, "two more watch windows", func() bool { return s.Status().Calls >= calls+2 })
	appendFile(t, deposits, depositLine("bank-2"))
	if d := w.next(t); d.ExternalID != "bank-2" || d.Cursor != "2" {
		t.Errorf("after the windows: deposit = %+v, want bank-2 (and bank-1 only once)", d)
	}
	if st := s.Status(); st.Timeouts != 0 || st.State != StateReady {
		t.Errorf("status after the windows = %+v, want no timeouts and Ready", st)
	}

	// The plugin dies under the watch: the watch fails, and the node (this
	// test) watches again from its cursor once the plugin is back.
	restartAfterKill9(t, s)
	if err := w.wait(t); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("the watch over a killed plugin returned %v, want the failure", err)
	}
	appendFile(t, deposits, depositLine("bank-3"))
	w = startWatch(t, gw, "2")
	if d := w.next(t); d.ExternalID != "bank-3" {
		t.Errorf("after the restart: deposit = %+v, want bank-3", d)
	}
	w.cancel()
	if err := w.wait(t); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `"gateway-minimal"`) {
		t.Errorf("cancelled watch: err = %v", err)
	}

	ctx := ctxFor(t, 10*time.Second)
	req := sdkgateway.RedeemRequest{RedemptionID: "TX1", From: "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh", Currency: "CNY", Amount: "2.5", Destination: "acct-1"}
	first, err := gw.Redeem(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := gw.Redeem(ctx, req); err != nil || again != first {
		t.Errorf("Redeem again = %+v, %v; want %+v", again, err, first)
	}
	paid, _ := filepath.Glob(filepath.Join(cfg.DataDir, "payout-*"))
	if len(paid) != 1 {
		t.Errorf("payout files: %q, want one", paid)
	}
	req.Amount = "-1"
	if _, err := gw.Redeem(ctx, req); !errors.Is(err, sdkgateway.ErrInvalidRequest) || sdkgateway.IsRetryable(err) {
		t.Errorf("a bad redemption: err = %v, want ErrInvalidRequest, not retryable", err)
	}
	if _, err := gw.Reserves(ctx, sdkgateway.ReservesRequest{}); !errors.Is(err, sdkgateway.ErrUnimplemented) {
		t.Errorf("Reserves of a gateway without them: err = %v", err)
	}

	if err := s.Stop(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Redeem(ctx, sdkgateway.RedeemRequest{RedemptionID: "TX2", From: req.From, Currency: "CNY", Amount: "1", Destination: "a"}); !errors.Is(err, ErrNotRunning) || !sdkgateway.IsRetryable(err) {
		t.Errorf("Redeem of a stopped plugin: err = %v, want a retryable ErrNotRunning", err)
	}
}

func TestExampleConfigSchemasRefuseBadConfigAtStart(t *testing.T) {
	for _, tt := range []struct {
		dir    string
		kind   sdkplugin.Kind
		config string
		want   string
	}{
		{"vm-hello", sdkplugin.KindVM, `{"max_code_size": 0}`, "config /max_code_size"},
		{"gateway-minimal", sdkplugin.KindGateway, `{"deposits_file": "deposits.jsonl"}`, "config /deposits_file"},
		{"gateway-minimal", sdkplugin.KindGateway, `{}`, "deposits_file"},
	} {
		s := newSup(t, exampleInstance(t, tt.dir, tt.kind, tt.config))
		err := s.Start(ctxFor(t, 30*time.Second))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s with config %s: err = %v, want it to name %q", tt.dir, tt.config, err, tt.want)
		}
	}
}
