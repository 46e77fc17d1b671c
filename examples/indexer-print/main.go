// Command indexer-print is the smallest working indexer plugin: each stored ledger
// becomes one JSON line in records.jsonl in its data directory; queries scan it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/plugin"
)

// printer needs no lock: ledgers are stored one at a time; readers skip torn lines.
type printer struct {
	indexer.UnimplementedIndexer
	file string
}

func (p *printer) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Name: "print", Version: "0.1.0"}, nil
}

func (p *printer) Configure(_ context.Context, req indexer.ConfigureRequest) (indexer.ConfigureResponse, error) {
	if c := string(req.Config); c != "" && c != "{}" && c != "null" || req.DataDir == "" {
		return indexer.ConfigureResponse{}, errors.New("print takes no config and needs a data directory")
	}
	p.file = filepath.Join(req.DataDir, "records.jsonl")
	return indexer.ConfigureResponse{}, nil
}

// load reads the stored ledgers in order, skipping a line a crash cut short.
func (p *printer) load() (ledgers []indexer.Ledger, last uint32, err error) {
	if p.file == "" {
		return nil, 0, errors.New("print: not configured")
	}
	b, err := os.ReadFile(p.file)
	for _, line := range bytes.Split(b, []byte("\n")) {
		if l := (indexer.Ledger{}); json.Unmarshal(line, &l) == nil && l.Seq > 0 {
			ledgers, last = append(ledgers, l), l.Seq
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		err = nil // nothing stored yet
	}
	return ledgers, last, err
}

func (p *printer) LastStored(context.Context) (uint32, bool, error) {
	_, last, err := p.load()
	return last, last > 0, err
}

// Store skips a ledger it holds (a replay) and fsyncs before it returns.
func (p *printer) Store(_ context.Context, l indexer.Ledger) error {
	if _, last, err := p.load(); err != nil || l.Seq <= last {
		return err
	}
	f, err := os.OpenFile(p.file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	line, _ := json.Marshal(l) // after a "\n" that ends a line a crash cut short
	_, err = f.Write(append([]byte("\n"), line...))
	return errors.Join(err, f.Sync(), f.Close())
}

func (p *printer) Query(_ context.Context, q indexer.Query) (indexer.QueryResult, error) {
	ledgers, _, err := p.load() // none if it fails
	res, qerr := indexer.Scan(q, slices.Values(ledgers))
	return res, errors.Join(err, qerr)
}

func main() { indexer.Serve(&printer{}) }
