package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/sdk/client"
)

// defaultFee is what Jingtum's client libraries pay (spec/jingtum-wire.md §3).
const defaultFee = 10_000

// sendFlags are the flags of the commands that sign and submit one
// transaction.
type sendFlags struct {
	node        nodeFlags
	secret      string
	fee         int64
	wait        bool
	waitTimeout time.Duration
	asJSON      bool
}

func addSendFlags(c *cobra.Command, sf *sendFlags) {
	addNodeFlags(c, &sf.node)
	c.Flags().StringVar(&sf.secret, "secret", "", "secret (s... or sEd...) of the sending account (env JT_SECRET)")
	c.Flags().Int64Var(&sf.fee, "fee", defaultFee, "fee in drops (1 SWT = 1,000,000 drops)")
	c.Flags().BoolVar(&sf.wait, "wait", false, "wait until the transaction is in a validated ledger and print its final result")
	c.Flags().DurationVar(&sf.waitTimeout, "wait-timeout", time.Minute, "how long --wait waits for validation")
	c.Flags().BoolVar(&sf.asJSON, "json", false, "print the outcome as JSON")
}

func newPayCmd(stdout io.Writer) *cobra.Command {
	var sf sendFlags
	var to, amount, memo string
	c := &cobra.Command{
		Use:   "pay --secret SECRET --to ADDRESS --amount AMOUNT",
		Short: "Send a payment in SWT or an issued currency",
		Long: `Sign a Payment locally and submit it to a node.

AMOUNT is VALUE/SWT (at most 6 decimals: 1.5/SWT is 1,500,000 drops) or
VALUE/CURRENCY/ISSUER for an issued currency, which needs a trust line from
the receiver to the issuer (jt trust). The sequence number comes from the
node's current (open) ledger, so payments sent one after another from the
same account do not collide.

jt prints the hash and the node's preliminary result (engine_result). Only a
validated ledger makes it final: with --wait, jt waits for that and prints
the final result. It exits non-zero when the node rejects the payment or its
final result is not tesSUCCESS.`,
		Example: `  jt pay --secret snoPBjXtMeMyMHUVTgbuqAfg1SUTb --to jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz --amount 100/SWT
  JT_SECRET=s... jt pay --to j... --amount 1.5/SWT --memo "invoice 42" --wait
  jt pay --secret s... --to j... --amount 10/CNY/jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS`,
		Args: exactArgs(0, "no arguments (use --to and --amount)"),
		RunE: func(c *cobra.Command, _ []string) error {
			if to == "" || amount == "" {
				return usageError{fmt.Errorf("--to and --amount are required\nRun '%s --help' for usage.", c.CommandPath())}
			}
			dst, err := crypto.ParseAddress(to)
			if err != nil {
				return fmt.Errorf("--to %q is not an address (j...): %w", to, err)
			}
			amt, err := parseAmountArg(amount, false)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			tx := map[string]any{
				"TransactionType": "Payment",
				"Destination":     dst.String(),
				"Amount":          codec.AmountJSON(amt),
			}
			if memo != "" {
				// jingtum-lib's addMemo: MemoData is the UTF-8 text in hex.
				tx["Memos"] = []any{map[string]any{"Memo": map[string]any{"MemoData": hex.EncodeToString([]byte(memo))}}}
			}
			return signAndSubmit(c.Context(), stdout, &sf, tx)
		},
	}
	addSendFlags(c, &sf)
	c.Flags().StringVar(&to, "to", "", "destination address (j...)")
	c.Flags().StringVar(&amount, "amount", "", "amount: VALUE/SWT or VALUE/CURRENCY/ISSUER")
	c.Flags().StringVar(&memo, "memo", "", "text memo stored with the payment")
	return c
}

func newTrustCmd(stdout io.Writer) *cobra.Command {
	var sf sendFlags
	var limit string
	c := &cobra.Command{
		Use:   "trust --secret SECRET --limit VALUE/CURRENCY/ISSUER",
		Short: "Create or change a trust line (TrustSet)",
		Long: `Sign a TrustSet locally and submit it: the account agrees to hold up to
VALUE of CURRENCY issued by ISSUER. A limit of 0 removes the line once its
balance is zero. Each trust line raises the account's reserve by one owner
reserve (1 SWT by default).`,
		Example: `  jt trust --secret s... --limit 1000/CNY/jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS --wait
  jt trust --secret s... --limit 0/CNY/jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS`,
		Args: exactArgs(0, "no arguments (use --limit)"),
		RunE: func(c *cobra.Command, _ []string) error {
			if limit == "" {
				return usageError{fmt.Errorf("--limit is required\nRun '%s --help' for usage.", c.CommandPath())}
			}
			amt, err := parseAmountArg(limit, true)
			if err != nil {
				return fmt.Errorf("--limit: %w", err)
			}
			if amt.IsNative() {
				return fmt.Errorf("--limit: trust lines are for issued currencies, not SWT: use VALUE/CURRENCY/ISSUER")
			}
			tx := map[string]any{"TransactionType": "TrustSet", "LimitAmount": codec.AmountJSON(amt)}
			return signAndSubmit(c.Context(), stdout, &sf, tx)
		},
	}
	addSendFlags(c, &sf)
	c.Flags().StringVar(&limit, "limit", "", "trust limit: VALUE/CURRENCY/ISSUER")
	return c
}

// sendOutcome is what jt pay/trust print.
type sendOutcome struct {
	Hash                string `json:"hash"`
	Account             string `json:"account"`
	Sequence            uint32 `json:"sequence"`
	EngineResult        string `json:"engine_result"`
	EngineResultCode    int    `json:"engine_result_code"`
	EngineResultMessage string `json:"engine_result_message"`
	TxBlob              string `json:"tx_blob"`
	Validated           bool   `json:"validated,omitempty"`
	LedgerIndex         uint32 `json:"ledger_index,omitempty"`
	Result              string `json:"result,omitempty"` // the final result, with --wait
}

// signAndSubmit fills in Account, Sequence (from the current ledger), Fee
// and Flags, signs tx, submits it, and with --wait waits for validation.
func signAndSubmit(ctx context.Context, stdout io.Writer, sf *sendFlags, tx map[string]any) error {
	if sf.fee <= 0 || sf.fee > codec.MaxNativeDrops {
		return usageError{fmt.Errorf("--fee %d: want a positive number of drops", sf.fee)}
	}
	if sf.wait && sf.waitTimeout <= 0 {
		return usageError{fmt.Errorf("--wait-timeout must be positive")}
	}
	kp, err := keyPairFromSecret(sf.secret)
	if err != nil {
		return err
	}
	account := kp.AccountID().String()
	cl, err := sf.node.dial(ctx, nil)
	if err != nil {
		return err
	}
	defer cl.Close()

	rctx, cancel := sf.node.requestCtx(ctx)
	ai, err := cl.AccountInfo(rctx, account, client.SelectCurrent)
	cancel()
	if err != nil {
		return fmt.Errorf("reading the sequence of %s: %w", account, accountNotFound(err, account))
	}
	tx["Account"] = account
	tx["Sequence"] = ai.Sequence
	tx["Fee"] = strconv.FormatInt(sf.fee, 10)
	tx["Flags"] = 0
	blob, id, err := signTxJSON(tx, kp)
	if err != nil {
		return err
	}
	out := sendOutcome{Hash: fmt.Sprintf("%X", id[:]), Account: account, Sequence: ai.Sequence, TxBlob: fmt.Sprintf("%X", blob)}

	// Subscribe before submitting so the validation cannot be missed.
	var stream <-chan client.StreamMessage
	if sf.wait {
		rctx, cancel := sf.node.requestCtx(ctx)
		sub, err := cl.Subscribe(rctx, nil, []string{account})
		cancel()
		if err == nil {
			stream = sub.C
		} // else: poll with tx only
	}

	rctx, cancel = sf.node.requestCtx(ctx)
	res, err := cl.Submit(rctx, out.TxBlob)
	cancel()
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	out.EngineResult, out.EngineResultCode, out.EngineResultMessage = res.EngineResult, res.EngineResultCode, res.EngineResultMessage

	var rejected error
	switch {
	case res.Class() == "tes", held(res.EngineResult):
		// Applied to the open ledger, or held by the node to apply later
		// (jtd's queue answers with the ter code it waits on).
	case res.Class() == "tec" && sf.wait:
		// Applied with a failure code; the validated result decides.
	default:
		rejected = fmt.Errorf("the node did not accept the transaction: %s: %s", res.EngineResult, res.EngineResultMessage)
	}
	if rejected == nil && sf.wait {
		final, err := waitValidated(ctx, cl, &sf.node, stream, out.Hash, sf.waitTimeout)
		if err != nil {
			printOutcome(stdout, out, sf.asJSON)
			return err
		}
		out.Validated, out.LedgerIndex, out.Result = true, final.LedgerIndex, final.Result
		if final.Result != "tesSUCCESS" {
			rejected = fmt.Errorf("the transaction failed in ledger %d: %s", final.LedgerIndex, final.Result)
		}
	}
	if err := printOutcome(stdout, out, sf.asJSON); err != nil {
		return err
	}
	return rejected
}

// signTxJSON signs a transaction given as JSON fields with kp.
func signTxJSON(tx map[string]any, kp crypto.KeyPair) ([]byte, codec.Hash256, error) {
	raw, err := json.Marshal(tx)
	if err != nil {
		return nil, codec.Hash256{}, err
	}
	obj, err := codec.ParseJSON(raw)
	if err != nil {
		return nil, codec.Hash256{}, fmt.Errorf("building the transaction: %w", err)
	}
	blob, id, err := codec.Sign(obj, kp)
	if err != nil {
		return nil, codec.Hash256{}, fmt.Errorf("signing: %w", err)
	}
	return blob, id, nil
}

func printOutcome(w io.Writer, o sendOutcome, asJSON bool) error {
	if asJSON {
		return printJSON(w, o)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "hash\t%s\n", o.Hash)
	fmt.Fprintf(tw, "account\t%s (sequence %d)\n", o.Account, o.Sequence)
	if o.EngineResult != "" {
		fmt.Fprintf(tw, "engine_result\t%s: %s\n", o.EngineResult, o.EngineResultMessage)
	}
	if o.Validated {
		fmt.Fprintf(tw, "validated\t%s in ledger %d\n", o.Result, o.LedgerIndex)
	}
	return tw.Flush()
}

// validation is where and how a transaction ended up.
type validation struct {
	LedgerIndex uint32
	Result      string
}

// waitValidated waits until the transaction hash is in a validated ledger:
// it watches the stream (if any) and, as a fallback, asks with tx every
// second. It gives up after timeout.
func waitValidated(ctx context.Context, cl *client.Client, nf *nodeFlags, stream <-chan client.StreamMessage, hash string, timeout time.Duration) (validation, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return validation{}, fmt.Errorf("not validated within %s; check later with: jt tx %s", timeout, hash)
			}
			return validation{}, ctx.Err()
		case m, ok := <-stream:
			if !ok {
				stream = nil // the connection is gone; polling will report it
				continue
			}
			if m.Type != "transaction" {
				continue
			}
			ev, err := m.Transaction()
			if err == nil && ev.Validated && strings.EqualFold(ev.Hash, hash) {
				return validation{ev.LedgerIndex, ev.Result}, nil
			}
		case <-poll.C:
			rctx, rcancel := nf.requestCtx(ctx)
			r, err := cl.Tx(rctx, hash)
			rcancel()
			switch {
			case err == nil && r.Validated:
				return validation{r.LedgerIndex, r.Result}, nil
			case err == nil, errors.Is(err, client.ErrNotFound):
				// Not there yet.
			case errors.Is(err, client.ErrClosed):
				return validation{}, fmt.Errorf("lost the node while waiting for validation: %w", err)
			case ctx.Err() != nil:
				// The overall wait ended; the loop reports it.
			default:
				var ae *client.APIError
				if errors.As(err, &ae) {
					return validation{}, fmt.Errorf("waiting for validation: %w", err)
				}
			}
		}
	}
}
