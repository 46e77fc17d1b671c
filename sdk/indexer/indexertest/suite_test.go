package indexertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// memidxBin is sdk/indexer's testdata/memidx plugin, built by TestMain: a
// wire fixture that keeps everything in memory, so it conforms except
// where a restart is involved, which lets the tests see the suite pass and
// catch a real plugin.
var memidxBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "indexertest")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		memidxBin = filepath.Join(dir, "memidx")
		if out, err := exec.Command("go", "build", "-o", memidxBin, "../testdata/memidx").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build testdata/memidx: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// toyDisks stand for the files of toy indexers: what a toy stores lives
// here, keyed by data directory, so a new toy on the same directory finds
// it as a restarted plugin finds its files.
var toyDisks sync.Map // data dir -> *toyDisk

type toyDisk struct {
	mu      sync.Mutex
	ledgers []indexer.Ledger // in seq order
}

// toy is a minimal conforming indexer; a flaw breaks one rule of the
// contract.
type toy struct {
	indexer.UnimplementedIndexer
	flaw string

	mu   sync.Mutex
	disk *toyDisk // nil until configured
	// For the "busy" flaw: the first Store waits until a Query came while
	// it was busy, which that Query refuses.
	busy, waited bool
	queried      chan struct{}
}

func newToy(flaw string) *toy { return &toy{flaw: flaw, queried: make(chan struct{}, 1)} }

func (x *toy) Info(context.Context) (plugin.Info, error) {
	info := plugin.Info{Name: "toy", Version: "1.0.0"}
	if x.flaw == "info" {
		info.Version = "latest"
	}
	return info, nil
}

func (x *toy) Configure(_ context.Context, req indexer.ConfigureRequest) (indexer.ConfigureResponse, error) {
	if len(req.Config) > 0 {
		var cfg map[string]any
		if err := json.Unmarshal(req.Config, &cfg); err != nil {
			return indexer.ConfigureResponse{}, fmt.Errorf("toy: config: %w", err)
		}
		if len(cfg) > 0 && x.flaw != "lax-config" {
			return indexer.ConfigureResponse{}, fmt.Errorf("toy: takes no config, got %s", req.Config)
		}
	}
	disk := &toyDisk{}
	if x.flaw != "volatile" {
		d, _ := toyDisks.LoadOrStore(req.DataDir, disk)
		disk = d.(*toyDisk)
	}
	x.mu.Lock()
	x.disk = disk
	x.mu.Unlock()
	return indexer.ConfigureResponse{}, nil
}

func (x *toy) getDisk() (*toyDisk, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.disk == nil {
		if x.flaw == "unconfigured" {
			x.disk = &toyDisk{}
			return x.disk, nil
		}
		return nil, errors.New("toy: not configured")
	}
	return x.disk, nil
}

func (x *toy) Store(_ context.Context, l indexer.Ledger) error {
	d, err := x.getDisk()
	if err != nil {
		return err
	}
	if x.flaw == "busy" {
		x.mu.Lock()
		first := !x.waited
		x.busy, x.waited = true, true
		x.mu.Unlock()
		if first {
			<-x.queried
		}
		defer func() {
			x.mu.Lock()
			x.busy = false
			x.mu.Unlock()
		}()
	}
	if x.flaw == "empty-tag-refused" { // as the sqlite indexer's first schema did
		for i, r := range l.Records {
			if r.TypeTag == "" {
				return fmt.Errorf("toy: ledger %d: records[%d] has no type tag", l.Seq, i)
			}
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := len(d.ledgers); n > 0 && l.Seq <= d.ledgers[n-1].Seq {
		if x.flaw == "replay-appends" { // adds the records to the stored ledger again
			for i := range d.ledgers {
				if d.ledgers[i].Seq == l.Seq {
					d.ledgers[i].Records = append(d.ledgers[i].Records, l.Records...)
				}
			}
		}
		return nil
	}
	l.Records = append([]indexer.Record(nil), l.Records...)
	d.ledgers = append(d.ledgers, l)
	return nil
}

func (x *toy) LastStored(context.Context) (uint32, bool, error) {
	d, err := x.getDisk()
	if err != nil {
		return 0, false, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.ledgers) == 0 {
		return 0, false, nil
	}
	last := d.ledgers[len(d.ledgers)-1].Seq
	if x.flaw == "last-off-by-one" {
		last--
	}
	return last, true, nil
}

func (x *toy) Query(_ context.Context, q indexer.Query) (indexer.QueryResult, error) {
	if x.flaw == "busy" {
		x.mu.Lock()
		busy := x.busy
		x.mu.Unlock()
		if busy {
			select {
			case x.queried <- struct{}{}:
			default:
			}
			return indexer.QueryResult{}, errors.New("toy: busy storing")
		}
	}
	d, err := x.getDisk()
	if err != nil {
		return indexer.QueryResult{}, err
	}
	if q.ToSeq != 0 && q.FromSeq > q.ToSeq && x.flaw == "plain-errors" {
		return indexer.QueryResult{}, errors.New("toy: inverted range")
	}
	if err := q.Validate(); err != nil {
		return indexer.QueryResult{}, err
	}
	after, err := indexer.ParseMarker(q.Marker)
	if err != nil {
		if x.flaw == "panic-marker" {
			panic("toy: cannot parse marker")
		}
		return indexer.QueryResult{}, err
	}
	limit := q.EffectiveLimit()
	if x.flaw == "uncapped" && q.Limit > limit {
		limit = q.Limit
	}
	if x.flaw == "tag-ignored" {
		q.TypeTag = ""
	}
	if x.flaw == "range-exclusive" && q.ToSeq > 0 {
		q.ToSeq--
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var res indexer.QueryResult
	for _, l := range d.ledgers {
		for i, r := range l.Records {
			pos := indexer.Position{Seq: l.Seq, Index: uint32(i)}
			match := q.Matches(l.Seq, r)
			if x.flaw == "empty-tag-matches" && r.TypeTag == "" { // an empty tag read as a wildcard
				match = q.Matches(l.Seq, indexer.Record{TypeTag: q.TypeTag, Account: r.Account, DataHash: r.DataHash})
			}
			if !pos.After(after) || !match {
				if !(x.flaw == "marker-repeats" && pos == after && len(q.Marker) > 0) {
					continue
				}
			}
			if len(res.Records) == limit {
				res.Marker = after.Marker()
				return res, nil
			}
			res.Records = append(res.Records, indexer.LedgerRecord{LedgerSeq: l.Seq, Record: r})
			after = pos
		}
	}
	return res, nil
}

func TestToyIndexerConforms(t *testing.T) {
	Run(t, func(*testing.T) indexer.Indexer { return newToy("") })
}

func TestSuiteCatchesEachFlaw(t *testing.T) {
	tests := []struct {
		flaw  string
		check func(*testing.T, Suite, NewIndexer) error
	}{
		{"info", checkInfo},
		{"lax-config", checkConfigureInvalid},
		{"unconfigured", checkCallsAfterFailedConfigure},
		{"tag-ignored", checkFound},
		{"empty-tag-refused", checkFound},
		{"empty-tag-matches", checkFound},
		{"range-exclusive", checkFound},
		{"last-off-by-one", checkFound},
		{"replay-appends", checkReplay},
		{"volatile", checkRestart},
		{"marker-repeats", checkPaging},
		{"uncapped", checkLimit},
		{"panic-marker", checkBadQueries},
		{"plain-errors", checkBadQueries},
		{"busy", checkConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.flaw, func(t *testing.T) {
			err := tt.check(t, Suite{}, func(*testing.T) indexer.Indexer { return newToy(tt.flaw) })
			if err == nil {
				t.Fatal("the check passed an indexer with the flaw")
			}
			t.Logf("caught: %.300s", err)
		})
	}
}

func TestSuiteAgainstMemidxPluginPassesWhatItKeepsAndCatchesWhatItBreaks(t *testing.T) {
	launch := func(t *testing.T) indexer.Indexer { return Launch(t, memidxBin) }
	keeps := map[string]func(*testing.T, Suite, NewIndexer) error{
		"info": checkInfo, "configure": checkConfigureValid, "empty": checkEmpty, "found": checkFound,
		"replay": checkReplay, "paging": checkPaging, "limit": checkLimit, "bad queries": checkBadQueries,
		"concurrent": checkConcurrent, "feed": checkFeed,
	}
	for name, c := range keeps {
		t.Run(name, func(t *testing.T) {
			if err := c(t, Suite{}, launch); err != nil {
				t.Error(err)
			}
		})
	}
	// memidx keeps nothing on disk and accepts any config but refuses an
	// empty chain id.
	breaks := map[string]func(*testing.T, Suite, NewIndexer) error{
		"restart": checkRestart, "invalid config": checkConfigureInvalid,
	}
	for name, c := range breaks {
		t.Run(name, func(t *testing.T) {
			err := c(t, Suite{}, launch)
			if err == nil {
				t.Fatal("the check passed memidx")
			}
			t.Logf("caught: %.300s", err)
		})
	}
}

func TestKilledProcessNoLongerAnswers(t *testing.T) {
	p := Launch(t, memidxBin)
	ctx := context.Background()
	if _, err := p.Configure(ctx, indexer.ConfigureRequest{ChainID: "c", DataDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if err := p.Store(ctx, Chain(1, 1)[0]); err != nil {
		t.Fatal(err)
	}
	p.Kill()
	if _, _, err := p.LastStored(ctx); err == nil {
		t.Fatal("a killed plugin still answers")
	}
}

func TestChainIsDeterministicLinkedAndVaried(t *testing.T) {
	a, b := Chain(5, 30), Chain(5, 30)
	tags, accounts, none, data := map[string]int{}, map[indexer.AccountID]bool{}, 0, 0
	for i, l := range a {
		if err := l.Validate(); err != nil {
			t.Fatal(err)
		}
		if i > 0 && l.ParentHash != a[i-1].Hash {
			t.Fatalf("ledger %d does not follow ledger %d", l.Seq, a[i-1].Seq)
		}
		for j, r := range l.Records {
			if r.ID != b[i].Records[j].ID {
				t.Fatal("two Chains differ")
			}
			tags[r.TypeTag]++
			if r.Account.IsZero() {
				none++
			} else {
				accounts[r.Account] = true
			}
			if len(r.Data) > 0 {
				data++
			}
		}
	}
	if len(tags) != len(Tags)+1 || tags[""] == 0 || len(accounts) != len(Accounts) || none == 0 || data == 0 {
		t.Errorf("tags %v (want each of %q and the empty one), accounts %d, records without account %d, with data %d", tags, Tags, len(accounts), none, data)
	}
	if got := len(RecordsOf(Chain(1, 12), indexer.Query{})); got < 20 {
		t.Errorf("Chain(1, 12) holds %d records; the checks want a few dozen", got)
	}
}
