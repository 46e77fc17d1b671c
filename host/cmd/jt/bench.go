package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/sdk/client"
)

// maxBenchTxs bounds one run: jt tracks every payment until it validates.
const maxBenchTxs = 10_000_000

// benchConfig is everything jt bench payments needs; the command fills it
// from flags, tests directly.
type benchConfig struct {
	url         string
	accounts    int
	rate        float64 // tx/s
	duration    time.Duration
	keyType     crypto.KeyType
	funder      crypto.KeyPair
	conns       int
	fee         int64 // drops per payment
	amount      int64 // drops per payment
	timeout     time.Duration
	grace       time.Duration
	fundTimeout time.Duration

	stderr   io.Writer // status lines and the progress bar
	progress bool      // show a progress bar on stderr
	clk      clock
	// hardStop, when it fires, ends the waits after the send phase (a second
	// Ctrl-C): the grace period and the final account check.
	hardStop <-chan struct{}
}

func (c *benchConfig) validate() error {
	var errs []error
	check := func(ok bool, format string, a ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, a...))
		}
	}
	check(c.accounts >= 1 && c.accounts <= 100_000, "--accounts %d: want 1..100000", c.accounts)
	check(c.rate > 0 && c.rate <= 1_000_000, "--rate %g: want a rate in tx/s between 0 and 1000000", c.rate)
	check(c.duration > 0 && c.duration <= 24*time.Hour, "--duration %s: want a positive duration up to 24h", c.duration)
	check(c.conns >= 1 && c.conns <= 256, "--conns %d: want 1..256", c.conns)
	check(c.fee >= 1 && c.fee <= codec.MaxNativeDrops, "--fee %d: want a positive number of drops", c.fee)
	check(c.timeout > 0, "--timeout must be positive")
	check(c.grace >= 0, "--grace must not be negative")
	check(c.fundTimeout > 0, "--fund-timeout must be positive")
	if c.rate > 0 && c.duration > 0 {
		n := totalTxs(c.rate, c.duration)
		check(n >= 1, "--rate %g for --duration %s sends no transaction", c.rate, c.duration)
		check(n <= maxBenchTxs, "--rate %g for --duration %s is %d payments; at most %d per run (jt keeps each in memory)", c.rate, c.duration, n, maxBenchTxs)
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	return nil
}

func newBenchCmd(stdout io.Writer) *cobra.Command {
	b := &cobra.Command{
		Use:   "bench",
		Short: "Measure a running node or network",
	}
	var nf nodeFlags
	var keyType, funder string
	var asJSON bool
	cfg := benchConfig{}
	p := &cobra.Command{
		Use:   "payments",
		Short: "Submit signed SWT payments at a steady rate and measure what commits",
		Long: `Create fresh accounts, fund them from the funder, then submit pre-signed
SWT payments at a steady rate for a while and report what the node accepted
and what it committed (validated), with submit-to-validated latencies.

Setup: --accounts new accounts are funded from --funder with consecutive
sequences (the reserve plus their share of fees, with headroom), and jt waits
until the funding is validated. Each payment sends 1 drop from one bench
account to the next; account i uses its own consecutive sequences and always
the same one of the --conns connections, so its transactions arrive in order.
Payments are signed ahead of time on all cores; jt measures how fast it signs
and warns when that is slower than --rate. A separate connection subscribes
to the transactions stream to see each payment validated.

Results: submitted, accepted (engine_result tes) and committed (validated)
counts and rates; rejections and failed requests by result; payments lost
(accepted but not validated within --grace after the run); latency from
submit to validation (p50/p95/p99/max). An account whose transaction is
rejected stops sending (its later sequences could not apply); its remaining
payments are reported as skipped.

Ctrl-C stops submitting and waits out the grace period; a second Ctrl-C
skips the wait. Either way the partial results are printed.`,
		Example: `  jt bench payments --accounts 200 --rate 1000 --duration 60s
  jt bench payments --accounts 50 --rate 200 --duration 30s --key-type secp256k1 --conns 2
  jt bench payments --rate 5000 --duration 2m --json > result.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			kt, err := crypto.ParseKeyType(keyType)
			if err != nil {
				return usageError{fmt.Errorf("--key-type %q: want ed25519 or secp256k1", keyType)}
			}
			seed, fkt, err := crypto.ParseSecret(funder)
			if err != nil {
				return fmt.Errorf("--funder: not a valid secret: %w", err)
			}
			if cfg.funder, err = crypto.DeriveKeyPair(seed, fkt); err != nil {
				return fmt.Errorf("--funder: %w", err)
			}
			cfg.url, cfg.timeout, cfg.keyType = nf.url, nf.timeout, kt
			cfg.stderr = c.ErrOrStderr()
			cfg.progress = !asJSON && isTerminal(cfg.stderr)
			if err := cfg.validate(); err != nil {
				return err
			}
			cfg.clk = realClock{}
			hard := make(chan struct{})
			cfg.hardStop = hard
			stop := onSecondInterrupt(c.Context(), hard)
			defer stop()

			report, err := runBench(c.Context(), &cfg)
			if report == nil {
				if c.Context().Err() != nil {
					return fmt.Errorf("interrupted before the run started (%v)", err)
				}
				return err
			}
			if asJSON {
				if perr := printJSON(stdout, report); perr != nil {
					return perr
				}
			} else if perr := printBenchReport(stdout, report); perr != nil {
				return perr
			}
			switch {
			case err != nil:
				return err
			case report.Interrupted:
				return errors.New("interrupted: the results above are partial")
			case report.Aborted != "":
				return fmt.Errorf("the run stopped early: %s", report.Aborted)
			}
			return nil
		},
	}
	addNodeFlags(p, &nf)
	f := p.Flags()
	f.IntVar(&cfg.accounts, "accounts", 100, "number of fresh sending accounts")
	f.Float64Var(&cfg.rate, "rate", 100, "payments per second to submit, over all accounts")
	f.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long to submit")
	f.StringVar(&keyType, "key-type", "ed25519", "key type of the new accounts: ed25519 or secp256k1")
	f.StringVar(&funder, "funder", crypto.GenesisSecret, "secret of the account that funds the new ones (the default is the genesis account)")
	f.IntVar(&cfg.conns, "conns", 4, "WebSocket connections to submit over")
	f.Int64Var(&cfg.fee, "fee", defaultFee, "fee of each payment, in drops")
	f.DurationVar(&cfg.grace, "grace", 30*time.Second, "how long to wait after the run for submitted payments to validate")
	f.DurationVar(&cfg.fundTimeout, "fund-timeout", 2*time.Minute, "how long funding the accounts (until validated) may take")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON (and no progress bar)")
	cfg.amount = 1
	b.AddCommand(p)
	return b
}

// onSecondInterrupt closes hard on the second Ctrl-C: the first one cancels
// ctx (main's signal context) and stops the run; the second skips the waits.
func onSecondInterrupt(ctx context.Context, hard chan struct{}) (stop func()) {
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		signal.Notify(ch, os.Interrupt)
		select {
		case <-ch:
			close(hard)
		case <-done:
		}
	}()
	return func() {
		close(done)
		signal.Stop(ch)
	}
}

// isLoopback reports whether the node URL points at this machine, whose
// address jtd treats as admin (no rate limits) by default.
func isLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// runBench sets up accounts, runs the load and gathers the report. It
// returns a nil report only when the run never started.
func runBench(ctx context.Context, cfg *benchConfig) (*benchReport, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.stderr, format+"\n", a...) }
	report := &benchReport{
		URL: cfg.url, Accounts: cfg.accounts, KeyType: cfg.keyType.String(), TargetRate: cfg.rate,
		Duration: cfg.duration.Seconds(), Connections: cfg.conns, Fee: cfg.fee,
	}
	// hardCtx outlives the first Ctrl-C: it carries the requests already
	// sent, the grace period and the final check.
	hardCtx, hardCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hardCancel()
	go func() {
		select {
		case <-cfg.hardStop:
			hardCancel()
		case <-hardCtx.Done():
		}
	}()

	nf := nodeFlags{url: cfg.url, timeout: cfg.timeout}
	streamCl, err := nf.dial(ctx, &client.Options{StreamBuffer: 1 << 16, ReadLimit: 64 << 20})
	if err != nil {
		return nil, err
	}
	conns := make([]*client.Client, 0, cfg.conns)
	defer func() { closeAll(append(conns, streamCl)) }()
	for range cfg.conns {
		cl, err := nf.dial(ctx, &client.Options{MaxInFlight: 1024})
		if err != nil {
			return nil, err
		}
		conns = append(conns, cl)
	}

	// Watch validations from the start, so that the stream is drained.
	rctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	sub, err := streamCl.Subscribe(rctx, []string{client.StreamLedger, client.StreamTransactions}, nil)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("subscribing to the transactions stream: %w", err)
	}
	reserve := int64(10 * dropsPerSWT)
	if lc, err := client.DecodeLedgerClosed(sub.Result); err == nil && lc.ReserveBase > 0 {
		reserve = lc.ReserveBase
	}
	tr := newTracker(cfg.accounts)
	var ledgersMu sync.Mutex
	var lastLedger uint32
	var streamDropped uint64
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		streamDropped = watchStream(sub.C, tr, cfg.clk, func(m client.StreamMessage) {
			if lc, err := m.LedgerClosed(); err == nil {
				ledgersMu.Lock()
				lastLedger = max(lastLedger, lc.LedgerIndex)
				ledgersMu.Unlock()
			}
		})
	}()
	defer func() { streamCl.Close(); <-watchDone }()

	// The funder and what funding needs.
	funderAddr := cfg.funder.AccountID().String()
	rctx, cancel = context.WithTimeout(ctx, cfg.timeout)
	fi, err := conns[0].AccountInfo(rctx, funderAddr, client.SelectCurrent)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("funder %s: %w", funderAddr, accountNotFound(err, funderAddr))
	}
	total := totalTxs(cfg.rate, cfg.duration)
	perAccount := (total + int64(cfg.accounts) - 1) / int64(cfg.accounts)
	fund := fundingAmount(reserve, perAccount, cfg.fee, cfg.amount)
	need := int64(cfg.accounts) * (fund + cfg.fee)
	if fi.Balance-reserve < need {
		return nil, fmt.Errorf("funder %s has %s SWT; funding %d accounts with %s SWT each needs %s SWT plus its reserve: lower --accounts, --rate or --duration, or use another --funder",
			funderAddr, formatSWT(fi.Balance), cfg.accounts, formatSWT(fund), formatSWT(need))
	}

	accounts, err := newBenchAccounts(cfg.accounts, cfg.keyType)
	if err != nil {
		return nil, fmt.Errorf("creating accounts: %w", err)
	}
	logf("funding %d new %s accounts with %s SWT each from %s...", cfg.accounts, cfg.keyType, formatSWT(fund), funderAddr)
	fundStart := cfg.clk.Now()
	fd := &funding{cl: conns[0], timeout: cfg.timeout, funder: cfg.funder, startSeq: fi.Sequence, clk: cfg.clk, logf: logf}
	if err := fd.run(ctx, accounts, fund, cfg.fee, fundStart.Add(cfg.fundTimeout)); err != nil {
		return nil, err
	}
	if err := readSequences(ctx, conns, accounts); err != nil {
		return nil, err
	}
	logf("funded and validated in %.1fs", cfg.clk.Now().Sub(fundStart).Seconds())

	// Sign ahead: about two seconds of transactions, at least 4 chunks.
	lookahead := int(min(4096, max(4, int64(cfg.rate*2)/chunkSize+1)))
	workers := runtime.GOMAXPROCS(0)
	psCtx, psCancel := context.WithCancel(ctx)
	ps := startPresigner(psCtx, accounts, func(i int) codec.AccountID {
		if cfg.accounts == 1 {
			return cfg.funder.AccountID()
		}
		return accounts[(i+1)%len(accounts)].id
	}, paymentSpec{fee: cfg.fee, amount: cfg.amount}, total, workers, lookahead)
	defer func() { psCancel(); ps.stop() }()
	signStart := cfg.clk.Now()
	prefill := min(total, int64(lookahead*chunkSize))
	ps.waitSigned(ctx, prefill)
	if d := cfg.clk.Now().Sub(signStart); d > 0 {
		report.SigningTPS = math.Round(float64(ps.signed.Load()) / d.Seconds())
	}
	if report.SigningTPS > 0 && report.SigningTPS < cfg.rate*1.1 {
		report.Warnings = append(report.Warnings, fmt.Sprintf(
			"this client signs only %.0f %s payments/s on %d cores, close to or below --rate %g: signing may limit the run (ed25519 signs faster than secp256k1)",
			report.SigningTPS, cfg.keyType, workers, cfg.rate))
		logf("warning: %s", report.Warnings[len(report.Warnings)-1])
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("interrupted before the run started")
	}

	if perConn := cfg.rate / float64(cfg.conns); perConn > 450 && !isLoopback(cfg.url) {
		report.Warnings = append(report.Warnings, fmt.Sprintf(
			"%.0f requests/s per connection: jtd limits clients outside admin_ips to 500/s per connection by default and disconnects those far over it; use --conns %d or more, or run from an admin address",
			perConn, int(math.Ceil(cfg.rate/450))))
		logf("warning: %s", report.Warnings[len(report.Warnings)-1])
	}
	lr := &loadRun{conns: conns, tr: tr, ps: ps, clk: cfg.clk, rate: cfg.rate, total: total, duration: cfg.duration, timeout: cfg.timeout}
	bar := newBenchProgress(cfg, total)
	stopBar := bar.follow(tr, func() string {
		ledgersMu.Lock()
		defer ledgersMu.Unlock()
		return fmt.Sprintf("ledger %d", lastLedger)
	})
	start := cfg.clk.Now()
	_, sentAll := lr.run(ctx, hardCtx, start)
	sendTime := sentAll.Sub(start)
	if ctx.Err() == nil && lr.aborted() == "" {
		// A full run: the rates are over its duration, even if the last
		// transactions went out a little early.
		sendTime = max(sendTime, cfg.duration)
	}

	// Grace: wait for what may still validate. Without the stream (the node
	// may drop a subscriber this client could not keep up with), poll the
	// accounts' validated sequences instead.
	graceEnd := cfg.clk.Now().Add(cfg.grace)
	var seqs []uint32
	streamGone := false
	for tr.snapshot().outstanding > 0 && cfg.clk.Now().Before(graceEnd) {
		if !streamGone {
			select {
			case <-watchDone:
				streamGone = true
			default:
			}
		}
		if streamGone {
			if lr.aborted() != "" {
				break // the node went away: there is nothing to wait for
			}
			s, err := validatedSequences(hardCtx, conns, accounts)
			if err != nil {
				break
			}
			if seqs = s; tr.unconfirmed(seqs) == 0 {
				break
			}
		}
		if !cfg.clk.Sleep(hardCtx, 250*time.Millisecond) {
			break
		}
	}
	stopBar()

	// The final check finds commits the stream did not show.
	if hardCtx.Err() == nil {
		s, err := validatedSequences(hardCtx, conns, accounts)
		switch {
		case err == nil:
			seqs = s
		case seqs == nil:
			report.Warnings = append(report.Warnings, fmt.Sprintf("the final account check failed, so payments not seen on the stream count as lost: %v", err))
		}
	} else {
		report.Warnings = append(report.Warnings, "the final account check was skipped (second interrupt)")
	}
	streamCl.Close()
	<-watchDone

	tr.finish(report, start, seqs)
	report.Interrupted = ctx.Err() != nil
	report.Aborted = lr.aborted()
	report.SendTime = round1(sendTime.Seconds())
	report.CommitTime = round1(max(report.CommitTime, report.SendTime))
	report.SubmittedTPS = rate(report.Submitted, sendTime)
	report.AcceptedTPS = rate(report.Accepted, sendTime)
	report.CommittedTPS = rate(report.Committed, time.Duration(report.CommitTime*float64(time.Second)))
	report.MaxScheduleLagMs = float64(lr.maxLag.Microseconds()) / 1000
	report.SignerStalls = ps.stalls
	report.Skipped = lr.skipped
	report.Unsent = max(0, total-report.Submitted-lr.skipped)
	report.StreamDropped = streamDropped
	if streamDropped > 0 {
		report.Warnings = append(report.Warnings, fmt.Sprintf("this client missed %d stream messages (it read them too slowly); latencies are from the rest", streamDropped))
	}
	if full := ctx.Err() == nil && report.Aborted == ""; lr.maxLag > time.Second || (full && report.SubmittedTPS < 0.95*cfg.rate) {
		report.Warnings = append(report.Warnings, fmt.Sprintf(
			"submitted %.1f tx/s of the %g asked (%d not sent in time), up to %s behind schedule: the node answered submits too slowly (backpressure) or this client could not keep up",
			report.SubmittedTPS, cfg.rate, report.Unsent, lr.maxLag.Round(time.Millisecond)))
	}
	if n := report.Rejected["telINSUF_FEE_P"]; n > 0 {
		report.Warnings = append(report.Warnings, fmt.Sprintf(
			"the node refused %d payments for their fee (telINSUF_FEE_P): its open ledger was over target and fees escalated; raise --fee or lower --rate", n))
	}
	if ps.stalls > 0 {
		report.Warnings = append(report.Warnings, fmt.Sprintf("the sender waited for signatures %d times: signing could not keep up with --rate", ps.stalls))
	}
	return report, nil
}

// closeAll closes clients in parallel: each Close may wait for an
// unresponsive node's close handshake.
func closeAll(cls []*client.Client) {
	var wg sync.WaitGroup
	for _, c := range cls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Close()
		}()
	}
	wg.Wait()
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

// benchProgress is the progress bar on stderr, or nothing.
type benchProgress struct {
	bar *progressbar.ProgressBar
}

func newBenchProgress(cfg *benchConfig, total int64) *benchProgress {
	if !cfg.progress {
		return &benchProgress{}
	}
	return &benchProgress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(cfg.stderr),
		progressbar.OptionSetDescription("submitting"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionFullWidth(),
	)}
}

// follow updates the bar from the tracker until the returned stop is called.
func (p *benchProgress) follow(tr *tracker, extra func() string) (stop func()) {
	if p.bar == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				p.bar.Finish()
				return
			case <-t.C:
				s := tr.snapshot()
				p.bar.Describe(fmt.Sprintf("accepted %d  committed %d  pending %d  %s", s.accepted, s.committed, s.outstanding, extra()))
				p.bar.Set64(s.submitted)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
