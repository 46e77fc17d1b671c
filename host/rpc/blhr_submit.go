package rpc

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
)

// blhr_submit takes a block-level hash record for the next ledger:
//
//	{"record": "hex"}                a complete record, signed or not
//	                                 (`jt blhr put` signs locally), or
//	{"data": "text" | "data_hex": "hex" | "data_hash": "64 hex",
//	 "type_tag": "invoice",          optional
//	 "secret": "s..."}               optional: the node signs (signing
//	                                 listeners only, as for sign)
//
// It answers at once {"record_id", "queued": true, "signed",
// "ledger_current_index"} and, for a signed record, "account" and "fee"
// (drops the signer pays when the record is sealed). The record is in the
// ledger_current_index ledger or one of the next two; blhr_proof proves it.
//
// Unsigned records are rate-limited per client IP (blhr.unsigned_per_second,
// except admin clients) and their data by blhr.max_data; signed records cost
// their signer the chain's record fee instead. Errors: blhrMalformed,
// blhrTooLarge, blhrBadSignature, blhrUnfunded (the signer cannot pay),
// blhrSealed (already in a ledger), slowDown, tooBusy (pool full).
func init() { register("blhr_submit", command{run: doBLHRSubmit}) }

// RecordBackend is implemented by a backend that takes BLHR records.
type RecordBackend interface {
	// ChainID is the chain id record signatures are made for.
	ChainID() string
	// SubmitRecord queues a decoded record (its signature not yet checked).
	// Errors wrap ErrRecordTooLarge, ErrRecordSignature, ErrRecordUnpayable,
	// ErrRecordSealed or ErrBusy.
	SubmitRecord(r blhr.Record) (RecordSubmitResult, error)
	// RecordProof returns the proof bundle of a sealed record; errors wrap
	// ErrRecordPending or ErrRecordNotFound when there is none.
	RecordProof(id codec.Hash256) (RecordProof, error)
}

// Errors a RecordBackend wraps.
var (
	ErrRecordTooLarge  = errors.New("record too large")
	ErrRecordSignature = errors.New("bad record signature")
	ErrRecordUnpayable = errors.New("record fee cannot be paid")
	ErrRecordSealed    = errors.New("record already sealed")
	ErrRecordPending   = errors.New("record not sealed yet")
	ErrRecordNotFound  = errors.New("record not found")
)

// RecordSubmitResult is what SubmitRecord tells the client.
type RecordSubmitResult struct {
	ID            codec.Hash256
	Signed        bool
	Account       codec.AccountID // signed records only
	Fee           uint64          // drops; signed records only
	CurrentLedger uint32          // the ledger being built
}

// RecordProof is a sealed record's proof.
type RecordProof struct {
	LedgerHash codec.Hash256
	Bundle     blhr.Bundle
}

// LimitUnsignedRecords sets the per-IP rate of unsigned records (default
// 20 per second, burst 100). Admin clients are not limited.
func (s *Server) LimitUnsignedRecords(perSecond float64, burst int) {
	s.recordLimit.Store(newIPLimiter(perSecond, float64(burst)))
}

func (s *Server) unsignedRecordAllowed(r *request) bool {
	if r.admin {
		return true
	}
	l := s.recordLimit.Load()
	if l == nil {
		s.recordLimit.CompareAndSwap(nil, newIPLimiter(20, 100))
		l = s.recordLimit.Load()
	}
	return l.take(r.ip, time.Now()) == allow
}

func blhrError(token, format string, args ...any) *rpcError {
	return legacyError(token, fmt.Sprintf(format, args...))
}

func doBLHRSubmit(r *request) (map[string]any, *rpcError) {
	b, ok := r.srv.backend.(RecordBackend)
	if !ok {
		return nil, errorf(rpcNOT_SUPPORTED, "This node takes no block-level hash records.")
	}
	rec, rerr := r.recordParam(b.ChainID())
	if rerr != nil {
		return nil, rerr
	}
	if !rec.Signed() && !r.srv.unsignedRecordAllowed(r) {
		return nil, errorf(rpcSLOW_DOWN, "Too many unsigned records from your address: wait, or sign your records (signed records pay the record fee instead of being rate-limited).")
	}
	res, err := b.SubmitRecord(rec)
	if err != nil {
		switch {
		case errors.Is(err, ErrRecordTooLarge):
			return nil, blhrError("blhrTooLarge", "%v", err)
		case errors.Is(err, ErrRecordSignature):
			return nil, blhrError("blhrBadSignature", "%v", err)
		case errors.Is(err, ErrRecordUnpayable):
			return nil, blhrError("blhrUnfunded", "%v", err)
		case errors.Is(err, ErrRecordSealed):
			return nil, blhrError("blhrSealed", "%v", err)
		case errors.Is(err, ErrBusy):
			return nil, errorf(rpcTOO_BUSY, "%v", err)
		}
		return nil, errorf(rpcINTERNAL, "%v", err)
	}
	out := map[string]any{
		"record_id":            hexUpper(res.ID[:]),
		"queued":               true,
		"signed":               res.Signed,
		"ledger_current_index": res.CurrentLedger,
	}
	if res.Signed {
		out["account"] = res.Account.String()
		out["fee"] = strconv.FormatUint(res.Fee, 10)
	}
	return out, nil
}

// recordParam reads the record of a blhr_submit request.
func (r *request) recordParam(chainID string) (blhr.Record, *rpcError) {
	p := r.params
	if has(p, "record") {
		for _, other := range []string{"data", "data_hex", "data_hash", "type_tag", "secret"} {
			if has(p, other) {
				return blhr.Record{}, blhrError("blhrMalformed", "Give either 'record' or the record's fields, not both ('%s' with 'record').", other)
			}
		}
		s, ok := str(p, "record")
		if !ok || len(s) > 2*blhr.MaxRecordSize {
			return blhr.Record{}, invalidField("record")
		}
		raw, err := hex.DecodeString(s)
		if err != nil {
			return blhr.Record{}, blhrError("blhrMalformed", "'record' is not hex: %v", err)
		}
		rec, err := blhr.DecodeRecord(raw)
		if err != nil {
			return blhr.Record{}, blhrError("blhrMalformed", "%v", err)
		}
		return rec, nil
	}
	tag := ""
	if has(p, "type_tag") {
		s, ok := str(p, "type_tag")
		if !ok {
			return blhr.Record{}, invalidField("type_tag")
		}
		tag = s
	}
	var rec blhr.Record
	var err error
	given := 0
	for _, f := range []string{"data", "data_hex", "data_hash"} {
		if has(p, f) {
			given++
		}
	}
	if given != 1 {
		return blhr.Record{}, blhrError("blhrMalformed", "Give exactly one of 'data', 'data_hex' or 'data_hash' (or a whole 'record').")
	}
	switch {
	case has(p, "data"):
		s, ok := str(p, "data")
		if !ok || len(s) > blhr.MaxData {
			return blhr.Record{}, blhrError("blhrTooLarge", "'data' must be a string of at most %d bytes; record a larger document's hash with 'data_hash'.", blhr.MaxData)
		}
		rec, err = blhr.NewRecord(tag, []byte(s))
	case has(p, "data_hex"):
		s, ok := str(p, "data_hex")
		if !ok || len(s) > 2*blhr.MaxData {
			return blhr.Record{}, blhrError("blhrTooLarge", "'data_hex' must be hex of at most %d bytes; record a larger document's hash with 'data_hash'.", blhr.MaxData)
		}
		raw, derr := hex.DecodeString(s)
		if derr != nil {
			return blhr.Record{}, blhrError("blhrMalformed", "'data_hex' is not hex: %v", derr)
		}
		rec, err = blhr.NewRecord(tag, raw)
	default:
		s, _ := str(p, "data_hash")
		h, ok := hash256(s)
		if !ok {
			return blhr.Record{}, blhrError("blhrMalformed", "'data_hash' must be 64 hex digits.")
		}
		rec, err = blhr.NewHashRecord(tag, h)
	}
	if err != nil {
		return blhr.Record{}, blhrError("blhrMalformed", "%v", err)
	}
	if has(p, "secret") || has(p, "seed") || has(p, "passphrase") || has(p, "seed_hex") {
		if rerr := r.requireSigning(); rerr != nil {
			return blhr.Record{}, rerr
		}
		kp, rerr := keyFromParams(p)
		if rerr != nil {
			return blhr.Record{}, rerr
		}
		if rec, err = blhr.Sign(rec, chainID, kp); err != nil {
			return blhr.Record{}, blhrError("blhrMalformed", "%v", err)
		}
	}
	return rec, nil
}
