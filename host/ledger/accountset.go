package ledger

import (
	"bytes"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// accountSet changes account flags (SetFlag/ClearFlag and the legacy tf
// forms), the transfer rate and the informational fields.
type accountSet struct{}

func init() { register(codec.TxAccountSet, accountSet{}) }

func (accountSet) flags() uint32 {
	return TfRequireDestTag | TfOptionalDestTag | TfRequireAuth | TfOptionalAuth | TfDisallowSWT | TfAllowSWT
}

func (accountSet) fields() []*sf.Field {
	return []*sf.Field{sf.SetFlag, sf.ClearFlag, sf.TransferRate, sf.Domain, sf.EmailHash,
		sf.MessageKey, sf.WalletLocator, sf.WalletSize}
}

// MaxTransferRate is 2.0: an issuer may charge at most 100% per transfer.
const MaxTransferRate = 2 * QualityOne

func (accountSet) preflight(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	f := tx.Flags()
	set, hasSet := obj.LookupUInt32(sf.SetFlag)
	clr, hasClr := obj.LookupUInt32(sf.ClearFlag)
	if hasSet && hasClr && set == clr {
		return ter.TemINVALID_FLAG, "the same flag is set and cleared"
	}
	pairs := []struct{ tfSet, tfClr, asf uint32 }{
		{TfRequireDestTag, TfOptionalDestTag, AsfRequireDest},
		{TfRequireAuth, TfOptionalAuth, AsfRequireAuth},
		{TfDisallowSWT, TfAllowSWT, AsfDisallowSWT},
	}
	for _, p := range pairs {
		setting := f&p.tfSet != 0 || (hasSet && set == p.asf)
		clearing := f&p.tfClr != 0 || (hasClr && clr == p.asf)
		if setting && clearing {
			return ter.TemINVALID_FLAG, "a flag is both set and cleared"
		}
	}
	if r, ok := obj.LookupUInt32(sf.TransferRate); ok && r != 0 && (r < QualityOne || r > MaxTransferRate) {
		return ter.TemBAD_TRANSFER_RATE, "TransferRate must be 0 or between 1.0 and 2.0 (1000000000 to 2000000000)"
	}
	if len(obj.Blob(sf.Domain)) > maxDomainSize {
		return ter.TelBAD_DOMAIN, "Domain is longer than 256 bytes"
	}
	if mk := obj.Blob(sf.MessageKey); len(mk) != 0 && !validPublicKey(mk) {
		return ter.TelBAD_PUBLIC_KEY, "MessageKey is not a public key"
	}
	return ter.TesSUCCESS, ""
}

func (accountSet) preclaim(c *preclaimContext) (ter.Code, string) {
	obj := c.tx.Object()
	set, _ := obj.LookupUInt32(sf.SetFlag)
	if (set == AsfRequireAuth || c.tx.Flags()&TfRequireAuth != 0) && c.account.UInt32(sf.Flags)&LsfRequireAuth == 0 &&
		c.account.UInt32(sf.OwnerCount) != 0 {
		// Holders could otherwise find lines they already have unauthorized.
		return ter.TecOWNERS, "RequireAuth can only be set while the account owns nothing"
	}
	return ter.TesSUCCESS, ""
}

func (accountSet) doApply(c *applyContext) (ter.Code, string) {
	obj := c.tx.Object()
	root := c.view.Peek(AccountKeylet(c.tx.Account()))
	fl := root.UInt32(sf.Flags)
	f := c.tx.Flags()
	set, _ := obj.LookupUInt32(sf.SetFlag)
	clr, _ := obj.LookupUInt32(sf.ClearFlag)

	switch {
	case f&TfRequireDestTag != 0 || set == AsfRequireDest:
		fl |= LsfRequireDestTag
	case f&TfOptionalDestTag != 0 || clr == AsfRequireDest:
		fl &^= LsfRequireDestTag
	}
	switch {
	case f&TfRequireAuth != 0 || set == AsfRequireAuth:
		fl |= LsfRequireAuth
	case f&TfOptionalAuth != 0 || clr == AsfRequireAuth:
		fl &^= LsfRequireAuth
	}
	switch {
	case f&TfDisallowSWT != 0 || set == AsfDisallowSWT:
		fl |= LsfDisallowSWT
	case f&TfAllowSWT != 0 || clr == AsfDisallowSWT:
		fl &^= LsfDisallowSWT
	}
	if set == AsfDisableMaster {
		if !c.signedWithMaster {
			return ter.TecNEED_MASTER_KEY, "only the master key can disable itself"
		}
		if !root.Has(sf.RegularKey) && c.view.Read(SignerListKeylet(c.tx.Account())) == nil {
			return ter.TecNO_REGULAR_KEY, "set a regular key or a signer list before disabling the master key"
		}
		fl |= LsfDisableMaster
	}
	if clr == AsfDisableMaster {
		fl &^= LsfDisableMaster
	}
	if set == AsfNoFreeze {
		if !c.signedWithMaster {
			return ter.TecNEED_MASTER_KEY, "only the master key can give up freezing"
		}
		fl |= LsfNoFreeze
	}
	if set == AsfGlobalFreeze {
		fl |= LsfGlobalFreeze
	}
	// Once NoFreeze is set, a global freeze can no longer be lifted; this
	// keeps NoFreeze from being used to freeze strategically.
	if set != AsfGlobalFreeze && clr == AsfGlobalFreeze && fl&LsfNoFreeze == 0 {
		fl &^= LsfGlobalFreeze
	}
	if set == AsfAccountTxnID && !root.Has(sf.AccountTxnID) {
		root.Set(sf.AccountTxnID, codec.Hash256{})
	}
	if clr == AsfAccountTxnID {
		root.Delete(sf.AccountTxnID)
	}
	root.Set(sf.Flags, fl)

	if r, ok := obj.LookupUInt32(sf.TransferRate); ok {
		if r == 0 || r == QualityOne {
			root.Delete(sf.TransferRate)
		} else {
			root.Set(sf.TransferRate, r)
		}
	}
	if v, ok := obj.Get(sf.Domain); ok {
		setOrDeleteBlob(root, sf.Domain, v.([]byte))
	}
	if v, ok := obj.Get(sf.MessageKey); ok {
		setOrDeleteBlob(root, sf.MessageKey, v.([]byte))
	}
	if v, ok := obj.Get(sf.EmailHash); ok {
		if h := v.(codec.Hash128); h == (codec.Hash128{}) {
			root.Delete(sf.EmailHash)
		} else {
			root.Set(sf.EmailHash, h)
		}
	}
	if v, ok := obj.Get(sf.WalletLocator); ok {
		if h := v.(codec.Hash256); h == (codec.Hash256{}) {
			root.Delete(sf.WalletLocator)
		} else {
			root.Set(sf.WalletLocator, h)
		}
	}
	return ter.TesSUCCESS, ""
}

func setOrDeleteBlob(o *codec.STObject, f *sf.Field, b []byte) {
	if len(b) == 0 {
		o.Delete(f)
		return
	}
	o.Set(f, bytes.Clone(b))
}
