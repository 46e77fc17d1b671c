//go:build !unix

package plugin

import "syscall"

// Systems without process groups get go-plugin's own kill of the plugin
// process only; children a plugin starts may outlive it there.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) {}
