package indexertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
	"github.com/jtchain/jtchain/sdk/plugin/plugintest"
)

// NewIndexer returns a fresh, unconfigured indexer. Each check calls it
// with its own subtest, so an indexer's resources (a plugin process) can be
// released with t.Cleanup. The restart checks call it again for the same
// data directory after crashing the first (see Suite.Run).
type NewIndexer func(t *testing.T) indexer.Indexer

// Suite configures the checks; the zero value suits indexers that take no
// operator config.
type Suite struct {
	// Config is valid operator config, sent with every Configure (nil:
	// none). It must be a JSON object if the suite's own invalid config is
	// to extend it.
	Config json.RawMessage
	// Invalid are configs the indexer must refuse, checked besides the
	// suite's own: a config that is not a JSON object, and Config with a
	// key no indexer defines.
	Invalid []json.RawMessage
}

// UnknownKey is the key of the suite's own invalid config: no indexer
// defines it, and an indexer must refuse keys it does not know, since a
// misspelt setting that is silently ignored is a setting lost.
const UnknownKey = "indexertest.no-such-key"

// Run runs the suite with default settings against indexers from
// newIndexer, in process.
func Run(t *testing.T, newIndexer NewIndexer) {
	t.Helper()
	Suite{}.Run(t, newIndexer)
}

// RunBinary runs the suite with default settings against the indexer
// plugin binary at path, launching one process per indexer as the node
// does (see Launch).
func RunBinary(t *testing.T, path string) {
	t.Helper()
	Suite{}.RunBinary(t, path)
}

// RunBinary runs the suite against the indexer plugin binary at path. The
// restart checks kill the process with SIGKILL and launch a new one on the
// same data directory.
func (s Suite) RunBinary(t *testing.T, path string) {
	t.Helper()
	newIndexer := func(t *testing.T) indexer.Indexer { return Launch(t, path) }
	s.run(t, newIndexer, checks)
	// The node's side of the wire protocol needs a plugin process.
	s.run(t, newIndexer, wireChecks)
}

// Run runs every check as a subtest of t. The restart checks stand for a
// crash by dropping the indexer and getting a new one from newIndexer for
// the same data directory: a *Process (from Launch) is killed with
// SIGKILL first; an in-process indexer that is an io.Closer is closed
// first, so it can release locks on its files.
func (s Suite) Run(t *testing.T, newIndexer NewIndexer) {
	t.Helper()
	s.run(t, newIndexer, checks)
}

func (s Suite) run(t *testing.T, newIndexer NewIndexer, checks []check) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(t, s, newIndexer); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A check returns every contract violation it finds, joined.
type check struct {
	name string
	run  func(t *testing.T, s Suite, newIndexer NewIndexer) error
}

var checks = []check{
	{"InfoIsWellFormed", checkInfo},
	{"ConfigureAcceptsValidConfig", checkConfigureValid},
	{"ConfigureRefusesInvalidConfig", checkConfigureInvalid},
	{"CallsAfterFailedConfigureErr", checkCallsAfterFailedConfigure},
	{"NewIndexIsEmpty", checkEmpty},
	{"StoredRecordsAreFound", checkFound},
	{"ReplayDuplicatesNothing", checkReplay},
	{"LastStoredSurvivesRestart", checkRestart},
	{"PagingReturnsEveryRecordOnce", checkPaging},
	{"LimitAboveMaxIsCappedOrRefused", checkLimit},
	{"BadQueriesAreRefused", checkBadQueries},
	{"QueriesWhileStoring", checkConcurrent},
}

// wireChecks run only against a plugin process (RunBinary).
var wireChecks = []check{
	{"FeedOverTheWire", checkFeed},
}

func (s Suite) request(dir string, config json.RawMessage) indexer.ConfigureRequest {
	return indexer.ConfigureRequest{APIMinor: indexer.APIMinor, Config: config, ChainID: "indexertest", DataDir: dir}
}

// open returns a fresh indexer configured with the suite's Config on dir.
func (s Suite) open(t *testing.T, newIndexer NewIndexer, dir string) (indexer.Indexer, error) {
	ix := newIndexer(t)
	if err := configure(ix, s.request(dir, s.Config)); err != nil {
		return nil, fmt.Errorf("Configure with valid config: %w", err)
	}
	return ix, nil
}

// restart crashes ix and opens a new indexer on the same dir.
func (s Suite) restart(t *testing.T, newIndexer NewIndexer, ix indexer.Indexer, dir string) (indexer.Indexer, error) {
	switch x := ix.(type) {
	case interface{ Kill() }:
		x.Kill()
	case io.Closer:
		if err := x.Close(); err != nil {
			return nil, fmt.Errorf("Close before the restart: %w", err)
		}
	}
	ix, err := s.open(t, newIndexer, dir)
	if err != nil {
		return nil, fmt.Errorf("after a restart: %w", err)
	}
	return ix, nil
}

type invalid struct {
	what   string
	config json.RawMessage
}

func (s Suite) invalid() []invalid {
	obj := map[string]any{}
	if len(s.Config) > 0 {
		_ = json.Unmarshal(s.Config, &obj)
	}
	obj[UnknownKey] = true
	unknown, _ := json.Marshal(obj)
	out := []invalid{
		{"a config that is not a JSON object", json.RawMessage(`[1, 2, 3]`)},
		{fmt.Sprintf("a config with the unknown key %q", UnknownKey), unknown},
	}
	for i, c := range s.Invalid {
		out = append(out, invalid{fmt.Sprintf("Suite.Invalid[%d] (%s)", i, c), c})
	}
	return out
}

// isWire reports whether ix talks to a plugin process.
func isWire(ix indexer.Indexer) bool {
	switch ix.(type) {
	case *Process, *indexer.Client:
		return true
	}
	return false
}

func checkInfo(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix := newIndexer(t)
	info, err := getInfo(ix)
	if err != nil {
		return err
	}
	wire := isWire(ix)
	errs := plugin.CheckInfo(info, plugin.InfoRules{
		Kind: plugin.KindIndexer, APIMajor: indexer.APIMajor, APIMinor: indexer.APIMinor, Wire: wire, Noun: "indexer",
	})
	if p, ok := ix.(indexer.ConfigSchemaProvider); ok {
		schema, err := configSchema(p)
		if err == nil {
			err = plugintest.CheckConfigSchema(schema)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func checkConfigureValid(t *testing.T, s Suite, newIndexer NewIndexer) error {
	_, err := s.open(t, newIndexer, t.TempDir())
	return err
}

func checkConfigureInvalid(t *testing.T, s Suite, newIndexer NewIndexer) error {
	var errs []error
	for _, c := range s.invalid() {
		ix := newIndexer(t)
		err := configure(ix, s.request(t.TempDir(), c.config))
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("Configure accepted %s: it must refuse it with an error that names the problem", c.what))
		case errors.Is(err, errPanicked):
			errs = append(errs, fmt.Errorf("Configure with %s: %w", c.what, err))
		default:
			t.Logf("Configure with %s: %v", c.what, err)
			if err := alive(ix); err != nil {
				errs = append(errs, fmt.Errorf("after refusing %s: %w", c.what, err))
			}
		}
	}
	return errors.Join(errs...)
}

func checkCallsAfterFailedConfigure(t *testing.T, s Suite, newIndexer NewIndexer) error {
	c := s.invalid()[1]
	ix := newIndexer(t)
	if err := configure(ix, s.request(t.TempDir(), c.config)); err == nil {
		return fmt.Errorf("Configure accepted %s, so calls after a failed Configure cannot be checked", c.what)
	}
	var errs []error
	after := func(method string, err error) {
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("%s after a refused Configure succeeded: an unconfigured indexer must refuse to work", method))
		case errors.Is(err, errPanicked):
			errs = append(errs, err)
		default:
			t.Logf("%s after a refused Configure: %v", method, err)
		}
	}
	after("Store", store(ix, Chain(1, 1)[0]))
	_, _, err := lastStored(ix)
	after("LastStored", err)
	_, err = query(ix, indexer.Query{})
	after("Query", err)
	if err := alive(ix); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func checkEmpty(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	if err := wantLast(ix, 0, false, "on an empty data directory"); err != nil {
		return err
	}
	res, err := query(ix, indexer.Query{})
	switch {
	case err != nil:
		return fmt.Errorf("Query on an empty index: %w", err)
	case len(res.Records) > 0 || len(res.Marker) > 0:
		return fmt.Errorf("Query on an empty index returned %d records and marker %x, want none", len(res.Records), res.Marker)
	}
	return nil
}

// queries are the ones checkFound asks of Chain(1, n) for n >= 12; each
// must give exactly RecordsOf's answer.
func queries(ledgers []indexer.Ledger) []namedQuery {
	qs := []namedQuery{
		{"every record", indexer.Query{}},
		{"ledgers 4 to 9", indexer.Query{FromSeq: 4, ToSeq: 9}},
		{"from ledger 7", indexer.Query{FromSeq: 7}},
		{"up to ledger 5", indexer.Query{ToSeq: 5}},
		{"tag and account", indexer.Query{TypeTag: Tags[0], Account: Accounts[1]}},
		{"ledgers 3 to 10 and a data hash", indexer.Query{FromSeq: 3, ToSeq: 10, DataHash: DataHashes[2]}},
		{"an unknown tag", indexer.Query{TypeTag: "indexertest.no-such-tag"}},
		{"an unknown account", indexer.Query{Account: indexer.AccountID{0xde, 0xad}}},
		{"an unknown data hash", indexer.Query{DataHash: indexer.Hash256{0xde, 0xad}}},
		{"ledgers past the last", indexer.Query{FromSeq: ledgers[len(ledgers)-1].Seq + 1}},
	}
	for _, l := range ledgers {
		qs = append(qs, namedQuery{fmt.Sprintf("ledger %d alone (%d records)", l.Seq, len(l.Records)), indexer.Query{FromSeq: l.Seq, ToSeq: l.Seq}})
	}
	for _, tag := range Tags {
		qs = append(qs, namedQuery{fmt.Sprintf("tag %q", tag), indexer.Query{TypeTag: tag}})
	}
	for i, a := range Accounts {
		qs = append(qs, namedQuery{fmt.Sprintf("account %d (%s)", i, a), indexer.Query{Account: a}})
	}
	for i, h := range DataHashes {
		qs = append(qs, namedQuery{fmt.Sprintf("data hash %d (%s)", i, h), indexer.Query{DataHash: h}})
	}
	return qs
}

type namedQuery struct {
	what string
	q    indexer.Query
}

// findsAll checks every query of queries(ledgers) against what ix holds,
// which should be exactly ledgers.
func findsAll(ix indexer.Indexer, ledgers []indexer.Ledger, when string) error {
	var errs []error
	for _, nq := range queries(ledgers) {
		got, err := QueryAll(context.Background(), guarded{ix}, nq.q)
		if err == nil {
			err = sameRecords(got, RecordsOf(ledgers, nq.q))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("query %s %s: %w", nq.what, when, err))
			if errors.Is(err, errPanicked) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

func checkFound(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	ledgers := Chain(1, 12)
	if err := storeAll(ix, ledgers); err != nil {
		return err
	}
	if err := wantLast(ix, 12, true, "after storing ledgers 1 to 12"); err != nil {
		return err
	}
	t.Logf("%d ledgers, %d records, %d queries", len(ledgers), len(RecordsOf(ledgers, indexer.Query{})), len(queries(ledgers)))
	return findsAll(ix, ledgers, "after storing ledgers 1 to 12")
}

func checkReplay(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	ledgers := Chain(1, 13)
	if err := storeAll(ix, ledgers[:12]); err != nil {
		return err
	}
	// The last ledger again (a plugin crash lost its acknowledgement),
	// then the last three (a node crash lost a window of them).
	if err := storeAll(ix, ledgers[11:12]); err != nil {
		return fmt.Errorf("replaying ledger 12: %w", err)
	}
	if err := storeAll(ix, ledgers[9:12]); err != nil {
		return fmt.Errorf("replaying ledgers 10 to 12: %w", err)
	}
	if err := wantLast(ix, 12, true, "after replaying ledgers 12 and 10 to 12"); err != nil {
		return err
	}
	if err := findsAll(ix, ledgers[:12], "after replaying ledgers 12 and 10 to 12"); err != nil {
		return err
	}
	if err := storeAll(ix, ledgers[12:]); err != nil {
		return fmt.Errorf("storing ledger 13 after the replays: %w", err)
	}
	return findsAll(ix, ledgers, "after the replays and ledger 13")
}

func checkRestart(t *testing.T, s Suite, newIndexer NewIndexer) error {
	dir := t.TempDir()
	ix, err := s.open(t, newIndexer, dir)
	if err != nil {
		return err
	}
	if ix, err = s.restart(t, newIndexer, ix, dir); err != nil {
		return err
	}
	if err := wantLast(ix, 0, false, "after a restart with nothing stored"); err != nil {
		return err
	}

	ledgers := Chain(1, 13)
	if err := storeAll(ix, ledgers[:7]); err != nil {
		return err
	}
	if ix, err = s.restart(t, newIndexer, ix, dir); err != nil {
		return err
	}
	if err := wantLast(ix, 7, true, "after storing ledgers 1 to 7 and a restart"); err != nil {
		return err
	}
	if err := findsAll(ix, ledgers[:7], "after a restart"); err != nil {
		return err
	}
	// The node resends the last ledger when its acknowledgement was lost
	// in the crash, then goes on.
	if err := storeAll(ix, ledgers[6:]); err != nil {
		return fmt.Errorf("after a restart: %w", err)
	}
	if ix, err = s.restart(t, newIndexer, ix, dir); err != nil {
		return err
	}
	if err := wantLast(ix, 13, true, "after replaying ledger 7, storing 8 to 13 and a restart"); err != nil {
		return err
	}
	return findsAll(ix, ledgers, "after two restarts")
}

func checkPaging(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	ledgers := Chain(1, 30)
	if err := storeAll(ix, ledgers); err != nil {
		return err
	}
	var errs []error
	for _, limit := range []int{1, 2, 3, 7} {
		for _, nq := range []namedQuery{
			{"every record", indexer.Query{}},
			{fmt.Sprintf("tag %q", Tags[1]), indexer.Query{TypeTag: Tags[1]}},
			{"ledgers 5 to 25", indexer.Query{FromSeq: 5, ToSeq: 25}},
		} {
			q := nq.q
			q.Limit = limit
			got, err := QueryAll(context.Background(), guarded{ix}, q)
			if err == nil {
				err = sameRecords(got, RecordsOf(ledgers, q))
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("query %s, %d per page, following the markers: %w", nq.what, limit, err))
				if errors.Is(err, errPanicked) {
					return errors.Join(errs...)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func checkLimit(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	ledgers := append(Chain(1, 3), bigLedger(4, indexer.MaxQueryLimit+3))
	if err := storeAll(ix, ledgers); err != nil {
		return err
	}
	var errs []error
	for _, limit := range []int{0, indexer.MaxQueryLimit + 1, 1 << 30} {
		q := indexer.Query{TypeTag: "bulk", Limit: limit}
		want := RecordsOf(ledgers, q)
		res, err := query(ix, q)
		switch {
		case errors.Is(err, errPanicked):
			return err
		case err != nil && limit > indexer.MaxQueryLimit && errors.Is(err, indexer.ErrBadQuery):
			t.Logf("limit %d refused: %v", limit, err)
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("query with limit %d: %w (a limit above the maximum may be refused with indexer.ErrBadQuery, or capped)", limit, err))
			continue
		case len(res.Records) > q.EffectiveLimit():
			errs = append(errs, fmt.Errorf("query with limit %d returned %d records: at most %d (limit 0 means indexer.DefaultQueryLimit, more than indexer.MaxQueryLimit means that)",
				limit, len(res.Records), q.EffectiveLimit()))
			continue
		case len(res.Records) == 0 || len(res.Marker) == 0:
			errs = append(errs, fmt.Errorf("query with limit %d for %d records returned %d records and marker %x: want a page and a marker", limit, len(want), len(res.Records), res.Marker))
			continue
		}
		got, err := QueryAll(context.Background(), guarded{ix}, q)
		if err == nil {
			err = sameRecords(got, want)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("query with limit %d, following the markers: %w", limit, err))
		}
	}
	return errors.Join(errs...)
}

func checkBadQueries(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	if err := storeAll(ix, Chain(1, 5)); err != nil {
		return err
	}
	var errs []error
	for _, nq := range []namedQuery{
		{"an inverted ledger range", indexer.Query{FromSeq: 5, ToSeq: 2}},
		{"a negative limit", indexer.Query{Limit: -1}},
		{"a marker the indexer never made", indexer.Query{Marker: []byte("\xffindexertest: not a marker")}},
		{"an overlong marker", indexer.Query{Marker: bytes.Repeat([]byte{1}, indexer.MaxMarkerSize+1)}},
		{"an overlong type tag", indexer.Query{TypeTag: strings.Repeat("t", indexer.MaxNameSize+1)}},
		{"a type tag that is not UTF-8", indexer.Query{TypeTag: "\xff\xfe"}},
	} {
		_, err := query(ix, nq.q)
		switch {
		case errors.Is(err, errPanicked):
			return errors.Join(append(errs, fmt.Errorf("query with %s: %w", nq.what, err))...)
		case err == nil:
			errs = append(errs, fmt.Errorf("query with %s succeeded: refuse it with an error wrapping indexer.ErrBadQuery (Query.Validate and ParseMarker give such errors)", nq.what))
		case !errors.Is(err, indexer.ErrBadQuery):
			errs = append(errs, fmt.Errorf("query with %s: %w: the error must wrap indexer.ErrBadQuery, so the node blames the query and not the plugin", nq.what, err))
		default:
			t.Logf("query with %s: %v", nq.what, err)
		}
	}
	if err := alive(ix); err != nil {
		errs = append(errs, fmt.Errorf("after the bad queries: %w", err))
	}
	return errors.Join(errs...)
}

func checkConcurrent(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	ledgers := Chain(1, 20)
	stored := make(chan error, 1)
	go func() { stored <- storeAll(ix, ledgers) }()
	var errs []error
	var prev uint32
	for done := false; !done; {
		select {
		case err := <-stored:
			if err != nil {
				return fmt.Errorf("storing while queries run: %w", err)
			}
			done = true
		default:
		}
		if _, err := QueryAll(context.Background(), guarded{ix}, indexer.Query{}); err != nil {
			errs = append(errs, fmt.Errorf("query while ledgers are stored: %w", err))
		}
		last, _, err := lastStored(ix)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("LastStored while ledgers are stored: %w", err))
		case last < prev:
			errs = append(errs, fmt.Errorf("LastStored went back from %d to %d while ledgers were stored", prev, last))
		}
		prev = last
		if len(errs) > 0 {
			<-stored
			return errors.Join(errs...)
		}
	}
	return findsAll(ix, ledgers, "after storing while queries ran")
}

// checkFeed runs the node's side of the protocol, Feed, against a plugin
// process: windowed, resumed from the plugin's last stored ledger, and
// resumed from a node cursor behind it.
func checkFeed(t *testing.T, s Suite, newIndexer NewIndexer) error {
	ix, err := s.open(t, newIndexer, t.TempDir())
	if err != nil {
		return err
	}
	var client *indexer.Client
	switch x := ix.(type) {
	case *Process:
		client = x.Client
	case *indexer.Client:
		client = x
	default:
		return fmt.Errorf("the Feed check needs a plugin process (RunBinary), got %T", ix)
	}
	ledgers := Chain(1, 40)
	feed := func(cursor uint32, upTo int) ([]uint32, error) {
		var acks []uint32
		ctx, cancel := context.WithTimeout(context.Background(), 10*callTimeout)
		defer cancel()
		err := client.Feed(ctx, indexer.FeedRequest{
			Cursor: cursor,
			Window: 4,
			Next: func(_ context.Context, seq uint32) (indexer.Ledger, error) {
				if int(seq) > upTo {
					return indexer.Ledger{}, io.EOF
				}
				return ledgers[seq-1], nil
			},
			OnAck: func(seq uint32) error {
				acks = append(acks, seq)
				return nil
			},
		})
		return acks, err
	}
	for _, step := range []struct {
		what           string
		cursor         uint32
		upTo           int
		first, through uint32
	}{
		{"a new plugin fed ledgers 1 to 30", 0, 30, 1, 30},
		{"the feed resumed at the node's cursor 30", 30, 35, 31, 35},
		{"the feed resumed at a node cursor (32) behind the plugin", 32, 40, 33, 40},
	} {
		acks, err := feed(step.cursor, step.upTo)
		if err != nil {
			return fmt.Errorf("%s: Feed: %w", step.what, err)
		}
		if err := consecutive(acks, step.first, step.through); err != nil {
			return fmt.Errorf("%s: acknowledgements %v: %w", step.what, acks, err)
		}
		if err := wantLast(ix, step.through, true, "after "+step.what); err != nil {
			return err
		}
	}
	return findsAll(ix, ledgers, "after three feeds")
}

func consecutive(acks []uint32, first, through uint32) error {
	if len(acks) != int(through-first+1) {
		return fmt.Errorf("want %d to %d, each once, in order", first, through)
	}
	for i, a := range acks {
		if a != first+uint32(i) {
			return fmt.Errorf("want %d to %d, each once, in order", first, through)
		}
	}
	return nil
}

func storeAll(ix indexer.Indexer, ledgers []indexer.Ledger) error {
	for _, l := range ledgers {
		if err := store(ix, l); err != nil {
			return fmt.Errorf("Store ledger %d: %w", l.Seq, err)
		}
	}
	return nil
}

func wantLast(ix indexer.Indexer, seq uint32, ok bool, when string) error {
	got, gotOK, err := lastStored(ix)
	switch {
	case err != nil:
		return fmt.Errorf("LastStored %s: %w", when, err)
	case gotOK != ok || (ok && got != seq):
		want := "none"
		if ok {
			want = fmt.Sprint(seq)
		}
		have := "none"
		if gotOK {
			have = fmt.Sprint(got)
		}
		return fmt.Errorf("LastStored %s is %s, want %s", when, have, want)
	}
	return nil
}

// sameRecords compares query results; empty and nil data are the same.
func sameRecords(got, want []indexer.LedgerRecord) error {
	seen := map[indexer.Hash256]int{}
	for i, r := range got {
		if j, dup := seen[r.Record.ID]; dup {
			return fmt.Errorf("record %s of ledger %d is returned twice (at %d and %d)", r.Record.ID, r.LedgerSeq, j, i)
		}
		seen[r.Record.ID] = i
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if len(g.Record.Data) == 0 {
			g.Record.Data = nil
		}
		if len(w.Record.Data) == 0 {
			w.Record.Data = nil
		}
		if !reflect.DeepEqual(g, w) {
			return fmt.Errorf("got %d records, want %d; record %d is\n  %s\nwant\n  %s", len(got), len(want), i, describe(g), describe(w))
		}
	}
	switch {
	case len(got) < len(want):
		return fmt.Errorf("got %d records, want %d: missing from record %d on, %s", len(got), len(want), len(got), describe(want[len(got)]))
	case len(got) > len(want):
		return fmt.Errorf("got %d records, want %d: extra from record %d on, %s", len(got), len(want), len(want), describe(got[len(want)]))
	}
	return nil
}

func describe(r indexer.LedgerRecord) string {
	return fmt.Sprintf("ledger %d id %s tag %q account %s data hash %s data %q",
		r.LedgerSeq, r.Record.ID, r.Record.TypeTag, r.Record.Account, r.Record.DataHash, r.Record.Data)
}

// Calls into the indexer, each under a deadline, with a panic of an
// in-process indexer turned into an error wrapping errPanicked. (A plugin
// that panics dies; alive notices.)

const callTimeout = 10 * time.Second

var errPanicked = errors.New("panicked")

func guard(method string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s %w: %v\n%s", method, errPanicked, r, debug.Stack())
	}
}

func callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

func getInfo(ix indexer.Indexer) (info plugin.Info, err error) {
	defer guard("Info", &err)
	ctx, cancel := callCtx()
	defer cancel()
	info, err = ix.Info(ctx)
	if err != nil {
		err = fmt.Errorf("Info: %w", err)
	}
	return info, err
}

func configSchema(p indexer.ConfigSchemaProvider) (schema []byte, err error) {
	defer guard("ConfigSchema", &err)
	ctx, cancel := callCtx()
	defer cancel()
	schema, err = p.ConfigSchema(ctx)
	if err != nil {
		err = fmt.Errorf("ConfigSchema: %w", err)
	}
	return schema, err
}

func configure(ix indexer.Indexer, req indexer.ConfigureRequest) (err error) {
	defer guard("Configure", &err)
	ctx, cancel := callCtx()
	defer cancel()
	_, err = ix.Configure(ctx, req)
	return err
}

func store(ix indexer.Indexer, l indexer.Ledger) (err error) {
	defer guard("Store", &err)
	ctx, cancel := callCtx()
	defer cancel()
	return ix.Store(ctx, l)
}

func lastStored(ix indexer.Indexer) (seq uint32, ok bool, err error) {
	defer guard("LastStored", &err)
	ctx, cancel := callCtx()
	defer cancel()
	return ix.LastStored(ctx)
}

func query(ix indexer.Indexer, q indexer.Query) (res indexer.QueryResult, err error) {
	defer guard("Query", &err)
	ctx, cancel := callCtx()
	defer cancel()
	return ix.Query(ctx, q)
}

// guarded is ix as a Querier whose calls are guarded and bounded.
type guarded struct{ ix indexer.Indexer }

func (g guarded) Query(_ context.Context, q indexer.Query) (indexer.QueryResult, error) {
	return query(g.ix, q)
}

// alive reports whether the indexer still answers: a plugin that crashed
// while refusing something fails here.
func alive(ix indexer.Indexer) error {
	if _, err := getInfo(ix); err != nil {
		return fmt.Errorf("the indexer no longer answers (did the plugin crash?): %w", err)
	}
	return nil
}
