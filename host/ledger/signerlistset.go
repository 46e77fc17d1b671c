package ledger

import (
	"fmt"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// signerListSet creates, replaces or (quorum 0, no entries) deletes the
// account's signer list. A list is one owned object for the reserve.
type signerListSet struct{}

func init() { register(codec.TxSignerListSet, signerListSet{}) }

func (signerListSet) flags() uint32       { return 0 }
func (signerListSet) fields() []*sf.Field { return []*sf.Field{sf.SignerQuorum, sf.SignerEntries} }

func (signerListSet) preflight(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	quorum, ok := obj.LookupUInt32(sf.SignerQuorum)
	if !ok {
		return ter.TemMALFORMED, "missing SignerQuorum"
	}
	entries := obj.Array(sf.SignerEntries)
	if quorum == 0 {
		if len(entries) != 0 {
			return ter.TemMALFORMED, "deleting a signer list takes quorum 0 and no entries"
		}
		return ter.TesSUCCESS, ""
	}
	if len(entries) == 0 || len(entries) > MaxSigners {
		return ter.TemMALFORMED, fmt.Sprintf("%d signer entries, want 1 to %d", len(entries), MaxSigners)
	}
	seen := make(map[codec.AccountID]bool, len(entries))
	var total uint64
	for _, it := range entries {
		e := it.Object
		if it.Field != sf.SignerEntry || e.Len() != 2 || !e.Has(sf.Account) || !e.Has(sf.SignerWeight) {
			return ter.TemMALFORMED, "each entry is a SignerEntry with Account and SignerWeight"
		}
		a := e.Account(sf.Account)
		if a == tx.Account() {
			return ter.TemREDUNDANTSIGN, "an account cannot be in its own signer list"
		}
		if seen[a] {
			return ter.TemMALFORMED, fmt.Sprintf("%s is listed twice", a)
		}
		seen[a] = true
		w := e.UInt16(sf.SignerWeight)
		if w == 0 {
			return ter.TemBAD_WEIGHT, "signer weights must be positive"
		}
		total += uint64(w)
	}
	if uint64(quorum) > total {
		return ter.TemBAD_QUORUM, fmt.Sprintf("quorum %d exceeds the total weight %d", quorum, total)
	}
	return ter.TesSUCCESS, ""
}

func (signerListSet) preclaim(*preclaimContext) (ter.Code, string) { return ter.TesSUCCESS, "" }

func (signerListSet) doApply(c *applyContext) (ter.Code, string) {
	obj := c.tx.Object()
	acct := c.tx.Account()
	k := SignerListKeylet(acct)
	old := c.view.Peek(k)
	quorum := obj.UInt32(sf.SignerQuorum)
	root := c.view.Peek(AccountKeylet(acct))

	if quorum == 0 {
		if old == nil {
			return ter.TesSUCCESS, ""
		}
		if root.UInt32(sf.Flags)&LsfDisableMaster != 0 && !root.Has(sf.RegularKey) {
			return ter.TecMASTER_DISABLED, "removing the signer list would leave no way to sign"
		}
		if code := dirRemove(c.view, acct, old.UInt64(sf.OwnerNode), k.Key); code != ter.TesSUCCESS {
			return code, "could not remove the signer list from the owner directory"
		}
		c.view.Erase(k)
		adjustOwnerCount(c.view, acct, -1)
		return ter.TesSUCCESS, ""
	}

	// Entries are stored sorted by account so lookups and JSON are stable.
	entries := slices.Clone(obj.Array(sf.SignerEntries))
	slices.SortFunc(entries, func(a, b codec.Item) int {
		x, y := a.Object.Account(sf.Account), b.Object.Account(sf.Account)
		switch {
		case accountLess(x, y):
			return -1
		case accountLess(y, x):
			return 1
		}
		return 0
	})
	if old != nil {
		old.Set(sf.SignerQuorum, quorum)
		old.Set(sf.SignerEntries, entries)
		return ter.TesSUCCESS, ""
	}
	owners := root.UInt32(sf.OwnerCount)
	if c.priorBalance < c.view.Fees().AccountReserve(owners+1) {
		return ter.TecINSUFFICIENT_RESERVE, "not enough SWT for the reserve of a signer list"
	}
	page, code := dirAdd(c.view, acct, k.Key)
	if code != ter.TesSUCCESS {
		return code, "owner directory is full"
	}
	list := codec.NewObject(8)
	list.Set(sf.Flags, uint32(0))
	list.Set(sf.OwnerNode, page)
	list.Set(sf.SignerQuorum, quorum)
	list.Set(sf.SignerEntries, entries)
	list.Set(sf.Account, acct)
	list.Set(sf.PreviousTxnID, codec.Hash256{})
	list.Set(sf.PreviousTxnLgrSeq, uint32(0))
	c.view.Insert(k, list)
	adjustOwnerCount(c.view, acct, 1)
	return ter.TesSUCCESS, ""
}
