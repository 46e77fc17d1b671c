package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/sdk/client"
)

func newStatusCmd(stdout io.Writer) *cobra.Command {
	var nf nodeFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "status",
		Short: "Show a node's state (server_info)",
		Long: `Show the essentials of the node's server_info: its state, the ledgers it
has, the last validated ledger, fees and reserves.`,
		Example: `  jt status
  jt status --url ws://10.0.0.5:5020
  jt status --json | jq .validated_ledger`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := nf.dial(c.Context(), nil)
			if err != nil {
				return err
			}
			defer cl.Close()
			ctx, cancel := nf.requestCtx(c.Context())
			defer cancel()
			info, err := cl.ServerInfo(ctx)
			if err != nil {
				return fmt.Errorf("server_info: %w", err)
			}
			if asJSON {
				return printJSON(stdout, json.RawMessage(info.Raw))
			}
			return printStatus(stdout, info)
		},
	}
	addNodeFlags(c, &nf)
	c.Flags().BoolVar(&asJSON, "json", false, "print server_info's info object as JSON")
	return c
}

func printStatus(w io.Writer, info client.ServerInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("server state", "%s", orNone(info.ServerState))
	row("build version", "%s", orNone(info.BuildVersion))
	row("complete ledgers", "%s", orNone(info.CompleteLedgers))
	ledgerRow := func(name string, l *client.LedgerSummary) {
		if l == nil {
			row(name, "none yet")
			return
		}
		row(name, "%d  hash %s  closed %s ago", l.Seq, l.Hash, time.Duration(l.Age)*time.Second)
	}
	ledgerRow("validated ledger", info.ValidatedLedger)
	if info.ClosedLedger != nil {
		ledgerRow("closed ledger", info.ClosedLedger)
	}
	if l := info.ValidatedLedger; l != nil {
		row("base fee", "%d drops", l.BaseFee)
		row("reserve", "%s SWT + %s SWT per owned object", formatSWT(l.ReserveBase), formatSWT(l.ReserveInc))
	}
	row("peers", "%d", info.Peers)
	if info.ValidationQuorum > 0 {
		row("validation quorum", "%d", info.ValidationQuorum)
	}
	if info.Proposers > 0 || info.ConvergeTime > 0 {
		row("last close", "%d proposers, converged in %.3fs", info.Proposers, info.ConvergeTime)
	}
	row("load factor", "%g", info.LoadFactor)
	if info.Uptime > 0 {
		row("uptime", "%s", time.Duration(info.Uptime)*time.Second)
	}
	row("host id", "%s", orNone(info.HostID))
	row("node public key", "%s", orNone(info.PubkeyNode))
	return tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
