package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/sdk/client"
)

// defaultURL is where jtd serves its public WebSocket API by default
// (Jingtum's port, spec/jingtum-wire.md §3).
const defaultURL = "ws://127.0.0.1:5020"

// nodeFlags are the flags of every command that talks to a node.
type nodeFlags struct {
	url     string
	timeout time.Duration
}

func addNodeFlags(c *cobra.Command, nf *nodeFlags) {
	url := defaultURL
	if env := os.Getenv("JT_URL"); env != "" {
		url = env
	}
	c.Flags().StringVar(&nf.url, "url", url, "node WebSocket API URL (env JT_URL)")
	c.Flags().DurationVar(&nf.timeout, "timeout", 10*time.Second, "how long to wait for the node to answer each request")
}

// dial connects to the node with a message that says what to check when it
// fails.
func (nf *nodeFlags) dial(ctx context.Context, opts *client.Options) (*client.Client, error) {
	if nf.timeout <= 0 {
		return nil, usageError{fmt.Errorf("--timeout must be positive")}
	}
	var o client.Options
	if opts != nil {
		o = *opts
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = nf.timeout
	}
	dctx, cancel := context.WithTimeout(ctx, nf.timeout)
	defer cancel()
	c, err := client.Dial(dctx, nf.url, &o)
	if err != nil {
		return nil, fmt.Errorf("cannot reach a node at %s: %w\n(is jtd running? set --url or JT_URL)", nf.url, errors.Unwrap(err))
	}
	return c, nil
}

// requestCtx bounds one request by --timeout.
func (nf *nodeFlags) requestCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, nf.timeout)
}

// keyPairFromSecret reads --secret, or JT_SECRET when the flag is empty, so
// that the secret need not appear in the process list or shell history.
func keyPairFromSecret(secret string) (crypto.KeyPair, error) {
	if secret == "" {
		secret = os.Getenv("JT_SECRET")
	}
	if secret == "" {
		return crypto.KeyPair{}, usageError{fmt.Errorf("--secret is required (or set JT_SECRET)")}
	}
	seed, kt, err := crypto.ParseSecret(secret)
	if err != nil {
		return crypto.KeyPair{}, fmt.Errorf("--secret: not a valid secret (expected s... or sEd...): %w", err)
	}
	return crypto.DeriveKeyPair(seed, kt)
}

// accountNotFound turns actNotFound into a message that says what to do.
func accountNotFound(err error, account string) error {
	var ae *client.APIError
	if errors.As(err, &ae) && ae.Code == client.CodeActNotFound {
		return fmt.Errorf("account %s does not exist on the chain yet: fund it with a payment of at least the reserve (10 SWT)", account)
	}
	return err
}
