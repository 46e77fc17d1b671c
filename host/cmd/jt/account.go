package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/sdk/client"
)

// accountFlagNames are the AccountRoot flags, in bit order.
var accountFlagNames = []struct {
	bit  uint32
	name string
}{
	{ledger.LsfPasswordSpent, "PasswordSpent"},
	{ledger.LsfRequireDestTag, "RequireDestTag"},
	{ledger.LsfRequireAuth, "RequireAuth"},
	{ledger.LsfDisallowSWT, "DisallowSWT"},
	{ledger.LsfDisableMaster, "DisableMaster"},
	{ledger.LsfNoFreeze, "NoFreeze"},
	{ledger.LsfGlobalFreeze, "GlobalFreeze"},
}

func describeAccountFlags(f uint32) string {
	if f == 0 {
		return "0 (none)"
	}
	var names []string
	rest := f
	for _, n := range accountFlagNames {
		if f&n.bit != 0 {
			names = append(names, n.name)
			rest &^= n.bit
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("0x%08X", rest))
	}
	return fmt.Sprintf("0x%08X (%s)", f, strings.Join(names, ", "))
}

func newAccountCmd(stdout io.Writer) *cobra.Command {
	var nf nodeFlags
	var asJSON bool
	var ledgerSel string
	c := &cobra.Command{
		Use:   "account ADDRESS",
		Short: "Show an account: SWT balance, sequence, flags and trust lines",
		Long: `Show an account as the node sees it in a ledger (by default the latest
validated one): its SWT balance, the sequence its next transaction must use,
how many objects it owns (each raises its reserve), its flags, and its trust
lines (account_lines).`,
		Example: `  jt account jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh
  jt account jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh --ledger current
  jt account jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh --json`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			addr := args[0]
			if _, err := crypto.ParseAddress(addr); err != nil {
				return fmt.Errorf("%q is not an address (j...): %w", addr, err)
			}
			cl, err := nf.dial(c.Context(), nil)
			if err != nil {
				return err
			}
			defer cl.Close()
			ctx, cancel := nf.requestCtx(c.Context())
			defer cancel()
			ai, err := cl.AccountInfo(ctx, addr, ledgerSel)
			if err != nil {
				return fmt.Errorf("account_info: %w", accountNotFound(err, addr))
			}
			lines, linesErr := cl.AccountLines(ctx, addr, ledgerSel)
			if asJSON {
				out := map[string]any{"account_info": json.RawMessage(ai.Raw), "lines": lines}
				if lines == nil {
					out["lines"] = []client.TrustLine{}
				}
				if err := printJSON(stdout, out); err != nil {
					return err
				}
			} else if err := printAccount(stdout, ai, lines, linesErr == nil); err != nil {
				return err
			}
			if linesErr != nil {
				return fmt.Errorf("account_lines: %w", linesErr)
			}
			return nil
		},
	}
	addNodeFlags(c, &nf)
	c.Flags().BoolVar(&asJSON, "json", false, "print {account_info, lines} as JSON")
	c.Flags().StringVar(&ledgerSel, "ledger", client.SelectValidated, "ledger to read: validated, closed, current, a sequence or a hash")
	return c
}

func printAccount(w io.Writer, ai client.AccountInfo, lines []client.TrustLine, haveLines bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "account\t%s\n", ai.Account)
	fmt.Fprintf(tw, "balance\t%s SWT\n", formatSWT(ai.Balance))
	fmt.Fprintf(tw, "sequence\t%d\n", ai.Sequence)
	fmt.Fprintf(tw, "owner count\t%d\n", ai.OwnerCount)
	fmt.Fprintf(tw, "flags\t%s\n", describeAccountFlags(ai.Flags))
	if ai.RegularKey != "" {
		fmt.Fprintf(tw, "regular key\t%s\n", ai.RegularKey)
	}
	state := "not validated"
	if ai.Validated {
		state = "validated"
	}
	fmt.Fprintf(tw, "ledger\t%d (%s)\n", ai.LedgerIndex, state)
	if err := tw.Flush(); err != nil {
		return err
	}
	if !haveLines {
		return nil
	}
	if len(lines) == 0 {
		_, err := fmt.Fprintln(w, "\nno trust lines")
		return err
	}
	fmt.Fprintf(w, "\ntrust lines (%d):\n", len(lines))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CURRENCY\tPEER\tBALANCE\tLIMIT\tPEER LIMIT\tFLAGS")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Currency, l.Account, l.Balance, l.Limit, l.LimitPeer, lineFlags(l))
	}
	return tw.Flush()
}

func lineFlags(l client.TrustLine) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{
		{l.NoSkywell, "no_skywell"}, {l.NoSkywellPeer, "no_skywell_peer"}, {l.Authorized, "authorized"},
		{l.PeerAuthorized, "peer_authorized"}, {l.Freeze, "freeze"}, {l.FreezePeer, "freeze_peer"},
	} {
		if x.on {
			f = append(f, x.name)
		}
	}
	if len(f) == 0 {
		return "-"
	}
	return strings.Join(f, ",")
}
