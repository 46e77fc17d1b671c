package ledger

// Transaction flags (spec/jingtum-wire.md §4.2; rippled's values).
const (
	tfFullyCanonicalSig uint32 = 0x80000000
	tfUniversal                = tfFullyCanonicalSig

	// Payment
	TfNoSkywellDirect uint32 = 0x00010000
	TfPartialPayment  uint32 = 0x00020000
	TfLimitQuality    uint32 = 0x00040000

	// TrustSet
	TfSetAuth        uint32 = 0x00010000
	TfSetNoSkywell   uint32 = 0x00020000
	TfClearNoSkywell uint32 = 0x00040000
	TfSetFreeze      uint32 = 0x00100000
	TfClearFreeze    uint32 = 0x00200000

	// AccountSet (legacy flag forms of some asf values)
	TfRequireDestTag  uint32 = 0x00010000
	TfOptionalDestTag uint32 = 0x00020000
	TfRequireAuth     uint32 = 0x00040000
	TfOptionalAuth    uint32 = 0x00080000
	TfDisallowSWT     uint32 = 0x00100000
	TfAllowSWT        uint32 = 0x00200000
)

// AccountSet SetFlag / ClearFlag values.
const (
	AsfRequireDest   uint32 = 1
	AsfRequireAuth   uint32 = 2
	AsfDisallowSWT   uint32 = 3
	AsfDisableMaster uint32 = 4
	AsfAccountTxnID  uint32 = 5
	AsfNoFreeze      uint32 = 6
	AsfGlobalFreeze  uint32 = 7
)

// AccountRoot flags.
const (
	LsfPasswordSpent  uint32 = 0x00010000
	LsfRequireDestTag uint32 = 0x00020000
	LsfRequireAuth    uint32 = 0x00040000
	LsfDisallowSWT    uint32 = 0x00080000
	LsfDisableMaster  uint32 = 0x00100000
	LsfNoFreeze       uint32 = 0x00200000
	LsfGlobalFreeze   uint32 = 0x00400000
)

// SkywellState (trust line) flags: each side has its own reserve, auth,
// no-skywell and freeze bit.
const (
	LsfLowReserve    uint32 = 0x00010000
	LsfHighReserve   uint32 = 0x00020000
	LsfLowAuth       uint32 = 0x00040000
	LsfHighAuth      uint32 = 0x00080000
	LsfLowNoSkywell  uint32 = 0x00100000
	LsfHighNoSkywell uint32 = 0x00200000
	LsfLowFreeze     uint32 = 0x00400000
	LsfHighFreeze    uint32 = 0x00800000
)

// Relation types of RelationSet / RelationDel and the account_relation query.
const (
	RelationTrust     uint32 = 0 // query only: trust lines
	RelationAuthorize uint32 = 1
	RelationFreeze    uint32 = 3
)

// QualityOne is a quality or transfer rate of 1.0 (parts per billion).
const QualityOne uint32 = 1_000_000_000
