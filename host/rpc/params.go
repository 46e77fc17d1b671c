package rpc

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/jtchain/jtchain/host/codec"
)

// Requests are decoded with json.Number, so numbers keep their exact text.
// These helpers read parameters as leniently as JsonCpp's as*() do, which is
// what clients written against rippled rely on; unknown parameters are
// simply never read.

// has reports whether name is present and not null (jingtum-lib sends
// "relation_type": null, which rippled treats as absent for our purposes).
func has(p map[string]any, name string) bool {
	v, ok := p[name]
	return ok && v != nil
}

// str returns a string parameter and whether it is one.
func str(p map[string]any, name string) (string, bool) {
	s, ok := p[name].(string)
	return s, ok
}

// boolean reads a flag as JsonCpp's asBool: true, a non-zero number or the
// string "true".
func boolean(p map[string]any, name string) bool {
	switch v := p[name].(type) {
	case bool:
		return v
	case json.Number:
		f, err := v.Float64()
		return err == nil && f != 0
	case string:
		return v == "true"
	}
	return false
}

// integer reads a whole number given as a JSON number or a decimal string.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, true
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

// accountParam reads a required account address ("account" and friends).
// Missing gives invalidParams; malformed gives actMalformed, as rippled's
// accountFromString does.
func accountParam(p map[string]any, name string) (codec.AccountID, *rpcError) {
	if !has(p, name) {
		return codec.AccountID{}, missingField(name)
	}
	s, ok := p[name].(string)
	if !ok {
		return codec.AccountID{}, newError(rpcACT_MALFORMED)
	}
	id, err := codec.ParseAccount(s)
	if err != nil {
		return codec.AccountID{}, newError(rpcACT_MALFORMED)
	}
	return id, nil
}

// hash256 parses 64 hex digits.
func hash256(s string) (codec.Hash256, bool) {
	var h codec.Hash256
	if len(s) != 64 {
		return h, false
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, false
	}
	return h, true
}

// pageLimit reads "limit" as rippled's account_lines / account_objects do:
// the default when absent, clamped to [min, max] for non-admin clients.
func pageLimit(r *request, def, min, max int) (int, *rpcError) {
	if !has(r.params, "limit") {
		return def, nil
	}
	n, ok := integer(r.params["limit"])
	if !ok {
		return 0, expectedField("limit", "unsigned integer")
	}
	if n < 0 {
		n = 0
	}
	if !r.admin {
		n = int64(clamp(int(min64(n, math.MaxInt32)), min, max))
	} else if n == 0 || n > 100*int64(max) {
		n = int64(max) * 100
	}
	return int(n), nil
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

// hexUpper is how rippled prints hashes and blobs.
func hexUpper(b []byte) string { return codec.HexUpper(b) }
