package solo

import (
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/consensus"
)

func newSolo(t *testing.T) consensus.Engine {
	t.Helper()
	e, err := consensus.New("solo", consensus.Params{CloseInterval: time.Second, IdleInterval: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func builds(out []consensus.Output) bool {
	return len(out) == 1 && out[0] == consensus.Output(consensus.BuildBlock{Height: 5})
}

func TestSoloClosesWhenTransactionsWaitAtMostEveryCloseInterval(t *testing.T) {
	e := newSolo(t)
	t0 := time.Unix(1000, 0)
	e.Step(consensus.StartHeight{Height: 5, Now: t0})
	if out := e.Step(consensus.TxsAvailable{Count: 3, Now: t0.Add(500 * time.Millisecond)}); len(out) != 0 {
		t.Fatalf("built before the close interval: %v", out)
	}
	if out := e.Step(consensus.Tick{Now: t0.Add(time.Second)}); !builds(out) {
		t.Fatalf("did not build at the close interval: %v", out)
	}
	// No second build while one is outstanding.
	if out := e.Step(consensus.Tick{Now: t0.Add(2 * time.Second)}); len(out) != 0 {
		t.Fatalf("built twice: %v", out)
	}
	out := e.Step(consensus.BlockBuilt{Height: 5, Block: consensus.Block{Height: 5}})
	if len(out) != 1 {
		t.Fatalf("built block not committed: %v", out)
	}
	if c, ok := out[0].(consensus.Commit); !ok || c.Block.Height != 5 {
		t.Fatalf("output %v", out)
	}
}

func TestSoloClosesEarlyAtHalfTheLedgerTarget(t *testing.T) {
	e, err := consensus.New("solo", consensus.Params{CloseInterval: time.Second, IdleInterval: 10 * time.Second, LedgerTarget: 100})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	e.Step(consensus.StartHeight{Height: 5, Now: t0})
	// It closes at half the target, keeping the other half as headroom for
	// submissions that arrive while the ledger is stored.
	if out := e.Step(consensus.TxsAvailable{Count: 49, Now: t0.Add(10 * time.Millisecond)}); len(out) != 0 {
		t.Fatalf("closed below half the target: %v", out)
	}
	if out := e.Step(consensus.TxsAvailable{Count: 50, Now: t0.Add(20 * time.Millisecond)}); !builds(out) {
		t.Fatalf("did not close at half the target: %v", out)
	}
}

func TestSoloClosesEmptyLedgersAtTheIdleInterval(t *testing.T) {
	e := newSolo(t)
	t0 := time.Unix(1000, 0)
	e.Step(consensus.StartHeight{Height: 5, Now: t0})
	if out := e.Step(consensus.Tick{Now: t0.Add(9 * time.Second)}); len(out) != 0 {
		t.Fatalf("closed an idle ledger early: %v", out)
	}
	if out := e.Step(consensus.Tick{Now: t0.Add(10 * time.Second)}); !builds(out) {
		t.Fatalf("did not close at the idle interval: %v", out)
	}
}

func TestSoloIgnoresStaleAnswersAndRejectsBadParams(t *testing.T) {
	e := newSolo(t)
	e.Step(consensus.StartHeight{Height: 5, Now: time.Unix(1000, 0)})
	if out := e.Step(consensus.BlockBuilt{Height: 4}); len(out) != 0 {
		t.Fatalf("committed a block it did not ask for: %v", out)
	}
	if _, err := consensus.New("solo", consensus.Params{CloseInterval: 2 * time.Second, IdleInterval: time.Second}); err == nil {
		t.Fatal("accepted idle < close")
	}
	if _, err := consensus.New("nope", consensus.Params{}); err == nil {
		t.Fatal("unknown engine accepted")
	}
}
