package store

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

var seedFlag = flag.Int64("seed", 0, "seed for randomized tests (0: time-based)")

func testSeed(t testing.TB) uint64 {
	t.Helper()
	s := *seedFlag
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return uint64(s)
}

// TestMain fails the run when goroutines outlive the tests: every Store must
// have been closed, stopping badger's goroutines and the value-log GC.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		runCrashChild(dir) // does not return
	}
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 && os.Getenv(crashChildEnv) == "" {
		if leaked := waitGoroutines(before, 5*time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines leaked by the tests:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

func waitGoroutines(want int, timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		if runtime.NumGoroutine() <= want {
			return ""
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			return string(buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testLogger() hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "store-test", Level: hclog.Warn, Output: os.Stderr})
}

// openTest opens a store in dir (a new temporary directory when empty) and
// closes it when the test ends.
func openTest(t testing.TB, dir string, cfg Config) *Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := Open(dir, cfg, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testConfig keeps tests light: small caches, no GC ticker.
func testConfig() Config {
	c := DefaultConfig()
	c.MemTableMB = 16
	c.BlockCacheMB = 8
	c.IndexCacheMB = 8
	c.ValueLogGCInterval = -1
	return c
}

func contains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }
