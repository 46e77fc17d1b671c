//go:build unix

package plugin

import "syscall"

// killGroup sends SIGKILL to the process group led by pid (the plugin was
// started with Setpgid, so its group id is its pid). A group that is
// already gone is not an error.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
