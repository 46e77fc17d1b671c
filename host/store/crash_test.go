package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/shamap"
)

// The crash test re-executes this test binary as a child that writes ledgers
// into a store and reports each one SaveLedger acknowledged; the parent
// kills it with SIGKILL at a random moment and checks the store.
const (
	crashChildEnv = "JTCHAIN_STORE_CRASH_CHILD" // the store directory
	crashSeedEnv  = "JTCHAIN_STORE_CRASH_SEED"
	crashSyncEnv  = "JTCHAIN_STORE_CRASH_SYNCWRITES" // "1": SyncWrites, else explicit db.Sync
	crashAccounts = 30
	crashMaxTxs   = 40
)

func TestKillNineLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	const rounds = 8
	var floor uint32 // the latest seq any check has seen: it may never go down
	totalAcked := 0
	for round := range rounds {
		syncWrites := round%2 == 0
		// Most kills land while ledgers are being built and saved: a few
		// milliseconds after the child's k-th acknowledgement, which is
		// somewhere in building or committing the next ledger. Some land at a
		// random time after the start, possibly while the child is still
		// opening (and recovering) the store.
		plan := killPlan{afterAcks: 1 + rng.IntN(40), delay: time.Duration(rng.IntN(6000)) * time.Microsecond}
		if rng.IntN(4) == 0 {
			plan = killPlan{delay: time.Duration(5+rng.IntN(200)) * time.Millisecond}
		}
		acked, n := runChildAndKill(t, dir, seed+uint64(round), syncWrites, plan)
		totalAcked += n
		t.Logf("round %d: syncWrites=%v, %s: child acknowledged %d ledgers, last %d", round, syncWrites, plan, n, acked)
		floor = checkCrashedStore(t, dir, max(acked, floor), round == rounds-1 || rng.IntN(2) == 0)
	}
	if totalAcked < 20 {
		t.Fatalf("the children acknowledged only %d ledgers in total: the test proved little", totalAcked)
	}
}

// killPlan says when to kill a child: delay after its afterAcks-th
// acknowledged save, or delay after it started when afterAcks is 0.
type killPlan struct {
	afterAcks int
	delay     time.Duration
}

func (p killPlan) String() string {
	if p.afterAcks == 0 {
		return fmt.Sprintf("killed %v after start", p.delay)
	}
	return fmt.Sprintf("killed %v after save %d", p.delay, p.afterAcks)
}

// runChildAndKill runs one child on dir and SIGKILLs it as planned. It
// returns the highest acknowledged seq and the number of acknowledgements.
func runChildAndKill(t *testing.T, dir string, seed uint64, syncWrites bool, plan killPlan) (uint32, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$") // TestMain runs the child
	cmd.Env = append(os.Environ(),
		crashChildEnv+"="+dir,
		crashSeedEnv+"="+strconv.FormatUint(seed, 10),
		crashSyncEnv+"="+map[bool]string{true: "1", false: "0"}[syncWrites])
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killAt := time.AfterFunc(plan.delay, func() { cmd.Process.Signal(syscall.SIGKILL) })
	if plan.afterAcks > 0 {
		killAt.Stop()
	}
	// A child that never gets far enough is killed anyway.
	backstop := time.AfterFunc(30*time.Second, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer backstop.Stop()

	var last uint32
	count := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() { // until the child dies: the pipe keeps what it wrote before
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "saved ")
		if !ok {
			continue // test framework noise
		}
		n, err := strconv.ParseUint(rest, 10, 32)
		if err != nil {
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			t.Fatalf("child printed %q", line)
		}
		count++
		last = uint32(n)
		if count == plan.afterAcks {
			killAt.Reset(plan.delay)
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed by SIGKILL (%v); stderr:\n%s", err, stderr.String())
	}
	return last, count
}

// checkCrashedStore opens the store a child was killed on and checks that
// nothing it acknowledged is lost and nothing is half-written. When extend
// is set it also saves one more ledger on what it loaded. It returns the
// latest stored seq.
func checkCrashedStore(t *testing.T, dir string, acked uint32, extend bool) uint32 {
	t.Helper()
	s, err := Open(dir, testConfig(), testLogger())
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	latest, ok, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		if acked > 0 {
			t.Fatalf("store is empty but the child acknowledged ledger %d", acked)
		}
		return 0
	}
	if latest.Seq < acked {
		t.Fatalf("LOST: latest stored ledger is %d, the child acknowledged %d", latest.Seq, acked)
	}
	t.Logf("reopened: latest stored ledger %d, acknowledged %d", latest.Seq, acked)
	lo, hi, ok := s.Range()
	if !ok || lo != 1 || hi != latest.Seq {
		t.Fatalf("Range = %d..%d %v, want 1..%d", lo, hi, ok, latest.Seq)
	}

	// LoadLatest rebuilds the state and transaction trees and checks both
	// roots against the header.
	l, err := s.LoadLatest()
	if err != nil {
		t.Fatalf("LoadLatest after kill: %v", err)
	}
	if l.Hash() != latest.Hash() {
		t.Fatalf("LoadLatest gave %X, Latest says %X", l.Hash(), latest.Hash())
	}
	if got := swtInState(t, l.State()); got != latest.TotalCoins {
		t.Fatalf("SWT not conserved: balances sum to %d, header TotalCoins %d", got, latest.TotalCoins)
	}

	// Every ledger from genesis on is whole: it chains to its parent, its
	// hash index resolves, and its stored transactions hash to its TxHash
	// and are each found by id.
	var prev ledger.Header
	for seq := uint32(1); seq <= latest.Seq; seq++ {
		h, err := s.Header(seq)
		if err != nil {
			t.Fatalf("ledger %d: %v", seq, err)
		}
		if seq > 1 && h.ParentHash != prev.Hash() {
			t.Fatalf("ledger %d: parent %X, ledger %d is %X", seq, h.ParentHash, seq-1, prev.Hash())
		}
		if byHash, err := s.HeaderByHash(h.Hash()); err != nil || byHash != h {
			t.Fatalf("ledger %d by hash: %v", seq, err)
		}
		txs, err := s.Transactions(seq)
		if err != nil {
			t.Fatalf("ledger %d transactions: %v", seq, err)
		}
		tree := shamap.New(shamap.TransactionWithMeta)
		for _, tx := range txs {
			leaf, err := shamap.TxWithMetaData(tx.Tx.Blob(), tx.Meta.Encode())
			if err != nil {
				t.Fatal(err)
			}
			tree.PutOwned(tx.Tx.ID(), leaf)
			if r, err := s.Tx(tx.Tx.ID()); err != nil || r.LedgerSeq != seq {
				t.Fatalf("ledger %d: Tx(%X) = ledger %d, %v", seq, tx.Tx.ID(), r.LedgerSeq, err)
			}
		}
		if tree.Hash() != h.TxHash {
			t.Fatalf("ledger %d: stored transactions hash to %X, header says %X", seq, tree.Hash(), h.TxHash)
		}
		prev = h
	}

	checkCrashRecords(t, s, latest.Seq)
	checkNothingBeyond(t, s, latest.Seq)

	if extend {
		c, err := makeChain(crashAccounts)
		if err != nil {
			t.Fatal(err)
		}
		c.records = crashRecords
		c.resume(l)
		next, err := c.nextCrashLedger(rand.New(rand.NewPCG(uint64(latest.Seq), 99)))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveLedger(next, nil); err != nil {
			t.Fatalf("continuing after the kill: %v", err)
		}
		return next.Seq()
	}
	return latest.Seq
}

// checkNothingBeyond fails if any key or index refers to a ledger after
// latest: a half-written ledger would leave such traces.
func checkNothingBeyond(t *testing.T, s *Store, latest uint32) {
	t.Helper()
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			var seq uint32
			switch k[0] {
			case prefixHeader, prefixCert, prefixTx, prefixRecord:
				seq = binary.BigEndian.Uint32(k[1:])
			case prefixAccountTx:
				seq, _ = parseSeqIndex(k)
			case prefixTxID, prefixHash, prefixRecordID:
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				seq = binary.BigEndian.Uint32(v)
			}
			if seq > latest {
				return fmt.Errorf("key %x refers to ledger %d, after the latest %d", k, seq, latest)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("HALF-WRITTEN: %v", err)
	}
}

// crashRecords gives the records sealed into crash-test ledger seq: up to
// three new ones, of sizes across the inline, padded and value-log cases,
// and in every third ledger one that some ledgers also seal earlier or later.
func crashRecords(seq uint32) []ledger.SealedRecord {
	if seq < 2 {
		return nil
	}
	var recs []ledger.SealedRecord
	for i := range seq % 4 {
		recs = append(recs, unsignedRecord(fmt.Sprintf("crash-%d-%d", seq, i), int(seq*37+i*101)%700))
	}
	if seq%3 == 0 {
		recs = append(recs, unsignedRecord(fmt.Sprintf("crash-again-%d", seq/6), 64))
	}
	return recs
}

// checkCrashRecords checks that every stored ledger holds exactly its
// crashRecords, in id order, and that each id is found where it was first
// sealed.
func checkCrashRecords(t *testing.T, s *Store, latest uint32) {
	t.Helper()
	type location struct{ seq, index uint32 }
	first := map[codec.Hash256]location{}
	encodings := map[codec.Hash256][]byte{}
	for seq := uint32(1); seq <= latest; seq++ {
		want := crashRecords(seq)
		slices.SortFunc(want, func(a, b ledger.SealedRecord) int { return bytes.Compare(a.ID[:], b.ID[:]) })
		got, err := s.Records(seq)
		if err != nil {
			t.Fatalf("ledger %d records: %v", seq, err)
		}
		if len(got) != len(want) {
			t.Fatalf("ledger %d: %d records, want %d", seq, len(got), len(want))
		}
		for i, r := range want {
			if !bytes.Equal(got[i], r.Encoding) {
				t.Fatalf("ledger %d record %d: %d bytes, want %X of %d bytes", seq, i, len(got[i]), r.ID, len(r.Encoding))
			}
			if _, ok := first[r.ID]; !ok {
				first[r.ID] = location{seq, uint32(i)}
				encodings[r.ID] = r.Encoding
			}
		}
	}
	for id, loc := range first {
		enc, seq, index, err := s.Record(id)
		if err != nil || seq != loc.seq || index != loc.index || !bytes.Equal(enc, encodings[id]) {
			t.Fatalf("Record(%X) = ledger %d record %d, %v; first sealed as ledger %d record %d", id, seq, index, err, loc.seq, loc.index)
		}
	}
}

// swtInState sums the balances of every AccountRoot.
func swtInState(t *testing.T, state *shamap.Map) uint64 {
	t.Helper()
	var sum uint64
	for k, data := range state.All() {
		o, err := codec.Decode(data)
		if err != nil {
			t.Fatalf("state entry %X: %v", k, err)
		}
		if codec.EntryType(o.UInt16(sf.LedgerEntryType)) != codec.EntryAccountRoot {
			continue
		}
		bal, _ := o.Amount(sf.Balance)
		sum += uint64(bal.Drops())
	}
	return sum
}

// nextCrashLedger funds the accounts right after genesis, and otherwise
// builds a ledger of random payments (sometimes none).
func (c *chain) nextCrashLedger(rng *rand.Rand) (*ledger.Ledger, error) {
	if c.closed.Seq() == 1 {
		return c.fund(1_000_000_000)
	}
	return c.random(rng, rng.IntN(crashMaxTxs+1))
}

// runCrashChild is the child process of TestKillNineLosesNothingAcknowledged,
// run by TestMain when crashChildEnv names a store directory. It saves
// ledgers until it is killed, printing "saved N" after each SaveLedger
// returns.
func runCrashChild(dir string) {
	if err := crashChild(dir); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

func crashChild(dir string) error {
	seed, err := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	if err != nil {
		return err
	}
	cfg := testConfig()
	cfg.SyncWrites = os.Getenv(crashSyncEnv) == "1"
	s, err := Open(dir, cfg, testLogger())
	if err != nil {
		return err
	}
	c, err := makeChain(crashAccounts)
	if err != nil {
		return err
	}
	c.records = crashRecords
	save := func(l *ledger.Ledger) error {
		h := l.Hash()
		if err := s.SaveLedger(l, append([]byte("cert"), h[:]...)); err != nil {
			return err
		}
		_, err := fmt.Printf("saved %d\n", l.Seq())
		return err
	}
	if _, ok, err := s.Latest(); err != nil {
		return err
	} else if ok {
		l, err := s.LoadLatest()
		if err != nil {
			return err
		}
		c.resume(l)
	} else if err := save(c.closed); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, uint64(c.closed.Seq())))
	for {
		l, err := c.nextCrashLedger(rng)
		if err != nil {
			return err
		}
		if err := save(l); err != nil {
			return err
		}
	}
}
