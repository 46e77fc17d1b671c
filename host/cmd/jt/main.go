// Command jt is jtchain's command-line client: wallets, offline transaction
// tools, and (with a running node) status, payments and benchmarks.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	// Ctrl-C cancels the command's context: node commands stop waiting,
	// jt bench stops submitting and prints what it has.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError marks errors caused by how jt was invoked (exit status 2).
type usageError struct{ error }

// run executes jt with args and returns the exit status: 0 on success, 1 on
// failure, 2 on bad usage. Errors go to stderr.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext is run with a context that ends the command early.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "jt:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func newRootCmd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "jt",
		Short: "jtchain command-line client",
		Long: `jt is the command-line client for jtchain, a Jingtum-compatible chain.

Offline commands work without a node: create and inspect wallets (wallet),
and decode, hash and sign transactions in Jingtum's binary format (tx
decode|hash|sign). Amounts of SWT in transaction JSON are in drops
(1 SWT = 1,000,000 drops).

Node commands talk to a node's WebSocket API at --url (default
ws://127.0.0.1:5020, or $JT_URL): status, account, tx HASH, pay, trust and
bench. check compares the validated ledgers of several nodes (a test
network's validators, say). blhr records data or hashes on chain (put),
fetches their proofs (proof), checks a proof offline against the genesis
file (verify) and searches an indexer (query). Secrets for pay, trust and
blhr put may come from $JT_SECRET instead of --secret. Errors go to stderr; jt exits 1 on failure and 2 on bad usage.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	root.AddCommand(newWalletCmd(stdout), newTxCmd(stdin, stdout),
		newStatusCmd(stdout), newAccountCmd(stdout), newPayCmd(stdout), newTrustCmd(stdout), newBenchCmd(stdout), newCheckCmd(stdout),
		newBLHRCmd(stdin, stdout))
	return root
}

// exactArgs is cobra.ExactArgs with a usage error and a helpful message.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes %s (got %d arguments)\nRun '%s --help' for usage.", c.CommandPath(), what, len(args), c.CommandPath())}
		}
		return nil
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
