package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/jtchain/jtchain/sdk/indexer"
)

// config is the operator's config for one instance.
type config struct {
	// File is the database's file name inside the instance's data
	// directory: a plain name, never a path, so an instance cannot write
	// outside the directory the node gave it.
	File string `json:"file"`
}

const (
	defaultFile = "blhr.db"
	// maxFileName is the longest file name common file systems allow.
	maxFileName = 255
)

// configSchema is config as a JSON Schema; parseConfig checks the same
// rules, so an indexer called without the node's validation is as strict.
const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "sqlite indexer",
  "description": "The embedded BLHR indexer: one SQLite database in the instance's data directory.",
  "type": "object",
  "properties": {
    "file": {
      "description": "File name of the database inside the instance's data directory (a plain name, no path separators).",
      "type": "string",
      "default": "blhr.db",
      "minLength": 1,
      "maxLength": 255,
      "pattern": "^[^/\\\\\u0000]+$",
      "not": {"enum": [".", ".."]}
    }
  },
  "additionalProperties": false
}`

func (x *idx) ConfigSchema(context.Context) ([]byte, error) { return []byte(configSchema), nil }

// parseConfig reads raw (nil, empty or null: the defaults) and reports
// every problem it finds.
func parseConfig(raw json.RawMessage) (config, error) {
	c := config{File: defaultFile}
	if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return c, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return config{}, fmt.Errorf("config: %w: want a JSON object such as {\"file\": %q}, with no other keys", err, defaultFile)
	}
	if dec.More() {
		return config{}, errors.New("config: trailing data after the JSON object")
	}
	if err := checkFileName(c.File); err != nil {
		return config{}, fmt.Errorf("config: file: %w", err)
	}
	return c, nil
}

func checkFileName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("is empty: name the database file, e.g. %q, or leave the key out", defaultFile)
	case len(name) > maxFileName:
		return fmt.Errorf("is %d bytes, more than %d", len(name), maxFileName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%q is not UTF-8", name)
	case strings.ContainsAny(name, "/\\\x00") || name != filepath.Base(name) || name == "." || name == "..":
		return fmt.Errorf("%q is not a plain file name: the database lives in the instance's data directory, so give only its name, e.g. %q", name, defaultFile)
	}
	return nil
}

// Configure opens (creating) the database in req.DataDir, brings its
// schema up to date and checks that it holds req.ChainID's ledgers.
func (x *idx) Configure(ctx context.Context, req indexer.ConfigureRequest) (indexer.ConfigureResponse, error) {
	if x.db.Load() != nil {
		return indexer.ConfigureResponse{}, errors.New("sqlite indexer: already configured")
	}
	c, err := parseConfig(req.Config)
	if err != nil {
		return indexer.ConfigureResponse{}, err
	}
	if req.DataDir == "" {
		return indexer.ConfigureResponse{}, errors.New("sqlite indexer: no data directory: the node must give the instance one")
	}
	db, err := open(ctx, filepath.Join(req.DataDir, c.File), req.ChainID)
	if err != nil {
		return indexer.ConfigureResponse{}, err
	}
	if !x.db.CompareAndSwap(nil, db) {
		db.Close()
		return indexer.ConfigureResponse{}, errors.New("sqlite indexer: already configured")
	}
	return indexer.ConfigureResponse{}, nil
}
