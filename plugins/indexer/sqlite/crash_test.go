package main

import (
	"context"
	"flag"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

var seed = flag.Uint64("seed", 0, "seed of the randomized tests (0: from the clock)")

func testSeed(t *testing.T) uint64 {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (reproduce with -seed=%d)", s, s)
	return s
}

// withRecords returns Chain(1, n) with extra records in every ledger, so
// that storing one takes long enough to be killed in the middle of it.
func withRecords(n, perLedger int) []indexer.Ledger {
	chain := indexertest.Chain(1, n)
	for i := range chain {
		for j := range perLedger {
			chain[i].Records = append(chain[i].Records, indexer.Record{
				ID:       indexer.Hash256{0xc0, byte(i >> 8), byte(i), byte(j >> 8), byte(j)},
				TypeTag:  indexertest.Tags[j%len(indexertest.Tags)],
				Account:  indexertest.Accounts[(i+j)%len(indexertest.Accounts)],
				DataHash: indexertest.DataHashes[j%len(indexertest.DataHashes)],
				Data:     []byte{byte(i), byte(j)},
			})
		}
	}
	return chain
}

// TestKillMidStoreLosesNothingAndDuplicatesNothing launches the plugin
// binary, feeds it ledgers from after its LastStored (replaying that one,
// as the node does when an acknowledgement was lost), and kills it with
// SIGKILL at a random moment, over and over on the same data directory.
// After every relaunch LastStored is at least the last acknowledged
// ledger and the database holds exactly the records of ledgers 1 to
// LastStored: a torn write leaves nothing behind, and nothing is twice.
func TestKillMidStoreLosesNothingAndDuplicatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 0x5eed))
	chain := withRecords(150, 400)
	dir := t.TempDir()
	req := indexer.ConfigureRequest{APIMinor: indexer.APIMinor, ChainID: "crash-test", DataDir: dir}
	ctx := context.Background()
	var acked atomic.Uint32 // the highest ledger whose Store returned nil
	kills, midStore := 0, 0
	for round := 0; ; round++ {
		p := indexertest.Launch(t, bin)
		if _, err := p.Configure(ctx, req); err != nil {
			t.Fatalf("round %d: Configure: %v", round, err)
		}
		last, ok, err := p.LastStored(ctx)
		if err != nil {
			t.Fatalf("round %d: LastStored: %v", round, err)
		}
		if ok && last > uint32(len(chain)) || acked.Load() > last {
			t.Fatalf("round %d: LastStored %d (ok %v) after ledger %d was acknowledged", round, last, ok, acked.Load())
		}
		wantExactly(t, p, chain[:last], indexer.Query{Limit: indexer.MaxQueryLimit})
		if int(last) == len(chain) {
			t.Logf("%d kills (%d while a Store was running) before all %d ledgers were stored", kills, midStore, len(chain))
			return
		}
		if round == 50 {
			t.Fatalf("after %d rounds only %d of %d ledgers are stored", round, last, len(chain))
		}
		from := max(int(last)-1, 0) // replay the last stored ledger
		stored := make(chan error, 1)
		var storing atomic.Bool
		go func() {
			for _, l := range chain[from:] {
				storing.Store(true)
				if err := p.Store(ctx, l); err != nil {
					stored <- err
					return
				}
				storing.Store(false)
				acked.Store(l.Seq)
			}
			stored <- nil
		}()
		select {
		case err := <-stored:
			if err != nil {
				t.Fatalf("round %d: Store: %v", round, err)
			}
		case <-time.After(time.Duration(rng.IntN(150)) * time.Millisecond):
			if storing.Load() {
				midStore++
			}
			p.Kill()
			kills++
			<-stored // fails: the process is gone
		}
	}
}
