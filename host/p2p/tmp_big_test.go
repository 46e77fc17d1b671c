package p2p

import (
	"context"
	"testing"
	"time"
)

func TestTmpBigRequest(t *testing.T) {
	nw := startNet(t, 2, netOptions{config: func(i int, c *Config) {
		c.MaxRequestSize = 1000
		if i == 0 {
			c.MaxRequestSize = 8 << 20
		}
	}})
	a, b := nw.hosts[0], nw.hosts[1]
	if err := b.Handle("echo", func(_ context.Context, _ string, req []byte) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, err := a.Request(ctx, b.ID(), "echo", make([]byte, 4<<20))
	t.Logf("%v after %v", err, time.Since(start))
}
