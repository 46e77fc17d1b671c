package ledger

import (
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// trustSet creates or changes the sending account's side of a trust line:
// its limit, qualities, and its auth, no-skywell and freeze flags.
type trustSet struct{}

func init() { register(codec.TxTrustSet, trustSet{}) }

func (trustSet) flags() uint32 {
	return TfSetAuth | TfSetNoSkywell | TfClearNoSkywell | TfSetFreeze | TfClearFreeze
}

func (trustSet) fields() []*sf.Field { return []*sf.Field{sf.LimitAmount, sf.QualityIn, sf.QualityOut} }

func (trustSet) preflight(tx *Tx) (ter.Code, string) {
	limit, ok := tx.Object().Amount(sf.LimitAmount)
	switch {
	case !ok:
		return ter.TemBAD_LIMIT, "missing LimitAmount"
	case limit.IsNative():
		return ter.TemBAD_LIMIT, "SWT needs no trust line"
	case limit.Sign() < 0:
		return ter.TemBAD_LIMIT, "negative limit"
	case limit.Issuer().IsZero():
		return ter.TemDST_NEEDED, "LimitAmount has no issuer"
	case limit.Issuer() == tx.Account():
		return ter.TemDST_IS_SRC, "a trust line to oneself"
	case badCurrency(limit.Currency()):
		return ter.TemBAD_CURRENCY, "SWT cannot be an issued currency"
	}
	f := tx.Flags()
	if f&TfSetNoSkywell != 0 && f&TfClearNoSkywell != 0 || f&TfSetFreeze != 0 && f&TfClearFreeze != 0 {
		return ter.TemINVALID_FLAG, "a flag is both set and cleared"
	}
	return ter.TesSUCCESS, ""
}

func (trustSet) preclaim(c *preclaimContext) (ter.Code, string) {
	limit, _ := c.tx.Object().Amount(sf.LimitAmount)
	if c.view.Read(AccountKeylet(limit.Issuer())) == nil {
		return ter.TecNO_DST, fmt.Sprintf("%s does not exist", limit.Issuer())
	}
	if c.tx.Flags()&TfSetAuth != 0 && c.account.UInt32(sf.Flags)&LsfRequireAuth == 0 {
		return ter.TefNO_AUTH_REQUIRED, "authorizing a line needs RequireAuth on the account"
	}
	return ter.TesSUCCESS, ""
}

// qualityValue normalises a QualityIn/QualityOut: 1.0 is the same as unset.
func qualityValue(v uint32) uint32 {
	if v == QualityOne {
		return 0
	}
	return v
}

func (trustSet) doApply(c *applyContext) (ter.Code, string) {
	obj := c.tx.Object()
	limit, _ := obj.Amount(sf.LimitAmount)
	acct, peer, cur := c.tx.Account(), limit.Issuer(), limit.Currency()
	flags := c.tx.Flags()
	root := c.view.Peek(AccountKeylet(acct))
	owners := root.UInt32(sf.OwnerCount)
	// rippled (and skywelld, SetTrust's uReserveCreate) lets an account's
	// first two objects skip the reserve check, both for a new line and for
	// taking on the reserve of an existing one, so a new account can be
	// given its first trust lines.
	shortOfReserve := owners >= 2 && c.priorBalance < c.view.Fees().AccountReserve(owners+1)
	noFreeze := root.UInt32(sf.Flags)&LsfNoFreeze != 0
	// An account that gave up freezing (NoFreeze) may still send SetFreeze;
	// skywelld, like rippled, ignores the flag rather than failing.
	if noFreeze {
		flags &^= TfSetFreeze
	}
	s := sideOf(acct, peer)
	k := TrustLineKeylet(acct, peer, cur)
	line := c.view.Peek(k)

	qIn, hasQIn := obj.LookupUInt32(sf.QualityIn)
	qOut, hasQOut := obj.LookupUInt32(sf.QualityOut)

	if line == nil {
		var lf uint32
		if flags&TfSetAuth != 0 {
			lf |= s.auth
		}
		if flags&TfSetNoSkywell != 0 {
			lf |= s.noSkywell
		}
		if flags&TfSetFreeze != 0 {
			lf |= s.frz
		}
		// skywelld's rule: a new line needs a limit or a quality; flags alone
		// do not make one.
		if limit.IsZero() && qualityValue(qIn) == 0 && qualityValue(qOut) == 0 {
			return ter.TecNO_LINE_REDUNDANT, "a new line with no limit and no quality"
		}
		if shortOfReserve {
			return ter.TecNO_LINE_INSUF_RESERVE, "not enough SWT for the reserve of a new line"
		}
		if _, code := newTrustLine(c.view, acct, peer, cur, limit.Value(), lf, qualityValue(qIn), qualityValue(qOut)); code != ter.TesSUCCESS {
			return code, "could not add the line to the owner directories"
		}
		return ter.TesSUCCESS, ""
	}

	line.Set(s.limit, codec.NewIssued(limit.Value(), cur, acct))
	for _, q := range []struct {
		f   *sf.Field
		v   uint32
		set bool
	}{{s.qIn, qIn, hasQIn}, {s.qOut, qOut, hasQOut}} {
		if !q.set {
			continue
		}
		if qualityValue(q.v) == 0 {
			line.Delete(q.f)
		} else {
			line.Set(q.f, q.v)
		}
	}
	lf := line.UInt32(sf.Flags)
	if flags&TfSetAuth != 0 {
		lf |= s.auth
	}
	if flags&TfSetNoSkywell != 0 {
		lf |= s.noSkywell
	}
	if flags&TfClearNoSkywell != 0 {
		lf &^= s.noSkywell
	}
	if flags&TfSetFreeze != 0 {
		lf |= s.frz
	}
	if flags&TfClearFreeze != 0 {
		lf &^= s.frz
	}
	line.Set(sf.Flags, lf)

	// A side that now asks something of the line needs a reserve.
	if lf&s.reserve == 0 && !sideIsDefault(line, s) {
		if shortOfReserve {
			return ter.TecINSUF_RESERVE_LINE, "not enough SWT for the reserve of this line"
		}
		line.Set(sf.Flags, lf|s.reserve)
		adjustOwnerCount(c.view, acct, 1)
	}
	if code := settleLine(c.view, k, line); code != ter.TesSUCCESS {
		return code, "could not remove the line from the owner directories"
	}
	return ter.TesSUCCESS, ""
}
