package main

import (
	"fmt"

	"github.com/hashicorp/go-hclog"
)

// raftLogger passes the raft library's log lines to hclog. Raft reports
// every election, vote and rejected append at Info, which on a healthy
// chain is chatter, so its Info becomes Debug and its Debug becomes Trace;
// the engine logs the events an operator wants (leader changes, catch-up,
// dropped messages) itself. Raft's Panic and Fatal must not return: they
// panic, and Step turns the panic into an error (see engine.Step).
type raftLogger struct{ l hclog.Logger }

func (r raftLogger) Debug(v ...any)                 { r.l.Trace(fmt.Sprint(v...)) }
func (r raftLogger) Debugf(format string, v ...any) { r.l.Trace(fmt.Sprintf(format, v...)) }
func (r raftLogger) Info(v ...any)                  { r.l.Debug(fmt.Sprint(v...)) }
func (r raftLogger) Infof(format string, v ...any)  { r.l.Debug(fmt.Sprintf(format, v...)) }
func (r raftLogger) Warning(v ...any)               { r.l.Warn(fmt.Sprint(v...)) }
func (r raftLogger) Warningf(format string, v ...any) {
	r.l.Warn(fmt.Sprintf(format, v...))
}
func (r raftLogger) Error(v ...any)                 { r.l.Error(fmt.Sprint(v...)) }
func (r raftLogger) Errorf(format string, v ...any) { r.l.Error(fmt.Sprintf(format, v...)) }
func (r raftLogger) Fatal(v ...any)                 { r.fail(fmt.Sprint(v...)) }
func (r raftLogger) Fatalf(format string, v ...any) { r.fail(fmt.Sprintf(format, v...)) }
func (r raftLogger) Panic(v ...any)                 { r.fail(fmt.Sprint(v...)) }
func (r raftLogger) Panicf(format string, v ...any) { r.fail(fmt.Sprintf(format, v...)) }

func (r raftLogger) fail(msg string) {
	r.l.Error("raft library assertion failed", "error", msg)
	panic("raft: " + msg)
}
