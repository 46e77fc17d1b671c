package rpc

import (
	"errors"

	"github.com/jtchain/jtchain/host/blhr"
)

// blhr_proof proves that a record is in a validated ledger:
//
//	{"record_id": "64 hex"}
//
// ("id" is the WebSocket request id, so the record's is record_id) and
// answers {"record_id", "ledger_index", "ledger_hash", "bundle", "record"}: bundle
// is blhr.Bundle's JSON (the record, its ledger's header, the block and
// commit certificate, the Merkle path), which `jt blhr verify` checks
// offline against the chain's validator set; record is the record decoded
// for reading ({"type_tag", "data_hash", "data_hex", "account"}). A record
// not sealed yet gives blhrPending, an unknown one blhrNotFound.
func init() { register("blhr_proof", command{run: doBLHRProof}) }

func doBLHRProof(r *request) (map[string]any, *rpcError) {
	b, ok := r.srv.backend.(RecordBackend)
	if !ok {
		return nil, errorf(rpcNOT_SUPPORTED, "This node takes no block-level hash records.")
	}
	if !has(r.params, "record_id") {
		return nil, missingField("record_id")
	}
	s, _ := str(r.params, "record_id")
	id, ok := hash256(s)
	if !ok {
		return nil, invalidField("record_id")
	}
	p, err := b.RecordProof(id)
	switch {
	case errors.Is(err, ErrRecordPending):
		return nil, blhrError("blhrPending", "%v", err)
	case errors.Is(err, ErrRecordNotFound):
		return nil, blhrError("blhrNotFound", "%v", err)
	case err != nil:
		return nil, errorf(rpcINTERNAL, "%v", err)
	}
	rec, err := blhr.DecodeRecord(p.Bundle.Record)
	if err != nil {
		return nil, errorf(rpcINTERNAL, "stored record: %v", err)
	}
	view := map[string]any{
		"type_tag":  rec.TypeTag,
		"data_hash": hexUpper(rec.DataHash[:]),
		"signed":    rec.Signed(),
	}
	if len(rec.Data) > 0 {
		view["data_hex"] = hexUpper(rec.Data)
	}
	if rec.Signed() {
		view["account"] = rec.Account.String()
	}
	return map[string]any{
		"record_id":    hexUpper(id[:]),
		"ledger_index": p.Bundle.LedgerSeq,
		"ledger_hash":  hexUpper(p.LedgerHash[:]),
		"bundle":       p.Bundle,
		"record":       view,
		"validated":    true,
	}, nil
}
