package ledger

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// Owner directories list the entries an account owns (trust lines it
// reserves, its signer list, relations). A directory is a linked list of
// DirectoryNode pages: page 0 is the root, the root's IndexPrevious is the
// last page, and each entry records its page in a field such as OwnerNode so
// removal touches one page. Entries are appended, as in rippled 0.29.
//
// The evidence directory (EvidenceDirKeylet) has the same pages without an
// Owner: it lists the ValidatorEvidence entries, which nobody owns and which
// are never removed.
const dirPageSize = 32

// dirAdd appends key to owner's directory and returns the page it went to.
func dirAdd(sb *Sandbox, owner codec.AccountID, key codec.Hash256) (uint64, ter.Code) {
	return dirAppend(sb, OwnerDirKeylet(owner), &owner, key)
}

// dirAppend appends key to the directory rooted at rootK, whose pages name
// owner when it is not nil, and returns the page it went to.
func dirAppend(sb *Sandbox, rootK Keylet, owner *codec.AccountID, key codec.Hash256) (uint64, ter.Code) {
	root := sb.Peek(rootK)
	if root == nil {
		sb.Insert(rootK, newDirPage(owner, rootK.Key, key))
		return 0, ter.TesSUCCESS
	}
	last := root.UInt64(sf.IndexPrevious)
	page := sb.Peek(DirPageKeylet(rootK.Key, last))
	if page == nil {
		return 0, ter.TefBAD_LEDGER
	}
	if idx := page.Vector256(sf.Indexes); len(idx) < dirPageSize {
		page.Set(sf.Indexes, append(append(codec.Vector256(nil), idx...), key))
		return last, ter.TesSUCCESS
	}
	next := last + 1
	if next == 0 {
		return 0, ter.TecDIR_FULL
	}
	page.Set(sf.IndexNext, next)
	root.Set(sf.IndexPrevious, next)
	np := newDirPage(owner, rootK.Key, key)
	if last != 0 {
		np.Set(sf.IndexPrevious, last)
	}
	sb.Insert(DirPageKeylet(rootK.Key, next), np)
	return next, ter.TesSUCCESS
}

func newDirPage(owner *codec.AccountID, root, key codec.Hash256) *codec.STObject {
	o := codec.NewObject(6)
	o.Set(sf.Flags, uint32(0))
	o.Set(sf.RootIndex, root)
	o.Set(sf.Indexes, codec.Vector256{key})
	if owner != nil {
		o.Set(sf.Owner, *owner)
	}
	return o
}

// dirRemove removes key from page of owner's directory, unlinking pages that
// become empty and the root once the directory is empty.
func dirRemove(sb *Sandbox, owner codec.AccountID, pageNo uint64, key codec.Hash256) ter.Code {
	rootK := OwnerDirKeylet(owner)
	pk := DirPageKeylet(rootK.Key, pageNo)
	page := sb.Peek(pk)
	if page == nil {
		return ter.TefBAD_LEDGER
	}
	idx := page.Vector256(sf.Indexes)
	pos := -1
	for i, k := range idx {
		if k == key {
			pos = i
			break
		}
	}
	if pos < 0 {
		return ter.TefBAD_LEDGER
	}
	rest := make(codec.Vector256, 0, len(idx)-1)
	rest = append(append(rest, idx[:pos]...), idx[pos+1:]...)
	page.Set(sf.Indexes, rest)
	if len(rest) > 0 {
		return ter.TesSUCCESS
	}
	if pageNo != 0 {
		prev, next := page.UInt64(sf.IndexPrevious), page.UInt64(sf.IndexNext)
		if p := sb.Peek(DirPageKeylet(rootK.Key, prev)); p != nil {
			setOrClear(p, sf.IndexNext, next)
		}
		if n := sb.Peek(DirPageKeylet(rootK.Key, next)); n != nil {
			setOrClear(n, sf.IndexPrevious, prev)
		}
		sb.Erase(pk)
	}
	root := sb.Peek(rootK)
	if root != nil && len(root.Vector256(sf.Indexes)) == 0 && !root.Has(sf.IndexNext) {
		sb.Erase(rootK)
	}
	return ter.TesSUCCESS
}

func setOrClear(o *codec.STObject, f *sf.Field, v uint64) {
	if v == 0 {
		o.Delete(f)
		return
	}
	o.Set(f, v)
}

// adjustOwnerCount changes an account's OwnerCount by delta.
func adjustOwnerCount(sb *Sandbox, id codec.AccountID, delta int) {
	root := sb.Peek(AccountKeylet(id))
	if root == nil {
		panic("ledger: owner count of a missing account")
	}
	n := int64(root.UInt32(sf.OwnerCount)) + int64(delta)
	if n < 0 {
		panic("ledger: owner count below zero")
	}
	root.Set(sf.OwnerCount, uint32(n))
}

// OwnedEntries returns the keys in owner's directory, in directory order.
// The API's account_objects uses it.
func OwnedEntries(view ReadView, owner codec.AccountID) []codec.Hash256 {
	return dirEntries(view, OwnerDirKeylet(owner))
}

// dirEntries returns the keys in the directory rooted at rootK, in
// directory order.
func dirEntries(view ReadView, rootK Keylet) []codec.Hash256 {
	var out []codec.Hash256
	page := uint64(0)
	for i := 0; i < 1<<20; i++ {
		p := view.Read(DirPageKeylet(rootK.Key, page))
		if p == nil {
			break
		}
		out = append(out, p.Vector256(sf.Indexes)...)
		page = p.UInt64(sf.IndexNext)
		if page == 0 {
			break
		}
	}
	return out
}
