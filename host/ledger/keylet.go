package ledger

import (
	"encoding/binary"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

// Keylet is a ledger entry's index together with the type expected there, so
// a lookup can never read one kind of entry as another.
type Keylet struct {
	Type codec.EntryType
	Key  codec.Hash256
}

// Index name spaces: the first two bytes hashed into every index. The values
// are rippled's LedgerNameSpace letters; 't' (relations) and the validator
// spaces 'v', 'V', 'R', 'E' and the BLHR space 'b' are jtchain's.
const (
	spaceAccount              = 'a'
	spaceDirNode              = 'd'
	spaceTrustLine            = 'r'
	spaceOwnerDir             = 'O'
	spaceFee                  = 'e'
	spaceSignerList           = 'S'
	spaceRelation             = 't'
	spaceValidatorSet         = 'v'
	spaceValidatorApplication = 'V'
	spaceValidatorRemoval     = 'R'
	// spaceValidatorEvidence holds the evidence entries ('E' ‖ SHA512Half of
	// the evidence) and the root of the evidence directory ('E' alone, as
	// FeeSettings is 'e' alone); the preimages differ in length, so they
	// cannot collide.
	spaceValidatorEvidence = 'E'
	// spaceBLHRRecord holds the BLHRRecord entries of sealed signed records.
	spaceBLHRRecord = 'b'
)

func index(space uint16, parts ...[]byte) codec.Hash256 {
	var ns [2]byte
	binary.BigEndian.PutUint16(ns[:], space)
	return crypto.SHA512Half(append([][]byte{ns[:]}, parts...)...)
}

// AccountKeylet is the AccountRoot of id.
func AccountKeylet(id codec.AccountID) Keylet {
	return Keylet{codec.EntryAccountRoot, index(spaceAccount, id[:])}
}

// OwnerDirKeylet is the root page of id's owner directory.
func OwnerDirKeylet(id codec.AccountID) Keylet {
	return Keylet{codec.EntryDirectoryNode, index(spaceOwnerDir, id[:])}
}

// DirPageKeylet is page n of the directory whose root is root (page 0 is the root).
func DirPageKeylet(root codec.Hash256, page uint64) Keylet {
	if page == 0 {
		return Keylet{codec.EntryDirectoryNode, root}
	}
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], page)
	return Keylet{codec.EntryDirectoryNode, index(spaceDirNode, root[:], p[:])}
}

// TrustLineKeylet is the SkywellState between a and b in currency c; the
// order of a and b does not matter.
func TrustLineKeylet(a, b codec.AccountID, c codec.Currency) Keylet {
	lo, hi := a, b
	if !accountLess(lo, hi) {
		lo, hi = hi, lo
	}
	return Keylet{codec.EntrySkywellState, index(spaceTrustLine, lo[:], hi[:], c[:])}
}

// FeeSettingsKeylet is the singleton holding the chain's fee parameters.
func FeeSettingsKeylet() Keylet { return Keylet{codec.EntryFeeSettings, index(spaceFee)} }

// SignerListKeylet is id's signer list.
func SignerListKeylet(id codec.AccountID) Keylet {
	return Keylet{codec.EntrySignerList, index(spaceSignerList, id[:], []byte{0, 0, 0, 0})}
}

// RelationKeylet is the relation of kind kind that owner holds on target for
// the given currency and issuer.
func RelationKeylet(owner, target codec.AccountID, kind uint32, i codec.Issue) Keylet {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], kind)
	return Keylet{codec.EntryRelation, index(spaceRelation, owner[:], target[:], k[:], i.Currency[:], i.Issuer[:])}
}

// ValidatorSetKeylet is the singleton holding the validator set and its
// scheduled changes.
func ValidatorSetKeylet() Keylet {
	return Keylet{codec.EntryValidatorSet, index(spaceValidatorSet)}
}

// ValidatorApplicationKeylet is the pending application of the validator
// whose node key's account is id.
func ValidatorApplicationKeylet(id codec.AccountID) Keylet {
	return Keylet{codec.EntryValidatorApplication, index(spaceValidatorApplication, id[:])}
}

// ValidatorRemovalKeylet is the proposal to remove the validator whose node
// key's account is id.
func ValidatorRemovalKeylet(id codec.AccountID) Keylet {
	return Keylet{codec.EntryValidatorRemoval, index(spaceValidatorRemoval, id[:])}
}

// EvidenceKeylet is the ValidatorEvidence entry holding evidence data:
// SHA512Half('E', SHA512Half(data)). The same evidence always has the same
// key, which is how a second commit of it is refused.
func EvidenceKeylet(data []byte) Keylet {
	h := crypto.SHA512Half(data)
	return Keylet{codec.EntryValidatorEvidence, index(spaceValidatorEvidence, h[:])}
}

// EvidenceDirKeylet is the root page of the evidence directory, which lists
// every ValidatorEvidence entry in the order they were committed.
func EvidenceDirKeylet() Keylet {
	return Keylet{codec.EntryDirectoryNode, index(spaceValidatorEvidence)}
}

// accountLess orders account ids as unsigned big-endian numbers; the lower
// one is the "low" side of a trust line.
func accountLess(a, b codec.AccountID) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
