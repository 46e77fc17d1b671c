package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/jtchain/jtchain/sdk/client"
)

func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "ws://127.0.0.1:5020", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ai, err := c.AccountInfo(ctx, "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh", client.SelectValidated)
	var apiErr *client.APIError
	switch {
	case errors.Is(err, client.ErrNotFound):
		fmt.Println("no such account")
	case errors.As(err, &apiErr):
		fmt.Println("the node said:", apiErr.Code, apiErr.Message)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Printf("balance %d drops, next sequence %d\n", ai.Balance, ai.Sequence)
	}
}

// Submitting a blob signed elsewhere and waiting for it on the transactions
// stream.
func ExampleClient_Subscribe() {
	ctx := context.Background()
	c, err := client.Dial(ctx, "ws://127.0.0.1:5020", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	const blob = "1200002200000000240000000161400000174281070068400000000000271073..." // signed elsewhere
	sub, err := c.Subscribe(ctx, []string{client.StreamTransactions}, nil)
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.Submit(ctx, blob)
	if err != nil {
		log.Fatal(err)
	}
	if res.Class() != "tes" {
		log.Fatalf("rejected: %s", res.EngineResult)
	}
	for m := range sub.C { // closed when c closes
		if m.Dropped > 0 {
			log.Printf("missed %d stream messages", m.Dropped)
		}
		if ev, err := m.Transaction(); err == nil && ev.Validated && ev.Hash == res.Hash {
			fmt.Println("validated:", ev.Result, "in ledger", ev.LedgerIndex)
			return
		}
	}
}

// Pipelining: requests started with Go from one goroutine go out in order,
// and the client bounds how many wait at once.
func ExampleClient_Go() {
	ctx := context.Background()
	c, err := client.Dial(ctx, "ws://127.0.0.1:5020", &client.Options{MaxInFlight: 512})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var calls []*client.Call
	for _, blob := range []string{"12...", "12..."} {
		calls = append(calls, c.Go(ctx, "submit", map[string]string{"tx_blob": blob}))
	}
	for _, call := range calls {
		raw, err := call.Wait()
		if err != nil {
			log.Print(err)
			continue
		}
		res, _ := client.DecodeSubmitResult(raw)
		fmt.Println(res.EngineResult)
	}
}
