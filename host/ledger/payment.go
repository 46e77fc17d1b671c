package ledger

import (
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// payment sends SWT, or a usercoin along the default path: straight from
// the issuer, straight to the issuer, or between two holders through the
// issuer (charging the issuer's transfer rate). Cross-currency payments and
// explicit paths through other accounts need order books, which jtchain does
// not have yet; they fail with tecPATH_DRY instead of guessing.
type payment struct{}

func init() { register(codec.TxPayment, payment{}) }

func (payment) flags() uint32 { return TfNoSkywellDirect | TfPartialPayment | TfLimitQuality }

func (payment) fields() []*sf.Field {
	return []*sf.Field{sf.Destination, sf.Amount, sf.SendMax, sf.Paths, sf.InvoiceID, sf.DestinationTag}
}

func (payment) preflight(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	dst, ok := obj.LookupAccount(sf.Destination)
	if !ok || dst.IsZero() {
		return ter.TemDST_NEEDED, "missing Destination"
	}
	amt, ok := obj.Amount(sf.Amount)
	if !ok || amt.Sign() <= 0 {
		return ter.TemBAD_AMOUNT, "Amount must be positive"
	}
	if !amt.IsNative() && amt.Issuer().IsZero() {
		return ter.TemBAD_ISSUER, "usercoin amount without an issuer"
	}
	if badCurrency(amt.Currency()) {
		return ter.TemBAD_CURRENCY, "SWT cannot be an issued currency"
	}
	sendMax, hasMax := obj.Amount(sf.SendMax)
	if hasMax && sendMax.Sign() <= 0 {
		return ter.TemBAD_AMOUNT, "SendMax must be positive"
	}
	flags := tx.Flags()
	partial := flags&TfPartialPayment != 0
	hasPaths := len(obj.PathSet(sf.Paths)) > 0
	srcNative := amt.IsNative()
	if hasMax {
		srcNative = sendMax.IsNative()
	}
	if amt.IsNative() && srcNative {
		switch {
		case hasMax:
			return ter.TemBAD_SEND_SWT_MAX, "SendMax is not allowed for SWT to SWT"
		case hasPaths:
			return ter.TemBAD_SEND_SWT_PATHS, "Paths are not allowed for SWT to SWT"
		case partial:
			return ter.TemBAD_SEND_SWT_PARTIAL, "partial payment is not allowed for SWT to SWT"
		case flags&TfLimitQuality != 0:
			return ter.TemBAD_SEND_SWT_LIMIT, "limit quality is not allowed for SWT to SWT"
		case flags&TfNoSkywellDirect != 0:
			return ter.TemBAD_SEND_SWT_NO_DIRECT, "no-skywell-direct is not allowed for SWT to SWT"
		}
	}
	if dst == tx.Account() && !hasPaths && (!hasMax || sendMax.Currency() == amt.Currency()) {
		return ter.TemREDUNDANT, "payment to self in the same currency"
	}
	if flags&TfNoSkywellDirect != 0 && !hasPaths {
		return ter.TemSKYWELL_EMPTY, "no paths and the default path is not allowed"
	}
	return ter.TesSUCCESS, ""
}

func (payment) preclaim(c *preclaimContext) (ter.Code, string) {
	obj := c.tx.Object()
	dst := obj.Account(sf.Destination)
	amt, _ := obj.Amount(sf.Amount)
	droot := c.view.Read(AccountKeylet(dst))
	if droot == nil {
		switch {
		case !amt.IsNative():
			return ter.TecNO_DST, fmt.Sprintf("destination %s does not exist", dst)
		case c.tx.Flags()&TfPartialPayment != 0:
			return ter.TelNO_DST_PARTIAL, "a partial payment cannot create an account"
		case amt.Drops() < int64(c.view.Fees().Reserve):
			return ter.TecNO_DST_INSUF_SWT, fmt.Sprintf("creating %s needs at least %d drops", dst, c.view.Fees().Reserve)
		}
		return ter.TesSUCCESS, ""
	}
	if droot.UInt32(sf.Flags)&LsfRequireDestTag != 0 && !obj.Has(sf.DestinationTag) {
		return ter.TecDST_TAG_NEEDED, "the destination requires a destination tag"
	}
	return ter.TesSUCCESS, ""
}

func (p payment) doApply(c *applyContext) (ter.Code, string) {
	amt, _ := c.tx.Object().Amount(sf.Amount)
	if amt.IsNative() {
		return p.payNative(c, amt)
	}
	return p.payIssued(c, amt)
}

func (payment) payNative(c *applyContext, amt codec.Amount) (ter.Code, string) {
	dst := c.tx.Object().Account(sf.Destination)
	sroot := c.view.Peek(c.tx.accountKey)
	reserve := c.view.Fees().AccountReserve(sroot.UInt32(sf.OwnerCount))
	// Neither the reserve nor the fee may fund the payment (rippled's rule:
	// the prior balance must cover the amount plus the larger of the two).
	if c.priorBalance < amt.Drops()+max(reserve, c.tx.Fee().Drops()) {
		return ter.TecUNFUNDED_PAYMENT, fmt.Sprintf("balance %d drops cannot send %d and keep the reserve %d", c.priorBalance, amt.Drops(), reserve)
	}
	dk := AccountKeylet(dst)
	droot := c.view.Peek(dk)
	if droot == nil {
		droot = newAccountRoot(dst)
		c.view.Insert(dk, droot)
	}
	sbal, _ := sroot.Amount(sf.Balance)
	dbal, _ := droot.Amount(sf.Balance)
	sroot.Set(sf.Balance, codec.NewNative(sbal.Drops()-amt.Drops()))
	droot.Set(sf.Balance, codec.NewNative(dbal.Drops()+amt.Drops()))
	return ter.TesSUCCESS, ""
}

func newAccountRoot(id codec.AccountID) *codec.STObject {
	o := codec.NewObject(8)
	o.Set(sf.Flags, uint32(0))
	o.Set(sf.Sequence, uint32(1))
	o.Set(sf.OwnerCount, uint32(0))
	o.Set(sf.Balance, codec.NewNative(0))
	o.Set(sf.Account, id)
	o.Set(sf.PreviousTxnID, codec.Hash256{})
	o.Set(sf.PreviousTxnLgrSeq, uint32(0))
	return o
}

// payIssued moves a usercoin along the default path.
func (payment) payIssued(c *applyContext, amt codec.Amount) (ter.Code, string) {
	obj := c.tx.Object()
	src, dst := c.tx.Account(), obj.Account(sf.Destination)
	issuer, cur := amt.Issuer(), amt.Currency()
	partial := c.tx.Flags()&TfPartialPayment != 0

	maxSend := amt.Value()
	if sm, ok := obj.Amount(sf.SendMax); ok {
		if sm.IsNative() || sm.Currency() != cur || (sm.Issuer() != issuer && sm.Issuer() != src) {
			return ter.TecPATH_DRY, "cross-currency payments are not supported yet"
		}
		maxSend = sm.Value()
	}
	if len(obj.PathSet(sf.Paths)) > 0 && src != issuer && dst != issuer {
		// Paths could route through other accounts; only the default path
		// through the issuer is supported. Use it when it exists.
		if c.view.Read(TrustLineKeylet(src, issuer, cur)) == nil || c.view.Read(TrustLineKeylet(dst, issuer, cur)) == nil {
			return ter.TecPATH_DRY, "explicit paths are not supported yet"
		}
	}
	iroot := c.view.Read(AccountKeylet(issuer))
	if iroot == nil {
		return ter.TecNO_ISSUER, fmt.Sprintf("issuer %s does not exist", issuer)
	}
	iflags := iroot.UInt32(sf.Flags)

	// Capacity of each hop, and the rate charged when the issuer is only an
	// intermediary.
	var (
		sendCap = maxSend // most the source may spend
		recvCap codec.Value
		rate    = codec.MustValue(1, 0, false)
		err     error
	)
	if src != issuer {
		k := TrustLineKeylet(src, issuer, cur)
		line := c.view.Read(k)
		if line == nil {
			return ter.TecPATH_DRY, fmt.Sprintf("%s has no %s line to %s", src, cur, issuer)
		}
		s := sideOf(src, issuer)
		if dst != issuer {
			if line.UInt32(sf.Flags)&s.other().frz != 0 || iflags&LsfGlobalFreeze != 0 {
				return ter.TecPATH_DRY, "the source's holding is frozen by the issuer"
			}
		}
		// The issuer accepts back what it owes, plus its own limit.
		avail, _ := lineBalance(line, s).Add(lineLimit(line, s.other()))
		if dst != issuer {
			frozen := frozenByRelation(c.view, issuer, src, amt.Issue())
			avail, _ = avail.Sub(frozen)
		}
		if avail.Sign() <= 0 {
			return ter.TecPATH_DRY, "the source holds nothing it can send"
		}
		if avail.Cmp(sendCap) < 0 {
			sendCap = avail
		}
	}
	if dst != issuer {
		k := TrustLineKeylet(dst, issuer, cur)
		line := c.view.Read(k)
		if line == nil {
			return ter.TecPATH_DRY, fmt.Sprintf("%s has no %s line to %s", dst, cur, issuer)
		}
		s := sideOf(dst, issuer)
		if iflags&LsfRequireAuth != 0 && line.UInt32(sf.Flags)&s.other().auth == 0 {
			return ter.TecPATH_DRY, "the destination is not authorized to hold this currency"
		}
		recvCap, err = lineLimit(line, s).Sub(lineBalance(line, s))
		if err != nil || recvCap.Sign() <= 0 {
			return ter.TecPATH_DRY, "the destination's trust limit is reached"
		}
	} else {
		recvCap = amt.Value()
	}
	if src != issuer && dst != issuer {
		if tr := iroot.UInt32(sf.TransferRate); tr != 0 && tr != QualityOne {
			rate = codec.MustValue(uint64(tr), -9, false)
		}
		srcLine := c.view.Read(TrustLineKeylet(src, issuer, cur))
		dstLine := c.view.Read(TrustLineKeylet(dst, issuer, cur))
		is := sideOf(issuer, src)
		id := sideOf(issuer, dst)
		if srcLine.UInt32(sf.Flags)&is.noSkywell != 0 && dstLine.UInt32(sf.Flags)&id.noSkywell != 0 {
			return ter.TecPATH_DRY, "the issuer does not allow rippling between these lines"
		}
	}

	// Deliver as much of Amount as the hops allow.
	want := amt.Value()
	deliver := want
	if recvCap.Cmp(deliver) < 0 {
		deliver = recvCap
	}
	cost, err := deliver.Mul(rate)
	if err != nil {
		return ter.TecPATH_DRY, "amount overflow"
	}
	if cost.Cmp(sendCap) > 0 {
		if deliver, err = sendCap.Div(rate); err != nil {
			return ter.TecPATH_DRY, "amount overflow"
		}
		if deliver.Cmp(recvCap) > 0 {
			deliver = recvCap
		}
		if cost, err = deliver.Mul(rate); err != nil {
			return ter.TecPATH_DRY, "amount overflow"
		}
		if cost.Cmp(sendCap) > 0 {
			cost = sendCap
		}
	}
	if deliver.Sign() <= 0 {
		return ter.TecPATH_DRY, "no liquidity"
	}
	if deliver.Cmp(want) < 0 && !partial {
		return ter.TecPATH_PARTIAL, fmt.Sprintf("could deliver only %s of %s", deliver, want)
	}
	if src != issuer {
		if code := transfer(c.view, src, issuer, cur, cost); code != ter.TesSUCCESS {
			return code, "transfer failed"
		}
	}
	if dst != issuer {
		if code := transfer(c.view, issuer, dst, cur, deliver); code != ter.TesSUCCESS {
			return code, "transfer failed"
		}
	}
	if deliver.Cmp(want) != 0 {
		d := codec.NewIssued(deliver, cur, issuer)
		c.delivered = &d
	}
	return ter.TesSUCCESS, ""
}

// frozenByRelation is the part of holder's balance that issuer froze with a
// RelationSet of type freeze.
func frozenByRelation(view ReadView, issuer, holder codec.AccountID, i codec.Issue) codec.Value {
	r := view.Read(RelationKeylet(issuer, holder, RelationFreeze, i))
	if r == nil {
		return codec.ZeroValue
	}
	l, _ := r.Amount(sf.LimitAmount)
	return l.Value()
}

// DeliveredAmount is what a successful payment delivered: the metadata's
// DeliveredAmount when the payment was partial, else its Amount.
func DeliveredAmount(tx, meta *codec.STObject) (codec.Amount, bool) {
	if codec.TxType(tx.UInt16(sf.TransactionType)) != codec.TxPayment || ter.Code(meta.UInt8(sf.TransactionResult)) != ter.TesSUCCESS {
		return codec.Amount{}, false
	}
	if d, ok := meta.Amount(sf.DeliveredAmount); ok {
		return d, true
	}
	return tx.Amount(sf.Amount)
}
