package gateway

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
		dir, err := os.MkdirTemp("", "gateway-plugin-test")
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

// configured launches the echo plugin and configures it with config.
func configured(t *testing.T, config string) *Client {
	t.Helper()
	c, logs := launch(t, Protocol())
	gw, err := Dispense(c, "echo")
	if err != nil {
		t.Fatalf("dispense: %v\nhost log:\n%s", err, logs)
	}
	if _, err := gw.Configure(callCtx(t), ConfigureRequest{APIMinor: APIMinor, ChainID: "jt-test", Config: []byte(config)}); err != nil {
		t.Fatal(err)
	}
	return gw
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// watch runs WatchDeposits from cursor in the background; take receives
// the next n deposits and stop cancels the watch and returns its error.
type watch struct {
	deposits chan Deposit
	cancel   context.CancelFunc
	done     chan error
}

func startWatch(t *testing.T, gw Gateway, cursor string) *watch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watch{deposits: make(chan Deposit), cancel: cancel, done: make(chan error, 1)}
	go func() {
		w.done <- gw.WatchDeposits(ctx, WatchRequest{Cursor: cursor}, SinkFunc(func(ctx context.Context, d Deposit) error {
			select {
			case w.deposits <- d:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	}()
	t.Cleanup(func() { w.stop(t) })
	return w
}

func (w *watch) take(t *testing.T, n int) []Deposit {
	t.Helper()
	var out []Deposit
	for len(out) < n {
		select {
		case d := <-w.deposits:
			out = append(out, d)
		case err := <-w.done:
			w.done <- err
			t.Fatalf("WatchDeposits returned after %d of %d deposits: %v", len(out), n, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("no deposit within 10s after %d of %d", len(out), n)
		}
	}
	return out
}

func (w *watch) stop(t *testing.T) error {
	t.Helper()
	w.cancel()
	select {
	case err := <-w.done:
		w.done <- err
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("WatchDeposits did not return within 10s of its cancellation")
		return nil
	}
}

func deposit(i int, cursor string) Deposit {
	return Deposit{ExternalID: fmt.Sprintf("dep-%d", i), To: "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh", Currency: "CNY", Amount: fmt.Sprintf("%d.5", i), Cursor: cursor}
}

func TestEchoPluginAnswersInfoConfigureAndReservesOverGRPC(t *testing.T) {
	c, logs := launch(t, Protocol())
	gw, err := Dispense(c, "echo")
	if err != nil {
		t.Fatalf("dispense: %v\nhost log:\n%s", err, logs)
	}
	ctx := callCtx(t)
	info, err := gw.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := plugin.Info{Kind: plugin.KindGateway, Name: "echo", Version: "0.1.0", APIMajor: APIMajor, APIMinor: APIMinor,
		Capabilities: []string{"echo.test", CapReserves}}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("Info = %+v, want %+v", info, want)
	}
	if schema, err := gw.ConfigSchema(ctx); err != nil || string(schema) != `{"type":"object"}` {
		t.Errorf("ConfigSchema = %q, %v", schema, err)
	}
	if _, err := gw.Configure(ctx, ConfigureRequest{}); err == nil || !strings.Contains(err.Error(), "chain id is empty") {
		t.Errorf("Configure without a chain id: err = %v, want the plugin's refusal", err)
	}
	if _, err := gw.Configure(ctx, ConfigureRequest{ChainID: "c", Config: []byte(`{"curency":"CNY"}`)}); err == nil || !strings.Contains(err.Error(), `unknown field "curency"`) {
		t.Errorf("Configure with a misspelt key: err = %v, want it named", err)
	}
	if _, err := gw.Configure(ctx, ConfigureRequest{ChainID: "c", Config: []byte(`{"currency":"CNY"}`)}); err != nil {
		t.Fatal(err)
	}
	reserves, err := gw.Reserves(ctx, ReservesRequest{})
	if err != nil || !reflect.DeepEqual(reserves.Reserves, []Reserve{{Currency: "CNY", Amount: "100"}}) {
		t.Errorf("Reserves = %+v, %v", reserves, err)
	}
}

func TestWatchDepositsStreamsFromTheCursorUntilCancelled(t *testing.T) {
	gw := configured(t, `{"deposits":3,"currency":"CNY"}`)
	w := startWatch(t, gw, "")
	if got, want := w.take(t, 3), []Deposit{deposit(1, "1"), deposit(2, "2"), deposit(3, "3")}; !reflect.DeepEqual(got, want) {
		t.Errorf("deposits = %+v, want %+v", got, want)
	}
	if err := w.stop(t); !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: err = %v, want context.Canceled", err)
	}

	w = startWatch(t, gw, "2")
	if got := w.take(t, 1); !reflect.DeepEqual(got, []Deposit{deposit(3, "3")}) {
		t.Errorf("from cursor 2: %+v", got)
	}
	if err := w.stop(t); !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: err = %v", err)
	}
}

func TestAMalformedDepositEndsTheWatchWithErrInvalidRequest(t *testing.T) {
	gw := configured(t, `{"deposits":1,"currency":"CNY","bad":true}`)
	w := startWatch(t, gw, "")
	w.take(t, 1)
	var err error
	select {
	case err = <-w.done:
		w.done <- err // for stop at cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("WatchDeposits went on after a malformed deposit")
	}
	if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), `amount "-1" is not a decimal`) {
		t.Errorf("err = %v, want ErrInvalidRequest naming the amount", err)
	}
}

func TestRedeemIsIdempotentAndErrorsKeepTheirKindAcrossTheWire(t *testing.T) {
	gw := configured(t, `{"currency":"CNY"}`)
	ctx := callCtx(t)
	req := RedeemRequest{RedemptionID: "R1", From: "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh", TxHash: "AB12", Currency: "CNY", Amount: "5", Destination: "acct-9"}
	first, err := gw.Redeem(ctx, req)
	if err != nil || !strings.HasPrefix(first.ExternalRef, "echo-R1-1-") {
		t.Fatalf("Redeem = %+v, %v", first, err)
	}
	if again, err := gw.Redeem(ctx, req); err != nil || again != first {
		t.Errorf("Redeem again = %+v, %v; want %+v", again, err, first)
	}

	bad := req
	bad.Amount = "five"
	if _, err := gw.Redeem(ctx, bad); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), `amount "five"`) {
		t.Errorf("bad amount: err = %v", err)
	}
	offline := req
	offline.RedemptionID, offline.Destination = "R2", "offline"
	if _, err := gw.Redeem(ctx, offline); !IsRetryable(err) || !strings.Contains(err.Error(), "the bank is offline") {
		t.Errorf("offline: err = %v, want a retryable one", err)
	}
	if _, err := gw.Redeem(ctx, RedeemRequest{}); IsRetryable(err) || !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("empty request: err = %v", err)
	}
}

func TestPluginOfAnotherProtocolMajorGivesVersionMismatchError(t *testing.T) {
	host := plugin.Protocol{Kind: plugin.KindGateway, Plugins: map[int]goplugin.PluginSet{2: {string(plugin.KindGateway): &grpcPlugin{}}}}
	c, _ := launch(t, host)
	_, err := dispense(host, c, "echo")
	var mismatch *plugin.VersionMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v (%T), want a *plugin.VersionMismatchError", err, err)
	}
	if !reflect.DeepEqual(mismatch.PluginVersions, []int{1}) || !reflect.DeepEqual(mismatch.HostVersions, []int{2}) ||
		mismatch.Kind != plugin.KindGateway || mismatch.Plugin != "echo" {
		t.Errorf("mismatch = %+v", mismatch)
	}
	const wantMsg = `gateway plugin "echo" speaks gateway protocol v1, this node speaks v2: the plugin is older than the node; install a release of the plugin built against an SDK for gateway protocol v2, or run a node release that still speaks v1`
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
	for _, want := range []string{`gateway plugin "echo"`, "stdout before the handshake", `"starting echo gateway"`, "log to stderr"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
}

func TestPluginLaunchedAsAnotherKindExitsNamingBothKinds(t *testing.T) {
	asVM := plugin.Protocol{Kind: plugin.KindVM, Plugins: Protocol().Plugins}
	c, logs := launch(t, asVM)
	if _, err := dispense(asVM, c, "echo"); err == nil {
		t.Fatal("a gateway plugin launched as a vm started")
	}
	c.Kill() // waits for go-plugin to copy the plugin's stderr into the log
	const want = "this binary is a gateway plugin, but the node launched it as a vm plugin"
	if !strings.Contains(logs.String(), want) {
		t.Errorf("host log lacks %q:\n%s", want, logs)
	}
}
