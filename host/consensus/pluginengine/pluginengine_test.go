package pluginengine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/solo"
	"github.com/jtchain/jtchain/host/plugin"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// node is the part of the node's driver that solo needs: it answers
// BuildBlock with a block and Commit with the next height.
type node struct {
	eng     consensus.Engine
	height  uint64
	commits int
}

func (n *node) step(in consensus.Input) []consensus.Output {
	var all []consensus.Output
	queue := []consensus.Input{in}
	for len(queue) > 0 {
		in, queue = queue[0], queue[1:]
		outs := n.eng.Step(in)
		all = append(all, outs...)
		for _, o := range outs {
			switch o := o.(type) {
			case consensus.BuildBlock:
				id := codec.Hash256{byte(o.Height), byte(o.Height >> 8), 1}
				queue = append(queue, consensus.BlockBuilt{Height: o.Height, Round: o.Round, Block: consensus.Block{Height: o.Height, ID: id}})
			case consensus.Commit:
				n.commits++
				n.height = o.Block.Height + 1
				queue = append(queue, consensus.StartHeight{Height: n.height, ParentID: o.Block.ID, Now: time.Unix(0, 0)})
			}
		}
	}
	return all
}

func buildSolo(t *testing.T) (path, sum string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "solo")
	if out, err := exec.Command("go", "build", "-o", path, "github.com/jtchain/jtchain/plugins/consensus/solo").CombinedOutput(); err != nil {
		t.Fatalf("build the solo plugin: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return path, hex.EncodeToString(h[:])
}

// The solo plugin, run through the supervisor and this adapter, decides
// exactly what the built-in solo engine decides; killed with SIGKILL, it is
// restarted and the node goes on closing ledgers.
func TestSoloPluginBehindTheEngineInterface(t *testing.T) {
	path, sum := buildSolo(t)
	sup, err := plugin.NewSupervisor(plugin.InstanceConfig{
		Name: "solo", Kind: sdkplugin.KindConsensus, Path: path, SHA256: sum,
		CallTimeout: 5 * time.Second, HealthInterval: 100 * time.Millisecond,
		Restart: plugin.RestartPolicy{MaxAttempts: 5, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond},
	}, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sup.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sup.Stop(stop)
	})
	params := consensus.Params{ChainID: "test", CloseInterval: 200 * time.Millisecond, IdleInterval: time.Second, LedgerTarget: 10}
	remote, err := New(plugin.ConsensusEngine(sup), params, 5*time.Second, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	local, err := solo.New(params)
	if err != nil {
		t.Fatal(err)
	}
	a, b := &node{eng: local, height: 2}, &node{eng: remote, height: 2}
	t0 := time.Unix(1_700_000_000, 0)
	start := consensus.StartHeight{Height: 2, Now: t0}
	if got, want := b.step(start), a.step(start); !reflect.DeepEqual(got, want) {
		t.Fatalf("start: plugin %v, built-in %v", got, want)
	}
	now := t0
	for i := 0; i < 200; i++ {
		now = now.Add(50 * time.Millisecond)
		in := consensus.Input(consensus.TxsAvailable{Count: i % 7, Now: now})
		if i%5 == 0 {
			in = consensus.Tick{Now: now}
		}
		want, got := a.step(in), b.step(in)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d (%T): plugin %v, built-in %v", i, in, got, want)
		}
	}
	if a.commits < 10 {
		t.Fatalf("only %d ledgers closed", a.commits)
	}

	// kill -9: the step in flight fails (no outputs: the node does not
	// decide), the supervisor restarts the plugin, and the adapter brings it
	// back to the height in progress.
	pid := sup.Status().PID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	before := b.commits
	deadline := time.Now().Add(30 * time.Second)
	for b.commits < before+5 {
		if time.Now().After(deadline) {
			t.Fatalf("no progress after the plugin was killed: %d commits, %d failures, status %+v", b.commits-before, remote.Failures(), sup.Status())
		}
		now = now.Add(100 * time.Millisecond)
		b.step(consensus.TxsAvailable{Count: 3, Now: now})
		time.Sleep(20 * time.Millisecond)
	}
	if st := sup.Status(); st.Restarts < 1 || st.PID == pid {
		t.Fatalf("plugin not restarted: %+v", st)
	}
	t.Logf("%d ledgers before the kill; %d failed steps; closing again after restart", a.commits, remote.Failures())
}

// Every host input and output crosses to the SDK types and back unchanged.
func TestConversionsRoundTrip(t *testing.T) {
	now := time.Unix(1_700_000_000, 5).UTC()
	blk := consensus.Block{Height: 9, ID: codec.Hash256{1}, ParentID: codec.Hash256{2}, Payload: []byte{3}}
	msg := consensus.Message{From: codec.AccountID{4}, Payload: []byte{5}, Signature: []byte{6}}
	for _, in := range []consensus.Input{
		consensus.StartHeight{Height: 3, ParentID: codec.Hash256{7}, Validators: []consensus.Validator{{Address: codec.AccountID{8}, PublicKey: []byte{9}}}, Seed: codec.Hash256{10}, Now: now},
		consensus.Tick{Now: now}, consensus.TxsAvailable{Count: 4, Now: now},
		consensus.Timeout{Kind: consensus.TimeoutPrevote, Height: 3, Round: 1},
		consensus.BlockBuilt{Height: 9, Round: 2, Block: blk}, consensus.Validated{BlockID: codec.Hash256{11}, OK: true}, msg,
	} {
		back, err := HostInput(SDKInput(in))
		if err != nil || !reflect.DeepEqual(back, in) {
			t.Fatalf("%T: back %#v, %v", in, back, err)
		}
	}
	for _, o := range []consensus.Output{
		consensus.BuildBlock{Height: 3, Round: 1}, consensus.Validate{Block: blk}, consensus.Commit{Block: blk, Certificate: []byte{12}},
		consensus.ScheduleTimeout{Kind: consensus.TimeoutCommit, Height: 3, Delay: time.Second}, consensus.PersistSafety{Record: []byte{13}},
		consensus.SignAndBroadcast{Payload: []byte{14}}, consensus.Evidence{Payload: []byte{15}},
		consensus.Rebroadcast{Messages: []consensus.Message{msg}}, consensus.RequestCatchUp{Height: 8},
	} {
		so, err := SDKOutput(o)
		if err != nil {
			t.Fatal(err)
		}
		back, err := HostOutput(so)
		if err != nil || !reflect.DeepEqual(back, o) {
			t.Fatalf("%T: back %#v, %v", o, back, err)
		}
	}
}
