package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value with at least p% of the samples
// at or below it. It returns 0 for no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// latencySummary is the distribution of submit-to-validated times.
type latencySummary struct {
	Samples int     `json:"samples"`
	P50ms   float64 `json:"p50_ms"`
	P95ms   float64 `json:"p95_ms"`
	P99ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
}

func summarizeLatency(samples []time.Duration) latencySummary {
	s := slices.Clone(samples)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }
	out := latencySummary{Samples: len(s)}
	if len(s) > 0 {
		out.P50ms, out.P95ms, out.P99ms, out.MaxMs = ms(percentile(s, 50)), ms(percentile(s, 95)), ms(percentile(s, 99)), ms(s[len(s)-1])
	}
	return out
}

// rate is n per second over d, 0 for an empty interval.
func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return math.Round(float64(n)/d.Seconds()*10) / 10
}

// benchReport is what jt bench payments prints, as a table or as JSON.
type benchReport struct {
	URL         string  `json:"url"`
	Accounts    int     `json:"accounts"`
	KeyType     string  `json:"key_type"`
	TargetRate  float64 `json:"target_tps"`
	Duration    float64 `json:"duration_s"`
	Connections int     `json:"connections"`
	Fee         int64   `json:"fee_drops"`

	// Interrupted is set when Ctrl-C ended the run; Aborted says why the
	// run stopped early otherwise (e.g. a lost connection).
	Interrupted bool   `json:"interrupted,omitempty"`
	Aborted     string `json:"aborted,omitempty"`

	SigningTPS float64 `json:"signing_tps"` // this client's signing throughput, all cores
	SendTime   float64 `json:"send_s"`      // how long submitting lasted
	CommitTime float64 `json:"commit_s"`    // from the start to the last validation seen

	Submitted int64 `json:"submitted"`
	Accepted  int64 `json:"accepted"` // engine_result tes*
	Queued    int64 `json:"queued"`   // ter*: held by the node to apply later (terQUEUED, terPRE_SEQ, terRETRY)
	Committed int64 `json:"committed"`
	// CommittedUnobserved are committed transactions found only by the final
	// account check (not seen on the stream, so without a latency).
	CommittedUnobserved int64 `json:"committed_unobserved"`
	// Lost were accepted or queued but not validated by the end of the grace period.
	Lost int64 `json:"lost"`
	// Skipped were pre-signed for accounts that had stalled and never sent.
	Skipped int64 `json:"skipped"`
	// Unsent were due during the run but not sent before it ended
	// (backpressure, or the run stopped early).
	Unsent int64 `json:"unsent"`

	SubmittedTPS float64 `json:"submitted_tps"`
	AcceptedTPS  float64 `json:"accepted_tps"`
	CommittedTPS float64 `json:"committed_tps"`

	// Rejected counts submissions the node did not accept, by engine_result,
	// and requests that failed ("error: timeout", "error: actNotFound", ...).
	Rejected map[string]int64 `json:"rejected"`
	// FailedInLedger counts validated transactions whose result was not tesSUCCESS.
	FailedInLedger map[string]int64 `json:"failed_in_ledger"`

	Latency latencySummary `json:"latency"`

	MaxScheduleLagMs float64  `json:"max_schedule_lag_ms"` // how far submitting fell behind the schedule
	SignerStalls     int64    `json:"signer_stalls"`       // times the sender waited for signatures
	StalledAccounts  int      `json:"stalled_accounts"`    // accounts whose sequence chain broke
	StreamDropped    uint64   `json:"stream_dropped"`      // transaction stream messages this client missed
	Warnings         []string `json:"warnings,omitempty"`
}

func printBenchReport(w io.Writer, r *benchReport) error {
	conns := "connections"
	if r.Connections == 1 {
		conns = "connection"
	}
	fmt.Fprintf(w, "jt bench payments: %d accounts (%s), target %g tx/s for %gs over %d %s, fee %d drops\n",
		r.Accounts, r.KeyType, r.TargetRate, r.Duration, r.Connections, conns, r.Fee)
	fmt.Fprintf(w, "node %s; client signs %.0f tx/s\n", r.URL, r.SigningTPS)
	switch {
	case r.Interrupted:
		fmt.Fprintln(w, "INTERRUPTED: partial results")
	case r.Aborted != "":
		fmt.Fprintf(w, "ABORTED: %s\n", r.Aborted)
	}
	fmt.Fprintln(w)
	row := func(label string, n int64, tps float64, over float64) {
		if over > 0 {
			fmt.Fprintf(w, "  %-42s %10d %10.1f tx/s  over %.1fs\n", label, n, tps, over)
		} else {
			fmt.Fprintf(w, "  %-42s %10d\n", label, n)
		}
	}
	row("submitted", r.Submitted, r.SubmittedTPS, r.SendTime)
	row("accepted (tes)", r.Accepted, r.AcceptedTPS, r.SendTime)
	row("committed (validated)", r.Committed, r.CommittedTPS, r.CommitTime)
	if r.Queued > 0 {
		row("queued by the node (ter*)", r.Queued, 0, 0)
	}
	if r.CommittedUnobserved > 0 {
		row("  of which not seen on the stream", r.CommittedUnobserved, 0, 0)
	}
	row("lost (accepted or queued, never validated)", r.Lost, 0, 0)
	if r.Skipped > 0 {
		row("skipped (stalled accounts)", r.Skipped, 0, 0)
	}
	if r.Unsent > 0 {
		row("not sent in time", r.Unsent, 0, 0)
	}
	printCounts(w, "rejected by the node or failed requests", r.Rejected)
	printCounts(w, "failed in a validated ledger", r.FailedInLedger)
	l := r.Latency
	fmt.Fprintf(w, "\nsubmit -> validated latency (%d samples): p50 %s  p95 %s  p99 %s  max %s\n",
		l.Samples, fmtMs(l.P50ms), fmtMs(l.P95ms), fmtMs(l.P99ms), fmtMs(l.MaxMs))
	fmt.Fprintf(w, "max schedule lag %s, signer stalls %d, stalled accounts %d, stream messages missed %d\n",
		fmtMs(r.MaxScheduleLagMs), r.SignerStalls, r.StalledAccounts, r.StreamDropped)
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	return nil
}

func printCounts(w io.Writer, title string, m map[string]int64) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Most frequent first, then by name.
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return int(m[b] - m[a])
		}
		return strings.Compare(a, b)
	})
	fmt.Fprintf(w, "\n%s:\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%d\n", k, m[k])
	}
	tw.Flush()
}

func fmtMs(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.2fs", ms/1000)
	}
	return fmt.Sprintf("%.1fms", ms)
}
