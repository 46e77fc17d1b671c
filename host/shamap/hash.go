package shamap

import (
	"fmt"

	"github.com/jtchain/jtchain/host/crypto"
)

// LeafKind selects how a tree hashes its leaves. rippled decides it per leaf
// (SHAMapNodeType), but every tree it builds holds a single kind, so here it
// is a property of the Map.
type LeafKind uint8

const (
	// AccountState leaves are ledger entries of the state tree:
	// SHA512Half("MLN\0" ‖ data ‖ key).
	AccountState LeafKind = iota + 1
	// TransactionWithMeta leaves are the transaction tree of a closed
	// ledger, data = TxWithMetaData(tx, meta):
	// SHA512Half("SND\0" ‖ data ‖ key).
	TransactionWithMeta
	// TransactionNoMeta leaves hold a bare transaction blob (the open
	// ledger's and a proposed transaction set's tree):
	// SHA512Half("TXN\0" ‖ data), which is the transaction id. The key is
	// not hashed; see VerifyProof for what that means for proofs.
	TransactionNoMeta
)

// Hash prefixes, spec/jingtum-wire.md §6 (rippled HashPrefix).
var (
	prefixInner       = [4]byte{'M', 'I', 'N', 0}
	prefixStateLeaf   = [4]byte{'M', 'L', 'N', 0}
	prefixTxMetaLeaf  = [4]byte{'S', 'N', 'D', 0}
	prefixTransaction = [4]byte{'T', 'X', 'N', 0}
)

// Valid reports whether k is one of the defined leaf kinds.
func (k LeafKind) Valid() bool { return k >= AccountState && k <= TransactionNoMeta }

func (k LeafKind) String() string {
	switch k {
	case AccountState:
		return "AccountState"
	case TransactionWithMeta:
		return "TransactionWithMeta"
	case TransactionNoMeta:
		return "TransactionNoMeta"
	}
	return fmt.Sprintf("LeafKind(%d)", uint8(k))
}

// LeafHash returns the hash of a leaf holding data under key in a tree of
// the given kind. It panics on an undefined kind, like New.
func LeafHash(kind LeafKind, key crypto.Hash256, data []byte) crypto.Hash256 {
	switch kind {
	case AccountState:
		return crypto.SHA512Half(prefixStateLeaf[:], data, key[:])
	case TransactionWithMeta:
		return crypto.SHA512Half(prefixTxMetaLeaf[:], data, key[:])
	case TransactionNoMeta:
		return crypto.SHA512Half(prefixTransaction[:], data)
	}
	panic(fmt.Sprintf("shamap: undefined %v", kind))
}
