package main

import "syscall"

// setParentDeathSignal has the kernel kill the node when the supervisor
// dies, even by SIGKILL, so no node outlives it. Strictly the signal fires
// when the OS thread that started the node exits; the Go runtime does not
// end its threads (it would only for a goroutine that exits while locked
// to its thread, and the supervisor locks none), so in practice that is
// when the process exits.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
