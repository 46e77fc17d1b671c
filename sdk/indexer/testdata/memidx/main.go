// Command memidx is the indexer plugin the SDK's process tests launch: it
// keeps what it stores in memory only (so it forgets everything when it
// exits) and answers queries with indexer.Scan. With -stdout-first it
// prints to stdout before serving, as a careless plugin would; with
// -fail-store N it refuses to store ledger N.
package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sync"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
)

type memidx struct {
	indexer.UnimplementedIndexer
	failStore uint32

	mu         sync.Mutex
	configured bool
	ledgers    []indexer.Ledger // in seq order
}

func (m *memidx) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "memidx", Version: "0.1.0", Capabilities: []string{"memidx.test"}}, nil
}

func (m *memidx) ConfigSchema(context.Context) ([]byte, error) {
	return []byte(`{"type":"object"}`), nil
}

func (m *memidx) Configure(_ context.Context, req indexer.ConfigureRequest) (indexer.ConfigureResponse, error) {
	if req.ChainID == "" {
		return indexer.ConfigureResponse{}, fmt.Errorf("chain id is empty")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.configured = true
	return indexer.ConfigureResponse{}, nil
}

func (m *memidx) Store(_ context.Context, l indexer.Ledger) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !m.configured:
		return fmt.Errorf("memidx: not configured")
	case l.Seq == m.failStore:
		return fmt.Errorf("memidx: refusing ledger %d (-fail-store)", l.Seq)
	case len(m.ledgers) > 0 && l.Seq <= m.ledgers[len(m.ledgers)-1].Seq:
		return nil // stored already
	}
	m.ledgers = append(m.ledgers, l)
	return nil
}

func (m *memidx) LastStored(context.Context) (uint32, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.ledgers) == 0 {
		return 0, false, nil
	}
	return m.ledgers[len(m.ledgers)-1].Seq, true, nil
}

func (m *memidx) Query(_ context.Context, q indexer.Query) (indexer.QueryResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return indexer.Scan(q, slices.Values(m.ledgers))
}

func main() {
	stdoutFirst := flag.Bool("stdout-first", false, "print to stdout before serving")
	failStore := flag.Uint("fail-store", 0, "refuse to store this ledger")
	flag.Parse()
	if *stdoutFirst {
		fmt.Println("starting memidx")
	}
	indexer.Serve(&memidx{failStore: uint32(*failStore)})
}
