package rpc

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

// lineView is a trust line (SkywellState) seen from one of its accounts,
// as skywelld's SkywellState::makeItem presents it.
type lineView struct {
	key                       codec.Hash256
	peer                      codec.AccountID
	currency                  codec.Currency
	balance, limit, limitPeer codec.Value
	qualityIn, qualityOut     uint32
	auth, authPeer            bool
	noSkywell, noSkywellPeer  bool
	freeze, freezePeer        bool
}

// viewLine returns the line from acct's side; false if acct is not on it.
func viewLine(key codec.Hash256, line *codec.STObject, acct codec.AccountID) (lineView, bool) {
	low, _ := line.Amount(sf.LowLimit)
	high, _ := line.Amount(sf.HighLimit)
	bal, _ := line.Amount(sf.Balance)
	flags := line.UInt32(sf.Flags)
	lv := lineView{key: key, currency: bal.Currency()}
	switch acct {
	case low.Issuer():
		lv.peer = high.Issuer()
		lv.balance, lv.limit, lv.limitPeer = bal.Value(), low.Value(), high.Value()
		lv.qualityIn, lv.qualityOut = line.UInt32(sf.LowQualityIn), line.UInt32(sf.LowQualityOut)
		lv.auth, lv.authPeer = flags&ledger.LsfLowAuth != 0, flags&ledger.LsfHighAuth != 0
		lv.noSkywell, lv.noSkywellPeer = flags&ledger.LsfLowNoSkywell != 0, flags&ledger.LsfHighNoSkywell != 0
		lv.freeze, lv.freezePeer = flags&ledger.LsfLowFreeze != 0, flags&ledger.LsfHighFreeze != 0
	case high.Issuer():
		lv.peer = low.Issuer()
		lv.balance, lv.limit, lv.limitPeer = bal.Value().Neg(), high.Value(), low.Value()
		lv.qualityIn, lv.qualityOut = line.UInt32(sf.HighQualityIn), line.UInt32(sf.HighQualityOut)
		lv.auth, lv.authPeer = flags&ledger.LsfHighAuth != 0, flags&ledger.LsfLowAuth != 0
		lv.noSkywell, lv.noSkywellPeer = flags&ledger.LsfHighNoSkywell != 0, flags&ledger.LsfLowNoSkywell != 0
		lv.freeze, lv.freezePeer = flags&ledger.LsfHighFreeze != 0, flags&ledger.LsfLowFreeze != 0
	default:
		return lineView{}, false
	}
	return lv, true
}

// json is AccountLines.cpp addLine: the balance is positive when acct holds
// the peer's IOUs; the flags appear only when set.
func (lv lineView) json() map[string]any {
	j := map[string]any{
		"account":     lv.peer.String(),
		"balance":     lv.balance.String(),
		"currency":    lv.currency.String(),
		"limit":       lv.limit.String(),
		"limit_peer":  lv.limitPeer.String(),
		"quality_in":  lv.qualityIn,
		"quality_out": lv.qualityOut,
	}
	for name, set := range map[string]bool{
		"authorized": lv.auth, "peer_authorized": lv.authPeer,
		"no_skywell": lv.noSkywell, "no_skywell_peer": lv.noSkywellPeer,
		"freeze": lv.freeze, "freeze_peer": lv.freezePeer,
	} {
		if set {
			j[name] = true
		}
	}
	return j
}

// accountLines lists acct's trust lines in owner-directory order.
func accountLines(view ledger.ReadView, acct codec.AccountID) []lineView {
	var out []lineView
	for _, key := range ledger.OwnedEntries(view, acct) {
		line := view.Read(ledger.Keylet{Type: codec.EntrySkywellState, Key: key})
		if line == nil {
			continue
		}
		if lv, ok := viewLine(key, line, acct); ok {
			out = append(out, lv)
		}
	}
	return out
}

// page cuts items at marker (the index of the first item of this page, as
// returned by the previous page) and limit. It returns the page and the
// marker of the next one ("" on the last page); ok is false for a marker
// that names no item.
func page[T any](items []T, key func(T) codec.Hash256, marker string, limit int) (out []T, next string, ok bool) {
	start := 0
	if marker != "" {
		h, valid := hash256(marker)
		if !valid {
			return nil, "", false
		}
		start = -1
		for i, it := range items {
			if key(it) == h {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, "", false
		}
	}
	items = items[start:]
	if len(items) > limit {
		k := key(items[limit])
		return items[:limit], hexUpper(k[:]), true
	}
	return items, "", true
}
