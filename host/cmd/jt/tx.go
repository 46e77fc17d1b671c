package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
)

// maxInput bounds what jt reads from a file or stdin for one transaction.
const maxInput = 4 << 20

func newTxCmd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	t := &cobra.Command{
		Use:   "tx [HASH]",
		Short: "Look up a transaction on a node, or decode, hash and sign offline",
	}
	attachTxLookup(t, stdout)
	decode := &cobra.Command{
		Use:     "decode BLOB",
		Short:   "Print the JSON of a signed transaction blob (hex)",
		Example: "  jt tx decode 120000220000000024...",
		Args:    exactArgs(1, "one hex blob"),
		RunE: func(c *cobra.Command, args []string) error {
			blob, err := parseBlob(args[0])
			if err != nil {
				return err
			}
			obj, err := codec.Decode(blob)
			if err != nil {
				return err
			}
			out := obj.JSON()
			id := codec.TxID(blob)
			out["hash"] = fmt.Sprintf("%X", id[:])
			return printJSON(stdout, out)
		},
	}
	hash := &cobra.Command{
		Use:   "hash BLOB",
		Short: "Print the id (hash) of a signed transaction blob",
		Args:  exactArgs(1, "one hex blob"),
		RunE: func(c *cobra.Command, args []string) error {
			blob, err := parseBlob(args[0])
			if err != nil {
				return err
			}
			if _, err := codec.Decode(blob); err != nil {
				return err
			}
			id := codec.TxID(blob)
			_, err = fmt.Fprintf(stdout, "%X\n", id[:])
			return err
		},
	}
	var secret string
	sign := &cobra.Command{
		Use:   "sign --secret SECRET JSON",
		Short: "Sign a transaction given as JSON; print {tx_blob, hash}",
		Long: `Sign a transaction and print {"tx_blob", "hash"} as JSON.

JSON is the transaction itself, "-" to read it from standard input, or
@FILE to read it from a file. Account defaults to the secret's address,
Flags to 0 and Fee to 10 drops (Jingtum's clients pay 10000). Sequence is
required: ask a node for the account's next sequence (account_info).`,
		Example: `  jt tx sign --secret snoPBjXtMeMyMHUVTgbuqAfg1SUTb \
    '{"TransactionType":"Payment","Destination":"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz","Amount":"1000000","Sequence":1}'`,
		Args: exactArgs(1, "one JSON transaction, - or @FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			if secret == "" {
				return usageError{fmt.Errorf("--secret is required")}
			}
			seed, kt, err := crypto.ParseSecret(secret)
			if err != nil {
				return fmt.Errorf("--secret: %w", err)
			}
			kp, err := crypto.DeriveKeyPair(seed, kt)
			if err != nil {
				return err
			}
			raw, err := readArg(args[0], stdin)
			if err != nil {
				return err
			}
			obj, err := codec.ParseJSON(raw)
			if err != nil {
				return err
			}
			if !obj.Has(sf.TransactionType) {
				return fmt.Errorf("the transaction has no TransactionType")
			}
			if !obj.Has(sf.Sequence) {
				return fmt.Errorf("the transaction has no Sequence: use the account's next sequence from account_info")
			}
			if !obj.Has(sf.Account) {
				obj.Set(sf.Account, kp.AccountID())
			}
			if !obj.Has(sf.Flags) {
				obj.Set(sf.Flags, uint32(0))
			}
			if !obj.Has(sf.Fee) {
				obj.Set(sf.Fee, codec.NewNative(10))
			}
			if obj.Has(sf.Signers) {
				return fmt.Errorf("the transaction is multi-signed; jt tx sign makes single signatures")
			}
			blob, id, err := codec.Sign(obj, kp)
			if err != nil {
				return err
			}
			return printJSON(stdout, map[string]string{"tx_blob": fmt.Sprintf("%X", blob), "hash": fmt.Sprintf("%X", id[:])})
		},
	}
	sign.Flags().StringVar(&secret, "secret", "", "secret (s... or sEd...) of the signing account")
	t.AddCommand(decode, hash, sign)
	return t
}

func parseBlob(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2*maxInput {
		return nil, fmt.Errorf("blob is longer than %d bytes", maxInput)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("blob is not hex: %w", err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("empty blob")
	}
	return b, nil
}

// readArg returns the argument itself, standard input for "-", or a file's
// contents for "@FILE".
func readArg(arg string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	switch {
	case arg == "-":
		r = stdin
	case strings.HasPrefix(arg, "@"):
		f, err := os.Open(arg[1:])
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	default:
		return []byte(arg), nil
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("input is longer than %d bytes", maxInput)
	}
	return bytes.TrimSpace(b), nil
}
