package main

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

	"github.com/jtchain/jtchain/sdk/gateway"
	"github.com/jtchain/jtchain/sdk/gateway/gatewaytest"
)

// bin is this example built as the node runs it, by TestMain.
var bin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "gateway-minimal")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "gateway-minimal")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// appendLine appends text to path as a deposit source would.
func appendLine(t *testing.T, path, text string) {
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

// backend is the example's external system: a deposits file, and the
// payout files in the data dir.
func backend(t *testing.T, dataDir string) gatewaytest.Backend {
	deposits := filepath.Join(t.TempDir(), "deposits.jsonl")
	config, _ := json.Marshal(map[string]string{"deposits_file": deposits})
	return gatewaytest.Backend{
		Config: config,
		AddDeposit: func(t *testing.T, d gateway.Deposit) {
			line, _ := json.Marshal(map[string]string{"externalid": d.ExternalID, "to": d.To, "currency": d.Currency, "amount": d.Amount})
			appendLine(t, deposits, string(line)+"\n")
		},
		Payouts: func(t *testing.T) int {
			paid, err := filepath.Glob(filepath.Join(dataDir, "payout-*"))
			if err != nil {
				t.Fatal(err)
			}
			return len(paid)
		},
	}
}

var suite = gatewaytest.Suite{
	NewBackend:     backend,
	InvalidConfigs: []json.RawMessage{json.RawMessage(`{"deposits_file": 5}`)},
}

func TestBinaryConforms(t *testing.T) { suite.RunBinary(t, bin) }

func TestConforms(t *testing.T) {
	suite.Run(t, func(*testing.T) gateway.Gateway { return &minimal{} })
}

func TestAHalfWrittenLineWaitsForItsNewline(t *testing.T) {
	deposits := filepath.Join(t.TempDir(), "deposits.jsonl")
	g := &minimal{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := g.Configure(ctx, gateway.ConfigureRequest{Config: []byte(fmt.Sprintf(`{"deposits_file": %q}`, deposits)), DataDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	line := func(id string) string {
		return fmt.Sprintf(`{"externalid": %q, "to": "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh", "currency": "CNY", "amount": "1"}`, id)
	}
	second := line("b-2")
	appendLine(t, deposits, line("b-1")+"\n"+second[:20])

	got := make(chan gateway.Deposit)
	done := make(chan error, 1)
	go func() {
		done <- g.WatchDeposits(ctx, gateway.WatchRequest{}, gateway.SinkFunc(func(ctx context.Context, d gateway.Deposit) error {
			if err := d.Validate(); err != nil {
				return err
			}
			select {
			case got <- d:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	}()
	next := func() gateway.Deposit {
		t.Helper()
		select {
		case d := <-got:
			return d
		case err := <-done:
			t.Fatalf("WatchDeposits ended: %v", err)
		}
		return gateway.Deposit{}
	}
	if d := next(); d.ExternalID != "b-1" || d.Cursor != "1" {
		t.Errorf("first deposit = %+v", d)
	}
	// A deposit read from the half line would have failed to parse and
	// ended the watch; completed, it arrives whole.
	appendLine(t, deposits, second[20:]+"\n"+line("b-3")+"\n")
	for _, want := range []string{"b-2", "b-3"} {
		if d := next(); d.ExternalID != want || !strings.HasPrefix(d.To, "jHb9") {
			t.Errorf("deposit = %+v, want %s", d, want)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v", err)
	}
}
