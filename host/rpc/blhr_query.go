package rpc

import (
	"context"
	"encoding/hex"
	"errors"

	"github.com/jtchain/jtchain/host/codec"
	sdkindexer "github.com/jtchain/jtchain/sdk/indexer"
)

// blhr_query searches the block-level hash records an indexer plugin
// instance holds:
//
//	{"indexer": "blhr",                  the instance (optional when the node runs one)
//	 "ledger_index_min": 10, "ledger_index_max": 20,   optional range
//	 "type_tag": "invoice", "account": "j...", "data_hash": "64 hex",
//	 "limit": 100, "marker": "..."}      paging: pass the answer's marker back
//
// It answers {"indexer", "records": [{"ledger_index", "id", "type_tag",
// "account", "data_hash", "data"}], "marker"} in ledger order; following
// markers returns every match exactly once.
func init() { register("blhr_query", command{run: doBLHRQuery}) }

// ErrNoIndexer is wrapped by an IndexerQuery error that names no running
// indexer instance.
var ErrNoIndexer = errors.New("no such indexer")

// IndexerRouter is implemented by a backend that runs indexer plugins.
type IndexerRouter interface {
	// IndexerQuery asks the named instance ("" for the only one).
	IndexerQuery(ctx context.Context, name string, q sdkindexer.Query) (sdkindexer.QueryResult, error)
}

func doBLHRQuery(r *request) (map[string]any, *rpcError) {
	router, ok := r.srv.backend.(IndexerRouter)
	if !ok {
		return nil, errorf(rpcNOT_SUPPORTED, "This node runs no indexer.")
	}
	name := ""
	if has(r.params, "indexer") {
		s, ok := str(r.params, "indexer")
		if !ok || s == "" || len(s) > 64 {
			return nil, invalidField("indexer")
		}
		name = s
	}
	var q sdkindexer.Query
	for _, f := range []struct {
		name string
		dst  *uint32
	}{{"ledger_index_min", &q.FromSeq}, {"ledger_index_max", &q.ToSeq}} {
		if has(r.params, f.name) {
			v, ok := integer(r.params[f.name])
			if !ok || v < 0 || v > 0xFFFFFFFF {
				return nil, invalidField(f.name)
			}
			*f.dst = uint32(v)
		}
	}
	if has(r.params, "type_tag") {
		s, ok := str(r.params, "type_tag")
		if !ok || len(s) > sdkindexer.MaxNameSize {
			return nil, invalidField("type_tag")
		}
		q.TypeTag = s
	}
	if has(r.params, "account") {
		a, err := accountParam(r.params, "account")
		if err != nil {
			return nil, err
		}
		q.Account = sdkindexer.AccountID(a)
	}
	if has(r.params, "data_hash") {
		s, _ := str(r.params, "data_hash")
		h, ok := hash256(s)
		if !ok {
			return nil, invalidField("data_hash")
		}
		q.DataHash = sdkindexer.Hash256(h)
	}
	if has(r.params, "limit") {
		v, ok := integer(r.params["limit"])
		if !ok || v < 1 {
			return nil, invalidField("limit")
		}
		q.Limit = int(min(v, int64(sdkindexer.MaxQueryLimit)))
	}
	if has(r.params, "marker") {
		s, ok := str(r.params, "marker")
		m, err := hex.DecodeString(s)
		if !ok || err != nil || len(m) == 0 || len(m) > sdkindexer.MaxMarkerSize {
			return nil, invalidField("marker")
		}
		q.Marker = m
	}
	if err := q.Validate(); err != nil {
		return nil, errorf(rpcINVALID_PARAMS, "%s", err.Error())
	}
	res, err := router.IndexerQuery(r.ctx, name, q)
	switch {
	case errors.Is(err, sdkindexer.ErrBadQuery):
		return nil, errorf(rpcINVALID_PARAMS, "%s", err.Error())
	case errors.Is(err, ErrNoIndexer):
		return nil, errorf(rpcINVALID_PARAMS, "%s", err.Error())
	case err != nil:
		r.srv.log.Warn("indexer query failed", "indexer", name, "error", err)
		return nil, errorf(rpcNOT_ENABLED, "the indexer cannot answer now: %s", err.Error())
	}
	records := make([]any, len(res.Records))
	for i, lr := range res.Records {
		rec := map[string]any{
			"ledger_index": lr.LedgerSeq,
			"id":           hexUpper(lr.Record.ID[:]),
			"type_tag":     lr.Record.TypeTag,
			"data_hash":    hexUpper(lr.Record.DataHash[:]),
		}
		if lr.Record.Account != (sdkindexer.AccountID{}) {
			rec["account"] = codec.AccountID(lr.Record.Account).String()
		}
		if len(lr.Record.Data) > 0 {
			rec["data"] = hexUpper(lr.Record.Data)
		}
		records[i] = rec
	}
	out := map[string]any{"records": records}
	if name != "" {
		out["indexer"] = name
	}
	if len(res.Marker) > 0 {
		out["marker"] = hexUpper(res.Marker)
	}
	return out, nil
}
