package plugin

import (
	"os"
	"testing"
	"time"
)

func TestWatchParentNoticesANewParent(t *testing.T) {
	done := make(chan struct{})
	// A "parent" that is not this process's parent: as after the node
	// died and the plugin was re-parented.
	go watchParent(os.Getppid()+1, time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("watchParent did not report the parent gone")
	}
}

func TestWatchParentKeepsQuietWhileTheParentLives(t *testing.T) {
	called := make(chan struct{}, 1)
	go watchParent(os.Getppid(), time.Millisecond, func() { called <- struct{}{} })
	time.Sleep(50 * time.Millisecond) // fifty checks
	select {
	case <-called:
		t.Fatal("watchParent reported a living parent gone")
	default:
	}
}
