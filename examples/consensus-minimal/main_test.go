package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/consensus/consensustest"
)

// bin is this plugin, built by TestMain.
var bin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "consensus-minimal-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "consensus-minimal")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build the consensus-minimal plugin: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// suite adds the example's own refusals to the contract's.
var suite = consensustest.Suite{Malformed: []consensus.Params{{ChainID: "c"}}}

func TestBinaryConforms(t *testing.T) {
	suite.RunBinary(t, bin)
}

func TestConformsInProcess(t *testing.T) {
	suite.Run(t, func(*testing.T) consensus.Engine { return &engine{} })
}

func TestAsksForABlockOnceTheIntervalPassedAndCommitsIt(t *testing.T) {
	ctx := context.Background()
	e := &engine{}
	if _, err := e.Configure(ctx, consensus.ConfigureRequest{Params: consensus.Params{CloseInterval: time.Second}}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	block := consensus.Block{Height: 7, ID: consensus.Hash256{7}, ParentID: consensus.Hash256{6}}
	steps := []struct {
		in   consensus.Input
		want []consensus.Output
	}{
		{consensus.StartHeight{Height: 7, ParentID: consensus.Hash256{6}, Now: t0}, nil},
		{consensus.Tick{Now: t0.Add(time.Second - 1)}, nil},
		{consensus.BlockBuilt{Height: 7, Block: block}, nil}, // not asked for yet
		{consensus.Tick{Now: t0.Add(time.Second)}, []consensus.Output{consensus.BuildBlock{Height: 7}}},
		{consensus.Tick{Now: t0.Add(2 * time.Second)}, nil}, // asked already
		{consensus.BlockBuilt{Height: 7, Block: block}, []consensus.Output{consensus.Commit{Block: block, Certificate: []byte("sole validator")}}},
		{consensus.Tick{Now: t0.Add(5 * time.Second)}, nil}, // decided: waits for height 8
		{consensus.BlockBuilt{Height: 7, Block: block}, nil},
		{consensus.StartHeight{Height: 8, ParentID: block.ID, Now: t0.Add(5 * time.Second)}, nil},
		{consensus.Tick{Now: t0.Add(6 * time.Second)}, []consensus.Output{consensus.BuildBlock{Height: 8}}},
	}
	for i, s := range steps {
		resp, err := e.Step(ctx, consensus.StepRequest{Inputs: []consensus.Input{s.in}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(resp.Outputs, s.want) {
			t.Errorf("step %d (%T): outputs %v, want %v", i, s.in, resp.Outputs, s.want)
		}
	}
}

// The example is meant to be read in one sitting: its code stays under 80
// lines.
func TestExampleStaysUnder80Lines(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		total += bytes.Count(b, []byte("\n"))
	}
	if total >= 80 {
		t.Errorf("the example's non-test Go is %d lines; keep it under 80", total)
	}
}
