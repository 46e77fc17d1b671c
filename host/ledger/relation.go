package ledger

import (
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// Relations are Jingtum's account-to-account controls over a usercoin,
// created by RelationSet and removed by RelationDel (spec/jingtum-wire.md
// §4.1). No public node source defines them, so jtchain gives them these
// meanings, recorded in a Relation entry owned by Account:
//
//	authorize (1): Account authorizes Target for up to LimitAmount of the
//	               currency; listed by account_relation, no other effect yet.
//	freeze (3):    the issuer (Account must be LimitAmount's issuer) freezes
//	               LimitAmount of Target's holding: Target cannot pay it to
//	               anyone but the issuer until a RelationDel lifts it.
//
// RelationSet on an existing relation replaces its amount.
type relation struct{ del bool }

func init() {
	register(codec.TxRelationSet, relation{})
	register(codec.TxRelationDel, relation{del: true})
}

func (relation) flags() uint32 { return 0 }
func (relation) fields() []*sf.Field {
	return []*sf.Field{sf.Target, sf.RelationType, sf.LimitAmount}
}

func (r relation) preflight(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	target, ok := obj.LookupAccount(sf.Target)
	if !ok || target.IsZero() {
		return ter.TemDST_NEEDED, "missing Target"
	}
	if target == tx.Account() {
		return ter.TemDST_IS_SRC, "a relation with oneself"
	}
	kind, ok := obj.LookupUInt32(sf.RelationType)
	if !ok || (kind != RelationAuthorize && kind != RelationFreeze) {
		return ter.TemINVALID, "RelationType must be 1 (authorize) or 3 (freeze)"
	}
	limit, ok := obj.Amount(sf.LimitAmount)
	switch {
	case !ok:
		return ter.TemBAD_LIMIT, "missing LimitAmount"
	case limit.IsNative():
		return ter.TemBAD_CURRENCY, "relations are about usercoins, not SWT"
	case limit.Sign() < 0:
		return ter.TemBAD_LIMIT, "negative LimitAmount"
	case limit.Issuer().IsZero():
		return ter.TemBAD_ISSUER, "LimitAmount has no issuer"
	case badCurrency(limit.Currency()):
		return ter.TemBAD_CURRENCY, "SWT cannot be an issued currency"
	}
	if kind == RelationFreeze && limit.Issuer() != tx.Account() {
		return ter.TemBAD_ISSUER, "only the issuer can freeze its currency"
	}
	return ter.TesSUCCESS, ""
}

func (r relation) preclaim(c *preclaimContext) (ter.Code, string) {
	target := c.tx.Object().Account(sf.Target)
	if !r.del && c.view.Read(AccountKeylet(target)) == nil {
		return ter.TecNO_TARGET, fmt.Sprintf("%s does not exist", target)
	}
	return ter.TesSUCCESS, ""
}

func (r relation) doApply(c *applyContext) (ter.Code, string) {
	obj := c.tx.Object()
	acct, target := c.tx.Account(), obj.Account(sf.Target)
	kind := obj.UInt32(sf.RelationType)
	limit, _ := obj.Amount(sf.LimitAmount)
	k := RelationKeylet(acct, target, kind, limit.Issue())
	cur := c.view.Peek(k)
	if r.del {
		if cur == nil {
			return ter.TecNO_ENTRY, "no such relation"
		}
		if code := dirRemove(c.view, acct, cur.UInt64(sf.OwnerNode), k.Key); code != ter.TesSUCCESS {
			return code, "could not remove the relation from the owner directory"
		}
		c.view.Erase(k)
		adjustOwnerCount(c.view, acct, -1)
		return ter.TesSUCCESS, ""
	}
	if cur != nil {
		cur.Set(sf.LimitAmount, limit)
		return ter.TesSUCCESS, ""
	}
	owners := c.view.Read(AccountKeylet(acct)).UInt32(sf.OwnerCount)
	if c.priorBalance < c.view.Fees().AccountReserve(owners+1) {
		return ter.TecINSUFFICIENT_RESERVE, "not enough SWT for the reserve of a relation"
	}
	page, code := dirAdd(c.view, acct, k.Key)
	if code != ter.TesSUCCESS {
		return code, "owner directory is full"
	}
	e := codec.NewObject(8)
	e.Set(sf.Flags, uint32(0))
	e.Set(sf.OwnerNode, page)
	e.Set(sf.RelationType, kind)
	e.Set(sf.LimitAmount, limit)
	e.Set(sf.Account, acct)
	e.Set(sf.Target, target)
	e.Set(sf.PreviousTxnID, codec.Hash256{})
	e.Set(sf.PreviousTxnLgrSeq, uint32(0))
	c.view.Insert(k, e)
	adjustOwnerCount(c.view, acct, 1)
	return ter.TesSUCCESS, ""
}
