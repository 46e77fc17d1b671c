package ledger

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// A trust line (SkywellState) between two accounts stores its Balance from
// the low account's point of view: positive means the low account holds the
// high account's IOUs. Each side has a limit (how much of the other's IOUs
// it accepts), qualities and flags. The Balance amount's issuer is
// AccountOne ("no account"), as in rippled.

// side selects the low or high half of a trust line.
type side struct {
	high                          bool
	limit, qIn, qOut, node        *sf.Field
	reserve, auth, noSkywell, frz uint32
}

var (
	lowSide  = side{false, sf.LowLimit, sf.LowQualityIn, sf.LowQualityOut, sf.LowNode, LsfLowReserve, LsfLowAuth, LsfLowNoSkywell, LsfLowFreeze}
	highSide = side{true, sf.HighLimit, sf.HighQualityIn, sf.HighQualityOut, sf.HighNode, LsfHighReserve, LsfHighAuth, LsfHighNoSkywell, LsfHighFreeze}
)

// sideOf returns the side account id is on for a line with peer.
func sideOf(id, peer codec.AccountID) side {
	if accountLess(id, peer) {
		return lowSide
	}
	return highSide
}

func (s side) other() side {
	if s.high {
		return lowSide
	}
	return highSide
}

// lineBalance is the balance of a line from s's point of view.
func lineBalance(line *codec.STObject, s side) codec.Value {
	b, _ := line.Amount(sf.Balance)
	if s.high {
		return b.Value().Neg()
	}
	return b.Value()
}

func lineLimit(line *codec.STObject, s side) codec.Value {
	l, _ := line.Amount(s.limit)
	return l.Value()
}

// setLineBalance stores v, given from s's point of view.
func setLineBalance(line *codec.STObject, s side, v codec.Value) {
	b, _ := line.Amount(sf.Balance)
	if s.high {
		v = v.Neg()
	}
	line.Set(sf.Balance, codec.NewIssued(v, b.Currency(), b.Issuer()))
}

// sideIsDefault reports whether s asks nothing of the line: no limit, no
// qualities, no flags and nothing owed to it. Only a non-default side needs
// an owner reserve, and a line whose two sides are default is deleted.
// jtchain keeps pre-DefaultRipple semantics (as skywelld clients expect):
// rippling is allowed unless a side sets NoSkywell.
func sideIsDefault(line *codec.STObject, s side) bool {
	flags := line.UInt32(sf.Flags)
	return lineLimit(line, s).IsZero() &&
		line.UInt32(s.qIn) == 0 && line.UInt32(s.qOut) == 0 &&
		flags&(s.noSkywell|s.frz) == 0 &&
		lineBalance(line, s).Sign() <= 0
}

// newTrustLine creates the line between from and peer for currency, with
// from's limit and flags, and adds it to both owner directories. It charges
// from's owner count; the caller has checked the reserve.
func newTrustLine(sb *Sandbox, from, peer codec.AccountID, cur codec.Currency, limit codec.Value, flags uint32, qIn, qOut uint32) (*codec.STObject, ter.Code) {
	k := TrustLineKeylet(from, peer, cur)
	s := sideOf(from, peer)
	lo, hi := from, peer
	if s.high {
		lo, hi = peer, from
	}
	line := codec.NewObject(12)
	line.Set(sf.Flags, flags|s.reserve)
	line.Set(sf.Balance, codec.NewIssued(codec.ZeroValue, cur, codec.AccountID{19: 1}))
	line.Set(sf.LowLimit, codec.NewIssued(codec.ZeroValue, cur, lo))
	line.Set(sf.HighLimit, codec.NewIssued(codec.ZeroValue, cur, hi))
	line.Set(s.limit, codec.NewIssued(limit, cur, from))
	if qIn != 0 {
		line.Set(s.qIn, qIn)
	}
	if qOut != 0 {
		line.Set(s.qOut, qOut)
	}
	loPage, code := dirAdd(sb, lo, k.Key)
	if code != ter.TesSUCCESS {
		return nil, code
	}
	hiPage, code := dirAdd(sb, hi, k.Key)
	if code != ter.TesSUCCESS {
		return nil, code
	}
	line.Set(sf.LowNode, loPage)
	line.Set(sf.HighNode, hiPage)
	line.Set(sf.PreviousTxnID, codec.Hash256{})
	line.Set(sf.PreviousTxnLgrSeq, uint32(0))
	sb.Insert(k, line)
	adjustOwnerCount(sb, from, 1)
	return line, ter.TesSUCCESS
}

// settleLine releases the reserve of any side that became default and
// deletes the line once both sides are default and the balance is zero.
// It never adds a reserve: callers that can make a side non-default (only
// TrustSet) do that themselves, after checking the owner can afford it.
func settleLine(sb *Sandbox, k Keylet, line *codec.STObject) ter.Code {
	lo, _ := line.Amount(sf.LowLimit)
	hi, _ := line.Amount(sf.HighLimit)
	flags := line.UInt32(sf.Flags)
	for _, s := range []side{lowSide, highSide} {
		owner := lo.Issuer()
		if s.high {
			owner = hi.Issuer()
		}
		if flags&s.reserve != 0 && sideIsDefault(line, s) {
			flags &^= s.reserve
			adjustOwnerCount(sb, owner, -1)
		}
	}
	line.Set(sf.Flags, flags)
	if flags&(LsfLowReserve|LsfHighReserve) != 0 {
		return ter.TesSUCCESS
	}
	bal, _ := line.Amount(sf.Balance)
	if !bal.IsZero() {
		return ter.TesSUCCESS
	}
	if code := dirRemove(sb, lo.Issuer(), line.UInt64(sf.LowNode), k.Key); code != ter.TesSUCCESS {
		return code
	}
	if code := dirRemove(sb, hi.Issuer(), line.UInt64(sf.HighNode), k.Key); code != ter.TesSUCCESS {
		return code
	}
	sb.Erase(k)
	return ter.TesSUCCESS
}

// transfer moves v of currency from one account to its peer along their
// trust line, which must exist, then settles reserves.
func transfer(sb *Sandbox, from, to codec.AccountID, cur codec.Currency, v codec.Value) ter.Code {
	k := TrustLineKeylet(from, to, cur)
	line := sb.Peek(k)
	if line == nil {
		return ter.TecNO_LINE
	}
	s := sideOf(from, to)
	nb, err := lineBalance(line, s).Sub(v)
	if err != nil {
		return ter.TecINTERNAL
	}
	setLineBalance(line, s, nb)
	return settleLine(sb, k, line)
}
