package gatewaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/gateway"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
)

// NewGateway returns a fresh, unconfigured gateway. Each check calls it
// with its own subtest (some checks twice, to see what survives a
// restart), so a gateway's resources (a plugin process) can be released
// with t.Cleanup.
type NewGateway func(t *testing.T) gateway.Gateway

// Backend is a fresh external system for one check.
type Backend struct {
	// Config is the operator config that points a gateway at this backend.
	Config json.RawMessage
	// AddDeposit makes a confirmed deposit appear in the backend, after all
	// earlier ones. Its Cursor is empty; the gateway assigns cursors.
	AddDeposit func(t *testing.T, d gateway.Deposit)
	// Payouts, if set, returns how many payouts the backend has made, so
	// the suite can check that a repeated Redeem pays nothing.
	Payouts func(t *testing.T) int
}

// Suite describes the gateway under test. NewBackend is required.
type Suite struct {
	// NewBackend sets up a fresh external system for one check; dataDir is
	// the data directory the suite configures gateways of this backend
	// with.
	NewBackend func(t *testing.T, dataDir string) Backend
	// InvalidConfigs are configs the gateway must refuse, checked besides
	// the suite's own: bytes that are not JSON, a JSON array, and the
	// Backend's config with a key no gateway defines (UnknownKey).
	InvalidConfigs []json.RawMessage
	// Currency of the deposits and redemptions (default "CNY").
	Currency string
	// Account is the ledger account deposits go to and redemptions come
	// from (default an address of the right form).
	Account string
	// Destination is the external account redemptions pay (default
	// "gatewaytest-destination").
	Destination string
}

// UnknownKey is the config key of the suite's own invalid config: no
// gateway defines it, and a gateway must refuse keys it does not know.
const UnknownKey = "gatewaytest_no_such_key"

// Run runs the suite s against gateways from newGateway, in process.
func Run(t *testing.T, newGateway NewGateway, s Suite) {
	t.Helper()
	s.Run(t, newGateway)
}

// RunBinary runs the suite s against the gateway plugin binary at path,
// launching one process per gateway as the node does (see Launch).
func RunBinary(t *testing.T, path string, s Suite) {
	t.Helper()
	s.RunBinary(t, path)
}

// RunBinary runs the suite against the gateway plugin binary at path.
func (s Suite) RunBinary(t *testing.T, path string) {
	t.Helper()
	s.Run(t, func(t *testing.T) gateway.Gateway { return Launch(t, path) })
}

// Run runs every check as a subtest of t.
func (s Suite) Run(t *testing.T, newGateway NewGateway) {
	t.Helper()
	if s.NewBackend == nil {
		t.Fatal("gatewaytest: Suite.NewBackend is nil: give the suite a test double of the gateway's external system")
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(t, s, newGateway); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A check returns every contract violation it finds, joined.
type check struct {
	name string
	run  func(t *testing.T, s Suite, newGateway NewGateway) error
}

var checks = []check{
	{"InfoIsWellFormed", checkInfo},
	{"ConfigureAcceptsValidConfig", checkConfigureValid},
	{"ConfigureRefusesInvalidConfig", checkConfigureInvalid},
	{"WatchDeliversDepositsInOrder", checkWatchInOrder},
	{"WatchResumesAfterACursor", checkWatchResumes},
	{"WatchEndsWhenCancelled", checkWatchCancel},
	{"RedeemIsIdempotent", checkRedeemIdempotent},
	{"RedeemRefusesBadRequests", checkRedeemBadRequests},
}

func (s Suite) currency() string    { return or(s.Currency, "CNY") }
func (s Suite) account() string     { return or(s.Account, "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh") }
func (s Suite) destination() string { return or(s.Destination, "gatewaytest-destination") }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// env is one check's backend and data directory; every gateway of the
// check is configured with both, so a second one plays a restart.
type env struct {
	s       Suite
	dataDir string
	backend Backend
	added   int
}

func (s Suite) setup(t *testing.T) *env {
	dir := t.TempDir()
	return &env{s: s, dataDir: dir, backend: s.NewBackend(t, dir)}
}

func (e *env) request(config json.RawMessage) gateway.ConfigureRequest {
	return gateway.ConfigureRequest{APIMinor: gateway.APIMinor, Config: config, ChainID: "gatewaytest", DataDir: e.dataDir}
}

// gateway returns a fresh gateway configured for the backend.
func (e *env) gateway(t *testing.T, newGateway NewGateway) (gateway.Gateway, error) {
	gw := newGateway(t)
	if err := configure(gw, e.request(e.backend.Config)); err != nil {
		return nil, fmt.Errorf("Configure with the backend's config: %w", err)
	}
	return gw, nil
}

var amounts = []string{"1", "2.5", "0.000001", "12345.67", "100"}

// deposit makes the next deposit appear in the backend and returns it.
func (e *env) deposit(t *testing.T) gateway.Deposit {
	e.added++
	d := gateway.Deposit{ExternalID: fmt.Sprintf("gatewaytest-%d", e.added), To: e.s.account(), Currency: e.s.currency(), Amount: amounts[e.added%len(amounts)]}
	e.backend.AddDeposit(t, d)
	return d
}

func (e *env) payouts(t *testing.T) (int, bool) {
	if e.backend.Payouts == nil {
		return 0, false
	}
	return e.backend.Payouts(t), true
}

func checkInfo(t *testing.T, s Suite, newGateway NewGateway) error {
	gw := newGateway(t)
	info, err := getInfo(gw)
	if err != nil {
		return err
	}
	_, wire := gw.(*gateway.Client)
	errs := plugin.CheckInfo(info, plugin.InfoRules{
		Kind: plugin.KindGateway, APIMajor: gateway.APIMajor, APIMinor: gateway.APIMinor, Wire: wire, Noun: "gateway",
	})
	if p, ok := gw.(gateway.ConfigSchemaProvider); ok {
		schema, err := configSchema(p)
		if err == nil {
			err = plugintest.CheckConfigSchema(schema)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	// A client implements Reserves whatever the plugin does; ask only a
	// plugin that declares it.
	if r, ok := gw.(gateway.ReservesReporter); ok && (!wire || info.HasCapability(gateway.CapReserves)) {
		e := s.setup(t)
		if err := configure(gw, e.request(e.backend.Config)); err != nil {
			return errors.Join(append(errs, fmt.Errorf("Configure with the backend's config: %w", err))...)
		}
		resp, err := reserves(r)
		if err == nil {
			err = resp.Validate()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("Reserves: %w", err))
		}
	}
	return errors.Join(errs...)
}

func checkConfigureValid(t *testing.T, s Suite, newGateway NewGateway) error {
	_, err := s.setup(t).gateway(t, newGateway)
	return err
}

func checkConfigureInvalid(t *testing.T, s Suite, newGateway NewGateway) error {
	e := s.setup(t)
	unknown, err := withKey(e.backend.Config, UnknownKey)
	if err != nil {
		return err
	}
	type invalid struct {
		what   string
		config json.RawMessage
	}
	cases := []invalid{
		{"config that is not JSON", json.RawMessage(`{"`)},
		{"config that is a JSON array", json.RawMessage(`[]`)},
		{fmt.Sprintf("the backend's config with the unknown key %q", UnknownKey), unknown},
	}
	for i, c := range s.InvalidConfigs {
		cases = append(cases, invalid{fmt.Sprintf("Suite.InvalidConfigs[%d] %s", i, c), c})
	}
	var errs []error
	for _, c := range cases {
		gw := newGateway(t)
		err := configure(gw, e.request(c.config))
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("Configure accepted %s: it must refuse it with an error that names the problem", c.what))
		case errors.Is(err, errPanicked):
			errs = append(errs, fmt.Errorf("Configure with %s: %w", c.what, err))
		default:
			t.Logf("Configure with %s: %v", c.what, err)
			if err := alive(gw); err != nil {
				errs = append(errs, fmt.Errorf("after refusing %s: %w", c.what, err))
			}
		}
	}
	return errors.Join(errs...)
}

// withKey returns config (a JSON object, or empty) with key set.
func withKey(config json.RawMessage, key string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if t := bytes.TrimSpace(config); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, fmt.Errorf("the backend's config is not a JSON object: %w", err)
		}
	}
	m[key] = json.RawMessage("true")
	return json.Marshal(m)
}

func checkWatchInOrder(t *testing.T, s Suite, newGateway NewGateway) error {
	e := s.setup(t)
	want := []gateway.Deposit{e.deposit(t), e.deposit(t), e.deposit(t)}
	gw, err := e.gateway(t, newGateway)
	if err != nil {
		return err
	}
	w := startWatch(t, gw, "")
	if _, err := w.expect(want, "from the start"); err != nil {
		return err
	}
	// And new deposits as they are made.
	if _, err := w.expect([]gateway.Deposit{e.deposit(t)}, "made while watching"); err != nil {
		return err
	}
	return w.stop()
}

func checkWatchResumes(t *testing.T, s Suite, newGateway NewGateway) error {
	e := s.setup(t)
	gw, err := e.gateway(t, newGateway)
	if err != nil {
		return err
	}
	w := startWatch(t, gw, "")
	seen, err := w.expect([]gateway.Deposit{e.deposit(t), e.deposit(t), e.deposit(t)}, "from the start")
	if err != nil {
		return err
	}
	if err := w.stop(); err != nil {
		return err
	}
	// From each cursor, on a fresh gateway as after a restart: the deposits
	// after it, then (to prove nothing else comes first) a new one. The
	// last pass starts from the newest cursor, where only the new one may
	// come.
	for _, k := range []int{0, 1, 2, -1} {
		if k < 0 {
			k = len(seen) - 1
		}
		gw, err := e.gateway(t, newGateway)
		if err != nil {
			return err
		}
		from := seen[k]
		w := startWatch(t, gw, from.Cursor)
		what := fmt.Sprintf("from the cursor %q of %s", from.Cursor, from.ExternalID)
		if _, err := w.expect(seen[k+1:], what); err != nil {
			return err
		}
		fresh, err := w.expect([]gateway.Deposit{e.deposit(t)}, what+", made while watching")
		if err != nil {
			return err
		}
		seen = append(seen, fresh...)
		if err := w.stop(); err != nil {
			return err
		}
	}
	return nil
}

func checkWatchCancel(t *testing.T, s Suite, newGateway NewGateway) error {
	e := s.setup(t)
	gw, err := e.gateway(t, newGateway)
	if err != nil {
		return err
	}
	// Cancelled while it waits for a first deposit.
	if err := startWatch(t, gw, "").stop(); err != nil {
		return fmt.Errorf("with no deposits: %w", err)
	}
	// Cancelled after it delivered one, then watched again.
	d := e.deposit(t)
	for i := range 2 {
		w := startWatch(t, gw, "")
		if _, err := w.expect([]gateway.Deposit{d}, fmt.Sprintf("watch %d from the start", i+1)); err != nil {
			return err
		}
		if err := w.stop(); err != nil {
			return fmt.Errorf("after a deposit: %w", err)
		}
	}
	return alive(gw)
}

func (s Suite) redemption(id string) gateway.RedeemRequest {
	return gateway.RedeemRequest{RedemptionID: id, From: s.account(), TxHash: id, Currency: s.currency(), Amount: "7.25", Destination: s.destination()}
}

func checkRedeemIdempotent(t *testing.T, s Suite, newGateway NewGateway) error {
	e := s.setup(t)
	gw, err := e.gateway(t, newGateway)
	if err != nil {
		return err
	}
	var errs []error
	wantPayouts := func(n int, when string) {
		if got, ok := e.payouts(t); ok && got != n {
			errs = append(errs, fmt.Errorf("%s the backend made %d payouts, want %d", when, got, n))
		}
	}
	r1, r2, r3 := s.redemption("GATEWAYTEST-R1"), s.redemption("GATEWAYTEST-R2"), s.redemption("GATEWAYTEST-R3")
	first, err := redeem(gw, r1)
	if err != nil {
		return fmt.Errorf("Redeem %s: %w", r1.RedemptionID, err)
	}
	if first.ExternalRef == "" {
		errs = append(errs, fmt.Errorf("Redeem %s gave an empty external reference", r1.RedemptionID))
	}
	again, err := redeem(gw, r1)
	if err != nil || again != first {
		errs = append(errs, fmt.Errorf("Redeem %s again gave %+v, %v; want the first answer %+v", r1.RedemptionID, again, err, first))
	}
	wantPayouts(1, "after redeeming one id twice")
	second, err := redeem(gw, r2)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("Redeem %s: %w", r2.RedemptionID, err))...)
	}
	if second.ExternalRef == first.ExternalRef {
		errs = append(errs, fmt.Errorf("redemptions %s and %s got the same reference %q", r1.RedemptionID, r2.RedemptionID, first.ExternalRef))
	}
	wantPayouts(2, "after a second id")

	// The node retries a redemption whose answer it did not get, possibly
	// while the first attempt still runs.
	const n = 8
	answers := make([]gateway.RedeemResponse, n)
	failures := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], failures[i] = redeem(gw, r3)
		}()
	}
	wg.Wait()
	for i := range n {
		if failures[i] != nil || answers[i] != answers[0] {
			errs = append(errs, fmt.Errorf("%d concurrent Redeem %s: attempt %d gave %+v, %v; attempt 0 gave %+v", n, r3.RedemptionID, i, answers[i], failures[i], answers[0]))
			break
		}
	}
	wantPayouts(3, fmt.Sprintf("after %d concurrent tries of a third id", n))

	// A restarted gateway remembers.
	gw2, err := e.gateway(t, newGateway)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, r := range []struct {
		req  gateway.RedeemRequest
		want gateway.RedeemResponse
	}{{r1, first}, {r2, second}} {
		got, err := redeem(gw2, r.req)
		if err != nil || got != r.want {
			errs = append(errs, fmt.Errorf("a fresh gateway with the same data directory and backend answered Redeem %s with %+v, %v; want %+v: idempotency must survive a restart",
				r.req.RedemptionID, got, err, r.want))
		}
	}
	wantPayouts(3, "after redeeming the same ids on a fresh gateway")
	return errors.Join(errs...)
}

func checkRedeemBadRequests(t *testing.T, s Suite, newGateway NewGateway) error {
	e := s.setup(t)
	gw, err := e.gateway(t, newGateway)
	if err != nil {
		return err
	}
	good := s.redemption("GATEWAYTEST-BAD")
	with := func(f func(r *gateway.RedeemRequest)) gateway.RedeemRequest {
		r := good
		f(&r)
		return r
	}
	bad := []struct {
		what string
		req  gateway.RedeemRequest
	}{
		{"an empty redemption id", with(func(r *gateway.RedeemRequest) { r.RedemptionID = "" })},
		{"an empty amount", with(func(r *gateway.RedeemRequest) { r.Amount = "" })},
		{"the amount abc", with(func(r *gateway.RedeemRequest) { r.Amount = "abc" })},
		{"the amount -1", with(func(r *gateway.RedeemRequest) { r.Amount = "-1" })},
		{"the amount 0", with(func(r *gateway.RedeemRequest) { r.Amount = "0" })},
		{"the amount 1e9", with(func(r *gateway.RedeemRequest) { r.Amount = "1e9" })},
		{"an empty destination", with(func(r *gateway.RedeemRequest) { r.Destination = "" })},
		{"an empty source account", with(func(r *gateway.RedeemRequest) { r.From = "" })},
		{"the native currency SWT", with(func(r *gateway.RedeemRequest) { r.Currency = "SWT" })},
		{"an empty currency", with(func(r *gateway.RedeemRequest) { r.Currency = "" })},
	}
	var errs []error
	for _, b := range bad {
		_, err := redeem(gw, b.req)
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("Redeem with %s succeeded: it must refuse it (call RedeemRequest.Validate first)", b.what))
		case errors.Is(err, errPanicked):
			errs = append(errs, fmt.Errorf("Redeem with %s: %w", b.what, err))
		}
	}
	if got, ok := e.payouts(t); ok && got != 0 {
		errs = append(errs, fmt.Errorf("after refused redemptions the backend made %d payouts", got))
	}
	if err := alive(gw); err != nil {
		return errors.Join(append(errs, err)...)
	}
	if _, err := redeem(gw, good); err != nil {
		errs = append(errs, fmt.Errorf("a good Redeem after the bad ones: %w", err))
	}
	return errors.Join(errs...)
}

// Calls into the gateway, each under a deadline, with a panic of an
// in-process gateway turned into an error wrapping errPanicked. (A plugin
// that panics dies; alive notices.)

// waitBound bounds every wait for the gateway: for a call, for a deposit,
// and for WatchDeposits to return after its cancellation.
var waitBound = 10 * time.Second

var errPanicked = errors.New("panicked")

func guard(method string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s %w: %v\n%s", method, errPanicked, r, debug.Stack())
	}
}

func getInfo(gw gateway.Gateway) (info plugin.Info, err error) {
	defer guard("Info", &err)
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	info, err = gw.Info(ctx)
	if err != nil {
		err = fmt.Errorf("Info: %w", err)
	}
	return info, err
}

func configSchema(p gateway.ConfigSchemaProvider) (schema []byte, err error) {
	defer guard("ConfigSchema", &err)
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	schema, err = p.ConfigSchema(ctx)
	if err != nil {
		err = fmt.Errorf("ConfigSchema: %w", err)
	}
	return schema, err
}

func configure(gw gateway.Gateway, req gateway.ConfigureRequest) (err error) {
	defer guard("Configure", &err)
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	_, err = gw.Configure(ctx, req)
	return err
}

func redeem(gw gateway.Gateway, req gateway.RedeemRequest) (resp gateway.RedeemResponse, err error) {
	defer guard("Redeem", &err)
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	return gw.Redeem(ctx, req)
}

func reserves(r gateway.ReservesReporter) (resp gateway.ReservesResponse, err error) {
	defer guard("Reserves", &err)
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	return r.Reserves(ctx, gateway.ReservesRequest{})
}

// alive reports whether the gateway still answers: a plugin that crashed
// while refusing something fails here.
func alive(gw gateway.Gateway) error {
	if _, err := getInfo(gw); err != nil {
		return fmt.Errorf("the gateway no longer answers (did the plugin crash?): %w", err)
	}
	return nil
}
