//go:build unix

package main

import (
	"os"
	"syscall"
)

// childProcAttr puts a node in a process group of its own (its pgid is its
// pid), so terminal signals reach only the supervisor and signalGroup
// reaches the node and whatever it started.
func childProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	return attr
}

// signalGroup sends sig to the process group that p leads.
func signalGroup(p *os.Process, sig syscall.Signal) {
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		p.Signal(sig) // the group is gone or not ours: at least the node
	}
}
