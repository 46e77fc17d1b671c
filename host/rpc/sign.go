package rpc

// sign (handlers/Sign.cpp): sign tx_json with a secret, filling Sequence and
// Fee as submit does, and return tx_blob and tx_json (with hash) without
// submitting. Refused where server-side signing is not allowed.
func init() { register("sign", command{run: doSign}) }

func doSign(r *request) (map[string]any, *rpcError) {
	tx, rerr := r.signSingle()
	if rerr != nil {
		return nil, rerr
	}
	return map[string]any{"tx_blob": hexUpper(tx.Blob()), "tx_json": tx.JSON()}, nil
}
