//go:build !unix

package main

import (
	"os"
	"syscall"
)

// childProcAttr: without Unix process groups the nodes share the console
// with the supervisor.
func childProcAttr() *syscall.SysProcAttr { return nil }

// signalGroup ends the node: other systems have no SIGTERM to send, so a
// stop is always a kill there.
func signalGroup(p *os.Process, _ syscall.Signal) { p.Kill() }
