package rpc

import "fmt"

// errorCode is skywelld's error_code_i (src/protocol/ErrorCodes.h). The
// numbers are Jingtum's: skywelld 0.29 numbers them differently from modern
// rippled (actNotFound is 18, invalidParams 29, txBlobInvalid 63), and the
// JS libraries show whatever the node sends, so these must not change.
type errorCode int

const (
	rpcBAD_SYNTAX errorCode = iota + 1
	rpcJSON_RPC
	rpcFORBIDDEN
	rpcGENERAL
	rpcLOAD_FAILED
	rpcNO_PERMISSION
	rpcNO_EVENTS
	rpcNOT_STANDALONE
	rpcTOO_BUSY
	rpcSLOW_DOWN
	rpcHIGH_FEE
	rpcNOT_ENABLED
	rpcNOT_READY
	rpcNO_CLOSED
	rpcNO_CURRENT
	rpcNO_NETWORK
	rpcACT_EXISTS
	rpcACT_NOT_FOUND
	rpcINSUF_FUNDS
	rpcLGR_NOT_FOUND
	rpcMASTER_DISABLED
	rpcNO_ACCOUNT
	rpcNO_PATH
	rpcPASSWD_CHANGED
	rpcSRC_MISSING
	rpcSRC_UNCLAIMED
	rpcTXN_NOT_FOUND
	rpcWRONG_SEED
	rpcINVALID_PARAMS
	rpcUNKNOWN_COMMAND
	rpcNO_PF_REQUEST
	rpcACT_BITCOIN
	rpcACT_MALFORMED
	rpcARRAY_IS_EMPTY
	rpcQUALITY_MALFORMED
	rpcBAD_BLOB
	rpcBAD_FEATURE
	rpcBAD_ISSUER
	rpcBAD_MARKET
	rpcBAD_SECRET
	rpcBAD_SEED
	rpcCOMMAND_MISSING
	rpcDST_ACT_MALFORMED
	rpcDST_ACT_MISSING
	rpcDST_AMT_MALFORMED
	rpcDST_ISR_MALFORMED
	rpcGETS_ACT_MALFORMED
	rpcGETS_AMT_MALFORMED
	rpcHOST_IP_MALFORMED
	rpcLGR_IDXS_INVALID
	rpcLGR_IDX_MALFORMED
	rpcPAYS_ACT_MALFORMED
	rpcPAYS_AMT_MALFORMED
	rpcPORT_MALFORMED
	rpcPUBLIC_MALFORMED
	rpcSRC_ACT_MALFORMED
	rpcSRC_ACT_MISSING
	rpcSRC_ACT_NOT_FOUND
	rpcSRC_AMT_MALFORMED
	rpcSRC_CUR_MALFORMED
	rpcSRC_ISR_MALFORMED
	rpcATX_DEPRECATED
	rpcTX_BLOB_INVALID
	rpcINTERNAL
	rpcNOT_IMPL
	rpcNOT_SUPPORTED
)

// errorInfo is a token and default message (src/protocol/impl/ErrorCodes.cpp).
type errorInfo struct{ token, message string }

var errorTable = map[errorCode]errorInfo{
	rpcACT_BITCOIN:        {"actBitcoin", "Account is bitcoin address."},
	rpcACT_EXISTS:         {"actExists", "Account already exists."},
	rpcACT_MALFORMED:      {"actMalformed", "Account malformed."},
	rpcACT_NOT_FOUND:      {"actNotFound", "Account not found."},
	rpcATX_DEPRECATED:     {"deprecated", "Use the new API or specify a ledger range."},
	rpcBAD_BLOB:           {"badBlob", "Blob must be a non-empty hex string."},
	rpcBAD_FEATURE:        {"badFeature", "Feature unknown or invalid."},
	rpcBAD_ISSUER:         {"badIssuer", "Issuer account malformed."},
	rpcBAD_MARKET:         {"badMarket", "No such market."},
	rpcBAD_SECRET:         {"badSecret", "Secret does not match account."},
	rpcBAD_SEED:           {"badSeed", "Disallowed seed."},
	rpcBAD_SYNTAX:         {"badSyntax", "Syntax error."},
	rpcCOMMAND_MISSING:    {"commandMissing", "Missing command entry."},
	rpcDST_ACT_MALFORMED:  {"dstActMalformed", "Destination account is malformed."},
	rpcDST_ACT_MISSING:    {"dstActMissing", "Destination account does not exist."},
	rpcDST_AMT_MALFORMED:  {"dstAmtMalformed", "Destination amount/currency/issuer is malformed."},
	rpcDST_ISR_MALFORMED:  {"dstIsrMalformed", "Destination issuer is malformed."},
	rpcFORBIDDEN:          {"forbidden", "Bad credentials."},
	rpcGENERAL:            {"general", "Generic error reason."},
	rpcGETS_ACT_MALFORMED: {"getsActMalformed", "Gets account malformed."},
	rpcGETS_AMT_MALFORMED: {"getsAmtMalformed", "Gets amount malformed."},
	rpcHIGH_FEE:           {"highFee", "Current transaction fee exceeds your limit."},
	rpcHOST_IP_MALFORMED:  {"hostIpMalformed", "Host IP is malformed."},
	rpcINSUF_FUNDS:        {"insufFunds", "Insufficient funds."},
	rpcINTERNAL:           {"internal", "Internal error."},
	rpcINVALID_PARAMS:     {"invalidParams", "Invalid parameters."},
	rpcJSON_RPC:           {"json_rpc", "JSON-RPC transport error."},
	rpcLGR_IDXS_INVALID:   {"lgrIdxsInvalid", "Ledger indexes invalid."},
	rpcLGR_IDX_MALFORMED:  {"lgrIdxMalformed", "Ledger index malformed."},
	rpcLGR_NOT_FOUND:      {"lgrNotFound", "Ledger not found."},
	rpcLOAD_FAILED:        {"loadFailed", "Load failed"},
	rpcMASTER_DISABLED:    {"masterDisabled", "Master key is disabled."},
	rpcNOT_ENABLED:        {"notEnabled", "Not enabled in configuration."},
	rpcNOT_IMPL:           {"notImpl", "Not implemented."},
	rpcNOT_READY:          {"notReady", "Not ready to handle this request."},
	rpcNOT_STANDALONE:     {"notStandAlone", "Operation valid in debug mode only."},
	rpcNOT_SUPPORTED:      {"notSupported", "Operation not supported."},
	rpcNO_ACCOUNT:         {"noAccount", "No such account."},
	rpcNO_CLOSED:          {"noClosed", "Closed ledger is unavailable."},
	rpcNO_CURRENT:         {"noCurrent", "Current ledger is unavailable."},
	rpcNO_EVENTS:          {"noEvents", "Current transport does not support events."},
	rpcNO_NETWORK:         {"noNetwork", "Not synced to Skywell network."},
	rpcNO_PATH:            {"noPath", "Unable to find a skywell path."},
	rpcNO_PERMISSION:      {"noPermission", "You don't have permission for this command."},
	rpcNO_PF_REQUEST:      {"noPathRequest", "No pathfinding request in progress."},
	rpcPASSWD_CHANGED:     {"passwdChanged", "Wrong key, password changed."},
	rpcPAYS_ACT_MALFORMED: {"paysActMalformed", "Pays account malformed."},
	rpcPAYS_AMT_MALFORMED: {"paysAmtMalformed", "Pays amount malformed."},
	rpcPORT_MALFORMED:     {"portMalformed", "Port is malformed."},
	rpcPUBLIC_MALFORMED:   {"publicMalformed", "Public key is malformed."},
	rpcQUALITY_MALFORMED:  {"qualityMalformed", "Quality malformed."},
	rpcSLOW_DOWN:          {"slowDown", "You are placing too much load on the server."},
	rpcSRC_ACT_MALFORMED:  {"srcActMalformed", "Source account is malformed."},
	rpcSRC_ACT_MISSING:    {"srcActMissing", "Source account not provided."},
	rpcSRC_ACT_NOT_FOUND:  {"srcActNotFound", "Source account not found."},
	rpcSRC_AMT_MALFORMED:  {"srcAmtMalformed", "Source amount/currency/issuer is malformed."},
	rpcSRC_CUR_MALFORMED:  {"srcCurMalformed", "Source currency is malformed."},
	rpcSRC_ISR_MALFORMED:  {"srcIsrMalformed", "Source issuer is malformed."},
	rpcSRC_MISSING:        {"srcMissing", "Source is missing."},
	rpcSRC_UNCLAIMED:      {"srcUnclaimed", "Source account is not claimed."},
	rpcTOO_BUSY:           {"tooBusy", "The server is too busy to help you now."},
	rpcTXN_NOT_FOUND:      {"txnNotFound", "Transaction not found."},
	rpcUNKNOWN_COMMAND:    {"unknownCmd", "Unknown method."},
	rpcWRONG_SEED:         {"wrongSeed", "The regular key does not point as the master key."},
	rpcTX_BLOB_INVALID:    {"txBlobInvalid", "The tx_blob is an invalid parameter, parsing failure."},
	rpcARRAY_IS_EMPTY:     {"arrayIsEmpty", "Array is empty."},
}

// rpcError is a handler's error. It is lifted to the top level of a
// WebSocket response (Connection.h) and into "result" over JSON-RPC.
type rpcError struct {
	token   string
	code    errorCode // 0 for skywelld's legacy string-only errors
	message string
	// exception is error_exception (invalidTransaction, internalSubmit).
	exception string
	// extra fields sent beside the error (account_info sends the account
	// and the ledger it looked in).
	extra map[string]any
}

func (e *rpcError) Error() string { return e.token + ": " + e.message }

// newError is the table's error with its default message.
func newError(c errorCode) *rpcError {
	info, ok := errorTable[c]
	if !ok {
		return &rpcError{token: "unknown", code: c, message: "An unknown error code."}
	}
	return &rpcError{token: info.token, code: c, message: info.message}
}

// errorf is the table's error with a specific message, as rippled's
// make_error(code, message).
func errorf(c errorCode, format string, args ...any) *rpcError {
	e := newError(c)
	e.message = fmt.Sprintf(format, args...)
	return e
}

// legacyError is one of skywelld's errors that carry only a token
// (entryNotFound, unknownStream, malformedAddress, ...). skywelld sends no
// error_code for them; jtchain adds an error_message because swtc-lib
// shows nothing else.
func legacyError(token, message string) *rpcError {
	return &rpcError{token: token, message: message}
}

// Parameter errors worded as rippled words them (ErrorCodes.h).
func missingField(name string) *rpcError {
	return errorf(rpcINVALID_PARAMS, "Missing field '%s'.", name)
}

func invalidField(name string) *rpcError {
	return errorf(rpcINVALID_PARAMS, "Invalid field '%s'.", name)
}

func expectedField(name, typ string) *rpcError {
	return errorf(rpcINVALID_PARAMS, "Invalid field '%s', not %s.", name, typ)
}

func objectField(name string) *rpcError {
	return errorf(rpcINVALID_PARAMS, "Invalid field '%s', not object.", name)
}

// fields returns the error's members of a response object.
func (e *rpcError) fields() map[string]any {
	m := make(map[string]any, 4+len(e.extra))
	for k, v := range e.extra {
		m[k] = v
	}
	m["error"] = e.token
	if e.code != 0 {
		m["error_code"] = int(e.code)
	}
	m["error_message"] = e.message
	if e.exception != "" {
		m["error_exception"] = e.exception
	}
	return m
}
