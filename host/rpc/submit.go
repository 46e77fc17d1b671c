package rpc

import (
	"encoding/hex"

	"github.com/jtchain/jtchain/host/ledger"
)

// submit (handlers/Submit.cpp) gives a transaction to the node: a signed
// tx_blob (jingtum-lib with local_sign, swtc-lib), or secret + tx_json for
// the node to fill and sign (jingtum-lib's default; only where server-side
// signing is allowed). The answer is the preliminary result from the open
// ledger: engine_result, engine_result_code, engine_result_message, tx_blob
// and tx_json with its hash.
func init() { register("submit", command{run: doSubmit}) }

func doSubmit(r *request) (map[string]any, *rpcError) {
	if !has(r.params, "tx_blob") {
		tx, rerr := r.signSingle()
		if rerr != nil {
			return nil, rerr
		}
		return r.submitResult(tx)
	}
	s, _ := str(r.params, "tx_blob")
	blob, err := hex.DecodeString(s)
	if err != nil || len(blob) == 0 {
		return nil, newError(rpcTX_BLOB_INVALID)
	}
	tx, err := ledger.DecodeTx(blob)
	if err != nil {
		return nil, newError(rpcTX_BLOB_INVALID)
	}
	return r.submitResult(tx)
}
