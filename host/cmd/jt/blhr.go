package main

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/blhr/rbftcheck"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/node"
	"github.com/jtchain/jtchain/sdk/client"
)

// jt blhr: block-level hash records (package host/blhr). put builds a
// record, signs it locally and submits it (blhr_submit); proof fetches a
// sealed record's proof bundle (blhr_proof); verify checks a bundle offline
// against a genesis file or a validator set; query searches an indexer
// (blhr_query). The secret never leaves jt: the node's blhr_submit can sign
// with a secret it is sent, but jt always sends the signed record.

// Node error tokens of the blhr commands that jt treats specially.
const (
	codeBLHRPending      = "blhrPending"  // blhr_proof: known, not in a validated ledger yet
	codeBLHRNotFound     = "blhrNotFound" // blhr_proof: the node does not know the record
	codeBLHRSealed       = "blhrSealed"
	codeBLHRBadSignature = "blhrBadSignature"
	codeBLHRUnfunded     = "blhrUnfunded"
	codeBLHRTooLarge     = "blhrTooLarge"
	codeBLHRPoolFull     = "blhrPoolFull"
	codeTooBusy          = "tooBusy"
	codeSlowDown         = "slowDown"
)

// blhrPollInterval is how often put --wait asks for the proof.
const blhrPollInterval = time.Second

// proofIDParam names the record in a blhr_proof request. Not "id": on the
// WebSocket API "id" is the request's own id, which every client (this one,
// jingtum-lib) sets to match the response, just as rippled's tx command
// takes "transaction" rather than "id".
const proofIDParam = "record_id"

func newBLHRCmd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	b := &cobra.Command{
		Use:   "blhr",
		Short: "Record data or hashes on chain and prove it offline (block-level hash records)",
		Long: `Block-level hash records (BLHR) put a hash, and optionally up to 64 KiB of
data, into a ledger without a transaction. Each record has a type tag, a
data hash and, if signed, the signer's account; its id is a hash of all of
it. Once a validated ledger seals the record, the node can hand out a proof
bundle: the record, the ledger header, the committed block, the
validators' certificate and a Merkle path. Anyone with the chain's genesis
file can check such a bundle offline, without trusting the node.

  put     build (and sign, with --secret) a record and submit it
  proof   fetch the proof bundle of a sealed record
  verify  check a proof bundle offline (no node needed)
  query   search the records an indexer plugin holds`,
		Example: `  id=$(jt blhr put --type invoice --hash-file invoice.pdf --secret s... --json | jq -r .id)
  jt blhr proof $id --out invoice.proof.json
  jt blhr verify invoice.proof.json --genesis genesis.json --data-file invoice.pdf
  jt blhr query --type invoice --account j...`,
	}
	b.AddCommand(newBLHRPutCmd(stdin, stdout), newBLHRProofCmd(stdout), newBLHRVerifyCmd(stdin, stdout), newBLHRQueryCmd(stdin, stdout))
	return b
}

// ---- put ----

type blhrPutFlags struct {
	node        nodeFlags
	typeTag     string
	data        string
	dataFile    string
	dataHex     string
	hash        string
	hashFile    string
	secret      string
	unsigned    bool
	chainID     string
	genesis     string
	wait        bool
	waitTimeout time.Duration
	asJSON      bool
}

// blhrSubmitResult is blhr_submit's answer.
type blhrSubmitResult struct {
	ID                 string `json:"record_id"`
	Queued             bool   `json:"queued"`
	Signed             bool   `json:"signed"`
	Account            string `json:"account"`
	Fee                string `json:"fee"`
	LedgerCurrentIndex uint32 `json:"ledger_current_index"`
}

// putOutcome is what jt blhr put prints.
type putOutcome struct {
	ID                 string `json:"id"`
	Status             string `json:"status"` // queued; sealed when known to be in a validated ledger
	Signed             bool   `json:"signed"`
	Account            string `json:"account,omitempty"`
	ChainID            string `json:"chain_id,omitempty"`
	Fee                string `json:"fee,omitempty"` // drops, signed records only
	LedgerCurrentIndex uint32 `json:"ledger_current_index,omitempty"`
	LedgerIndex        uint32 `json:"ledger_index,omitempty"` // with --wait: the ledger that sealed it
	LedgerHash         string `json:"ledger_hash,omitempty"`
}

func newBLHRPutCmd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var pf blhrPutFlags
	c := &cobra.Command{
		Use:   "put (--data TEXT | --data-file FILE | --data-hex HEX | --hash HASH | --hash-file FILE) [--type TAG] [--secret SECRET]",
		Short: "Submit a record of data or of a hash, signed locally or unsigned",
		Long: `Build a block-level hash record, sign it locally if a secret is given, and
submit it to a node (blhr_submit). jt prints the record's id; keep it to
fetch the proof later (jt blhr proof ID).

What to record, exactly one of:
  --data TEXT        the UTF-8 text itself goes on chain
  --data-file FILE   a file's bytes go on chain ("-" reads standard input)
  --data-hex HEX     bytes given in hex go on chain
  --hash HASH        only a hash (64 hex digits) goes on chain
  --hash-file FILE   only the file's hash goes on chain: SHA512Half, the
                     first 32 bytes of its SHA-512 (sha512sum FILE | cut -c1-64)
Data on chain is at most 64 KiB (a node may allow less); for anything
larger record its hash. --type TAG (up to 64 of A-Z a-z 0-9 . _ : / -)
says what the data is, for queries.

Signing: with --secret (or $JT_SECRET) the record is signed here with the
account's key and the node charges the account the record fee; the secret
is never sent to the node. --unsigned ignores $JT_SECRET. A signature is
bound to the chain id, which jt asks the node for (server_info) unless
--chain-id or --genesis gives it.

The node queues the record and seals it in a coming ledger. With --wait,
jt waits (up to --wait-timeout) until a validated ledger has sealed it and
prints that ledger. jt exits non-zero when the node refuses the record.`,
		Example: `  jt blhr put --type note --data "hello, chain"
  jt blhr put --type contract --data-file contract.txt --secret s... --wait
  jt blhr put --type archive --hash-file backup.tar.gz --json
  JT_SECRET=s... jt blhr put --hash 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08`,
		Args: exactArgs(0, "no arguments (say what to record with --data, --data-file, --data-hex, --hash or --hash-file)"),
		RunE: func(c *cobra.Command, _ []string) error {
			return blhrPut(c, stdin, stdout, &pf)
		},
	}
	addNodeFlags(c, &pf.node)
	f := c.Flags()
	f.StringVar(&pf.typeTag, "type", "", "type tag: what the record is, for queries (A-Z a-z 0-9 . _ : / -, up to 64)")
	f.StringVar(&pf.data, "data", "", "record this UTF-8 text (on chain)")
	f.StringVar(&pf.dataFile, "data-file", "", `record this file's bytes (on chain; "-" for standard input)`)
	f.StringVar(&pf.dataHex, "data-hex", "", "record these bytes, in hex (on chain)")
	f.StringVar(&pf.hash, "hash", "", "record only this hash (64 hex digits)")
	f.StringVar(&pf.hashFile, "hash-file", "", `record only the SHA512Half of this file ("-" for standard input)`)
	f.StringVar(&pf.secret, "secret", "", "sign with this account secret (s... or sEd...; env JT_SECRET); never sent to the node")
	f.BoolVar(&pf.unsigned, "unsigned", false, "submit an unsigned record even if JT_SECRET is set")
	f.StringVar(&pf.chainID, "chain-id", "", "chain id to sign for (default: the node's, from server_info)")
	f.StringVar(&pf.genesis, "genesis", "", "take the chain id to sign for from this genesis file")
	f.BoolVar(&pf.wait, "wait", false, "wait until a validated ledger seals the record and print that ledger")
	f.DurationVar(&pf.waitTimeout, "wait-timeout", time.Minute, "how long --wait waits for the record to be sealed")
	f.BoolVar(&pf.asJSON, "json", false, "print the outcome as JSON")
	return c
}

func blhrPut(c *cobra.Command, stdin io.Reader, stdout io.Writer, pf *blhrPutFlags) error {
	if pf.wait && pf.waitTimeout <= 0 {
		return usageError{fmt.Errorf("--wait-timeout must be positive")}
	}
	rec, err := pf.record(c, stdin)
	if err != nil {
		return err
	}
	secret := pf.secret
	if secret == "" && !pf.unsigned {
		secret = os.Getenv("JT_SECRET")
	}
	switch {
	case pf.unsigned && pf.secret != "":
		return usageError{fmt.Errorf("--unsigned and --secret contradict each other: choose one")}
	case pf.chainID != "" && pf.genesis != "":
		return usageError{fmt.Errorf("--chain-id and --genesis both name the chain: give one")}
	case secret == "" && (pf.chainID != "" || pf.genesis != ""):
		return usageError{fmt.Errorf("--chain-id and --genesis are for signing: add --secret (or set JT_SECRET), or leave them out for an unsigned record")}
	}
	var kp crypto.KeyPair
	if secret != "" {
		if kp, err = keyPairFromSecret(secret); err != nil {
			return err
		}
	}
	chainID := pf.chainID
	if pf.genesis != "" {
		g, err := loadGenesisFile(pf.genesis)
		if err != nil {
			return err
		}
		if chainID, err = genesisChainID(g); err != nil {
			return fmt.Errorf("--genesis %s: %w", pf.genesis, err)
		}
	}
	if chainID != "" {
		if err := checkChainID(chainID); err != nil {
			return err
		}
	}

	ctx := c.Context()
	cl, err := pf.node.dial(ctx, nil)
	if err != nil {
		return err
	}
	defer cl.Close()

	out := putOutcome{}
	if secret != "" {
		if chainID == "" {
			if chainID, err = nodeChainID(ctx, cl, &pf.node); err != nil {
				return err
			}
		}
		if rec, err = blhr.Sign(rec, chainID, kp); err != nil {
			return fmt.Errorf("signing the record: %w", err)
		}
		out.Signed, out.Account, out.ChainID = true, rec.Account.String(), chainID
	}
	id := rec.ID()
	out.ID = codec.HexUpper(id[:])

	rctx, cancel := pf.node.requestCtx(ctx)
	raw, err := cl.Request(rctx, "blhr_submit", map[string]any{"record": codec.HexUpper(rec.Encode())})
	cancel()
	alreadySealed := false
	switch {
	case apiCode(err) == codeBLHRSealed:
		// The same record is in a ledger already: what the caller wanted.
		alreadySealed = true
		out.Status = "sealed"
	case err != nil:
		return submitError(err, out)
	default:
		var res blhrSubmitResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return fmt.Errorf("blhr_submit: unexpected answer: %w", err)
		}
		if !strings.EqualFold(res.ID, out.ID) {
			return fmt.Errorf("the node reports record id %s, but the record jt sent has id %s: the node and jt disagree on the record format", res.ID, out.ID)
		}
		if !res.Queued {
			return fmt.Errorf("blhr_submit: the node did not queue the record (answer without \"queued\": true)")
		}
		out.Status, out.LedgerCurrentIndex, out.Fee = "queued", res.LedgerCurrentIndex, res.Fee
		if res.Signed != out.Signed {
			return fmt.Errorf("the node took the record as signed=%t, but jt sent signed=%t", res.Signed, out.Signed)
		}
	}

	if pf.wait || alreadySealed {
		p, err := waitSealed(ctx, cl, &pf.node, id, pf.waitTimeout, !pf.wait)
		switch {
		case err == nil:
			out.Status, out.LedgerIndex, out.LedgerHash = "sealed", p.LedgerIndex, strings.ToUpper(p.LedgerHash)
		case pf.wait:
			printPutOutcome(stdout, out, pf.asJSON)
			return err
		}
	}
	return printPutOutcome(stdout, out, pf.asJSON)
}

// record builds the unsigned record the flags describe, checking every
// limit before anything is sent.
func (pf *blhrPutFlags) record(c *cobra.Command, stdin io.Reader) (blhr.Record, error) {
	var given []string
	for _, name := range []string{"data", "data-file", "data-hex", "hash", "hash-file"} {
		if c.Flags().Changed(name) {
			given = append(given, "--"+name)
		}
	}
	switch len(given) {
	case 0:
		return blhr.Record{}, usageError{fmt.Errorf("say what to record: --data, --data-file, --data-hex, --hash or --hash-file\nRun '%s --help' for usage.", c.CommandPath())}
	case 1:
	default:
		return blhr.Record{}, usageError{fmt.Errorf("%s: give only one thing to record", strings.Join(given, " and "))}
	}
	if len(pf.typeTag) > blhr.MaxTypeTag {
		return blhr.Record{}, usageError{fmt.Errorf("--type is %d bytes; a type tag is at most %d", len(pf.typeTag), blhr.MaxTypeTag)}
	}
	for i := 0; i < len(pf.typeTag); i++ {
		if !typeTagByte(pf.typeTag[i]) {
			return blhr.Record{}, usageError{fmt.Errorf("--type %q: byte %d is not allowed; use only A-Z a-z 0-9 . _ : / -", pf.typeTag, i)}
		}
	}
	var (
		data []byte
		hash codec.Hash256
		err  error
	)
	switch given[0] {
	case "--data":
		data = []byte(pf.data)
	case "--data-file":
		if data, err = readDataFile(pf.dataFile, stdin); err != nil {
			return blhr.Record{}, err
		}
	case "--data-hex":
		s := strings.TrimSpace(pf.dataHex)
		if len(s) > 2*blhr.MaxData {
			return blhr.Record{}, fmt.Errorf("--data-hex is %d bytes; a record holds at most %d bytes of data: record its hash with --hash instead", len(s)/2, blhr.MaxData)
		}
		if data, err = hex.DecodeString(s); err != nil {
			return blhr.Record{}, fmt.Errorf("--data-hex is not hex: %w", err)
		}
	case "--hash":
		if hash, err = parseHash(pf.hash); err != nil {
			return blhr.Record{}, fmt.Errorf("--hash: %w", err)
		}
	case "--hash-file":
		if hash, err = hashFile(pf.hashFile, stdin); err != nil {
			return blhr.Record{}, err
		}
	}
	var rec blhr.Record
	if given[0] == "--hash" || given[0] == "--hash-file" {
		if hash == (codec.Hash256{}) {
			return blhr.Record{}, fmt.Errorf("%s: the all-zero hash cannot be recorded", given[0])
		}
		rec, err = blhr.NewHashRecord(pf.typeTag, hash)
	} else {
		if len(data) == 0 {
			return blhr.Record{}, fmt.Errorf("%s: the data is empty; there is nothing to record", given[0])
		}
		rec, err = blhr.NewRecord(pf.typeTag, data)
	}
	if err != nil {
		return blhr.Record{}, fmt.Errorf("building the record: %w", err)
	}
	return rec, nil
}

// typeTagByte is blhr's type tag alphabet, checked here so that the error
// names the flag.
func typeTagByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._:/-", c) >= 0
}

// openInput opens path, or returns stdin for "-".
func openInput(path string, stdin io.Reader) (io.Reader, func(), error) {
	if path == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// readDataFile reads at most blhr.MaxData bytes for --data-file.
func readDataFile(path string, stdin io.Reader) ([]byte, error) {
	r, done, err := openInput(path, stdin)
	if err != nil {
		return nil, fmt.Errorf("--data-file: %w", err)
	}
	defer done()
	b, err := io.ReadAll(io.LimitReader(r, blhr.MaxData+1))
	if err != nil {
		return nil, fmt.Errorf("--data-file %s: %w", path, err)
	}
	if len(b) > blhr.MaxData {
		return nil, fmt.Errorf("--data-file %s is larger than the %d bytes a record holds: record its hash with --hash-file %s instead", path, blhr.MaxData, path)
	}
	return b, nil
}

// hashFile returns SHA512Half of a file of any size.
func hashFile(path string, stdin io.Reader) (codec.Hash256, error) {
	r, done, err := openInput(path, stdin)
	if err != nil {
		return codec.Hash256{}, fmt.Errorf("--hash-file: %w", err)
	}
	defer done()
	h := sha512.New()
	if _, err := io.Copy(h, r); err != nil {
		return codec.Hash256{}, fmt.Errorf("--hash-file %s: %w", path, err)
	}
	var out codec.Hash256
	copy(out[:], h.Sum(nil)) // SHA512Half: the first 32 bytes
	return out, nil
}

func parseHash(s string) (codec.Hash256, error) {
	var h codec.Hash256
	if len(s) != 64 || !isHexString(s) {
		return h, fmt.Errorf("%q is not a hash: want 64 hex digits", s)
	}
	hex.Decode(h[:], []byte(s))
	return h, nil
}

func checkChainID(id string) error {
	if len(id) == 0 || len(id) > blhr.MaxChainID {
		return usageError{fmt.Errorf("chain id %q: want 1 to %d bytes", id, blhr.MaxChainID)}
	}
	return nil
}

// nodeChainID asks the node which chain it is on (server_info's
// info.chain_id).
func nodeChainID(ctx context.Context, cl *client.Client, nf *nodeFlags) (string, error) {
	rctx, cancel := nf.requestCtx(ctx)
	info, err := cl.ServerInfo(rctx)
	cancel()
	if err != nil {
		return "", fmt.Errorf("server_info (for the chain id to sign for): %w", err)
	}
	var w struct {
		ChainID string `json:"chain_id"`
	}
	_ = json.Unmarshal(info.Raw, &w)
	if w.ChainID == "" {
		return "", fmt.Errorf("the node at %s does not report its chain id (server_info info.chain_id), which a signature needs: pass --genesis with the chain's genesis file, or --chain-id", nf.url)
	}
	if err := checkChainID(w.ChainID); err != nil {
		return "", fmt.Errorf("the node's chain id: %w", err)
	}
	return w.ChainID, nil
}

// apiCode is the node's error token, or "".
func apiCode(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// submitError explains a refused blhr_submit.
func submitError(err error, out putOutcome) error {
	var hint string
	switch apiCode(err) {
	case codeBLHRBadSignature:
		hint = fmt.Sprintf("the signature was made for chain id %q: if the node is on another chain, pass its genesis file with --genesis", out.ChainID)
	case codeBLHRUnfunded:
		hint = fmt.Sprintf("account %s cannot pay the record fee: fund it (jt pay), or submit the record unsigned", out.Account)
	case codeBLHRTooLarge:
		hint = "the node accepts less data per record than the protocol's 64 KiB: record the data's hash instead (--hash-file)"
	case codeSlowDown, codeBLHRPoolFull, codeTooBusy:
		hint = "the node is busy: try again in a little while"
	}
	if hint != "" {
		return fmt.Errorf("the node refused record %s: %w\n(%s)", out.ID, err, hint)
	}
	return fmt.Errorf("blhr_submit: %w", err)
}

func printPutOutcome(w io.Writer, o putOutcome, asJSON bool) error {
	if asJSON {
		return printJSON(w, o)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "id\t%s\n", o.ID)
	if o.Signed {
		fee := ""
		if o.Fee != "" {
			fee = fmt.Sprintf(", fee %s drops", o.Fee)
		}
		fmt.Fprintf(tw, "signed\tby %s for chain %s%s\n", o.Account, o.ChainID, fee)
	} else {
		fmt.Fprintf(tw, "signed\tno\n")
	}
	switch {
	case o.LedgerIndex != 0:
		fmt.Fprintf(tw, "sealed\tin ledger %d %s\n", o.LedgerIndex, o.LedgerHash)
	case o.LedgerCurrentIndex != 0:
		fmt.Fprintf(tw, "status\t%s (current ledger %d)\n", o.Status, o.LedgerCurrentIndex)
	default:
		fmt.Fprintf(tw, "status\t%s\n", o.Status)
	}
	return tw.Flush()
}

// ---- proof ----

// blhrProofResult is blhr_proof's answer (its "record" view is left out).
type blhrProofResult struct {
	ID          string          `json:"record_id"`
	LedgerIndex uint32          `json:"ledger_index"`
	LedgerHash  string          `json:"ledger_hash"`
	Bundle      json.RawMessage `json:"bundle"`

	bundle blhr.Bundle
}

// errNotSealed is wrapped when blhr_proof has no proof of the record:
// blhrPending (the node has it, no validated ledger seals it yet) or
// blhrNotFound (the node does not know it).
var errNotSealed = errors.New("not sealed yet")

// fetchProof asks for the proof of id and checks that the bundle is
// well-formed and about that record. It returns errNotSealed (wrapped, with
// the node's error) while the node has none.
func fetchProof(ctx context.Context, cl *client.Client, nf *nodeFlags, id codec.Hash256) (blhrProofResult, error) {
	rctx, cancel := nf.requestCtx(ctx)
	raw, err := cl.Request(rctx, "blhr_proof", map[string]any{proofIDParam: codec.HexUpper(id[:])})
	cancel()
	switch apiCode(err) {
	case codeBLHRPending, codeBLHRNotFound:
		return blhrProofResult{}, fmt.Errorf("%w: %w", errNotSealed, err)
	}
	if err != nil {
		return blhrProofResult{}, fmt.Errorf("blhr_proof: %w", err)
	}
	var p blhrProofResult
	if err := json.Unmarshal(raw, &p); err != nil {
		return blhrProofResult{}, fmt.Errorf("blhr_proof: unexpected answer: %w", err)
	}
	if len(p.Bundle) == 0 {
		return blhrProofResult{}, fmt.Errorf("blhr_proof: the answer has no bundle")
	}
	if p.bundle, err = blhr.DecodeBundle(p.Bundle); err != nil {
		return blhrProofResult{}, fmt.Errorf("blhr_proof: the node's bundle: %w", err)
	}
	rec, err := blhr.DecodeRecord(p.bundle.Record)
	if err != nil {
		return blhrProofResult{}, fmt.Errorf("blhr_proof: the node's bundle: %w", err)
	}
	if got := rec.ID(); got != id {
		return blhrProofResult{}, fmt.Errorf("blhr_proof: asked for record %X, the node's bundle holds record %X", id[:], got[:])
	}
	return p, nil
}

// waitSealed polls blhr_proof until the record has a proof or timeout
// passes; once asks only once.
func waitSealed(ctx context.Context, cl *client.Client, nf *nodeFlags, id codec.Hash256, timeout time.Duration, once bool) (blhrProofResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	poll := time.NewTicker(blhrPollInterval)
	defer poll.Stop()
	for {
		p, err := fetchProof(ctx, cl, nf, id)
		switch {
		case err == nil:
			return p, nil
		case once:
			return blhrProofResult{}, err
		case errors.Is(err, errNotSealed):
			// Queued, or sealed in a ledger not validated yet.
		case ctx.Err() != nil:
			// The overall wait ended; reported below.
		default:
			return blhrProofResult{}, fmt.Errorf("waiting for the record to be sealed: %w", err)
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return blhrProofResult{}, fmt.Errorf("record %X not sealed within %s; it may still be: check later with jt blhr proof %X", id[:], timeout, id[:])
			}
			return blhrProofResult{}, ctx.Err()
		case <-poll.C:
		}
	}
}

func newBLHRProofCmd(stdout io.Writer) *cobra.Command {
	var nf nodeFlags
	var outFile string
	c := &cobra.Command{
		Use:   "proof ID [--out FILE]",
		Short: "Fetch the proof bundle of a sealed record",
		Long: `Ask a node for the proof bundle of the record ID (blhr_proof) and write it
as JSON to standard output or to --out FILE. The bundle is self-contained:
jt blhr verify checks it offline against the chain's genesis file, so it
can be kept or handed to anyone without trusting the node that made it.

A record has a proof once a validated ledger has sealed it; until then
jt reports that it is not sealed yet and exits non-zero.`,
		Example: `  jt blhr proof 4C7A9B... > record.proof.json
  jt blhr proof 4C7A9B... --out record.proof.json`,
		Args: exactArgs(1, "one record id (64 hex digits)"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseHash(args[0])
			if err != nil {
				return usageError{fmt.Errorf("record id: %w", err)}
			}
			cl, err := nf.dial(c.Context(), nil)
			if err != nil {
				return err
			}
			defer cl.Close()
			p, err := fetchProof(c.Context(), cl, &nf, id)
			switch {
			case apiCode(err) == codeBLHRPending:
				return fmt.Errorf("record %X has no proof yet: no validated ledger has sealed it; try again after the next ledger closes, or submit with jt blhr put --wait", id[:])
			case apiCode(err) == codeBLHRNotFound:
				return fmt.Errorf("record %X is unknown to the node at %s: not submitted to this chain, dropped before it was sealed, or sealed before the node's history begins", id[:], nf.url)
			case err != nil:
				return err
			}
			js, err := encodeBundle(p.bundle)
			if err != nil {
				return err
			}
			if outFile == "" {
				_, err := stdout.Write(js)
				return err
			}
			if err := os.WriteFile(outFile, js, 0o644); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			_, err = fmt.Fprintf(stdout, "wrote the proof of record %X (ledger %d) to %s\n", id[:], p.bundle.LedgerSeq, outFile)
			return err
		},
	}
	addNodeFlags(c, &nf)
	c.Flags().StringVar(&outFile, "out", "", "write the bundle to this file instead of standard output")
	return c
}

// encodeBundle is the bundle's canonical JSON, indented, with a newline.
func encodeBundle(b blhr.Bundle) ([]byte, error) {
	js, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, js, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// ---- verify ----

type blhrVerifyFlags struct {
	genesis    string
	chainID    string
	validators string
	dataFile   string
	asJSON     bool
}

// verifyOutcome is what jt blhr verify prints with --json.
type verifyOutcome struct {
	Valid       bool   `json:"valid"`
	ID          string `json:"id"`
	LedgerIndex uint32 `json:"ledger_index"`
	LedgerHash  string `json:"ledger_hash"`
	CloseTime   string `json:"close_time"`
	ChainID     string `json:"chain_id"`
	TypeTag     string `json:"type_tag"`
	Account     string `json:"account,omitempty"`
	DataHash    string `json:"data_hash"`
	DataSize    int    `json:"data_size"`
}

func newBLHRVerifyCmd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var vf blhrVerifyFlags
	c := &cobra.Command{
		Use:   "verify BUNDLE_FILE (--genesis FILE | --chain-id ID --validators FILE)",
		Short: "Check a proof bundle offline",
		Long: `Check a proof bundle (from jt blhr proof) without a node: the record
decodes and, if signed, its signature verifies for the chain; the Merkle
path leads from the record's id to the ledger header's BLHR root; and the
header is the ledger that the chain's validators committed, which the
block and the certificate of more than two thirds of them prove. BUNDLE_FILE
"-" reads standard input.

Trust comes from the validator set, not from any node:
  --genesis FILE        the chain's genesis file: it gives the chain id and
                        the validators of the chain's start
  --validators FILE     the validator set in force at the bundle's ledger,
                        when it has changed since genesis: a JSON list of
                        node public keys, e.g. ["n9KAa2zV...", "n9LbM7..."];
                        entries may also be objects with a "public_key",
                        so a genesis file's consensus.validators list works
  --chain-id ID         the chain id (chain_name:first 16 bytes of the
                        genesis ledger hash, in hex), with --validators
--validators with --genesis takes the chain id from the genesis file.
With --data-file, jt also checks that the record is of that file: its data
hash is the file's SHA512Half.

jt prints "valid: record ID is in ledger SEQ HASH" and exits 0, or says why
the bundle does not hold and exits 1. Only RBFT chains produce bundles.`,
		Example: `  jt blhr verify record.proof.json --genesis genesis.json
  jt blhr verify record.proof.json --genesis genesis.json --data-file contract.txt
  jt blhr verify record.proof.json --chain-id mychain:0123... --validators validators.json`,
		Args: exactArgs(1, "one bundle file"),
		RunE: func(c *cobra.Command, args []string) error {
			chainID, vals, fromGenesis, err := vf.trust()
			if err != nil {
				return err
			}
			raw, err := readBundleFile(args[0], stdin)
			if err != nil {
				return err
			}
			b, err := blhr.DecodeBundle(raw)
			if err != nil {
				return fmt.Errorf("invalid: %s is not a proof bundle: %w", args[0], err)
			}
			if err := blhr.VerifyBundle(b, chainID, rbftcheck.Checker(chainID, vals)); err != nil {
				if errors.Is(err, rbft.ErrInvalid) {
					which := "given validator set"
					if fromGenesis {
						which = "genesis validators"
					}
					return fmt.Errorf("invalid: %w\n(the %s did not commit ledger %d on chain %s: a bundle of another chain, a forged one, or one from after a change of the validator set, for which pass that set with --validators)", err, which, b.LedgerSeq, chainID)
				}
				if errors.Is(err, blhr.ErrBadSignature) {
					return fmt.Errorf("invalid: %w\n(the record's signature is not for chain %s: is this the chain it was submitted to?)", err, chainID)
				}
				return fmt.Errorf("invalid: %w", err)
			}
			// VerifyBundle decoded both already.
			rec, _ := blhr.DecodeRecord(b.Record)
			h, _ := ledger.DecodeHeader(b.Header)
			if vf.dataFile != "" {
				if err := checkDataFile(vf.dataFile, stdin, rec); err != nil {
					return err
				}
			}
			id, hash := rec.ID(), h.Hash()
			out := verifyOutcome{
				Valid: true, ID: codec.HexUpper(id[:]), LedgerIndex: h.Seq, LedgerHash: codec.HexUpper(hash[:]),
				CloseTime: node.RippleEpoch.Add(time.Duration(h.CloseTime) * time.Second).Format(time.RFC3339),
				ChainID:   chainID, TypeTag: rec.TypeTag, DataHash: codec.HexUpper(rec.DataHash[:]), DataSize: len(rec.Data),
			}
			if rec.Signed() {
				out.Account = rec.Account.String()
			}
			return printVerifyOutcome(stdout, out, vf.asJSON, vf.dataFile)
		},
	}
	f := c.Flags()
	f.StringVar(&vf.genesis, "genesis", "", "the chain's genesis file: chain id and validator set")
	f.StringVar(&vf.chainID, "chain-id", "", "the chain id (with --validators)")
	f.StringVar(&vf.validators, "validators", "", "JSON list of the validators' node public keys (n...) at the bundle's ledger")
	f.StringVar(&vf.dataFile, "data-file", "", "also check that the record's data hash is this file's SHA512Half")
	f.BoolVar(&vf.asJSON, "json", false, "print the verified record as JSON")
	return c
}

// trust returns the chain id and validator set the flags name.
func (vf *blhrVerifyFlags) trust() (chainID string, vals []consensus.Validator, fromGenesis bool, err error) {
	switch {
	case vf.genesis != "" && vf.chainID != "":
		return "", nil, false, usageError{fmt.Errorf("--genesis and --chain-id both name the chain: give one")}
	case vf.genesis == "" && (vf.chainID == "" || vf.validators == ""):
		return "", nil, false, usageError{fmt.Errorf("say whom to trust: --genesis FILE, or --chain-id and --validators")}
	}
	if vf.genesis != "" {
		g, err := loadGenesisFile(vf.genesis)
		if err != nil {
			return "", nil, false, err
		}
		if g.Consensus.Engine != "rbft" {
			return "", nil, false, fmt.Errorf("--genesis %s: the chain's engine is %q; only RBFT chains have the certificates a proof bundle needs", vf.genesis, g.Consensus.Engine)
		}
		gl, err := g.Ledger()
		if err != nil {
			return "", nil, false, fmt.Errorf("--genesis %s: %w", vf.genesis, err)
		}
		chainID = node.ChainID(g.ChainName, gl.Hash())
		if vf.validators == "" {
			lvs, err := ledger.ValidatorsAt(gl, gl.Seq()+1)
			if err != nil {
				return "", nil, false, fmt.Errorf("--genesis %s: %w", vf.genesis, err)
			}
			for _, v := range lvs {
				vals = append(vals, consensus.Validator{Address: v.Account, PublicKey: v.NodePublicKey})
			}
			fromGenesis = true
		}
	} else {
		chainID = vf.chainID
		if err := checkChainID(chainID); err != nil {
			return "", nil, false, err
		}
	}
	if vf.validators != "" {
		if vals, err = loadValidators(vf.validators); err != nil {
			return "", nil, false, err
		}
	}
	return chainID, vals, fromGenesis, nil
}

// maxGenesisFile bounds what jt reads as a genesis or validators file.
const maxGenesisFile = 1 << 20

func readSmallFile(flag, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxGenesisFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	if len(b) > maxGenesisFile {
		return nil, fmt.Errorf("%s %s is larger than %d bytes", flag, path, maxGenesisFile)
	}
	return b, nil
}

// loadGenesisFile reads and checks a genesis file (node.LoadGenesis, with
// messages for someone who is not running a node).
func loadGenesisFile(path string) (node.Genesis, error) {
	b, err := readSmallFile("--genesis", path)
	if err != nil {
		return node.Genesis{}, err
	}
	var g node.Genesis
	if err := json.Unmarshal(b, &g); err != nil {
		return node.Genesis{}, fmt.Errorf("--genesis %s is not a genesis file: %w", path, err)
	}
	if err := g.Validate(); err != nil {
		return node.Genesis{}, fmt.Errorf("--genesis %s: %w", path, err)
	}
	return g, nil
}

// genesisChainID is the chain id the chain's signatures are made for.
func genesisChainID(g node.Genesis) (string, error) {
	gl, err := g.Ledger()
	if err != nil {
		return "", err
	}
	return node.ChainID(g.ChainName, gl.Hash()), nil
}

// loadValidators reads a --validators file: a JSON array whose entries are
// node public keys ("n...") or objects with one in "public_key" (as in a
// genesis file's consensus.validators; other fields are ignored).
func loadValidators(path string) ([]consensus.Validator, error) {
	b, err := readSmallFile("--validators", path)
	if err != nil {
		return nil, err
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf(`--validators %s: want a JSON list of node public keys, like ["n9KAa2zV...", ...]: %w`, path, err)
	}
	if len(entries) == 0 || len(entries) > ledger.MaxValidators {
		return nil, fmt.Errorf("--validators %s lists %d validators; a validator set has 1 to %d", path, len(entries), ledger.MaxValidators)
	}
	seen := map[codec.AccountID]int{}
	vals := make([]consensus.Validator, 0, len(entries))
	for i, e := range entries {
		var key string
		if json.Unmarshal(e, &key) != nil {
			var obj struct {
				PublicKey string `json:"public_key"`
			}
			if json.Unmarshal(e, &obj) != nil || obj.PublicKey == "" {
				return nil, fmt.Errorf(`--validators %s: entry %d is neither a node public key ("n...") nor an object with "public_key"`, path, i)
			}
			key = obj.PublicKey
		}
		pub, err := crypto.ParseNodePublic(key)
		if err != nil {
			return nil, fmt.Errorf("--validators %s: entry %d (%q) is not a node public key: %w", path, i, key, err)
		}
		acct := crypto.AccountIDFromPublicKey(pub)
		if j, dup := seen[acct]; dup {
			return nil, fmt.Errorf("--validators %s: entries %d and %d are the same validator", path, j, i)
		}
		seen[acct] = i
		vals = append(vals, consensus.Validator{Address: acct, PublicKey: pub})
	}
	return vals, nil
}

func readBundleFile(path string, stdin io.Reader) ([]byte, error) {
	r, done, err := openInput(path, stdin)
	if err != nil {
		return nil, err
	}
	defer done()
	b, err := io.ReadAll(io.LimitReader(r, blhr.MaxBundleJSON+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > blhr.MaxBundleJSON {
		return nil, fmt.Errorf("invalid: %s is larger than any proof bundle (%d bytes)", path, blhr.MaxBundleJSON)
	}
	return bytes.TrimSpace(b), nil
}

// checkDataFile checks that rec records the file at path.
func checkDataFile(path string, stdin io.Reader, rec blhr.Record) error {
	h, err := hashFile(path, stdin)
	if err != nil {
		return err
	}
	if h != rec.DataHash {
		id := rec.ID()
		return fmt.Errorf("invalid: the bundle holds (valid) record %X, but it records data hash %X, and --data-file %s hashes to %X: the record is not of this file",
			id[:], rec.DataHash[:], path, h[:])
	}
	return nil
}

func printVerifyOutcome(w io.Writer, o verifyOutcome, asJSON bool, dataFile string) error {
	if asJSON {
		return printJSON(w, o)
	}
	fmt.Fprintf(w, "valid: record %s is in ledger %d %s\n", o.ID, o.LedgerIndex, o.LedgerHash)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  chain\t%s\n", o.ChainID)
	fmt.Fprintf(tw, "  closed\t%s\n", o.CloseTime)
	fmt.Fprintf(tw, "  type\t%s\n", orNone(o.TypeTag))
	if o.Account != "" {
		fmt.Fprintf(tw, "  signed by\t%s\n", o.Account)
	} else {
		fmt.Fprintf(tw, "  signed by\tnobody (unsigned record)\n")
	}
	switch {
	case dataFile != "":
		fmt.Fprintf(tw, "  data hash\t%s (matches %s)\n", o.DataHash, dataFile)
	case o.DataSize > 0:
		fmt.Fprintf(tw, "  data hash\t%s (of %d bytes of data in the record)\n", o.DataHash, o.DataSize)
	default:
		fmt.Fprintf(tw, "  data hash\t%s (the data is not in the record)\n", o.DataHash)
	}
	return tw.Flush()
}

// ---- query ----

// blhrQueryRecord is one record of blhr_query's answer.
type blhrQueryRecord struct {
	LedgerIndex uint32 `json:"ledger_index"`
	ID          string `json:"id"`
	TypeTag     string `json:"type_tag"`
	Account     string `json:"account,omitempty"`
	DataHash    string `json:"data_hash"`
	Data        string `json:"data,omitempty"` // hex
}

type blhrQueryResult struct {
	Indexer string            `json:"indexer,omitempty"`
	Records []blhrQueryRecord `json:"records"`
	Marker  string            `json:"marker,omitempty"`
}

type blhrQueryFlags struct {
	node      nodeFlags
	indexer   string
	typeTag   string
	account   string
	dataHash  string
	dataFile  string
	ledgerMin int64
	ledgerMax int64
	limit     int
	marker    string
	all       bool
	asJSON    bool
}

func newBLHRQueryCmd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var qf blhrQueryFlags
	c := &cobra.Command{
		Use:   "query [--type TAG] [--account ADDRESS] [--data-hash HASH | --data-file FILE] [--ledger-min N] [--ledger-max N]",
		Short: "Search the records an indexer plugin holds",
		Long: `Search sealed records with an indexer plugin the node runs (blhr_query).
Filters combine: records of a type tag, signed by an account, of a data
hash (or of a file: --data-file hashes it here), in a range of ledgers.
Records come in ledger order, a page at a time (--limit, the node's default
otherwise); jt prints the marker of the next page, or with --all follows
the markers to the end. --indexer names the instance when the node runs
more than one.`,
		Example: `  jt blhr query --type invoice
  jt blhr query --account jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh --ledger-min 100 --all
  jt blhr query --data-file contract.txt --json`,
		Args: exactArgs(0, "no arguments (filters are flags)"),
		RunE: func(c *cobra.Command, _ []string) error {
			params, err := qf.params(c, stdin)
			if err != nil {
				return err
			}
			cl, err := qf.node.dial(c.Context(), nil)
			if err != nil {
				return err
			}
			defer cl.Close()
			var all blhrQueryResult
			seen := map[string]bool{}
			for {
				rctx, cancel := qf.node.requestCtx(c.Context())
				raw, err := cl.Request(rctx, "blhr_query", params)
				cancel()
				if err != nil {
					return fmt.Errorf("blhr_query: %w", err)
				}
				var res blhrQueryResult
				if err := json.Unmarshal(raw, &res); err != nil {
					return fmt.Errorf("blhr_query: unexpected answer: %w", err)
				}
				all.Indexer, all.Marker = res.Indexer, res.Marker
				all.Records = append(all.Records, res.Records...)
				if !qf.all || res.Marker == "" {
					break
				}
				if seen[res.Marker] {
					return fmt.Errorf("blhr_query: the node returned marker %s twice; stopping", res.Marker)
				}
				seen[res.Marker] = true
				params["marker"] = res.Marker
			}
			if all.Records == nil {
				all.Records = []blhrQueryRecord{}
			}
			if qf.asJSON {
				return printJSON(stdout, all)
			}
			return printQueryResult(stdout, all)
		},
	}
	addNodeFlags(c, &qf.node)
	f := c.Flags()
	f.StringVar(&qf.indexer, "indexer", "", "indexer instance to ask (default: the node's only one)")
	f.StringVar(&qf.typeTag, "type", "", "only records of this type tag")
	f.StringVar(&qf.account, "account", "", "only records signed by this account (j...)")
	f.StringVar(&qf.dataHash, "data-hash", "", "only records of this data hash (64 hex digits)")
	f.StringVar(&qf.dataFile, "data-file", "", "only records of this file's data hash (SHA512Half)")
	f.Int64Var(&qf.ledgerMin, "ledger-min", 0, "only records sealed in this ledger or later")
	f.Int64Var(&qf.ledgerMax, "ledger-max", 0, "only records sealed in this ledger or earlier")
	f.IntVar(&qf.limit, "limit", 0, "records per page (default: the node's)")
	f.StringVar(&qf.marker, "marker", "", "continue from this marker of an earlier answer")
	f.BoolVar(&qf.all, "all", false, "follow markers and print every match")
	f.BoolVar(&qf.asJSON, "json", false, "print the answer as JSON")
	return c
}

// params turns the flags into blhr_query's parameters, checking them first.
func (qf *blhrQueryFlags) params(c *cobra.Command, stdin io.Reader) (map[string]any, error) {
	p := map[string]any{}
	if qf.indexer != "" {
		p["indexer"] = qf.indexer
	}
	if qf.typeTag != "" {
		p["type_tag"] = qf.typeTag
	}
	if qf.account != "" {
		if _, err := crypto.ParseAddress(qf.account); err != nil {
			return nil, usageError{fmt.Errorf("--account %q is not an address (j...): %w", qf.account, err)}
		}
		p["account"] = qf.account
	}
	switch {
	case qf.dataHash != "" && qf.dataFile != "":
		return nil, usageError{fmt.Errorf("--data-hash and --data-file both name the data: give one")}
	case qf.dataHash != "":
		h, err := parseHash(qf.dataHash)
		if err != nil {
			return nil, usageError{fmt.Errorf("--data-hash: %w", err)}
		}
		p["data_hash"] = codec.HexUpper(h[:])
	case qf.dataFile != "":
		h, err := hashFile(qf.dataFile, stdin)
		if err != nil {
			return nil, err
		}
		p["data_hash"] = codec.HexUpper(h[:])
	}
	for _, r := range []struct {
		flag, param string
		v           int64
	}{{"ledger-min", "ledger_index_min", qf.ledgerMin}, {"ledger-max", "ledger_index_max", qf.ledgerMax}} {
		if !c.Flags().Changed(r.flag) {
			continue
		}
		if r.v < 1 || r.v > 1<<32-1 {
			return nil, usageError{fmt.Errorf("--%s %d: want a ledger sequence, 1 to %d", r.flag, r.v, uint32(1<<32-1))}
		}
		p[r.param] = r.v
	}
	if c.Flags().Changed("ledger-min") && c.Flags().Changed("ledger-max") && qf.ledgerMin > qf.ledgerMax {
		return nil, usageError{fmt.Errorf("--ledger-min %d is after --ledger-max %d", qf.ledgerMin, qf.ledgerMax)}
	}
	if c.Flags().Changed("limit") {
		if qf.limit < 1 {
			return nil, usageError{fmt.Errorf("--limit %d: want at least 1", qf.limit)}
		}
		p["limit"] = qf.limit
	}
	if qf.marker != "" {
		if !isHexString(qf.marker) {
			return nil, usageError{fmt.Errorf("--marker %q: a marker is the hex string an earlier answer gave", qf.marker)}
		}
		p["marker"] = qf.marker
	}
	return p, nil
}

func printQueryResult(w io.Writer, res blhrQueryResult) error {
	if len(res.Records) == 0 {
		fmt.Fprintln(w, "no records match")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LEDGER\tID\tTYPE\tACCOUNT\tDATA")
		for _, r := range res.Records {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.LedgerIndex, r.ID, orNone(r.TypeTag), orNone(r.Account), describeData(r))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if res.Marker != "" {
		fmt.Fprintf(w, "more records: rerun with --marker %s (or --all)\n", res.Marker)
	}
	return nil
}

// describeData shows a record's data as short text when it is printable,
// else its size, or the data hash of a record without data.
func describeData(r blhrQueryRecord) string {
	if r.Data == "" {
		return "hash " + r.DataHash
	}
	b, err := hex.DecodeString(r.Data)
	if err != nil {
		return "data (bad hex from the node)"
	}
	const maxRunes = 40
	if utf8.Valid(b) {
		s, n, printable := string(b), 0, true
		for _, c := range s {
			if !unicode.IsPrint(c) {
				printable = false
				break
			}
			n++
		}
		if printable {
			if n > maxRunes {
				s = string([]rune(s)[:maxRunes]) + "…"
			}
			return fmt.Sprintf("%q", s)
		}
	}
	return fmt.Sprintf("%d bytes", len(b))
}
