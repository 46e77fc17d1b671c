// Package ter holds transaction engine results: the numeric codes, tokens and
// messages that appear in metadata (TransactionResult) and in API responses
// (engine_result, engine_result_code, engine_result_message).
//
// Codes and texts are skywelld's (Jingtum's rippled 0.29 fork). The ranges
// decide what a result means for the ledger:
//
//	tel -399..-300  local: not applied, not relayed
//	tem -299..-200  malformed: cannot succeed in any ledger
//	tef -199..-100  failure: not applied (e.g. sequence already used)
//	ter  -99..-1    retry: might succeed later
//	tes  0          success: applied
//	tec  100..255   claimed: the fee is taken and the sequence consumed, no other effect
//
// Only tes and tec results are ever written into a ledger.
package ter

import "fmt"

// Code is a transaction engine result.
type Code int32

// Local errors.
const (
	TelLOCAL_ERROR Code = -399 + iota
	TelBAD_DOMAIN
	TelBAD_PATH_COUNT
	TelBAD_PUBLIC_KEY
	TelFAILED_PROCESSING
	TelINSUF_FEE_P
	TelNO_DST_PARTIAL
	TelBLKLIST
	TelINSUF_FUND
	TelBAD_NICKNAME
)

// Malformed transactions.
const (
	TemMALFORMED Code = -299 + iota
	TemBAD_AMOUNT
	TemBAD_AUTH_MASTER
	TemBAD_CURRENCY
	TemBAD_EXPIRATION
	TemBAD_FEE
	TemBAD_ISSUER
	TemBAD_LIMIT
	TemBAD_QUORUM
	TemBAD_WEIGHT
	TemBAD_OFFER
	TemBAD_PATH
	TemBAD_PATH_LOOP
	TemBAD_SEND_SWT_LIMIT
	TemBAD_SEND_SWT_MAX
	TemBAD_SEND_SWT_NO_DIRECT
	TemBAD_SEND_SWT_PARTIAL
	TemBAD_SEND_SWT_PATHS
	TemBAD_SEQUENCE
	TemBAD_SIGNATURE
	TemBAD_SRC_ACCOUNT
	TemBAD_TRANSFER_RATE
	TemDST_IS_SRC
	TemDST_NEEDED
	TemINVALID
	TemINVALID_FLAG
	TemREDUNDANT
	TemREDUNDANTSIGN
	TemSKYWELL_EMPTY
	TemDISABLED
	TemUNCERTAIN
	TemUNKNOWN
)

// Failures. The last four are rippled's multi-signing results, at the same
// numbers rippled gives them; skywelld 0.29 predates them.
const (
	TefFAILURE Code = -199 + iota
	TefALREADY
	TefBAD_ADD_AUTH
	TefBAD_AUTH
	TefBAD_LEDGER
	TefCREATED
	TefEXCEPTION
	TefINTERNAL
	TefNO_AUTH_REQUIRED
	TefPAST_SEQ
	TefWRONG_PRIOR
	TefMASTER_DISABLED
	TefMAX_LEDGER
	TefBAD_SIGNATURE
	TefBAD_QUORUM
	TefNOT_MULTI_SIGNING
	TefBAD_AUTH_MASTER
)

// Retries.
const (
	TerRETRY Code = -99 + iota
	TerFUNDS_SPENT
	TerINSUF_FEE_B
	TerNO_ACCOUNT
	TerNO_AUTH
	TerNO_LINE
	TerOWNERS
	TerPRE_SEQ
	TerLAST
	TerNO_SKYWELL
)

// Success.
const TesSUCCESS Code = 0

// Claimed-fee results. These numbers are stored in ledgers and never change.
const (
	TecCLAIM                 Code = 100
	TecPATH_PARTIAL          Code = 101
	TecUNFUNDED_ADD          Code = 102
	TecUNFUNDED_OFFER        Code = 103
	TecUNFUNDED_PAYMENT      Code = 104
	TecFAILED_PROCESSING     Code = 105
	TecDIR_FULL              Code = 121
	TecINSUF_RESERVE_LINE    Code = 122
	TecINSUF_RESERVE_OFFER   Code = 123
	TecNO_DST                Code = 124
	TecNO_DST_INSUF_SWT      Code = 125
	TecNO_LINE_INSUF_RESERVE Code = 126
	TecNO_LINE_REDUNDANT     Code = 127
	TecPATH_DRY              Code = 128
	TecUNFUNDED              Code = 129
	TecMASTER_DISABLED       Code = 130
	TecNO_REGULAR_KEY        Code = 131
	TecOWNERS                Code = 132
	TecNO_ISSUER             Code = 133
	TecNO_AUTH               Code = 134
	TecNO_LINE               Code = 135
	TecINSUFF_FEE            Code = 136
	TecFROZEN                Code = 137
	TecNO_TARGET             Code = 138
	TecNO_PERMISSION         Code = 139
	TecNO_ENTRY              Code = 140
	TecINSUFFICIENT_RESERVE  Code = 141
	TecNEED_MASTER_KEY       Code = 142
	TecDST_TAG_NEEDED        Code = 143
	TecINTERNAL              Code = 144
)

type info struct{ token, text string }

var table = map[Code]info{
	TecCLAIM:                 {"tecCLAIM", "Fee claimed. Sequence used. No action."},
	TecDIR_FULL:              {"tecDIR_FULL", "Can not add entry to full directory."},
	TecFAILED_PROCESSING:     {"tecFAILED_PROCESSING", "Failed to correctly process transaction."},
	TecINSUF_RESERVE_LINE:    {"tecINSUF_RESERVE_LINE", "Insufficient reserve to add trust line."},
	TecINSUF_RESERVE_OFFER:   {"tecINSUF_RESERVE_OFFER", "Insufficient reserve to create offer."},
	TecNO_DST:                {"tecNO_DST", "Destination does not exist. Send SWT to create it."},
	TecNO_DST_INSUF_SWT:      {"tecNO_DST_INSUF_SWT", "Destination does not exist. Too little SWT sent to create it."},
	TecNO_LINE_INSUF_RESERVE: {"tecNO_LINE_INSUF_RESERVE", "No such line. Too little reserve to create it."},
	TecNO_LINE_REDUNDANT:     {"tecNO_LINE_REDUNDANT", "Can't set non-existent line to default."},
	TecPATH_DRY:              {"tecPATH_DRY", "Path could not send partial amount."},
	TecPATH_PARTIAL:          {"tecPATH_PARTIAL", "Path could not send full amount."},
	TecMASTER_DISABLED:       {"tecMASTER_DISABLED", "Master key is disabled."},
	TecNO_REGULAR_KEY:        {"tecNO_REGULAR_KEY", "Regular key is not set."},
	TecUNFUNDED:              {"tecUNFUNDED", "One of _ADD, _OFFER, or _SEND. Deprecated."},
	TecUNFUNDED_ADD:          {"tecUNFUNDED_ADD", "Insufficient SWT balance for WalletAdd."},
	TecUNFUNDED_OFFER:        {"tecUNFUNDED_OFFER", "Insufficient balance to fund created offer."},
	TecUNFUNDED_PAYMENT:      {"tecUNFUNDED_PAYMENT", "Insufficient SWT balance to send."},
	TecOWNERS:                {"tecOWNERS", "Non-zero owner count."},
	TecNO_ISSUER:             {"tecNO_ISSUER", "Issuer account does not exist."},
	TecNO_AUTH:               {"tecNO_AUTH", "Not authorized to hold asset."},
	TecNO_LINE:               {"tecNO_LINE", "No such line."},
	TecINSUFF_FEE:            {"tecINSUFF_FEE", "Insufficient balance to pay fee."},
	TecFROZEN:                {"tecFROZEN", "Asset is frozen."},
	TecNO_TARGET:             {"tecNO_TARGET", "Target account does not exist."},
	TecNO_PERMISSION:         {"tecNO_PERMISSION", "No permission to perform requested operation."},
	TecNO_ENTRY:              {"tecNO_ENTRY", "No matching entry found."},
	TecINSUFFICIENT_RESERVE:  {"tecINSUFFICIENT_RESERVE", "Insufficient reserve to complete requested operation."},
	TecNEED_MASTER_KEY:       {"tecNEED_MASTER_KEY", "The operation requires the use of the Master Key."},
	TecDST_TAG_NEEDED:        {"tecDST_TAG_NEEDED", "A destination tag is required."},
	TecINTERNAL:              {"tecINTERNAL", "An internal error has occurred during processing."},

	TefALREADY:           {"tefALREADY", "The exact transaction was already in this ledger."},
	TefBAD_ADD_AUTH:      {"tefBAD_ADD_AUTH", "Not authorized to add account."},
	TefBAD_AUTH:          {"tefBAD_AUTH", "Transaction's public key is not authorized."},
	TefBAD_LEDGER:        {"tefBAD_LEDGER", "Ledger in unexpected state."},
	TefCREATED:           {"tefCREATED", "Can't add an already created account."},
	TefEXCEPTION:         {"tefEXCEPTION", "Unexpected program state."},
	TefFAILURE:           {"tefFAILURE", "Failed to apply."},
	TefINTERNAL:          {"tefINTERNAL", "Internal error."},
	TefMASTER_DISABLED:   {"tefMASTER_DISABLED", "Master key is disabled."},
	TefMAX_LEDGER:        {"tefMAX_LEDGER", "Ledger sequence too high."},
	TefNO_AUTH_REQUIRED:  {"tefNO_AUTH_REQUIRED", "Auth is not required."},
	TefPAST_SEQ:          {"tefPAST_SEQ", "This sequence number has already past."},
	TefWRONG_PRIOR:       {"tefWRONG_PRIOR", "This previous transaction does not match."},
	TefBAD_SIGNATURE:     {"tefBAD_SIGNATURE", "A signature is provided for a non-signer."},
	TefBAD_QUORUM:        {"tefBAD_QUORUM", "Signatures provided do not meet the quorum."},
	TefNOT_MULTI_SIGNING: {"tefNOT_MULTI_SIGNING", "Account has no appropriate list of multi-signers."},
	TefBAD_AUTH_MASTER:   {"tefBAD_AUTH_MASTER", "Auth for unclaimed account needs correct master key."},

	TelLOCAL_ERROR:       {"telLOCAL_ERROR", "Local failure."},
	TelBAD_DOMAIN:        {"telBAD_DOMAIN", "Domain too long."},
	TelBAD_PATH_COUNT:    {"telBAD_PATH_COUNT", "Malformed: Too many paths."},
	TelBAD_PUBLIC_KEY:    {"telBAD_PUBLIC_KEY", "Public key too long."},
	TelFAILED_PROCESSING: {"telFAILED_PROCESSING", "Failed to correctly process transaction."},
	TelINSUF_FEE_P:       {"telINSUF_FEE_P", "Fee insufficient."},
	TelNO_DST_PARTIAL:    {"telNO_DST_PARTIAL", "Partial payment to create account not allowed."},
	TelBLKLIST:           {"telBLKLIST", "Tx disable for blacklist."},
	TelINSUF_FUND:        {"telINSUF_FUND", "Fund insufficient."},
	TelBAD_NICKNAME:      {"telBAD_NICKNAME", "Nickname is invalid."},

	TemMALFORMED:              {"temMALFORMED", "Malformed transaction."},
	TemBAD_AMOUNT:             {"temBAD_AMOUNT", "Can only send positive amounts."},
	TemBAD_AUTH_MASTER:        {"temBAD_AUTH_MASTER", "Auth for unclaimed account needs correct master key."},
	TemBAD_CURRENCY:           {"temBAD_CURRENCY", "Malformed: Bad currency."},
	TemBAD_EXPIRATION:         {"temBAD_EXPIRATION", "Malformed: Bad expiration."},
	TemBAD_FEE:                {"temBAD_FEE", "Invalid fee, negative or not SWT."},
	TemBAD_ISSUER:             {"temBAD_ISSUER", "Malformed: Bad issuer."},
	TemBAD_LIMIT:              {"temBAD_LIMIT", "Limits must be non-negative."},
	TemBAD_QUORUM:             {"temBAD_QUORUM", "Quorums must be non-negative."},
	TemBAD_WEIGHT:             {"temBAD_WEIGHT", "Weights must be non-negative."},
	TemBAD_OFFER:              {"temBAD_OFFER", "Malformed: Bad offer."},
	TemBAD_PATH:               {"temBAD_PATH", "Malformed: Bad path."},
	TemBAD_PATH_LOOP:          {"temBAD_PATH_LOOP", "Malformed: Loop in path."},
	TemBAD_SEND_SWT_LIMIT:     {"temBAD_SEND_SWT_LIMIT", "Malformed: Limit quality is not allowed for SWT to SWT."},
	TemBAD_SEND_SWT_MAX:       {"temBAD_SEND_SWT_MAX", "Malformed: Send max is not allowed for SWT to SWT."},
	TemBAD_SEND_SWT_NO_DIRECT: {"temBAD_SEND_SWT_NO_DIRECT", "Malformed: No Skywell direct is not allowed for SWT to SWT."},
	TemBAD_SEND_SWT_PARTIAL:   {"temBAD_SEND_SWT_PARTIAL", "Malformed: Partial payment is not allowed for SWT to SWT."},
	TemBAD_SEND_SWT_PATHS:     {"temBAD_SEND_SWT_PATHS", "Malformed: Paths are not allowed for SWT to SWT."},
	TemBAD_SEQUENCE:           {"temBAD_SEQUENCE", "Malformed: Sequence is not in the past."},
	TemBAD_SIGNATURE:          {"temBAD_SIGNATURE", "Malformed: Bad signature."},
	TemBAD_SRC_ACCOUNT:        {"temBAD_SRC_ACCOUNT", "Malformed: Bad source account."},
	TemBAD_TRANSFER_RATE:      {"temBAD_TRANSFER_RATE", "Malformed: Transfer rate must be >= 1.0"},
	TemDST_IS_SRC:             {"temDST_IS_SRC", "Destination may not be source."},
	TemDST_NEEDED:             {"temDST_NEEDED", "Destination not specified."},
	TemINVALID:                {"temINVALID", "The transaction is ill-formed."},
	TemINVALID_FLAG:           {"temINVALID_FLAG", "The transaction has an invalid flag."},
	TemREDUNDANT:              {"temREDUNDANT", "Sends same currency to self."},
	TemREDUNDANTSIGN:          {"temREDUNDANTSIGN", "Add self as additional sign."},
	TemSKYWELL_EMPTY:          {"temSKYWELL_EMPTY", "PathSet with no paths."},
	TemUNCERTAIN:              {"temUNCERTAIN", "In process of determining result. Never returned."},
	TemUNKNOWN:                {"temUNKNOWN", "The transaction requires logic that is not implemented yet."},
	TemDISABLED:               {"temDISABLED", "The transaction requires logic that is currently disabled."},

	TerRETRY:       {"terRETRY", "Retry transaction."},
	TerFUNDS_SPENT: {"terFUNDS_SPENT", "Can't set password, password set funds already spent."},
	TerINSUF_FEE_B: {"terINSUF_FEE_B", "Account balance can't pay fee."},
	TerLAST:        {"terLAST", "Process last."},
	TerNO_SKYWELL:  {"terNO_SKYWELL", "Path does not permit rippling."},
	TerNO_ACCOUNT:  {"terNO_ACCOUNT", "The source account does not exist."},
	TerNO_AUTH:     {"terNO_AUTH", "Not authorized to hold IOUs."},
	TerNO_LINE:     {"terNO_LINE", "No such line."},
	TerPRE_SEQ:     {"terPRE_SEQ", "Missing/inapplicable prior transaction."},
	TerOWNERS:      {"terOWNERS", "Non-zero owner count."},

	TesSUCCESS: {"tesSUCCESS", "The transaction was applied. Only final in a validated ledger."},
}

var byToken = func() map[string]Code {
	m := make(map[string]Code, len(table))
	for c, i := range table {
		m[i.token] = c
	}
	return m
}()

// Token returns the result's name, such as "tecNO_DST".
func (c Code) Token() string {
	if i, ok := table[c]; ok {
		return i.token
	}
	return fmt.Sprintf("ter(%d)", int32(c))
}

// Message returns the human-readable explanation of the result.
func (c Code) Message() string {
	if i, ok := table[c]; ok {
		return i.text
	}
	return "Unknown result."
}

func (c Code) String() string { return c.Token() }

// Known reports whether c is a defined result.
func (c Code) Known() bool { _, ok := table[c]; return ok }

// Parse returns the code for a token such as "tesSUCCESS".
func Parse(token string) (Code, bool) {
	c, ok := byToken[token]
	return c, ok
}

// IsTel reports a local error.
func (c Code) IsTel() bool { return c >= -399 && c < -299 }

// IsTem reports a malformed transaction.
func (c Code) IsTem() bool { return c >= -299 && c < -199 }

// IsTef reports a failure.
func (c Code) IsTef() bool { return c >= -199 && c < -99 }

// IsTer reports a retriable result.
func (c Code) IsTer() bool { return c >= -99 && c < 0 }

// IsTes reports success.
func (c Code) IsTes() bool { return c == TesSUCCESS }

// IsTec reports a claimed-fee result.
func (c Code) IsTec() bool { return c >= 100 && c <= 255 }

// Applied reports whether a transaction with this result is included in the
// ledger: tes and tec results claim the fee and consume the sequence; every
// other result changes nothing.
func (c Code) Applied() bool { return c.IsTes() || c.IsTec() }
