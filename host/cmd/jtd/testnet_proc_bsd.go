//go:build unix && !linux

package main

import "syscall"

// setParentDeathSignal does nothing: only Linux has a parent-death signal.
// Stop the network with Ctrl-C or SIGTERM so the supervisor can stop the
// nodes.
func setParentDeathSignal(*syscall.SysProcAttr) {}
