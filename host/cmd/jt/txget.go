package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/sdk/client"
)

// attachTxLookup makes "jt tx HASH" fetch a transaction from a node, while
// "jt tx decode|hash|sign" stay the offline tools.
func attachTxLookup(t *cobra.Command, stdout io.Writer) {
	var nf nodeFlags
	t.Long = `With a hash, ask a node for the transaction (the tx command) and print it
as JSON: its fields, the ledger it is in, whether that ledger is validated,
and its metadata (meta.TransactionResult is the final result).

The subcommands work offline on transaction blobs and JSON.`
	t.Example = `  jt tx EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2
  jt tx decode 120000220000000024...`
	t.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageError{fmt.Errorf("%s takes one transaction hash or a subcommand (got %d arguments)\nRun '%s --help' for usage.", c.CommandPath(), len(args), c.CommandPath())}
		}
		return nil
	}
	t.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		hash := args[0]
		if len(hash) != 64 || !isHexString(hash) {
			return usageError{fmt.Errorf("%q is neither a transaction hash (64 hex digits) nor a subcommand (decode, hash, sign)", hash)}
		}
		cl, err := nf.dial(c.Context(), nil)
		if err != nil {
			return err
		}
		defer cl.Close()
		ctx, cancel := nf.requestCtx(c.Context())
		defer cancel()
		r, err := cl.Tx(ctx, hash)
		if errors.Is(err, client.ErrNotFound) {
			return fmt.Errorf("transaction %s not found: the node has no record of it (never submitted, not yet in a closed ledger, or older than its history)", hash)
		}
		if err != nil {
			return fmt.Errorf("tx: %w", err)
		}
		return printJSON(stdout, json.RawMessage(r.Raw))
	}
	addNodeFlags(t, &nf)
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
