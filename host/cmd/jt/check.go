package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// defaultCheckWindow is how many of the newest common heights jt check
// compares unless told otherwise (--from or --all).
const defaultCheckWindow = 1000

type checkOptions struct {
	from, to    uint32
	fromSet     bool
	toSet       bool
	all         bool
	concurrency int
	timeout     time.Duration
}

func newCheckCmd(stdout io.Writer) *cobra.Command {
	var o checkOptions
	c := &cobra.Command{
		Use:   "check NODE NODE...",
		Short: "Check that nodes agree on every validated ledger they share",
		Long: fmt.Sprintf(`Compare the validated ledgers of two or more nodes height by height: for
each height that every node has (server_info's complete_ledgers, up to its
validated ledger), fetch the ledger header from each node and compare
ledger_hash, parent_hash, transaction_hash and account_hash (the state
root). A NODE is a node's API URL: ws://HOST:PORT (WebSocket) or
http://HOST:PORT (JSON-RPC); the same node may be listed twice.

By default the newest %d heights the nodes share are checked; --from and
--to choose the range (--from alone checks from there to the newest shared
height), --all checks every shared height.

All nodes agree: one summary line, exit status 0. The nodes differ: the
first height where they do, each differing field and each node's value,
exit status 1. A node that cannot be reached, or has no ledger in common
with the others, is reported with exit status 1; bad usage exits 2.`, defaultCheckWindow),
		Example: `  jt check ws://127.0.0.1:6020 ws://127.0.0.1:6030 ws://127.0.0.1:6040 ws://127.0.0.1:6050
  jt check --all ws://127.0.0.1:6020 http://127.0.0.1:6031
  jt check --from 100 --to 200 ws://10.0.0.5:5020 ws://10.0.0.6:5020`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError{fmt.Errorf("%s takes two or more node URLs (got %d)\nRun '%s --help' for usage.", c.CommandPath(), len(args), c.CommandPath())}
			}
			for _, a := range args {
				if err := checkURL(a); err != nil {
					return usageError{err}
				}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.fromSet, o.toSet = c.Flags().Changed("from"), c.Flags().Changed("to")
			switch {
			case o.concurrency < 1:
				return usageError{errors.New("--concurrency must be at least 1")}
			case o.timeout <= 0:
				return usageError{errors.New("--timeout must be positive")}
			case o.fromSet && o.from == 0, o.toSet && o.to == 0:
				return usageError{errors.New("--from and --to are ledger heights, 1 or more")}
			case o.fromSet && o.toSet && o.from > o.to:
				return usageError{fmt.Errorf("--from %d is after --to %d", o.from, o.to)}
			case o.all && (o.fromSet || o.toSet):
				return usageError{errors.New("--all checks every shared height: leave out --from and --to")}
			}
			return runCheck(c.Context(), stdout, args, o)
		},
	}
	f := c.Flags()
	f.Uint32Var(&o.from, "from", 0, "first height to compare (default: the newest shared heights, see above)")
	f.Uint32Var(&o.to, "to", 0, "last height to compare (default: the newest height every node has validated)")
	f.BoolVar(&o.all, "all", false, "compare every height the nodes share")
	f.IntVar(&o.concurrency, "concurrency", 8, "ledger requests in flight at once, over all nodes")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for each answer")
	return c
}

func runCheck(ctx context.Context, stdout io.Writer, urls []string, o checkOptions) error {
	nodes, err := dialAll(ctx, urls, o)
	if err != nil {
		return err
	}
	defer func() {
		for _, n := range nodes {
			n.close()
		}
	}()

	common, err := sharedHeights(ctx, nodes)
	if err != nil {
		return err
	}
	lo, hi, note, err := checkRange(common, o)
	if err != nil {
		return err
	}
	heights := intersect(common, []span{{lo, hi}})

	first, agreed, err := compareHeights(ctx, nodes, heights, o.concurrency)
	if err != nil {
		return err
	}
	if first != nil {
		printDivergence(stdout, first, agreed)
		return fmt.Errorf("the nodes disagree at ledger %d (%s)", first.seq, strings.Join(first.fields(), ", "))
	}
	if len(heights) == 1 && heights[0] == (span{lo, hi}) {
		fmt.Fprintf(stdout, "%d nodes agree on ledgers %d..%d%s\n", len(nodes), lo, hi, note)
	} else {
		fmt.Fprintf(stdout, "%d nodes agree on the %d ledgers they share in %d..%d (%s)%s\n",
			len(nodes), count(heights), lo, hi, formatSpans(heights), note)
	}
	return nil
}

// dialAll connects to every node at once and reports every one that cannot
// be reached.
func dialAll(ctx context.Context, urls []string, o checkOptions) ([]*apiNode, error) {
	nodes := make([]*apiNode, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = dialAPINode(ctx, u, o.timeout, o.concurrency)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, n := range nodes {
			if n != nil {
				n.close()
			}
		}
		return nil, err
	}
	return nodes, nil
}

// sharedHeights is the intersection of every node's validated heights.
func sharedHeights(ctx context.Context, nodes []*apiNode) ([]span, error) {
	ranges := make([][]span, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); ranges[i], errs[i] = n.validatedRange(ctx) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	common := ranges[0]
	for _, r := range ranges[1:] {
		common = intersect(common, r)
	}
	if len(common) == 0 {
		var b strings.Builder
		for i, n := range nodes {
			fmt.Fprintf(&b, "\n  %s has %s", n.url, formatSpans(ranges[i]))
		}
		return nil, fmt.Errorf("the nodes have no validated ledger in common:%s", b.String())
	}
	return common, nil
}

// checkRange picks the heights to compare from the shared ones and the
// flags, and a note for the summary when the default window cut the range.
func checkRange(common []span, o checkOptions) (lo, hi uint32, note string, err error) {
	first, last := common[0].lo, common[len(common)-1].hi
	lo, hi = first, last
	if o.toSet {
		hi = min(o.to, last)
	}
	if o.fromSet {
		lo = max(o.from, first)
	} else if !o.all && hi-lo >= defaultCheckWindow {
		lo = hi - defaultCheckWindow + 1
		note = fmt.Sprintf(" (the newest %d of the shared %s; --all checks every one)", defaultCheckWindow, formatSpans(common))
	}
	if lo > hi || len(intersect(common, []span{{lo, hi}})) == 0 {
		return 0, 0, "", fmt.Errorf("no height in %s is shared by every node: they share %s", formatWant(o), formatSpans(common))
	}
	return lo, hi, note, nil
}

func formatWant(o checkOptions) string {
	switch {
	case o.fromSet && o.toSet:
		return fmt.Sprintf("%d..%d", o.from, o.to)
	case o.fromSet:
		return fmt.Sprintf("%d..", o.from)
	default:
		return fmt.Sprintf("..%d", o.to)
	}
}

func count(s []span) uint64 {
	var n uint64
	for _, x := range s {
		n += uint64(x.hi-x.lo) + 1
	}
	return n
}

// divergence is the first height where the nodes' headers differ.
type divergence struct {
	seq     uint32
	nodes   []*apiNode
	headers []ledgerHeader
}

// fields names the header fields that differ.
func (d *divergence) fields() []string {
	var out []string
	for _, f := range headerFields {
		for _, h := range d.headers[1:] {
			if f.get(h) != f.get(d.headers[0]) {
				out = append(out, f.name)
				break
			}
		}
	}
	return out
}

// compareBatch is how many heights are fetched before they are compared:
// enough to keep --concurrency requests busy, few enough that a divergence
// early in a long range stops the check soon.
const compareBatch = 256

// compareHeights fetches and compares the headers at every height in
// order, concurrency requests at a time. It returns the first divergence
// (nil if none) and the heights found equal before it.
func compareHeights(ctx context.Context, nodes []*apiNode, heights []span, concurrency int) (*divergence, []span, error) {
	var agreed []span
	next := heightIter(heights)
	for {
		batch := make([]uint32, 0, compareBatch)
		for len(batch) < compareBatch {
			seq, ok := next()
			if !ok {
				break
			}
			batch = append(batch, seq)
		}
		if len(batch) == 0 {
			return nil, agreed, nil
		}
		got, err := fetchHeaders(ctx, nodes, batch, concurrency)
		if err != nil {
			return nil, nil, err
		}
		for i, seq := range batch {
			d := &divergence{seq: seq, nodes: nodes, headers: got[i]}
			if len(d.fields()) > 0 {
				return d, agreed, nil
			}
			if k := len(agreed) - 1; k >= 0 && agreed[k].hi+1 == seq {
				agreed[k].hi = seq
			} else {
				agreed = append(agreed, span{seq, seq})
			}
		}
	}
}

// heightIter yields the heights of spans in order.
func heightIter(spans []span) func() (uint32, bool) {
	i, next := 0, uint64(0)
	return func() (uint32, bool) {
		for i < len(spans) {
			if next < uint64(spans[i].lo) {
				next = uint64(spans[i].lo)
			}
			if next <= uint64(spans[i].hi) {
				next++
				return uint32(next - 1), true
			}
			i++
		}
		return 0, false
	}
}

// fetchHeaders gets the header of every height in seqs from every node.
// On failure it reports the error of the lowest height, so the message does
// not depend on scheduling.
func fetchHeaders(ctx context.Context, nodes []*apiNode, seqs []uint32, concurrency int) ([][]ledgerHeader, error) {
	got := make([][]ledgerHeader, len(seqs))
	errs := make([][]error, len(seqs))
	for i := range seqs {
		got[i] = make([]ledgerHeader, len(nodes))
		errs[i] = make([]error, len(nodes))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, seq := range seqs {
		for j, n := range nodes {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				got[i][j], errs[i][j] = n.header(ctx, seq)
			}()
		}
	}
	wg.Wait()
	for i := range seqs {
		if err := errors.Join(errs[i]...); err != nil {
			return nil, err
		}
	}
	return got, nil
}

// printDivergence shows, for each differing field, which nodes hold which
// value, nodes with the same value together.
func printDivergence(w io.Writer, d *divergence, agreed []span) {
	fmt.Fprintf(w, "ledger %d differs between the nodes", d.seq)
	if len(agreed) > 0 {
		fmt.Fprintf(w, " (they agree on %s before it)", formatSpans(agreed))
	}
	fmt.Fprintln(w, ":")
	for _, f := range headerFields {
		groups := map[string][]string{}
		for i, h := range d.headers {
			groups[f.get(h)] = append(groups[f.get(h)], d.nodes[i].url)
		}
		if len(groups) == 1 {
			continue
		}
		values := make([]string, 0, len(groups))
		for v := range groups {
			values = append(values, v)
		}
		// The value most nodes hold first, then by value, so the output is stable.
		sort.Slice(values, func(a, b int) bool {
			if la, lb := len(groups[values[a]]), len(groups[values[b]]); la != lb {
				return la > lb
			}
			return values[a] < values[b]
		})
		fmt.Fprintf(w, "  %s:\n", f.name)
		for _, v := range values {
			fmt.Fprintf(w, "    %s  %s\n", v, strings.Join(groups[v], ", "))
		}
	}
}
