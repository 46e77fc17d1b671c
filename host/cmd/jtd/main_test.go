package main

import (
	"bytes"
	"os"
	"testing"
)

// runAsJTDEnv makes the test binary behave as jtd, so the tests of jtd
// testnet run can start it (and it its nodes, through os.Executable)
// without building a separate binary. Not JTD_*: those are config keys.
const runAsJTDEnv = "JTCHAIN_TEST_RUN_AS_JTD"

func TestMain(m *testing.M) {
	if os.Getenv(runAsJTDEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// jtd runs the command in-process and returns its output and exit status.
func jtd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}
