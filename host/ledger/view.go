package ledger

import (
	"bytes"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
)

// ReadView is read access to ledger state, as seen by a transaction about to
// be applied to the ledger with sequence Seq.
type ReadView interface {
	// Read returns the entry at k, or nil if there is none or it has another
	// type. The object is shared: callers must not modify it.
	Read(k Keylet) *codec.STObject
	// Seq is the sequence of the ledger being built.
	Seq() uint32
	// ParentCloseTime is the close time of the previous ledger (Ripple epoch seconds).
	ParentCloseTime() uint32
	// Fees are the fee and reserve parameters in force.
	Fees() Fees
}

type itemState struct {
	typ  codec.EntryType
	orig *codec.STObject // in the base view; nil if created here
	cur  *codec.STObject // working copy; nil once erased
	last *codec.STObject // the entry as it was when erased
	// thread forces threading (owner account roots of created or deleted
	// entries are threaded even when nothing else in them changes).
	thread bool
}

// Sandbox records one transaction's reads and writes over a base view. It is
// discarded on failure and turned into a Change list and metadata on success.
type Sandbox struct {
	base  ReadView
	items map[codec.Hash256]*itemState
}

func newSandbox(base ReadView) *Sandbox {
	return &Sandbox{base: base, items: make(map[codec.Hash256]*itemState, 8)}
}

func (s *Sandbox) Seq() uint32             { return s.base.Seq() }
func (s *Sandbox) ParentCloseTime() uint32 { return s.base.ParentCloseTime() }
func (s *Sandbox) Fees() Fees              { return s.base.Fees() }

// Read returns the current entry at k, or nil. Do not modify it; use Peek.
func (s *Sandbox) Read(k Keylet) *codec.STObject {
	if it, ok := s.items[k.Key]; ok {
		if it.cur == nil || it.typ != k.Type {
			return nil
		}
		return it.cur
	}
	return s.base.Read(k)
}

// Peek returns a modifiable copy of the entry at k, or nil. Changes made to
// it are part of the transaction's effects.
func (s *Sandbox) Peek(k Keylet) *codec.STObject {
	if it, ok := s.items[k.Key]; ok {
		if it.cur == nil || it.typ != k.Type {
			return nil
		}
		return it.cur
	}
	o := s.base.Read(k)
	if o == nil {
		return nil
	}
	s.items[k.Key] = &itemState{typ: k.Type, orig: o, cur: o.Clone()}
	return s.items[k.Key].cur
}

// Insert creates an entry at k. The entry must not exist.
func (s *Sandbox) Insert(k Keylet, o *codec.STObject) {
	o.SetUInt16(sf.LedgerEntryType, uint16(k.Type))
	if it, ok := s.items[k.Key]; ok {
		if it.cur != nil {
			panic("ledger: insert over an existing entry")
		}
		// Erased and re-created within one transaction.
		it.cur, it.last, it.typ = o, nil, k.Type
		return
	}
	if s.base.Read(k) != nil {
		panic("ledger: insert over an existing entry")
	}
	s.items[k.Key] = &itemState{typ: k.Type, cur: o}
}

// Erase deletes the entry at k, which must exist.
func (s *Sandbox) Erase(k Keylet) {
	if s.Peek(k) == nil {
		panic("ledger: erase of a missing entry")
	}
	it := s.items[k.Key]
	it.last, it.cur = it.cur, nil
}

// Change is one entry's effect: Before nil means created, After nil deleted.
type Change struct {
	Key    codec.Hash256
	Type   codec.EntryType
	Before *codec.STObject
	After  *codec.STObject
}

// threaded entry types carry PreviousTxnID / PreviousTxnLgrSeq, which each
// transaction that changes them updates.
func threaded(t codec.EntryType) bool {
	switch t {
	case codec.EntryAccountRoot, codec.EntrySkywellState, codec.EntryOffer,
		codec.EntrySignerList, codec.EntryRelation,
		codec.EntryValidatorApplication, codec.EntryValidatorRemoval, codec.EntryValidatorEvidence:
		return true
	}
	return false
}

// owners returns the accounts whose AccountRoot is threaded when an entry of
// this kind is created or deleted.
func owners(t codec.EntryType, o *codec.STObject) []codec.AccountID {
	switch t {
	case codec.EntrySkywellState:
		lo, _ := o.Amount(sf.LowLimit)
		hi, _ := o.Amount(sf.HighLimit)
		return []codec.AccountID{lo.Issuer(), hi.Issuer()}
	case codec.EntrySignerList, codec.EntryRelation, codec.EntryOffer,
		codec.EntryValidatorApplication, codec.EntryValidatorRemoval:
		return []codec.AccountID{o.Account(sf.Account)}
	}
	return nil
}

func (s *Sandbox) sortedKeys() []codec.Hash256 {
	keys := make([]codec.Hash256, 0, len(s.items))
	for k := range s.items {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b codec.Hash256) int { return bytes.Compare(a[:], b[:]) })
	return keys
}

// finish threads changed entries through this transaction, builds metadata
// and returns the changes in key order. Unchanged entries are dropped.
func (s *Sandbox) finish(txID codec.Hash256, index uint32, result uint8, delivered *codec.Amount) ([]Change, *codec.STObject) {
	seq := s.Seq()
	// Owners of created and deleted entries are threaded too. Collect first:
	// peeking adds items to the map.
	var ownerIDs []codec.AccountID
	for _, k := range s.sortedKeys() {
		it := s.items[k]
		switch {
		case it.orig == nil && it.cur != nil:
			ownerIDs = append(ownerIDs, owners(it.typ, it.cur)...)
		case it.orig != nil && it.cur == nil:
			ownerIDs = append(ownerIDs, owners(it.typ, it.last)...)
		}
	}
	for _, id := range ownerIDs {
		if root := s.Peek(AccountKeylet(id)); root != nil {
			s.items[AccountKeylet(id).Key].thread = true
		}
	}

	type prevThread struct {
		id  codec.Hash256
		seq uint32
		set bool
	}
	var changes []Change
	nodes := make(codec.Array, 0, len(s.items))
	keys := s.sortedKeys() // again: owner threading may have added items
	for _, k := range keys {
		it := s.items[k]
		if it.orig == nil && it.cur == nil {
			continue // created and erased within the transaction
		}
		var prev prevThread
		if it.cur != nil && threaded(it.typ) && (it.orig == nil || it.thread || !it.cur.Equal(it.orig)) {
			oldID := it.cur.Hash256(sf.PreviousTxnID)
			if oldID != txID {
				prev = prevThread{oldID, it.cur.UInt32(sf.PreviousTxnLgrSeq), oldID != (codec.Hash256{})}
				it.cur.Set(sf.PreviousTxnID, txID)
				it.cur.SetUInt32(sf.PreviousTxnLgrSeq, seq)
			}
		}
		if it.orig != nil && it.cur != nil && it.cur.Equal(it.orig) {
			continue
		}
		changes = append(changes, Change{Key: k, Type: it.typ, Before: it.orig, After: it.cur})
		node := codec.NewObject(6)
		node.SetUInt16(sf.LedgerEntryType, uint16(it.typ))
		node.Set(sf.LedgerIndex, k)
		var kind = sf.ModifiedNode
		switch {
		case it.orig == nil:
			kind = sf.CreatedNode
			if nf := metaFields(it.cur, sf.MetaCreate|sf.MetaAlways, true); nf.Len() > 0 {
				node.Set(sf.NewFields, nf)
			}
		case it.cur == nil:
			kind = sf.DeletedNode
			if pf := previousFields(it.orig, it.last); pf.Len() > 0 {
				node.Set(sf.PreviousFields, pf)
			}
			if ff := metaFields(it.last, sf.MetaAlways|sf.MetaDeleteFinal, false); ff.Len() > 0 {
				node.Set(sf.FinalFields, ff)
			}
		default:
			if prev.set {
				node.Set(sf.PreviousTxnID, prev.id)
				node.SetUInt32(sf.PreviousTxnLgrSeq, prev.seq)
			}
			if pf := previousFields(it.orig, it.cur); pf.Len() > 0 {
				node.Set(sf.PreviousFields, pf)
			}
			if ff := metaFields(it.cur, sf.MetaAlways|sf.MetaChangeNew, false); ff.Len() > 0 {
				node.Set(sf.FinalFields, ff)
			}
		}
		nodes = append(nodes, codec.Item{Field: kind, Object: node})
	}
	meta := codec.NewObject(4)
	meta.SetUInt32(sf.TransactionIndex, index)
	meta.SetUInt8(sf.TransactionResult, result)
	meta.Set(sf.AffectedNodes, nodes)
	if delivered != nil {
		meta.Set(sf.DeliveredAmount, *delivered)
	}
	return changes, meta
}

// metaFields copies the fields of o whose metadata flags include m;
// skipDefault leaves out zero values (rippled's NewFields rule).
func metaFields(o *codec.STObject, m sf.Meta, skipDefault bool) *codec.STObject {
	return o.Filter(func(f *sf.Field) bool { return f.InMeta(m) }, skipDefault)
}

// previousFields lists the original values of fields that changed or
// disappeared (rippled's PreviousFields rule).
func previousFields(orig, cur *codec.STObject) *codec.STObject {
	return orig.Changed(cur, func(f *sf.Field) bool { return f.InMeta(sf.MetaChangeOrig) })
}
