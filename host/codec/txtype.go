package codec

import "strconv"

// TxType is a TransactionType code.
type TxType uint16

// Transaction types: Jingtum's codes (spec/jingtum-wire.md §4.1), then
// jtchain's own in 600-699 (DESIGN.md §5).
const (
	TxPayment         TxType = 0
	TxAccountSet      TxType = 3
	TxSetRegularKey   TxType = 5
	TxOfferCreate     TxType = 7
	TxOfferCancel     TxType = 8
	TxContract        TxType = 9
	TxRemoveContract  TxType = 10
	TxTrustSet        TxType = 20
	TxRelationSet     TxType = 21
	TxRelationDel     TxType = 22
	TxConfigContract  TxType = 30
	TxAlethContract   TxType = 31
	TxEnableFeature   TxType = 100
	TxSetFee          TxType = 101
	TxManageFee       TxType = 200
	TxSetBlackList    TxType = 201
	TxRemoveBlackList TxType = 202
	TxManageIssuer    TxType = 203
	TxBrokerage       TxType = 205
	TxIssueSet        TxType = 206
	TxSignerListSet   TxType = 207
	TxTransferToken   TxType = 208
	TxTokenIssue      TxType = 209
	TxTokenDel        TxType = 210

	// jtchain: validator admission by "proof of application" (host/ledger
	// validatorapply.go, validatorvote.go).
	TxValidatorApply TxType = 600 // a node applies to become a validator
	TxValidatorVote  TxType = 601 // a current validator approves adding or removing one
	// TxEvidence commits equivocation evidence (DuplicateVote,
	// ConflictingProposal; spec/rbft.md §1f.3) to the ledger. It is a
	// pseudo-transaction: a validator's node puts it into a block (zero
	// Account, no fee, no signature) and clients cannot submit it (host/ledger
	// evidence.go, pseudo.go). The consensus layer verifies the evidence; the
	// ledger stores it as opaque bytes.
	TxEvidence TxType = 602
)

var txTypeNames = map[TxType]string{
	TxPayment: "Payment", TxAccountSet: "AccountSet", TxSetRegularKey: "SetRegularKey",
	TxOfferCreate: "OfferCreate", TxOfferCancel: "OfferCancel", TxContract: "Contract",
	TxRemoveContract: "RemoveContract", TxTrustSet: "TrustSet", TxRelationSet: "RelationSet",
	TxRelationDel: "RelationDel", TxConfigContract: "ConfigContract", TxAlethContract: "AlethContract",
	TxEnableFeature: "EnableFeature", TxSetFee: "SetFee", TxManageFee: "ManageFee",
	TxSetBlackList: "SetBlackList", TxRemoveBlackList: "RemoveBlackList", TxManageIssuer: "ManageIssuer",
	TxBrokerage: "Brokerage", TxIssueSet: "IssueSet", TxSignerListSet: "SignerListSet",
	TxTransferToken: "TransferToken", TxTokenIssue: "TokenIssue", TxTokenDel: "TokenDel",
	TxValidatorApply: "ValidatorApply", TxValidatorVote: "ValidatorVote", TxEvidence: "Evidence",
}

var txTypeByName = invert(txTypeNames)

// Name returns the JSON name of the type.
func (t TxType) Name() (string, bool) { n, ok := txTypeNames[t]; return n, ok }

func (t TxType) String() string {
	if n, ok := txTypeNames[t]; ok {
		return n
	}
	return "TxType(" + strconv.Itoa(int(t)) + ")"
}

// TxTypeByName looks a type up by its JSON name.
func TxTypeByName(name string) (TxType, bool) { t, ok := txTypeByName[name]; return t, ok }

// EntryType is a LedgerEntryType code.
type EntryType uint16

// Ledger entry types. The codes are ASCII letters, as in rippled.
const (
	EntryAccountRoot     EntryType = 'a'
	EntryContract        EntryType = 'c'
	EntryDirectoryNode   EntryType = 'd'
	EntryEnabledFeatures EntryType = 'f'
	EntryGeneratorMap    EntryType = 'g'
	EntryLedgerHashes    EntryType = 'h'
	EntryNickname        EntryType = 'n'
	EntryOffer           EntryType = 'o'
	EntrySkywellState    EntryType = 'r'
	EntryFeeSettings     EntryType = 's'
	EntrySignerList      EntryType = 'S'
	EntryTicket          EntryType = 'T'
	EntryManageIssuer    EntryType = 'i'
	EntryBlackList       EntryType = 'l'
	EntryManageFee       EntryType = 'm'
	EntryRelation        EntryType = 't' // jtchain: RelationSet entries (skywelld 0.29 reserved 't' as Trust_STATE)
	// jtchain: the validator set (a singleton) and the entries that collect
	// approvals for changing it (host/ledger validatorset.go).
	EntryValidatorSet         EntryType = 'v'
	EntryValidatorApplication EntryType = 'V'
	EntryValidatorRemoval     EntryType = 'R'
	// jtchain: committed equivocation evidence, one entry per distinct
	// evidence (host/ledger evidence.go).
	EntryValidatorEvidence EntryType = 'E'
	// EntryBLHRRecord marks a signed BLHR record sealed, so no ledger
	// seals (and charges) it twice.
	EntryBLHRRecord EntryType = 'B'
)

var entryTypeNames = map[EntryType]string{
	EntryAccountRoot: "AccountRoot", EntryContract: "Contract", EntryDirectoryNode: "DirectoryNode",
	EntryEnabledFeatures: "EnabledFeatures", EntryGeneratorMap: "GeneratorMap",
	EntryLedgerHashes: "LedgerHashes", EntryNickname: "Nickname", EntryOffer: "Offer",
	EntrySkywellState: "SkywellState", EntryFeeSettings: "FeeSettings", EntrySignerList: "SignerList",
	EntryTicket: "Ticket", EntryManageIssuer: "ManageIssuer", EntryBlackList: "BlackList",
	EntryManageFee: "ManageFee", EntryRelation: "Relation",
	EntryValidatorSet: "ValidatorSet", EntryValidatorApplication: "ValidatorApplication",
	EntryValidatorRemoval: "ValidatorRemoval", EntryValidatorEvidence: "ValidatorEvidence",
	EntryBLHRRecord: "BLHRRecord",
}

var entryTypeByName = invert(entryTypeNames)

// Name returns the JSON name of the entry type.
func (t EntryType) Name() (string, bool) { n, ok := entryTypeNames[t]; return n, ok }

func (t EntryType) String() string {
	if n, ok := entryTypeNames[t]; ok {
		return n
	}
	return "EntryType(" + strconv.Itoa(int(t)) + ")"
}

// EntryTypeByName looks an entry type up by its JSON name.
func EntryTypeByName(name string) (EntryType, bool) { t, ok := entryTypeByName[name]; return t, ok }

func invert[K comparable](m map[K]string) map[string]K {
	out := make(map[string]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}
