package store

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCursorsPersistAndStayWithinTheStoredLedgers(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, testConfig())
	if seq, err := s.Cursor("idx"); seq != 0 || err != nil {
		t.Fatalf("unset cursor = %d, %v", seq, err)
	}
	if err := s.SetCursor("idx", 1); err == nil || !strings.Contains(err.Error(), "beyond") {
		t.Fatalf("cursor on an empty store: %v", err)
	}
	history(t, s, rand.New(rand.NewPCG(2, 2)), 5, 2, 5)
	h, _, _ := s.Latest()
	if err := s.SetCursor("idx", h.Seq); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor("other", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor("idx", h.Seq+1); err == nil {
		t.Fatal("cursor past the latest ledger accepted")
	}
	for _, bad := range []string{"", strings.Repeat("x", 200)} {
		if err := s.SetCursor(bad, 1); err == nil {
			t.Errorf("cursor name %q accepted", bad)
		}
	}
	s.Close()

	s = openTest(t, dir, testConfig())
	if seq, err := s.Cursor("idx"); seq != h.Seq || err != nil {
		t.Fatalf("after reopen idx = %d, %v; want %d", seq, err, h.Seq)
	}
	if seq, err := s.Cursor("other"); seq != 2 || err != nil {
		t.Fatalf("after reopen other = %d, %v", seq, err)
	}
}
