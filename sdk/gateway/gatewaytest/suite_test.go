package gatewaytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/gateway"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// echoBin is sdk/gateway's testdata/echo plugin, built by TestMain: a wire
// fixture whose deposits are made up from its config, which lets the tests
// see the suite judge a real plugin process.
var echoBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "gatewaytest")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		echoBin = filepath.Join(dir, "echo")
		if out, err := exec.Command("go", "build", "-o", echoBin, "../testdata/echo").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build testdata/echo: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// bank is the toy's external system: deposits in order, and the payouts
// made, keyed by redemption id (the toy keeps its idempotency record here,
// as a real gateway may keep it in its external system).
type bank struct {
	mu       sync.Mutex
	deposits []gateway.Deposit
	changed  chan struct{} // closed and replaced on every new deposit
	closed   chan struct{} // closed when the test ends
	paid     map[string]string
	payouts  int
}

// banks are the backends of the running tests, by name.
var banks sync.Map

func newBackend(t *testing.T, dataDir string) Backend {
	b := &bank{changed: make(chan struct{}), closed: make(chan struct{}), paid: map[string]string{}}
	banks.Store(dataDir, b)
	t.Cleanup(func() { close(b.closed); banks.Delete(dataDir) })
	config, _ := json.Marshal(map[string]string{"bank": dataDir})
	return Backend{
		Config: config,
		AddDeposit: func(_ *testing.T, d gateway.Deposit) {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.deposits = append(b.deposits, d)
			close(b.changed)
			b.changed = make(chan struct{})
		},
		Payouts: func(*testing.T) int {
			b.mu.Lock()
			defer b.mu.Unlock()
			return b.payouts
		},
	}
}

// toy is a minimal conforming gateway over a bank; its cursor is the
// number of deposits delivered. A flaw breaks one rule of the contract.
type toy struct {
	gateway.UnimplementedGateway
	flaw string
	bank *bank
	paid map[string]string // the "memory-only" flaw's record
}

func (g *toy) Info(context.Context) (plugin.Info, error) {
	info := plugin.Info{Name: "toy", Version: "1.0.0"}
	if g.flaw == "info" {
		info.Version = "latest"
	}
	return info, nil
}

func (g *toy) Configure(_ context.Context, req gateway.ConfigureRequest) (gateway.ConfigureResponse, error) {
	var cfg struct {
		Bank string `json:"bank"`
	}
	if g.flaw == "config" {
		if err := json.Unmarshal(req.Config, &cfg); err != nil { // ignores keys it does not know
			return gateway.ConfigureResponse{}, err
		}
	} else if err := req.Decode(&cfg); err != nil {
		return gateway.ConfigureResponse{}, err
	}
	b, ok := banks.Load(cfg.Bank)
	if !ok {
		return gateway.ConfigureResponse{}, fmt.Errorf("toy: no bank %q", cfg.Bank)
	}
	g.bank, g.paid = b.(*bank), map[string]string{}
	return gateway.ConfigureResponse{}, nil
}

func (g *toy) WatchDeposits(ctx context.Context, req gateway.WatchRequest, out gateway.DepositSink) error {
	next := 0
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil {
			return fmt.Errorf("toy: bad cursor %q", req.Cursor)
		}
		switch g.flaw {
		case "from-start":
		case "inclusive":
			next = n - 1
		default:
			next = n
		}
	}
	for first := true; ; first = false {
		g.bank.mu.Lock()
		todo := slices.Clone(g.bank.deposits[next:])
		changed := g.bank.changed
		g.bank.mu.Unlock()
		if g.flaw == "reverse" && first {
			slices.Reverse(todo)
		}
		for i, d := range todo {
			d.Cursor = strconv.Itoa(next + i + 1)
			if g.flaw == "bad-cursor" {
				d.Cursor = ""
			}
			if err := out.Send(ctx, d); err != nil {
				return err
			}
		}
		next += len(todo)
		if g.flaw == "no-tail" {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			if g.flaw == "ignore-cancel" {
				<-g.bank.closed
			}
			if g.flaw == "cancel-error" {
				return errors.New("toy: stopped")
			}
			return ctx.Err()
		}
	}
}

func (g *toy) Redeem(_ context.Context, req gateway.RedeemRequest) (gateway.RedeemResponse, error) {
	if g.flaw == "panic" && gateway.CheckAmount(req.Amount) != nil {
		panic("toy: cannot parse amount " + req.Amount)
	}
	if g.flaw != "no-validate" {
		if err := req.Validate(); err != nil {
			return gateway.RedeemResponse{}, err
		}
	}
	g.bank.mu.Lock()
	defer g.bank.mu.Unlock()
	record := g.bank.paid
	if g.flaw == "memory-only" {
		record = g.paid
	}
	if ref, ok := record[req.RedemptionID]; ok && g.flaw != "pay-twice" {
		return gateway.RedeemResponse{ExternalRef: ref}, nil
	}
	g.bank.payouts++
	ref := fmt.Sprintf("toy-%d", g.bank.payouts)
	if g.flaw == "same-ref" {
		ref = "toy"
	}
	record[req.RedemptionID] = ref
	return gateway.RedeemResponse{ExternalRef: ref}, nil
}

func (g *toy) Reserves(context.Context, gateway.ReservesRequest) (gateway.ReservesResponse, error) {
	amount := "100"
	if g.flaw == "bad-reserves" {
		amount = "-5"
	}
	return gateway.ReservesResponse{Reserves: []gateway.Reserve{{Currency: "CNY", Amount: amount}}}, nil
}

var _ gateway.ReservesReporter = (*toy)(nil)

var toySuite = Suite{NewBackend: newBackend, InvalidConfigs: []json.RawMessage{json.RawMessage(`{"bank":""}`)}}

func TestToyGatewayConforms(t *testing.T) {
	toySuite.Run(t, func(*testing.T) gateway.Gateway { return &toy{} })
}

func TestSuiteCatchesEachFlaw(t *testing.T) {
	tests := []struct {
		flaw  string
		check func(*testing.T, Suite, NewGateway) error
	}{
		{"info", checkInfo},
		{"bad-reserves", checkInfo},
		{"config", checkConfigureInvalid},
		{"reverse", checkWatchInOrder},
		{"no-tail", checkWatchInOrder},
		{"bad-cursor", checkWatchInOrder},
		{"from-start", checkWatchResumes},
		{"inclusive", checkWatchResumes},
		{"ignore-cancel", checkWatchCancel},
		{"cancel-error", checkWatchCancel},
		{"pay-twice", checkRedeemIdempotent},
		{"same-ref", checkRedeemIdempotent},
		{"memory-only", checkRedeemIdempotent},
		{"no-validate", checkRedeemBadRequests},
		{"panic", checkRedeemBadRequests},
	}
	for _, tt := range tests {
		t.Run(tt.flaw, func(t *testing.T) {
			if tt.flaw == "ignore-cancel" {
				// The flaw hangs until the test ends; do not wait long for it.
				defer func(d time.Duration) { waitBound = d }(waitBound)
				waitBound = 200 * time.Millisecond
			}
			err := tt.check(t, toySuite, func(*testing.T) gateway.Gateway { return &toy{flaw: tt.flaw} })
			if err == nil {
				t.Fatal("the check passed a gateway with the flaw")
			}
			t.Logf("caught: %.300s", err)
		})
	}
}

func TestSuiteAgainstEchoPluginPassesWhatEchoKeepsAndCatchesWhatItBreaks(t *testing.T) {
	// Echo's deposits come from its config, not from a backend: the
	// backend can only say how many there are, so the deposit checks
	// cannot run, but the others can, over the wire.
	s := Suite{NewBackend: func(*testing.T, string) Backend {
		return Backend{Config: json.RawMessage(`{"currency":"CNY"}`), AddDeposit: func(t *testing.T, _ gateway.Deposit) { t.Fatal("echo takes no deposits") }}
	}}
	launch := func(t *testing.T) gateway.Gateway { return Launch(t, echoBin) }
	keeps := map[string]func(*testing.T, Suite, NewGateway) error{
		"info": checkInfo, "configure": checkConfigureValid, "invalid config": checkConfigureInvalid, "bad requests": checkRedeemBadRequests,
	}
	for name, c := range keeps {
		if err := c(t, s, launch); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Echo remembers payouts in memory only: a restarted echo pays again.
	err := checkRedeemIdempotent(t, s, launch)
	if err == nil || !strings.Contains(err.Error(), "idempotency must survive a restart") {
		t.Errorf("the idempotency check: %v, want it to catch echo forgetting on restart", err)
	}
}
