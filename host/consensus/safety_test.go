package consensus

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSafetyFileRoundTripsAndReplaces(t *testing.T) {
	f := OpenSafetyFile(filepath.Join(t.TempDir(), "safety"))
	if rec, err := f.Load(); err != nil || rec != nil {
		t.Fatalf("empty: %x %v", rec, err)
	}
	for _, rec := range [][]byte{{1, 2, 3}, bytes.Repeat([]byte{9}, 100000), {}} {
		if err := f.Save(rec); err != nil {
			t.Fatal(err)
		}
		got, err := f.Load()
		if err != nil || !bytes.Equal(got, rec) {
			t.Fatalf("round trip of %d bytes: %v", len(rec), err)
		}
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(f.path))
	if len(entries) != 1 {
		t.Fatalf("%d files in the directory", len(entries))
	}
}

func TestSafetyFileDetectsCorruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "safety")
	f := OpenSafetyFile(path)
	if err := f.Save([]byte("record of the last vote")); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x40
		os.WriteFile(path, bad, 0o600)
		if _, err := f.Load(); !errors.Is(err, ErrSafetyCorrupt) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	for _, n := range []int{0, 5, len(good) - 1} {
		os.WriteFile(path, good[:n], 0o600)
		if _, err := f.Load(); !errors.Is(err, ErrSafetyCorrupt) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
}
