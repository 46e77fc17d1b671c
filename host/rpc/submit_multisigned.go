package rpc

import (
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

// submit_multisigned (rippled 0.31) submits tx_json carrying Signers, as
// sign_for built it. Signers are sorted by account first, as rippled does,
// and SWT amounts sent as JSON numbers with float noise are rounded to whole
// drops (swtc-lib sends "Fee": 4163027.9999999995). No secret is involved,
// so this works on every listener.
func init() { register("submit_multisigned", command{run: doSubmitMultisigned}) }

func doSubmitMultisigned(r *request) (map[string]any, *rpcError) {
	txj, rerr := txJSONParam(r.params)
	if rerr != nil {
		return nil, rerr
	}
	if _, rerr := txAccount(txj); rerr != nil {
		return nil, rerr
	}
	if !has(txj, "Signers") {
		return nil, missingField("tx_json.Signers")
	}
	if !has(txj, "SigningPubKey") {
		txj["SigningPubKey"] = ""
	}
	obj, rerr := buildTx(txj)
	if rerr != nil {
		return nil, rerr
	}
	signers := obj.Array(sf.Signers)
	if len(signers) == 0 {
		return nil, newError(rpcARRAY_IS_EMPTY)
	}
	sortSigners(signers)
	obj.Set(sf.Signers, signers)
	tx, err := ledger.NewTx(obj)
	if err != nil {
		return nil, errorf(rpcINVALID_PARAMS, "Invalid field 'tx_json': %v.", err)
	}
	return r.submitResult(tx)
}
