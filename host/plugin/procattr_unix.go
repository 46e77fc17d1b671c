//go:build unix && !linux

package plugin

import "syscall"

// sysProcAttr puts the plugin in its own process group, so stopping it can
// kill its children too (go-plugin#136). These systems have no Pdeathsig: a
// plugin outlives a node killed with SIGKILL until the SDK's parent watch
// notices.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
