package plugin

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	sdkindexer "github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// indexerInstance builds examples/indexer-print and returns an instance
// config for it with short timings and its own data directory.
func indexerInstance(t *testing.T, name string) InstanceConfig {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "indexer-print")
	if out, err := exec.Command("go", "build", "-o", bin, "../../examples/indexer-print").CombinedOutput(); err != nil {
		t.Fatalf("build examples/indexer-print: %v\n%s", err, out)
	}
	sum, err := fileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	return InstanceConfig{
		Name:           name,
		Kind:           sdkplugin.KindIndexer,
		Path:           bin,
		SHA256:         sum,
		StartTimeout:   20 * time.Second,
		CallTimeout:    5 * time.Second,
		HealthInterval: 50 * time.Millisecond,
		Restart:        RestartPolicy{MaxAttempts: 3, BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond},
		DataDir:        t.TempDir(),
	}
}

// TestIndexerFeedResumesFromTheAckedCursorAfterKill9 plays the node's
// indexer feed (host/blhr's part: a durable cursor and a loop that feeds
// again after a failure) against the example indexer under a Supervisor,
// and kills the plugin with SIGKILL while ledgers are in flight.
func TestIndexerFeedResumesFromTheAckedCursorAfterKill9(t *testing.T) {
	s := newSup(t, indexerInstance(t, "print"))
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndexer(s, "jt-test")
	if err != nil {
		t.Fatal(err)
	}
	const total, killAt = 40, 20
	ledgers := indexertest.Chain(1, total)

	var cursor uint32 // the node's durable cursor: the last acknowledged ledger
	var acks []uint32
	killed := false
	var killErr error
	next := func(ctx context.Context, seq uint32) (sdkindexer.Ledger, error) {
		if seq > total {
			return sdkindexer.Ledger{}, io.EOF
		}
		if seq == killAt && !killed {
			// Ledgers before this one are in flight (the window is 4).
			killed = true
			killErr = syscall.Kill(s.Status().PID, syscall.SIGKILL)
		}
		return ledgers[seq-1], nil
	}
	var feedErrs []error
	for round := 0; ; round++ {
		if round == 5 {
			t.Fatalf("the feed did not finish in 5 rounds: %v", feedErrs)
		}
		err := ix.Feed(ctxFor(t, time.Minute), sdkindexer.FeedRequest{
			Cursor: cursor,
			First:  1,
			Window: 4,
			Next:   next,
			OnAck: func(seq uint32) error {
				acks = append(acks, seq)
				cursor = seq
				return nil
			},
		})
		if err == nil {
			break
		}
		t.Logf("feed round %d ended at cursor %d: %v", round, cursor, err)
		feedErrs = append(feedErrs, err)
		waitFor(t, 30*time.Second, "the restarted plugin", func() bool {
			st := s.Status()
			return st.State == StateReady && st.Restarts >= 1
		})
	}
	if killErr != nil {
		t.Fatalf("kill -9: %v", killErr)
	}
	if len(feedErrs) == 0 {
		t.Fatal("the feed went through a kill -9 without an error")
	}
	for _, err := range feedErrs {
		if !strings.Contains(err.Error(), `plugin instance "print"`) {
			t.Errorf("feed error does not name the instance: %v", err)
		}
	}

	// Nothing lost, nothing acknowledged twice: the feed after the restart
	// resumed right after the cursor.
	want := make([]uint32, total)
	for i := range want {
		want[i] = uint32(i + 1)
	}
	if !reflect.DeepEqual(acks, want) {
		t.Errorf("acknowledged %v, want 1 to %d each once in order", acks, total)
	}
	st := s.Status()
	if st.Restarts != 1 || st.Timeouts != 0 {
		t.Errorf("restarts %d, timeouts %d; want 1, 0", st.Restarts, st.Timeouts)
	}
	if st.Calls < total {
		t.Errorf("%d calls; every acknowledgement is one", st.Calls)
	}

	// And the restarted plugin (configured again by the client) holds every
	// record exactly once.
	ctx := ctxFor(t, 30*time.Second)
	if last, ok, err := ix.LastStored(ctx); last != total || !ok || err != nil {
		t.Errorf("LastStored = %d, %v, %v; want %d", last, ok, err, total)
	}
	for _, q := range []sdkindexer.Query{{}, {TypeTag: indexertest.Tags[0]}, {Account: indexertest.Accounts[2], FromSeq: 10, ToSeq: 30}} {
		got, err := indexertest.QueryAll(ctx, ix, q)
		if err != nil {
			t.Fatal(err)
		}
		if want := indexertest.RecordsOf(ledgers, q); !reflect.DeepEqual(got, want) {
			t.Errorf("query %+v: %d records, want %d", q, len(got), len(want))
		}
	}
	if _, err := ix.Query(ctx, sdkindexer.Query{Marker: []byte("not a marker")}); !errors.Is(err, sdkindexer.ErrBadQuery) {
		t.Errorf("a bad query through the supervisor: err = %v, want ErrBadQuery", err)
	}
}

func TestIndexerConfiguresEachProcessOnceAndRefusesOtherKinds(t *testing.T) {
	cfg := indexerInstance(t, "print-config")
	cfg.Config = []byte(`{"verbose": true}`) // the example takes none
	s := newSup(t, cfg)
	err := s.Start(ctxFor(t, 30*time.Second))
	if err == nil || !strings.Contains(err.Error(), "takes no config") {
		t.Errorf("start with config for a plugin without a schema: err = %v", err)
	}

	s = newSup(t, indexerInstance(t, "print-ok"))
	if err := s.Start(ctxFor(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndexer(s, "jt-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t, 30*time.Second)
	// Concurrent first calls configure the process once; each is a call.
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, _, err := ix.LastStored(ctx)
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if info, err := ix.Info(ctx); err != nil || info.Name != "print" || info.Kind != sdkplugin.KindIndexer {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if calls := s.Status().Calls; calls != 5 {
		t.Errorf("%d calls, want 5", calls)
	}

	if _, err := NewIndexer(newSup(t, instance("not-an-indexer")), "c"); err == nil || !strings.Contains(err.Error(), "not an indexer plugin") {
		t.Errorf("NewIndexer of a consensus instance: err = %v", err)
	}
}
