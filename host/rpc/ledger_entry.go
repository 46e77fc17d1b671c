package rpc

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// ledger_entry (handlers/LedgerEntry.cpp) reads one ledger entry: by
// "index", "account_root", "directory" (an index or {owner|dir_root,
// sub_index}) or "skywell_state" / "ripple_state" {accounts, currency}.
// By index the entry comes as node_binary unless binary is false, as in
// skywelld; otherwise as node. Its errors are skywelld's token-only ones.
func init() { register("ledger_entry", command{run: doLedgerEntry}) }

func doLedgerEntry(r *request) (map[string]any, *rpcError) {
	return r.withLedger(func(lr ledgerRef) (map[string]any, *rpcError) {
		res := lr.fields()
		fail := func(token, msg string) (map[string]any, *rpcError) {
			e := legacyError(token, msg)
			e.extra = res
			return nil, e
		}
		p := r.params
		var k ledger.Keylet
		typed := true
		binary := false
		switch {
		case has(p, "index"):
			s, _ := str(p, "index")
			h, ok := hash256(s)
			if !ok {
				return fail("malformedRequest", "index must be 64 hex digits.")
			}
			k, typed, binary = ledger.Keylet{Key: h}, false, true
		case has(p, "account_root"):
			s, _ := str(p, "account_root")
			id, err := codec.ParseAccount(s)
			if err != nil || id.IsZero() {
				return fail("malformedAddress", "account_root is not an account address.")
			}
			k = ledger.AccountKeylet(id)
		case has(p, "directory"):
			var e *rpcError
			if k, e = directoryKeylet(p["directory"]); e != nil {
				e.extra = res
				return nil, e
			}
		case has(p, "skywell_state") || has(p, "ripple_state"):
			v := p["skywell_state"]
			if v == nil {
				v = p["ripple_state"]
			}
			var e *rpcError
			if k, e = trustLineKeylet(v); e != nil {
				e.extra = res
				return nil, e
			}
		default:
			return fail("unknownOption", "Name the entry with index, account_root, directory or skywell_state.")
		}
		if has(p, "binary") {
			binary = boolean(p, "binary")
		}
		var o *codec.STObject
		if typed {
			o = lr.view.Read(k)
		} else {
			o = readAny(lr.view, k.Key)
		}
		if o == nil {
			return fail("entryNotFound", "No ledger entry at "+hexUpper(k.Key[:])+".")
		}
		res["index"] = hexUpper(k.Key[:])
		if binary {
			res["node_binary"] = hexUpper(o.Encode())
		} else {
			res["node"] = entryJSON(o, k.Key)
		}
		return res, nil
	})
}

func directoryKeylet(v any) (ledger.Keylet, *rpcError) {
	if s, ok := v.(string); ok {
		h, ok := hash256(s)
		if !ok {
			return ledger.Keylet{}, legacyError("malformedRequest", "directory must be 64 hex digits or an object.")
		}
		return ledger.Keylet{Type: codec.EntryDirectoryNode, Key: h}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ledger.Keylet{}, legacyError("malformedRequest", "directory must be 64 hex digits or an object.")
	}
	var page uint64
	if has(m, "sub_index") {
		n, ok := integer(m["sub_index"])
		if !ok || n < 0 {
			return ledger.Keylet{}, legacyError("malformedRequest", "sub_index must be an unsigned integer.")
		}
		page = uint64(n)
	}
	switch {
	case has(m, "dir_root"):
		s, _ := str(m, "dir_root")
		root, ok := hash256(s)
		if !ok {
			return ledger.Keylet{}, legacyError("malformedRequest", "dir_root must be 64 hex digits.")
		}
		return ledger.DirPageKeylet(root, page), nil
	case has(m, "owner"):
		s, _ := str(m, "owner")
		id, err := codec.ParseAccount(s)
		if err != nil {
			return ledger.Keylet{}, legacyError("malformedAddress", "owner is not an account address.")
		}
		return ledger.DirPageKeylet(ledger.OwnerDirKeylet(id).Key, page), nil
	}
	return ledger.Keylet{}, legacyError("malformedRequest", "directory needs owner or dir_root.")
}

func trustLineKeylet(v any) (ledger.Keylet, *rpcError) {
	m, ok := v.(map[string]any)
	if !ok {
		return ledger.Keylet{}, legacyError("malformedRequest", "skywell_state must be {accounts: [a, b], currency}.")
	}
	list, ok := m["accounts"].([]any)
	cur, okc := m["currency"].(string)
	if !ok || !okc || len(list) != 2 {
		return ledger.Keylet{}, legacyError("malformedRequest", "skywell_state must be {accounts: [a, b], currency}.")
	}
	a, _ := list[0].(string)
	b, _ := list[1].(string)
	if a == b {
		return ledger.Keylet{}, legacyError("malformedRequest", "skywell_state needs two different accounts.")
	}
	ida, erra := codec.ParseAccount(a)
	idb, errb := codec.ParseAccount(b)
	if erra != nil || errb != nil {
		return ledger.Keylet{}, legacyError("malformedAddress", "skywell_state.accounts holds a malformed address.")
	}
	c, err := codec.ParseCurrency(cur)
	if err != nil || c.IsNative() {
		return ledger.Keylet{}, legacyError("malformedCurrency", "skywell_state.currency is not a usercoin code.")
	}
	return ledger.TrustLineKeylet(ida, idb, c), nil
}
