package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// connPool runs calls on connections from pgx's pool: made on demand up
// to size, checked before reuse after they sat idle, and replaced when a
// restarted server broke them.
type connPool struct {
	p      *pgxpool.Pool
	closed atomic.Bool
}

func newConnPool(cfg *pgx.ConnConfig, size int) (*connPool, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	pc.ConnConfig = cfg
	pc.MaxConns = int32(size)
	pc.MinConns = 0
	pc.HealthCheckPeriod = 10 * time.Second
	// pgxpool pings a connection that sat idle for over a second before
	// handing it out (the server may have been restarted since); bound it.
	pc.PingTimeout = time.Second
	p, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, err
	}
	return &connPool{p: p}, nil
}

var errPoolClosed = errors.New("postgres indexer: closed")

// with runs fn on a connection, under ctx.
func (p *connPool) with(ctx context.Context, fn func(*pgx.Conn) error) error {
	if p.closed.Load() {
		return errPoolClosed
	}
	c, err := p.p.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return fn(c.Conn())
}

// close closes the pool; calls in flight finish first.
func (p *connPool) close() {
	p.closed.Store(true)
	p.p.Close()
}
