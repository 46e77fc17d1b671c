package sf

// The field table. Names and codes are the JavaScript client libraries'
// (jingtum-lib 2.4.15, @swtc/common 1.1.x); metadata flags and signing flags
// are skywelld's. Grouped by type, in canonical order.

// UInt16
var (
	LedgerEntryType = def("LedgerEntryType", TypeUInt16, 1, meta(MetaNever))
	TransactionType = def("TransactionType", TypeUInt16, 2)
	SignerWeight    = def("SignerWeight", TypeUInt16, 3)
)

// UInt32
var (
	Flags               = def("Flags", TypeUInt32, 2)
	SourceTag           = def("SourceTag", TypeUInt32, 3)
	Sequence            = def("Sequence", TypeUInt32, 4)
	PreviousTxnLgrSeq   = def("PreviousTxnLgrSeq", TypeUInt32, 5, meta(MetaDeleteFinal))
	LedgerSequence      = def("LedgerSequence", TypeUInt32, 6)
	CloseTime           = def("CloseTime", TypeUInt32, 7)
	ParentCloseTime     = def("ParentCloseTime", TypeUInt32, 8)
	SigningTime         = def("SigningTime", TypeUInt32, 9)
	Expiration          = def("Expiration", TypeUInt32, 10)
	TransferRate        = def("TransferRate", TypeUInt32, 11)
	WalletSize          = def("WalletSize", TypeUInt32, 12)
	OwnerCount          = def("OwnerCount", TypeUInt32, 13)
	DestinationTag      = def("DestinationTag", TypeUInt32, 14)
	Timestamp           = def("Timestamp", TypeUInt32, 15) // Jingtum: optional client time on transactions
	HighQualityIn       = def("HighQualityIn", TypeUInt32, 16)
	HighQualityOut      = def("HighQualityOut", TypeUInt32, 17)
	LowQualityIn        = def("LowQualityIn", TypeUInt32, 18)
	LowQualityOut       = def("LowQualityOut", TypeUInt32, 19)
	QualityIn           = def("QualityIn", TypeUInt32, 20)
	QualityOut          = def("QualityOut", TypeUInt32, 21)
	StampEscrow         = def("StampEscrow", TypeUInt32, 22)
	BondAmount          = def("BondAmount", TypeUInt32, 23)
	LoadFee             = def("LoadFee", TypeUInt32, 24)
	OfferSequence       = def("OfferSequence", TypeUInt32, 25)
	FirstLedgerSequence = def("FirstLedgerSequence", TypeUInt32, 26)
	LastLedgerSequence  = def("LastLedgerSequence", TypeUInt32, 27)
	TransactionIndex    = def("TransactionIndex", TypeUInt32, 28)
	OperationLimit      = def("OperationLimit", TypeUInt32, 29)
	ReferenceFeeUnits   = def("ReferenceFeeUnits", TypeUInt32, 30)
	ReserveBase         = def("ReserveBase", TypeUInt32, 31)
	ReserveIncrement    = def("ReserveIncrement", TypeUInt32, 32)
	SetFlag             = def("SetFlag", TypeUInt32, 33)
	ClearFlag           = def("ClearFlag", TypeUInt32, 34)
	RelationType        = def("RelationType", TypeUInt32, 35) // Jingtum; rippled SignerQuorum
	Method              = def("Method", TypeUInt32, 36)       // Jingtum contracts
	AppType             = def("AppType", TypeUInt32, 37)
	SignerQuorum        = def("SignerQuorum", TypeUInt32, 38) // Jingtum's code, not rippled's 2/35
	Contracttype        = def("Contracttype", TypeUInt32, 39)
)

// UInt64 (JSON: 16 hex digits)
var (
	IndexNext       = def("IndexNext", TypeUInt64, 1)
	IndexPrevious   = def("IndexPrevious", TypeUInt64, 2)
	BookNode        = def("BookNode", TypeUInt64, 3)
	OwnerNode       = def("OwnerNode", TypeUInt64, 4)
	BaseFee         = def("BaseFee", TypeUInt64, 5)
	ExchangeRate    = def("ExchangeRate", TypeUInt64, 6)
	LowNode         = def("LowNode", TypeUInt64, 7)
	HighNode        = def("HighNode", TypeUInt64, 8)
	OfferFeeRateNum = def("OfferFeeRateNum", TypeUInt64, 9)
	OfferFeeRateDen = def("OfferFeeRateDen", TypeUInt64, 10)
	TotalUsers      = def("TotalUsers", TypeUInt64, 12)
	TokenSize       = def("TokenSize", TypeUInt64, 13)
	TokenIssued     = def("TokenIssued", TypeUInt64, 14)
)

// Hash128
var (
	EmailHash = def("EmailHash", TypeHash128, 1)
)

// Hash256
var (
	LedgerHash      = def("LedgerHash", TypeHash256, 1)
	ParentHash      = def("ParentHash", TypeHash256, 2)
	TransactionHash = def("TransactionHash", TypeHash256, 3)
	AccountHash     = def("AccountHash", TypeHash256, 4)
	PreviousTxnID   = def("PreviousTxnID", TypeHash256, 5, meta(MetaDeleteFinal))
	LedgerIndex     = def("LedgerIndex", TypeHash256, 6)
	WalletLocator   = def("WalletLocator", TypeHash256, 7)
	RootIndex       = def("RootIndex", TypeHash256, 8, meta(MetaAlways))
	AccountTxnID    = def("AccountTxnID", TypeHash256, 9)
	BookDirectory   = def("BookDirectory", TypeHash256, 16)
	InvoiceID       = def("InvoiceID", TypeHash256, 17)
	Nickname        = def("Nickname", TypeHash256, 18)
	Amendment       = def("Amendment", TypeHash256, 19)
	TicketID        = def("TicketID", TypeHash256, 20)
	TokenID         = def("TokenID", TypeHash256, 21)
)

// Amount
var (
	Amount          = def("Amount", TypeAmount, 1)
	Balance         = def("Balance", TypeAmount, 2)
	LimitAmount     = def("LimitAmount", TypeAmount, 3)
	TakerPays       = def("TakerPays", TypeAmount, 4)
	TakerGets       = def("TakerGets", TypeAmount, 5)
	LowLimit        = def("LowLimit", TypeAmount, 6)
	HighLimit       = def("HighLimit", TypeAmount, 7)
	Fee             = def("Fee", TypeAmount, 8)
	SendMax         = def("SendMax", TypeAmount, 9)
	TotalAmount     = def("TotalAmount", TypeAmount, 10)
	IssuedAmount    = def("IssuedAmount", TypeAmount, 11)
	MinimumOffer    = def("MinimumOffer", TypeAmount, 16)
	JingtumEscrow   = def("JingtumEscrow", TypeAmount, 17) // skywelld calls it SkywellEscrow
	DeliveredAmount = def("DeliveredAmount", TypeAmount, 18)
)

// Blob (VL)
var (
	PublicKey       = def("PublicKey", TypeBlob, 1)
	MessageKey      = def("MessageKey", TypeBlob, 2)
	SigningPubKey   = def("SigningPubKey", TypeBlob, 3)
	TxnSignature    = def("TxnSignature", TypeBlob, 4, notSigning())
	Generator       = def("Generator", TypeBlob, 5)
	Signature       = def("Signature", TypeBlob, 6, notSigning())
	Domain          = def("Domain", TypeBlob, 7)
	FundCode        = def("FundCode", TypeBlob, 8)
	RemoveCode      = def("RemoveCode", TypeBlob, 9)
	ExpireCode      = def("ExpireCode", TypeBlob, 10)
	CreateCode      = def("CreateCode", TypeBlob, 11)
	MemoType        = def("MemoType", TypeBlob, 12)
	MemoData        = def("MemoData", TypeBlob, 13)
	MemoFormat      = def("MemoFormat", TypeBlob, 14)
	Payload         = def("Payload", TypeBlob, 15) // skywelld 0.29 has Nickname here
	ContractMethod  = def("ContractMethod", TypeBlob, 17)
	Parameter       = def("Parameter", TypeBlob, 18)
	MethodSignature = def("MethodSignature", TypeBlob, 20)
	InfoData        = def("InfoData", TypeBlob, 21)
	InfoType        = def("InfoType", TypeBlob, 22)
)

// AccountID
var (
	Account            = def("Account", TypeAccount, 1)
	Owner              = def("Owner", TypeAccount, 2)
	Destination        = def("Destination", TypeAccount, 3)
	Issuer             = def("Issuer", TypeAccount, 4)
	Target             = def("Target", TypeAccount, 7)
	RegularKey         = def("RegularKey", TypeAccount, 8)
	FeeAccountID       = def("FeeAccountID", TypeAccount, 9)
	BlackListAccountID = def("BlackListAccountID", TypeAccount, 10)
	IssuerAccountID    = def("IssuerAccountID", TypeAccount, 11)
	Platform           = def("Platform", TypeAccount, 13)
	TokenOwner         = def("TokenOwner", TypeAccount, 14)
	AuthorizedAccount  = def("AuthorizedAccount", TypeAccount, 15)
)

// STObject (14/1 is the end-of-object marker)
var (
	TransactionMetaData = def("TransactionMetaData", TypeObject, 2)
	CreatedNode         = def("CreatedNode", TypeObject, 3)
	DeletedNode         = def("DeletedNode", TypeObject, 4)
	ModifiedNode        = def("ModifiedNode", TypeObject, 5)
	PreviousFields      = def("PreviousFields", TypeObject, 6)
	FinalFields         = def("FinalFields", TypeObject, 7)
	NewFields           = def("NewFields", TypeObject, 8)
	TemplateEntry       = def("TemplateEntry", TypeObject, 9)
	Memo                = def("Memo", TypeObject, 10)
	Arg                 = def("Arg", TypeObject, 11)         // Jingtum contracts; rippled SignerEntry
	SignerEntry         = def("SignerEntry", TypeObject, 12) // Jingtum's code, not rippled's 14/11
	Signer              = def("Signer", TypeObject, 13)      // Jingtum's code, not rippled's 14/16
	TokenInfo           = def("TokenInfo", TypeObject, 15)
)

// STArray (15/1 is the end-of-array marker)
var (
	SigningAccounts = def("SigningAccounts", TypeArray, 2)
	TxnSignatures   = def("TxnSignatures", TypeArray, 3, notSigning())
	Signatures      = def("Signatures", TypeArray, 4)
	Template        = def("Template", TypeArray, 5)
	Necessary       = def("Necessary", TypeArray, 6)
	Sufficient      = def("Sufficient", TypeArray, 7)
	AffectedNodes   = def("AffectedNodes", TypeArray, 8)
	Memos           = def("Memos", TypeArray, 9)
	Args            = def("Args", TypeArray, 10)
	SignerEntries   = def("SignerEntries", TypeArray, 11)         // Jingtum's code, not rippled's 15/4
	Signers         = def("Signers", TypeArray, 12, notSigning()) // Jingtum's code, not rippled's 15/3
	TokenInfos      = def("TokenInfos", TypeArray, 14)
)

// UInt8
var (
	CloseResolution    = def("CloseResolution", TypeUInt8, 1)
	TemplateEntryType  = def("TemplateEntryType", TypeUInt8, 2)
	TransactionResult  = def("TransactionResult", TypeUInt8, 3)
	ContractParamsType = def("ContractParamsType", TypeUInt8, 4)
)

// Hash160
var (
	TakerPaysCurrency = def("TakerPaysCurrency", TypeHash160, 1)
	TakerPaysIssuer   = def("TakerPaysIssuer", TypeHash160, 2)
	TakerGetsCurrency = def("TakerGetsCurrency", TypeHash160, 3)
	TakerGetsIssuer   = def("TakerGetsIssuer", TypeHash160, 4)
)

// PathSet
var (
	Paths = def("Paths", TypePathSet, 1)
)

// Vector256
var (
	Indexes    = def("Indexes", TypeVector256, 1, meta(MetaNever))
	Hashes     = def("Hashes", TypeVector256, 2)
	Amendments = def("Amendments", TypeVector256, 3)
)

// jtchain extensions. Each new field goes here with a comment saying what it
// is for, and in spec/jingtum-wire.md when it lands.
//
// Codes: field numbers 200 and up in each type. Jingtum's table (the JS
// libraries'), the jingtum-core 0.29.60 variant and the alternative codes in
// the swtclib docs (spec/jingtum-wire.md §4.3, §11) all stay below 40, and
// rippled's below 100, so no existing client or rippled-derived field can
// collide. Any number from 16 up has a two-byte header, so 200 costs nothing.
//
// Validator set and "proof of application" (DESIGN.md §1, spec/rbft.md §1;
// host/ledger validatorset.go, validatorapply.go, validatorvote.go):
var (
	// ValidatorAction says what a ValidatorVote approves and what a pending
	// ValidatorChange does: 1 add the validator, 2 remove it.
	ValidatorAction = def("ValidatorAction", TypeUInt32, 200)
	// EffectiveLedger is the first ledger sequence whose consensus uses the
	// validator set with a ValidatorChange applied (decided at h, effective at h+2).
	EffectiveLedger = def("EffectiveLedger", TypeUInt32, 201)

	// NodePublicKey is a validator's 33-byte node public key (secp256k1 or
	// 0xED-prefixed ed25519): the key that signs its consensus messages.
	// Its account (crypto.AccountIDFromPublicKey) is the validator's account.
	NodePublicKey = def("NodePublicKey", TypeBlob, 200)
	// VRFPublicKey is a validator's 32-byte ECVRF-EDWARDS25519-SHA512 public
	// key, which verifies the proofs that seed the proposer order.
	VRFPublicKey = def("VRFPublicKey", TypeBlob, 201)

	// Validator is one member of a validator set: NodePublicKey, VRFPublicKey
	// and Account (the account of NodePublicKey).
	Validator = def("Validator", TypeObject, 200)
	// ValidatorChange is a scheduled change of the validator set: the
	// Validator fields plus ValidatorAction and EffectiveLedger.
	ValidatorChange = def("ValidatorChange", TypeObject, 201)
	// Approval is one validator's approval of an application or removal: its Account.
	Approval = def("Approval", TypeObject, 202)

	// Validators is the ValidatorSet entry's members: Validator objects
	// sorted by Account.
	Validators = def("Validators", TypeArray, 200)
	// ValidatorChanges is the ValidatorSet entry's scheduled changes:
	// ValidatorChange objects sorted by (EffectiveLedger, Account).
	ValidatorChanges = def("ValidatorChanges", TypeArray, 201)
	// Approvals lists the validators that approved a ValidatorApplication or
	// ValidatorRemoval entry: Approval objects sorted by Account, no duplicates.
	Approvals = def("Approvals", TypeArray, 202)
)

// Equivocation evidence (spec/rbft.md §1f.3, rule R12; host/ledger
// evidence.go): the Evidence pseudo-transaction and the ValidatorEvidence
// entry it creates.
var (
	// Offender is the validator the evidence convicts: the account of its
	// node public key (crypto.AccountIDFromPublicKey), as in Validator.Account.
	Offender = def("Offender", TypeAccount, 200)
	// EvidenceData is the encoded evidence (a DuplicateVote or
	// ConflictingProposal in the consensus wire format), opaque to the
	// ledger, at most ledger.MaxEvidenceSize bytes.
	EvidenceData = def("EvidenceData", TypeBlob, 202)
)

// Block-level hash records (host/ledger records.go): the record fee in the
// FeeSettings entry and the BLHRRecord entry that marks a signed record
// sealed.
var (
	// RecordFee is the fee in drops a signed BLHR record costs its signer.
	// FeeSettings carries it only when it differs from the default.
	RecordFee = def("RecordFee", TypeUInt64, 200)
	// RecordID is a BLHR record's id (SHA512Half("BLR\0" ‖ encoding)).
	RecordID = def("RecordID", TypeHash256, 200)
)
