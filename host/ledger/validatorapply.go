package ledger

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

// validatorApply is a node's application to become a validator
// (validatorset.go has the rules). Account is the account of NodePublicKey
// and the transaction must be signed with NodePublicKey itself, so the
// application proves possession of the node key: a regular key or a signer
// list could otherwise apply for a key its holder does not have. The
// application is a ValidatorApplication entry owned by Account (one owned
// object for the reserve) until a quorum of validators approves it.
type validatorApply struct{}

func init() { register(codec.TxValidatorApply, validatorApply{}) }

func (validatorApply) flags() uint32 { return 0 }
func (validatorApply) fields() []*sf.Field {
	return []*sf.Field{sf.NodePublicKey, sf.VRFPublicKey}
}

func (validatorApply) preflight(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	node := obj.Blob(sf.NodePublicKey)
	if !validPublicKey(node) {
		return ter.TemMALFORMED, "NodePublicKey must be a 33-byte public key (secp256k1 or 0xED ed25519)"
	}
	if n := len(obj.Blob(sf.VRFPublicKey)); n != VRFPublicKeySize {
		return ter.TemMALFORMED, fmt.Sprintf("VRFPublicKey is %d bytes, want %d", n, VRFPublicKeySize)
	}
	if crypto.AccountIDFromPublicKey(node) != tx.Account() {
		return ter.TemBAD_SRC_ACCOUNT, "Account must be the account of NodePublicKey"
	}
	if tx.IsMultiSigned() || !bytes.Equal(tx.SigningPubKey(), node) {
		return ter.TemBAD_SIGNATURE, "a validator application must be signed with its NodePublicKey"
	}
	return ter.TesSUCCESS, ""
}

func (validatorApply) preclaim(c *preclaimContext) (ter.Code, string) {
	s, err := loadValidatorSet(c.view)
	if errors.Is(err, ErrNoValidatorSet) {
		return ter.TecNO_PERMISSION, "this chain has no validator set (its genesis named no validators)"
	}
	if err != nil {
		return ter.TefBAD_LEDGER, err.Error()
	}
	id := c.tx.Account()
	if _, ok := findValidator(s.at(c.view.Seq()), id); ok {
		return ter.TecNO_PERMISSION, "already a validator"
	}
	if s.scheduled(id) {
		return ter.TecNO_PERMISSION, "a change of this validator is already scheduled; apply after it takes effect"
	}
	if c.view.Read(ValidatorApplicationKeylet(id)) != nil {
		return ter.TecNO_PERMISSION, "an application for this node key is already pending"
	}
	return ter.TesSUCCESS, ""
}

func (validatorApply) doApply(c *applyContext) (ter.Code, string) {
	obj := c.tx.Object()
	acct := c.tx.Account()
	owners := c.view.Read(AccountKeylet(acct)).UInt32(sf.OwnerCount)
	if c.priorBalance < c.view.Fees().AccountReserve(owners+1) {
		return ter.TecINSUFFICIENT_RESERVE, "not enough SWT for the reserve of a validator application"
	}
	k := ValidatorApplicationKeylet(acct)
	page, code := dirAdd(c.view, acct, k.Key)
	if code != ter.TesSUCCESS {
		return code, "owner directory is full"
	}
	e := codec.NewObject(8)
	e.SetUInt32(sf.Flags, 0)
	e.SetUInt64(sf.OwnerNode, page)
	e.Set(sf.NodePublicKey, bytes.Clone(obj.Blob(sf.NodePublicKey)))
	e.Set(sf.VRFPublicKey, bytes.Clone(obj.Blob(sf.VRFPublicKey)))
	e.Set(sf.Account, acct)
	e.Set(sf.PreviousTxnID, codec.Hash256{})
	e.SetUInt32(sf.PreviousTxnLgrSeq, 0)
	c.view.Insert(k, e)
	adjustOwnerCount(c.view, acct, 1)
	return ter.TesSUCCESS, ""
}
