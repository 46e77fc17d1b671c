package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

// validatorVote is a current validator's approval of a change of the set
// (validatorset.go has the rules): ValidatorAction 1 approves the pending
// application of NodePublicKey, 2 approves removing the member with
// NodePublicKey. Account is the voting validator's account, the account of
// its node key; any key authorised for that account may sign (master,
// regular key or signer list), so an operator need not keep the node key in
// a wallet. The first removal vote creates the ValidatorRemoval entry, owned
// by the voter (one owned object for the reserve).
//
// Results besides the common ones:
//
//	tecNO_PERMISSION       the signer's account is not in the set in force
//	                       at this ledger (or the chain has no validator set)
//	tecNO_ENTRY            add: no pending application for NodePublicKey
//	tecNO_TARGET           remove: NodePublicKey is not a member, or its
//	                       removal is already scheduled
//	tecDIR_FULL            add: the set, with every scheduled change, is full
//	tecFAILED_PROCESSING   remove: it would leave the set empty
//	tecINSUFFICIENT_RESERVE the first removal vote cannot pay the entry's reserve
//
// Jingtum's result table has no tecDUPLICATE or tecTOO_MANY, hence the
// nearest existing codes; the Detail of each outcome names the reason.
type validatorVote struct{}

func init() { register(codec.TxValidatorVote, validatorVote{}) }

func (validatorVote) flags() uint32 { return 0 }
func (validatorVote) fields() []*sf.Field {
	return []*sf.Field{sf.NodePublicKey, sf.ValidatorAction}
}

func (validatorVote) preflight(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	if !validPublicKey(obj.Blob(sf.NodePublicKey)) {
		return ter.TemMALFORMED, "NodePublicKey must be a 33-byte public key (secp256k1 or 0xED ed25519)"
	}
	action, ok := obj.LookupUInt32(sf.ValidatorAction)
	if !ok {
		return ter.TemMALFORMED, "missing ValidatorAction"
	}
	if action != ValidatorAdd && action != ValidatorRemove {
		return ter.TemINVALID, "ValidatorAction must be 1 (add) or 2 (remove)"
	}
	return ter.TesSUCCESS, ""
}

func (validatorVote) preclaim(c *preclaimContext) (ter.Code, string) {
	s, err := loadValidatorSet(c.view)
	if errors.Is(err, ErrNoValidatorSet) {
		return ter.TecNO_PERMISSION, "this chain has no validator set (its genesis named no validators)"
	}
	if err != nil {
		return ter.TefBAD_LEDGER, err.Error()
	}
	seq := c.view.Seq()
	cur := s.at(seq)
	if _, ok := findValidator(cur, c.tx.Account()); !ok {
		return ter.TecNO_PERMISSION, fmt.Sprintf("%s is not a validator at ledger %d", c.tx.Account(), seq)
	}
	obj := c.tx.Object()
	node := obj.Blob(sf.NodePublicKey)
	target := crypto.AccountIDFromPublicKey(node)
	size := len(s.projected())
	if obj.UInt32(sf.ValidatorAction) == ValidatorAdd {
		app := c.view.Read(ValidatorApplicationKeylet(target))
		if app == nil || !bytes.Equal(app.Blob(sf.NodePublicKey), node) {
			return ter.TecNO_ENTRY, "no pending validator application for this node key"
		}
		if size >= MaxValidators {
			return ter.TecDIR_FULL, fmt.Sprintf("the validator set, with the scheduled changes, already has %d members", size)
		}
		return ter.TesSUCCESS, ""
	}
	if _, ok := findValidator(cur, target); !ok {
		return ter.TecNO_TARGET, "the node key is not a validator"
	}
	if s.scheduled(target) {
		return ter.TecNO_TARGET, "the removal of this validator is already scheduled"
	}
	if size <= MinValidators {
		return ter.TecFAILED_PROCESSING, "removing this validator would leave the set empty"
	}
	return ter.TesSUCCESS, ""
}

func (validatorVote) doApply(c *applyContext) (ter.Code, string) {
	sk := ValidatorSetKeylet()
	s, err := decodeValidatorSet(c.view.Read(sk))
	if err != nil {
		return ter.TefBAD_LEDGER, err.Error()
	}
	seq := c.view.Seq()
	dirty := s.fold(seq)
	cur := s.members // the set in force at seq, now that it is folded

	obj := c.tx.Object()
	voter := c.tx.Account()
	action := obj.UInt32(sf.ValidatorAction)
	node := obj.Blob(sf.NodePublicKey)
	target := crypto.AccountIDFromPublicKey(node)
	k := ValidatorApplicationKeylet(target)
	if action == ValidatorRemove {
		k = ValidatorRemovalKeylet(target)
	}
	entry := c.view.Peek(k) // nil only for a first removal vote

	// Approvals that count: the current members', plus this vote.
	var approvals []codec.AccountID
	if entry != nil {
		for _, id := range approvalAccounts(entry) {
			if _, ok := findValidator(cur, id); ok {
				approvals = append(approvals, id)
			}
		}
	}
	if i, ok := slices.BinarySearchFunc(approvals, voter, compareAccounts); !ok {
		approvals = slices.Insert(approvals, i, voter)
	}

	if len(approvals) >= ValidatorQuorum(len(cur)) {
		change := validatorChange{action: action, effective: seq + ValidatorDelay}
		if action == ValidatorAdd {
			change.Validator = Validator{Account: target, NodePublicKey: bytes.Clone(node), VRFPublicKey: bytes.Clone(entry.Blob(sf.VRFPublicKey))}
		} else {
			i, _ := findValidator(cur, target)
			change.Validator = cur[i]
		}
		s.schedule(change)
		s.store(c.view.Peek(sk))
		if entry != nil {
			owner := entry.Account(sf.Account)
			if code := dirRemove(c.view, owner, entry.UInt64(sf.OwnerNode), k.Key); code != ter.TesSUCCESS {
				return code, "could not remove the entry from its owner's directory"
			}
			c.view.Erase(k)
			adjustOwnerCount(c.view, owner, -1)
		}
		return ter.TesSUCCESS, ""
	}

	if dirty {
		s.store(c.view.Peek(sk))
	}
	if entry != nil {
		setApprovals(entry, approvals)
		return ter.TesSUCCESS, ""
	}
	// The first vote to remove a validator.
	owners := c.view.Read(AccountKeylet(voter)).UInt32(sf.OwnerCount)
	if c.priorBalance < c.view.Fees().AccountReserve(owners+1) {
		return ter.TecINSUFFICIENT_RESERVE, "not enough SWT for the reserve of a validator removal proposal"
	}
	page, code := dirAdd(c.view, voter, k.Key)
	if code != ter.TesSUCCESS {
		return code, "owner directory is full"
	}
	e := codec.NewObject(9)
	e.SetUInt32(sf.Flags, 0)
	e.SetUInt64(sf.OwnerNode, page)
	e.Set(sf.NodePublicKey, bytes.Clone(node))
	e.Set(sf.Account, voter)
	e.Set(sf.Target, target)
	e.Set(sf.PreviousTxnID, codec.Hash256{})
	e.SetUInt32(sf.PreviousTxnLgrSeq, 0)
	setApprovals(e, approvals)
	c.view.Insert(k, e)
	adjustOwnerCount(c.view, voter, 1)
	return ter.TesSUCCESS, ""
}

func compareAccounts(a, b codec.AccountID) int { return bytes.Compare(a[:], b[:]) }
