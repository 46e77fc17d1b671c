// Command echo is the gateway plugin the SDK's tests launch: a trivial
// gateway with made-up deposits and an in-memory payout record, so a test
// can check that every field crossed the wire. With -stdout-first it
// prints to stdout before serving, as a careless plugin would.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/jtchain/jtchain/sdk/gateway"
	"github.com/jtchain/jtchain/sdk/plugin"
)

type echo struct {
	gateway.UnimplementedGateway
	cfg struct {
		Deposits int    `json:"deposits"`
		Currency string `json:"currency"`
		Bad      bool   `json:"bad"` // end the deposits with a malformed one
	}
	mu   sync.Mutex
	paid map[string]string
}

func (e *echo) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "echo", Version: "0.1.0", Capabilities: []string{"echo.test"}}, nil
}

func (e *echo) ConfigSchema(context.Context) ([]byte, error) {
	return []byte(`{"type":"object"}`), nil
}

func (e *echo) Configure(_ context.Context, req gateway.ConfigureRequest) (gateway.ConfigureResponse, error) {
	if req.ChainID == "" {
		return gateway.ConfigureResponse{}, fmt.Errorf("chain id is empty")
	}
	e.paid = map[string]string{}
	return gateway.ConfigureResponse{}, req.Decode(&e.cfg)
}

// WatchDeposits sends deposits dep-1 ... dep-N (N from the config), each
// with its number as cursor, then waits for the node to cancel.
func (e *echo) WatchDeposits(ctx context.Context, req gateway.WatchRequest, out gateway.DepositSink) error {
	from := 0
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil {
			return fmt.Errorf("bad cursor %q", req.Cursor)
		}
		from = n
	}
	for i := from + 1; i <= e.cfg.Deposits; i++ {
		d := gateway.Deposit{ExternalID: fmt.Sprintf("dep-%d", i), To: "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh",
			Currency: e.cfg.Currency, Amount: fmt.Sprintf("%d.5", i), Cursor: strconv.Itoa(i)}
		if err := out.Send(ctx, d); err != nil {
			return err
		}
	}
	if e.cfg.Bad {
		if err := out.Send(ctx, gateway.Deposit{ExternalID: "bad", Amount: "-1"}); err != nil {
			return fmt.Errorf("echo: %w", err)
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

// Redeem pays each redemption id once per process (the record is in
// memory only), with reference "echo-<id>-<n>-<pid>"; destination
// "offline" fails retryably.
func (e *echo) Redeem(_ context.Context, req gateway.RedeemRequest) (gateway.RedeemResponse, error) {
	if req.Destination == "offline" {
		return gateway.RedeemResponse{}, gateway.Retryable(errors.New("echo: the bank is offline"))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.paid[req.RedemptionID]; !ok {
		e.paid[req.RedemptionID] = fmt.Sprintf("echo-%s-%d-%d", req.RedemptionID, len(e.paid)+1, os.Getpid())
	}
	return gateway.RedeemResponse{ExternalRef: e.paid[req.RedemptionID]}, nil
}

func (e *echo) Reserves(context.Context, gateway.ReservesRequest) (gateway.ReservesResponse, error) {
	return gateway.ReservesResponse{Reserves: []gateway.Reserve{{Currency: e.cfg.Currency, Amount: "100"}}}, nil
}

var (
	_ gateway.ReservesReporter     = (*echo)(nil)
	_ gateway.ConfigSchemaProvider = (*echo)(nil)
)

func main() {
	stdoutFirst := flag.Bool("stdout-first", false, "print to stdout before serving")
	flag.Parse()
	if *stdoutFirst {
		fmt.Println("starting echo gateway")
	}
	gateway.Serve(&echo{})
}
