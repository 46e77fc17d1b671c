package rpc

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// Server-side signing (rpc/impl/TransactionSign.cpp): sign, sign_for and
// submit with a secret. jingtum-lib signs on the server by default
// (local_sign unset), sending the account secret with the request; a secret
// sent over a network is a secret given away, so the node takes secrets
// only on listeners Config.ServerSigning allows (loopback ones by default).

// tfFullyCanonicalSig is what rippled puts in a missing Flags.
const tfFullyCanonicalSig = 0x80000000

func (r *request) requireSigning() *rpcError {
	if r.signing {
		return nil
	}
	return errorf(rpcNOT_SUPPORTED, "Signing is not allowed on this port: this node takes account secrets only on loopback listeners (server_signing). Sign locally (jingtum-lib local_sign: true, or swtc-lib) and submit tx_blob.")
}

// keyFromParams is keypairForSignature: "secret" (or rippled's "seed",
// "seed_hex", "passphrase" with an optional "key_type"). Like skywelld's
// setSeedGeneric, a secret that is not a seed is read as a passphrase, so a
// wrong secret usually shows up as badSecret (its account does not match).
func keyFromParams(p map[string]any) (crypto.KeyPair, *rpcError) {
	seed, kt, found, rerr := seedFromParams(p, []string{"secret", "seed", "seed_hex", "passphrase"})
	if rerr != nil {
		return crypto.KeyPair{}, rerr
	}
	if !found {
		return crypto.KeyPair{}, missingField("secret")
	}
	kp, err := crypto.DeriveKeyPair(seed, kt)
	if err != nil {
		return crypto.KeyPair{}, newError(rpcBAD_SEED)
	}
	return kp, nil
}

// seedFromParams reads the first of names present. key_type, when given,
// must name a key type and overrides the one a secret implies.
func seedFromParams(p map[string]any, names []string) (crypto.Seed, crypto.KeyType, bool, *rpcError) {
	var kt crypto.KeyType
	explicit := false
	if has(p, "key_type") {
		s, _ := str(p, "key_type")
		t, err := crypto.ParseKeyType(s)
		if err != nil {
			return crypto.Seed{}, 0, false, newError(rpcBAD_SEED)
		}
		kt, explicit = t, true
	}
	for _, name := range names {
		if !has(p, name) {
			continue
		}
		s, ok := str(p, name)
		if !ok || s == "" {
			return crypto.Seed{}, 0, false, newError(rpcBAD_SEED)
		}
		var seed crypto.Seed
		switch name {
		case "seed_hex":
			b, err := hex.DecodeString(s)
			if err != nil || len(b) != len(seed) {
				return crypto.Seed{}, 0, false, newError(rpcBAD_SEED)
			}
			copy(seed[:], b)
		case "seed":
			sd, t, err := crypto.ParseSecret(s)
			if err != nil {
				return crypto.Seed{}, 0, false, newError(rpcBAD_SEED)
			}
			seed = sd
			if !explicit {
				kt = t
			}
		default: // secret, passphrase: any string, as setSeedGeneric
			if sd, t, err := crypto.ParseSecret(s); err == nil {
				seed = sd
				if !explicit {
					kt = t
				}
			} else if b, err := hex.DecodeString(s); err == nil && len(b) == len(seed) {
				copy(seed[:], b)
			} else {
				seed = crypto.SeedFromPassphrase(s)
			}
		}
		return seed, kt, true, nil
	}
	return crypto.Seed{}, kt, false, nil
}

// txJSONParam is the request's tx_json object.
func txJSONParam(p map[string]any) (map[string]any, *rpcError) {
	if !has(p, "tx_json") {
		return nil, missingField("tx_json")
	}
	m, ok := p["tx_json"].(map[string]any)
	if !ok {
		return nil, objectField("tx_json")
	}
	return m, nil
}

// txAccount checks tx_json.TransactionType and reads tx_json.Account.
func txAccount(txj map[string]any) (codec.AccountID, *rpcError) {
	if !has(txj, "TransactionType") {
		return codec.AccountID{}, missingField("tx_json.TransactionType")
	}
	if !has(txj, "Account") {
		return codec.AccountID{}, errorf(rpcSRC_ACT_MISSING, "Missing field 'tx_json.Account'.")
	}
	s, _ := str(txj, "Account")
	id, err := codec.ParseAccount(s)
	if err != nil {
		return codec.AccountID{}, errorf(rpcSRC_ACT_MALFORMED, "Invalid field 'tx_json.Account'.")
	}
	return id, nil
}

// roundDrops rewrites SWT amounts that arrive with float noise as whole
// drops: swtc-lib converts drops to SWT and back in floating point before
// submit_multisigned, and sends e.g. "Fee": 4163027.9999999995 (a number) or
// "Amount": "16000001.999999998" (a string). The signatures cover the whole
// drops. Only the noise of binary floating point is forgiven; 10.5 drops
// stays an error.
func roundDrops(txj map[string]any) {
	for k, v := range txj {
		f := sf.ByName(k)
		if f == nil || f.Type != sf.TypeAmount {
			continue
		}
		var text string
		switch x := v.(type) {
		case json.Number:
			text = string(x)
		case string:
			text = x
		default:
			continue // issued amounts are objects and never carry this noise
		}
		if !strings.ContainsAny(text, ".eE") {
			continue
		}
		x, err := strconv.ParseFloat(text, 64)
		if err != nil {
			continue
		}
		rounded := math.Round(x)
		if math.Abs(x-rounded) <= math.Max(1e-6, math.Abs(x)*1e-12) && math.Abs(rounded) <= codec.MaxNativeDrops {
			txj[k] = strconv.FormatInt(int64(rounded), 10)
		}
	}
}

// buildTx converts tx_json into an object, naming the bad field on error.
func buildTx(txj map[string]any) (*codec.STObject, *rpcError) {
	roundDrops(txj)
	obj, err := codec.FromJSON(txj)
	if err != nil {
		var je *codec.JSONError
		if errors.As(err, &je) {
			return nil, errorf(rpcINVALID_PARAMS, "Invalid field 'tx_json.%s': %v.", je.Path, je.Err)
		}
		return nil, errorf(rpcINVALID_PARAMS, "Invalid field 'tx_json': %v.", err)
	}
	return obj, nil
}

// autofillFee is autofill_fee: the base fee scaled by the node's load, or
// what the open ledger needs now if that is more, capped at fee_mult_max
// (default 10) times the base fee. signers > 0 sizes a multi-signed fee.
func autofillFee(p map[string]any, fs FeeStatus, signers int) (int64, *rpcError) {
	base := int64(fs.Fees.Base)
	if base <= 0 {
		base = 10
	}
	fee := base * int64(loadFactor(fs)) / int64(loadBase(fs))
	if fs.MinimumFee > fee {
		fee = fs.MinimumFee
	}
	mult := int64(10)
	if has(p, "fee_mult_max") {
		n, ok := integer(p["fee_mult_max"])
		if !ok {
			return 0, errorf(rpcHIGH_FEE, "Invalid field 'fee_mult_max', not a number.")
		}
		mult = n
	}
	if limit := mult * base; fee > limit {
		return 0, errorf(rpcHIGH_FEE, "Fee of %d exceeds the requested tx limit of %d", fee, limit)
	}
	return fee * int64(1+signers), nil
}

// checkSigner is transactionSign's key check: the secret must be the
// account's master key (not disabled) or its regular key.
func checkSigner(root *codec.STObject, acct, key codec.AccountID) *rpcError {
	if key == acct {
		if root.UInt32(sf.Flags)&ledger.LsfDisableMaster != 0 {
			return newError(rpcMASTER_DISABLED)
		}
		return nil
	}
	if rk, ok := root.LookupAccount(sf.RegularKey); ok && rk == key {
		return nil
	}
	return newError(rpcBAD_SECRET)
}

// signSingle prepares and signs the request's tx_json: Sequence from the
// account in the current open ledger and Fee from the node's fee status
// when they are missing, Flags defaulting to tfFullyCanonicalSig.
func (r *request) signSingle() (*ledger.Tx, *rpcError) {
	if rerr := r.requireSigning(); rerr != nil {
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
	// Read the fee status first: the backend's lock is held inside Current.
	fs := r.srv.backend.Fees()
	_, rerr = r.inCurrent(func(lr ledgerRef) (map[string]any, *rpcError) {
		root := lr.view.Read(ledger.AccountKeylet(acct))
		if root == nil {
			return nil, newError(rpcSRC_ACT_NOT_FOUND)
		}
		if rerr := checkSigner(root, acct, kp.AccountID()); rerr != nil {
			return nil, rerr
		}
		if !has(txj, "Sequence") {
			txj["Sequence"] = json.Number(strconv.FormatUint(uint64(root.UInt32(sf.Sequence)), 10))
		}
		return nil, nil
	})
	if rerr != nil {
		return nil, rerr
	}
	if !has(txj, "Fee") {
		fee, rerr := autofillFee(r.params, fs, 0)
		if rerr != nil {
			return nil, rerr
		}
		txj["Fee"] = strconv.FormatInt(fee, 10)
	}
	if !has(txj, "Flags") {
		txj["Flags"] = json.Number(strconv.FormatUint(tfFullyCanonicalSig, 10))
	}
	obj, rerr := buildTx(txj)
	if rerr != nil {
		return nil, rerr
	}
	if obj.Has(sf.Signers) {
		return nil, errorf(rpcINVALID_PARAMS, "tx_json has Signers: multi-signed transactions are signed with sign_for and sent with submit_multisigned.")
	}
	if _, _, err := codec.Sign(obj, kp); err != nil {
		r.srv.log.Error("signing failed", "error", err)
		return nil, newError(rpcINTERNAL)
	}
	tx, err := ledger.NewTx(obj)
	if err != nil {
		return nil, errorf(rpcINVALID_PARAMS, "Invalid field 'tx_json': %v.", err)
	}
	return tx, nil
}

// sortSigners orders a Signers array by account, as the protocol requires
// (and rippled's submit_multisigned does for its clients).
func sortSigners(arr codec.Array) {
	sort.SliceStable(arr, func(i, j int) bool {
		a, b := arr[i].Object.Account(sf.Account), arr[j].Object.Account(sf.Account)
		return bytes.Compare(a[:], b[:]) < 0
	})
}

// submitResult is submit's answer: engine_result and friends with the
// transaction; a non-tes result is still a success response. A transaction
// the node refused before applying it is rippled's invalidTransaction (with
// error_exception, which jingtum-lib shows), or tooBusy.
func (r *request) submitResult(tx *ledger.Tx) (map[string]any, *rpcError) {
	res := r.srv.backend.Submit(tx)
	if res.Err != nil {
		switch {
		case errors.Is(res.Err, ErrBusy):
			return nil, errorf(rpcTOO_BUSY, "The server is too busy to help you now: %v.", res.Err)
		case errors.Is(res.Err, crypto.ErrBadSignature), errors.Is(res.Err, crypto.ErrBadPublicKey):
			return nil, invalidTransaction("fails local checks: Invalid signature.")
		}
		return nil, invalidTransaction("fails local checks: " + res.Err.Error())
	}
	out := engineResult(res.Result)
	out["tx_blob"] = hexUpper(tx.Blob())
	out["tx_json"] = rawTxJSON(tx)
	return out, nil
}

func invalidTransaction(why string) *rpcError {
	e := legacyError("invalidTransaction", why)
	e.exception = why
	return e
}
