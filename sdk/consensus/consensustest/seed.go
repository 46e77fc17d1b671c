package consensustest

import (
	"flag"
	"strconv"
	"testing"
	"time"
)

const seedFlag = "seed"

// The repository's tests spell the replay flag -seed; registering it only
// when absent lets a sibling helper package register it first.
func init() {
	if flag.Lookup(seedFlag) == nil {
		flag.Int64(seedFlag, 0, "seed for randomized consensus tests (0: derive one from the clock)")
	}
}

// Seed returns the value of -seed, or a seed derived from the clock when it
// is unset, and logs it so a failure can be replayed with -seed.
func Seed(t *testing.T) int64 {
	t.Helper()
	if f := flag.Lookup(seedFlag); f != nil {
		if v, err := strconv.ParseInt(f.Value.String(), 10, 64); err == nil && v != 0 {
			t.Logf("seed %d (from -seed)", v)
			return v
		}
	}
	v := time.Now().UnixNano()
	t.Logf("seed %d (replay with -seed %d)", v, v)
	return v
}
