// Command misbehave is the consensus plugin host/plugin's tests launch. It
// works like a plain engine unless flags make it misbehave the way real
// plugins do: crash at start, print to stdout, hang a call, exit mid-call,
// or leave a child process behind. Its Info lists the names of its
// environment variables as "env:NAME" capabilities, so a test can see what
// the host let through, and the pid of its child as "child:PID".
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jtchain/jtchain/sdk/consensus"
	"github.com/jtchain/jtchain/sdk/plugin"
)

type engine struct {
	consensus.UnimplementedEngine
	hangStep  bool
	exitAfter int64
	steps     atomic.Int64
	childPID  int
}

func (e *engine) Info(context.Context) (plugin.Info, error) {
	var caps []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		caps = append(caps, "env:"+name)
	}
	if e.childPID != 0 {
		caps = append(caps, "child:"+strconv.Itoa(e.childPID))
	}
	return plugin.Info{Name: "misbehave", Version: "0.1.0", Semantics: "misbehave/1", Capabilities: caps}, nil
}

// Step answers every StartHeight with a BuildBlock of its height.
func (e *engine) Step(_ context.Context, req consensus.StepRequest) (consensus.StepResponse, error) {
	if e.hangStep {
		select {} // ignores the context, as a stuck plugin would
	}
	if n := e.steps.Add(1); e.exitAfter > 0 && n > e.exitAfter {
		os.Exit(2)
	}
	var out []consensus.Output
	for _, in := range req.Inputs {
		if sh, ok := in.(consensus.StartHeight); ok {
			out = append(out, consensus.BuildBlock{Height: sh.Height})
		}
	}
	return consensus.StepResponse{Outputs: out}, nil
}

func main() {
	crash := flag.Bool("crash", false, "exit with an error before serving")
	stdoutFirst := flag.Bool("stdout-first", false, "print to stdout before serving")
	hangStep := flag.Bool("hang-step", false, "never return from Step")
	exitAfter := flag.Int64("exit-after", 0, "exit during Step call N+1")
	spawnChild := flag.Bool("spawn-child", false, "start a child process that sleeps")
	child := flag.Bool("child", false, "sleep, as the child of -spawn-child")
	flag.Parse()

	if *child {
		time.Sleep(time.Hour)
		return
	}
	if *crash {
		fmt.Fprintln(os.Stderr, "misbehave: cannot open the engine's state: crashing at start as asked")
		os.Exit(3)
	}
	if *stdoutFirst {
		fmt.Println("misbehave starting")
	}
	e := &engine{hangStep: *hangStep, exitAfter: *exitAfter}
	if *spawnChild {
		cmd := exec.Command(os.Args[0], "-child")
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "misbehave: start child:", err)
			os.Exit(4)
		}
		e.childPID = cmd.Process.Pid
	}
	consensus.Serve(e)
}
