package rpc

import (
	"encoding/json"
	"strconv"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/ledger"
)

// sign_for (rippled 0.31 handlers/SignFor.cpp) adds one signature to a
// multi-signed transaction: "account" signs tx_json with "secret" (its
// master or regular key) over SMT\0 ‖ fields ‖ account, and the Signer
// {Account, SigningPubKey, TxnSignature} joins tx_json.Signers, which stays
// sorted by account. SigningPubKey is set empty. A missing Sequence comes
// from the current open ledger and a missing Fee is the base fee times one
// plus the size of the account's signer list, so every signer computes the
// same values while the ledger does not change; send them explicitly to be
// sure. Refused where server-side signing is not allowed.
func init() { register("sign_for", command{run: doSignFor}) }

func doSignFor(r *request) (map[string]any, *rpcError) {
	if rerr := r.requireSigning(); rerr != nil {
		return nil, rerr
	}
	signer, rerr := accountParam(r.params, "account")
	if rerr != nil {
		return nil, rerr
	}
	kp, rerr := keyFromParams(r.params)
	if rerr != nil {
		return nil, rerr
	}
	txj, rerr := txJSONParam(r.params)
	if rerr != nil {
		return nil, rerr
	}
	acct, rerr := txAccount(txj)
	if rerr != nil {
		return nil, rerr
	}
	if signer == acct {
		return nil, errorf(rpcINVALID_PARAMS, "An account cannot sign for itself: 'account' must be a member of the signer list of tx_json.Account.")
	}
	fs := r.srv.backend.Fees()
	listSize := 0
	_, rerr = r.inCurrent(func(lr ledgerRef) (map[string]any, *rpcError) {
		root := lr.view.Read(ledger.AccountKeylet(acct))
		if root == nil {
			return nil, newError(rpcSRC_ACT_NOT_FOUND)
		}
		// A signer need not have an account; then only its master key signs.
		if sroot := lr.view.Read(ledger.AccountKeylet(signer)); sroot != nil {
			if rerr := checkSigner(sroot, signer, kp.AccountID()); rerr != nil {
				return nil, rerr
			}
		} else if kp.AccountID() != signer {
			return nil, newError(rpcBAD_SECRET)
		}
		if !has(txj, "Sequence") {
			txj["Sequence"] = json.Number(strconv.FormatUint(uint64(root.UInt32(sf.Sequence)), 10))
		}
		if list := lr.view.Read(ledger.SignerListKeylet(acct)); list != nil {
			listSize = len(list.Array(sf.SignerEntries))
		}
		return nil, nil
	})
	if rerr != nil {
		return nil, rerr
	}
	if !has(txj, "Fee") {
		fee, rerr := autofillFee(r.params, fs, max(listSize, 1))
		if rerr != nil {
			return nil, rerr
		}
		txj["Fee"] = strconv.FormatInt(fee, 10)
	}
	if !has(txj, "Flags") {
		txj["Flags"] = json.Number(strconv.FormatUint(tfFullyCanonicalSig, 10))
	}
	txj["SigningPubKey"] = ""
	delete(txj, "TxnSignature")
	obj, rerr := buildTx(txj)
	if rerr != nil {
		return nil, rerr
	}
	sig, err := kp.Sign(codec.MultiSigningData(obj, signer))
	if err != nil {
		r.srv.log.Error("multi-signing failed", "error", err)
		return nil, newError(rpcINTERNAL)
	}
	me := codec.NewObject(3)
	me.Set(sf.Account, signer)
	me.Set(sf.SigningPubKey, kp.PublicKey())
	me.Set(sf.TxnSignature, sig)
	var signers codec.Array
	for _, it := range obj.Array(sf.Signers) {
		if it.Object.Account(sf.Account) != signer {
			signers = append(signers, it)
		}
	}
	signers = append(signers, codec.Item{Field: sf.Signer, Object: me})
	sortSigners(signers)
	obj.Set(sf.Signers, signers)
	tx, err := ledger.NewTx(obj)
	if err != nil {
		return nil, errorf(rpcINVALID_PARAMS, "Invalid field 'tx_json': %v.", err)
	}
	return map[string]any{"tx_blob": hexUpper(tx.Blob()), "tx_json": tx.JSON()}, nil
}
