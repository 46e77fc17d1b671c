package plugin

import "syscall"

// sysProcAttr puts the plugin in its own process group, so stopping it can
// kill its children too (go-plugin#136), and has the kernel SIGKILL it when
// the node dies, even by SIGKILL (spiffe/spire#93). Pdeathsig fires when the
// OS thread that started the plugin exits; Go keeps its threads for the
// life of the process unless a goroutine exits while locked to one, which
// this package never does.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
