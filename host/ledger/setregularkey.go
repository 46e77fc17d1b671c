package ledger

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// setRegularKey sets or removes the account's regular key: a second key that
// may sign for the account and can be replaced without moving funds.
type setRegularKey struct{}

func init() { register(codec.TxSetRegularKey, setRegularKey{}) }

func (setRegularKey) flags() uint32       { return 0 }
func (setRegularKey) fields() []*sf.Field { return []*sf.Field{sf.RegularKey} }

func (setRegularKey) preflight(tx *Tx) (ter.Code, string) {
	if k, ok := tx.Object().LookupAccount(sf.RegularKey); ok && k == tx.Account() {
		return ter.TemMALFORMED, "the regular key cannot be the master key"
	}
	return ter.TesSUCCESS, ""
}

func (setRegularKey) preclaim(*preclaimContext) (ter.Code, string) { return ter.TesSUCCESS, "" }

func (setRegularKey) doApply(c *applyContext) (ter.Code, string) {
	root := c.view.Peek(AccountKeylet(c.tx.Account()))
	if k, ok := c.tx.Object().LookupAccount(sf.RegularKey); ok {
		root.Set(sf.RegularKey, k)
		return ter.TesSUCCESS, ""
	}
	if root.UInt32(sf.Flags)&LsfDisableMaster != 0 && c.view.Read(SignerListKeylet(c.tx.Account())) == nil {
		return ter.TecMASTER_DISABLED, "removing the regular key would leave no way to sign"
	}
	root.Delete(sf.RegularKey)
	return ter.TesSUCCESS, ""
}
