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

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
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

	local, err := New(hostParams(p))
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
			for _, o := range local.Step(hostInput(in)) {
				want = append(want, sdkOutput(t, o))
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

// The SDK mirrors this package's types one to one; these conversions are
// the whole difference between the two engines' interfaces.

func hostParams(p sdk.Params) consensus.Params {
	return consensus.Params{
		ChainID: p.ChainID, Self: codec.AccountID(p.Self),
		CloseInterval: p.CloseInterval, IdleInterval: p.IdleInterval, LedgerTarget: p.LedgerTarget,
		Options: p.Options, Safety: p.Safety,
	}
}

func hostBlock(b sdk.Block) consensus.Block {
	return consensus.Block{Height: b.Height, ID: codec.Hash256(b.ID), ParentID: codec.Hash256(b.ParentID), Payload: b.Payload}
}

func hostInput(in sdk.Input) consensus.Input {
	switch in := in.(type) {
	case sdk.StartHeight:
		vals := make([]consensus.Validator, len(in.Validators))
		for i, v := range in.Validators {
			vals[i] = consensus.Validator{Address: codec.AccountID(v.Address), PublicKey: v.PublicKey}
		}
		return consensus.StartHeight{Height: in.Height, ParentID: codec.Hash256(in.ParentID), Validators: vals, Seed: codec.Hash256(in.Seed), Now: in.Now}
	case sdk.Tick:
		return consensus.Tick{Now: in.Now}
	case sdk.TxsAvailable:
		return consensus.TxsAvailable{Count: in.Count, Now: in.Now}
	case sdk.Timeout:
		return consensus.Timeout{Kind: consensus.TimeoutKind(in.Kind), Height: in.Height, Round: in.Round}
	case sdk.BlockBuilt:
		return consensus.BlockBuilt{Height: in.Height, Round: in.Round, Block: hostBlock(in.Block)}
	case sdk.Validated:
		return consensus.Validated{BlockID: codec.Hash256(in.BlockID), OK: in.OK}
	case sdk.Message:
		return consensus.Message{From: codec.AccountID(in.From), Payload: in.Payload, Signature: in.Signature}
	}
	panic(fmt.Sprintf("unknown sdk input %T", in))
}

func sdkBlock(b consensus.Block) sdk.Block {
	return sdk.Block{Height: b.Height, ID: sdk.Hash256(b.ID), ParentID: sdk.Hash256(b.ParentID), Payload: b.Payload}
}

func sdkOutput(t *testing.T, o consensus.Output) sdk.Output {
	t.Helper()
	switch o := o.(type) {
	case consensus.BuildBlock:
		return sdk.BuildBlock{Height: o.Height, Round: o.Round}
	case consensus.Validate:
		return sdk.Validate{Block: sdkBlock(o.Block)}
	case consensus.Commit:
		return sdk.Commit{Block: sdkBlock(o.Block), Certificate: o.Certificate}
	case consensus.ScheduleTimeout:
		return sdk.ScheduleTimeout{Kind: sdk.TimeoutKind(o.Kind), Height: o.Height, Round: o.Round, Delay: o.Delay}
	case consensus.PersistSafety:
		return sdk.PersistSafety{Record: o.Record}
	case consensus.SignAndBroadcast:
		return sdk.SignAndBroadcast{Payload: o.Payload}
	case consensus.Evidence:
		return sdk.Evidence{Payload: o.Payload}
	case consensus.RequestCatchUp:
		return sdk.RequestCatchUp{Height: o.Height}
	case consensus.Rebroadcast:
		msgs := make([]sdk.Message, len(o.Messages))
		for i, m := range o.Messages {
			msgs[i] = sdk.Message{From: sdk.AccountID(m.From), Payload: m.Payload, Signature: m.Signature}
		}
		return sdk.Rebroadcast{Messages: msgs}
	}
	t.Fatalf("unknown host output %T", o)
	return nil
}
