package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
)

// The validator set and admission by "proof of application" (DESIGN.md §1,
// spec/rbft.md §1). Validators have equal power; a validator is identified
// by its node public key, and its account is that key's account.
//
// State:
//
//	ValidatorSet ('v', the singleton at ValidatorSetKeylet; present when
//	  genesis named validators):
//	  Validators        Validator{NodePublicKey, VRFPublicKey, Account},
//	                    sorted by Account
//	  ValidatorChanges  scheduled changes: ValidatorChange{the Validator
//	                    fields, ValidatorAction, EffectiveLedger}, sorted by
//	                    (EffectiveLedger, Account); absent when there are none
//	ValidatorApplication ('V', at ValidatorApplicationKeylet(applicant)),
//	  owned by the applicant: NodePublicKey, VRFPublicKey, Approvals.
//	ValidatorRemoval ('R', at ValidatorRemovalKeylet(validator)), owned by
//	  the validator that proposed it: Target, NodePublicKey, Approvals.
//	Approvals are Approval{Account} objects sorted by Account, no duplicates.
//
// Rules:
//
//   - The set in force at ledger h (for consensus on h and for the votes
//     applied in h) is Validators with every change whose EffectiveLedger
//     is at most h applied. ValidatorsAt computes it.
//   - A change approved in ledger h by Q = n − ⌊(n−1)/3⌋ distinct members of
//     the set in force at h (n its size) is scheduled with EffectiveLedger
//     h+2, and the application or removal entry is deleted, releasing its
//     owner's reserve. Approvals from accounts that have left the set do not
//     count and are dropped at the next vote on that entry.
//   - The set never exceeds MaxValidators nor drops below MinValidators:
//     counting every scheduled change, a vote to add to a full set, or to
//     remove the last member, is refused (tec). Changes are scheduled in
//     order of their effective ledgers, so the bound holds at every height.
//   - An account has at most one scheduled change. It may apply only while
//     it is neither a member nor has a scheduled change or an application,
//     and a removal can be proposed only for a member with no scheduled
//     change; so an applicant is never a member and a removal's target
//     always is.
//   - Folding: every ValidatorVote that succeeds first moves the changes
//     that are due (EffectiveLedger ≤ its ledger) from ValidatorChanges into
//     Validators. It is a function of the ledger contents alone, and it never
//     changes what ValidatorsAt reports, which folds the same way without
//     writing; it only keeps ValidatorChanges short.
//   - A vote that repeats an approval already recorded is idempotent: it
//     succeeds, records nothing new, and (like every vote) re-checks the
//     quorum, which a smaller set may have lowered.

// Validator-set limits and actions.
const (
	MaxValidators = 31 // spec/rbft.md §1
	MinValidators = 1
	// ValidatorDelay is how many ledgers after the one that decides a change
	// the change takes effect (CometBFT's h+2).
	ValidatorDelay = 2

	ValidatorAdd    uint32 = 1 // ValidatorAction: add an applicant
	ValidatorRemove uint32 = 2 // ValidatorAction: remove a member

	// VRFPublicKeySize is the size of an ECVRF-EDWARDS25519-SHA512 public key.
	VRFPublicKeySize = 32
)

// ErrNoValidatorSet means the ledger has no ValidatorSet entry: its genesis
// named no validators (a solo or raft chain).
var ErrNoValidatorSet = errors.New("ledger: no validator set in this ledger (its genesis named no validators)")

// Validator is a member of the validator set.
type Validator struct {
	Account       codec.AccountID // the account of NodePublicKey
	NodePublicKey []byte          // 33 bytes: signs consensus messages
	VRFPublicKey  []byte          // 32 bytes: verifies proposer-seed proofs
}

// GenesisValidator is a validator named in the genesis ledger.
type GenesisValidator struct {
	NodePublicKey []byte
	VRFPublicKey  []byte
}

// ValidatorQuorum is Q = n − ⌊(n−1)/3⌋ for a set of n ≥ 1 validators.
func ValidatorQuorum(n int) int { return n - (n-1)/3 }

// ValidatorsAt returns the validator set in force for consensus at height,
// sorted by Account. view is the state of ledger height−1, as the node has it
// when it starts height; any state from height−2 (where every change
// effective at height has been decided) to height gives the same answer, and
// other heights are refused because that state cannot tell. The slices
// returned are the caller's.
func ValidatorsAt(view ReadView, height uint32) ([]Validator, error) {
	seq := view.Seq()
	if height < seq || height-seq > ValidatorDelay {
		return nil, fmt.Errorf("ledger: the validators of height %d are not determined by the state of ledger %d (use ledger %d to %d)",
			height, seq, max(height, ValidatorDelay)-ValidatorDelay, height)
	}
	s, err := loadValidatorSet(view)
	if err != nil {
		return nil, err
	}
	out := s.at(height)
	for i, v := range out {
		out[i].NodePublicKey = slices.Clone(v.NodePublicKey)
		out[i].VRFPublicKey = slices.Clone(v.VRFPublicKey)
	}
	return out, nil
}

// validatorChange is one scheduled change of the set.
type validatorChange struct {
	Validator
	action    uint32
	effective uint32
}

// validatorSet is the decoded ValidatorSet entry. Its slices may share bytes
// with the entry; callers copy before handing them out.
type validatorSet struct {
	members []Validator
	changes []validatorChange
}

func loadValidatorSet(view ReadView) (validatorSet, error) {
	o := view.Read(ValidatorSetKeylet())
	if o == nil {
		return validatorSet{}, ErrNoValidatorSet
	}
	return decodeValidatorSet(o)
}

// decodeValidatorSet reads an entry and checks its invariants, so that a
// corrupted entry is an error instead of a set nobody can reason about.
func decodeValidatorSet(o *codec.STObject) (validatorSet, error) {
	var s validatorSet
	for _, it := range o.Array(sf.Validators) {
		if it.Field != sf.Validator {
			return s, fmt.Errorf("ledger: ValidatorSet holds a %s in Validators", it.Field.Name)
		}
		v, err := decodeValidator(it.Object)
		if err != nil {
			return s, err
		}
		if n := len(s.members); n > 0 && !accountLess(s.members[n-1].Account, v.Account) {
			return s, errors.New("ledger: ValidatorSet members are not sorted by account")
		}
		s.members = append(s.members, v)
	}
	if len(s.members) < MinValidators || len(s.members) > MaxValidators {
		return s, fmt.Errorf("ledger: ValidatorSet has %d members, want %d to %d", len(s.members), MinValidators, MaxValidators)
	}
	for _, it := range o.Array(sf.ValidatorChanges) {
		if it.Field != sf.ValidatorChange {
			return s, fmt.Errorf("ledger: ValidatorSet holds a %s in ValidatorChanges", it.Field.Name)
		}
		v, err := decodeValidator(it.Object)
		if err != nil {
			return s, err
		}
		c := validatorChange{Validator: v, action: it.Object.UInt32(sf.ValidatorAction), effective: it.Object.UInt32(sf.EffectiveLedger)}
		if c.action != ValidatorAdd && c.action != ValidatorRemove {
			return s, fmt.Errorf("ledger: scheduled validator change with action %d", c.action)
		}
		if n := len(s.changes); n > 0 && !changeLess(s.changes[n-1], c) {
			return s, errors.New("ledger: scheduled validator changes are not sorted")
		}
		s.changes = append(s.changes, c)
	}
	return s, nil
}

func decodeValidator(o *codec.STObject) (Validator, error) {
	v := Validator{Account: o.Account(sf.Account), NodePublicKey: o.Blob(sf.NodePublicKey), VRFPublicKey: o.Blob(sf.VRFPublicKey)}
	if !validPublicKey(v.NodePublicKey) || len(v.VRFPublicKey) != VRFPublicKeySize || crypto.AccountIDFromPublicKey(v.NodePublicKey) != v.Account {
		return v, fmt.Errorf("ledger: malformed validator %s in the ValidatorSet", v.Account)
	}
	return v, nil
}

func changeLess(a, b validatorChange) bool {
	if a.effective != b.effective {
		return a.effective < b.effective
	}
	return accountLess(a.Account, b.Account)
}

// at is the set in force at height: members with every change effective by
// then applied, sorted by account.
func (s validatorSet) at(height uint32) []Validator {
	out := slices.Clone(s.members)
	for _, c := range s.changes {
		if c.effective <= height {
			out = applyChange(out, c)
		}
	}
	return out
}

// projected is the set once every scheduled change has taken effect.
func (s validatorSet) projected() []Validator { return s.at(^uint32(0)) }

// scheduled reports whether id has a scheduled change.
func (s validatorSet) scheduled(id codec.AccountID) bool {
	return slices.ContainsFunc(s.changes, func(c validatorChange) bool { return c.Account == id })
}

// fold moves the changes effective at or before seq into members and
// reports whether there were any.
func (s *validatorSet) fold(seq uint32) bool {
	n := 0
	for n < len(s.changes) && s.changes[n].effective <= seq {
		n++
	}
	if n == 0 {
		return false
	}
	s.members = s.at(seq)
	s.changes = slices.Clone(s.changes[n:])
	return true
}

// schedule adds a change, keeping the changes sorted.
func (s *validatorSet) schedule(c validatorChange) {
	i, _ := slices.BinarySearchFunc(s.changes, c, func(a, b validatorChange) int {
		switch {
		case changeLess(a, b):
			return -1
		case changeLess(b, a):
			return 1
		}
		return 0
	})
	s.changes = slices.Insert(slices.Clone(s.changes), i, c)
}

// applyChange adds or removes one validator, keeping the set sorted.
func applyChange(set []Validator, c validatorChange) []Validator {
	i, found := findValidator(set, c.Account)
	switch {
	case c.action == ValidatorAdd && !found:
		return slices.Insert(set, i, c.Validator)
	case c.action == ValidatorRemove && found:
		return slices.Delete(set, i, i+1)
	}
	return set
}

func findValidator(set []Validator, id codec.AccountID) (int, bool) {
	return slices.BinarySearchFunc(set, id, func(v Validator, id codec.AccountID) int {
		return bytes.Compare(v.Account[:], id[:])
	})
}

// store writes s into the entry o.
func (s validatorSet) store(o *codec.STObject) {
	members := make(codec.Array, len(s.members))
	for i, v := range s.members {
		members[i] = codec.Item{Field: sf.Validator, Object: validatorObject(v)}
	}
	o.Set(sf.Validators, members)
	if len(s.changes) == 0 {
		o.Delete(sf.ValidatorChanges)
		return
	}
	changes := make(codec.Array, len(s.changes))
	for i, c := range s.changes {
		obj := validatorObject(c.Validator)
		obj.SetUInt32(sf.ValidatorAction, c.action)
		obj.SetUInt32(sf.EffectiveLedger, c.effective)
		changes[i] = codec.Item{Field: sf.ValidatorChange, Object: obj}
	}
	o.Set(sf.ValidatorChanges, changes)
}

func validatorObject(v Validator) *codec.STObject {
	o := codec.NewObject(5)
	o.Set(sf.NodePublicKey, slices.Clone(v.NodePublicKey))
	o.Set(sf.VRFPublicKey, slices.Clone(v.VRFPublicKey))
	o.Set(sf.Account, v.Account)
	return o
}

// genesisValidatorSet builds the ValidatorSet entry of a genesis ledger.
func genesisValidatorSet(gvs []GenesisValidator) (*codec.STObject, error) {
	if len(gvs) > MaxValidators {
		return nil, fmt.Errorf("ledger: genesis names %d validators, at most %d allowed", len(gvs), MaxValidators)
	}
	var s validatorSet
	for i, g := range gvs {
		if !validPublicKey(g.NodePublicKey) {
			return nil, fmt.Errorf("ledger: genesis validator %d: node public key must be 33 bytes (secp256k1 or 0xED ed25519)", i)
		}
		if len(g.VRFPublicKey) != VRFPublicKeySize {
			return nil, fmt.Errorf("ledger: genesis validator %d: VRF public key is %d bytes, want %d", i, len(g.VRFPublicKey), VRFPublicKeySize)
		}
		v := Validator{Account: crypto.AccountIDFromPublicKey(g.NodePublicKey), NodePublicKey: g.NodePublicKey, VRFPublicKey: g.VRFPublicKey}
		at, dup := findValidator(s.members, v.Account)
		if dup {
			return nil, fmt.Errorf("ledger: genesis validator %d: node key %X is listed twice", i, g.NodePublicKey)
		}
		s.members = slices.Insert(s.members, at, v)
	}
	o := codec.NewObject(4)
	o.SetUInt16(sf.LedgerEntryType, uint16(codec.EntryValidatorSet))
	o.SetUInt32(sf.Flags, 0)
	s.store(o)
	return o, nil
}

// Approvals: Approval{Account} objects sorted by account.

func approvalAccounts(o *codec.STObject) []codec.AccountID {
	items := o.Array(sf.Approvals)
	out := make([]codec.AccountID, 0, len(items)+1)
	for _, it := range items {
		out = append(out, it.Object.Account(sf.Account))
	}
	return out
}

func setApprovals(o *codec.STObject, ids []codec.AccountID) {
	if len(ids) == 0 {
		o.Delete(sf.Approvals)
		return
	}
	items := make(codec.Array, len(ids))
	for i, id := range ids {
		a := codec.NewObject(1)
		a.Set(sf.Account, id)
		items[i] = codec.Item{Field: sf.Approval, Object: a}
	}
	o.Set(sf.Approvals, items)
}
