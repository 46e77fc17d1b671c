package solo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/host/consensus/pluginengine"
	sdk "github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/consensus/consensustest"
)

// TestSoloPluginMatchesInProcessEngine feeds plugins/consensus/solo,
// launched as the node launches plugins, and this package's engine the
// same seeded random inputs, and requires the same outputs in the same
// order after every batch: moving solo out of process must change nothing.
func TestSoloPluginMatchesInProcessEngine(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "solo")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/jtchain/jtchain/plugins/consensus/solo").CombinedOutput(); err != nil {
		t.Fatalf("build the solo plugin: %v\n%s", err, out)
	}
	base := consensustest.Seed(t)
	for i := range int64(6) {
		seed := base + i
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { compareSolo(t, bin, seed) })
	}
}

func compareSolo(t *testing.T, bin string, seed int64) {
	// The parameters vary with the seed, so the half-target rule is met with
	// targets of 0 (off), 1, odd and large.
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	closeInterval := time.Duration(100+rng.IntN(1900)) * time.Millisecond
	p := sdk.Params{
		ChainID:       "solo-equivalence",
		Self:          sdk.AccountID{0x50, 0x10},
		CloseInterval: closeInterval,
		IdleInterval:  closeInterval * time.Duration(1+rng.IntN(10)),
		LedgerTarget:  []int{0, 1, 2, 3, 7, 100, 1000}[rng.IntN(7)],
	}
	t.Logf("params: close %s, idle %s, ledger target %d", p.CloseInterval, p.IdleInterval, p.LedgerTarget)

	local, err := New(pluginengine.HostParams(p))
	if err != nil {
		t.Fatal(err)
	}
	plugin := consensustest.Launch(t, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := plugin.Configure(ctx, sdk.ConfigureRequest{APIMinor: sdk.APIMinor, Params: p}); err != nil {
		t.Fatal(err)
	}

	d := consensustest.NewDriver(seed, p)
	commits := 0
	for i := range 1000 {
		ins := d.Next()
		var want []sdk.Output
		for _, in := range ins {
			hin, err := pluginengine.HostInput(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range local.Step(hin) {
				so, err := pluginengine.SDKOutput(o)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, so)
			}
		}
		resp, err := plugin.Step(ctx, sdk.StepRequest{Inputs: ins})
		if err != nil {
			t.Fatalf("seed %d, batch %d: plugin: %v", seed, i, err)
		}
		// An empty batch of outputs crosses the wire as an empty slice.
		if (len(want) > 0 || len(resp.Outputs) > 0) && !reflect.DeepEqual(resp.Outputs, want) {
			t.Fatalf("seed %d, batch %d: the plugin and the in-process engine disagree\ninputs:\n%sin process:\n%splugin:\n%s",
				seed, i, lines(ins), lines(want), lines(resp.Outputs))
		}
		for _, o := range want {
			if _, ok := o.(sdk.Commit); ok {
				commits++
			}
		}
		d.Observe(resp.Outputs)
	}
	// A run that never closes a ledger compares nothing of interest.
	if commits < 20 {
		t.Errorf("only %d ledgers closed in 1000 batches", commits)
	}
	t.Logf("%d ledgers closed, last height %d", commits, d.Height())
}

func lines[T any](xs []T) string {
	var b strings.Builder
	for i, x := range xs {
		fmt.Fprintf(&b, "  %d: %T%+v\n", i, x, x)
	}
	if len(xs) == 0 {
		b.WriteString("  (none)\n")
	}
	return b.String()
}
