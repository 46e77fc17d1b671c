package ledger

import (
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

// VerifyFunc checks one signature, such as crypto.Verify or a closure over a
// crypto.VerifyCache.
type VerifyFunc func(pub, msg, sig []byte) error

// VerifySignatures checks the cryptographic signatures of tx: the single
// signature over STX‖fields, or every signer's over SMT‖fields‖signer. It
// does not read ledger state; whether the keys may sign for the accounts is
// decided when the transaction applies. A pseudo-transaction has no
// signature and gets ErrPseudoTx: none may come from a client.
func VerifySignatures(tx *Tx, verify VerifyFunc) error {
	if IsPseudo(tx.Type()) {
		return fmt.Errorf("transaction signature: %s: %w", tx.Type(), ErrPseudoTx)
	}
	obj := tx.Object()
	if !tx.IsMultiSigned() {
		if err := verify(tx.SigningPubKey(), codec.SigningData(obj), obj.Blob(sf.TxnSignature)); err != nil {
			return fmt.Errorf("transaction signature: %w", err)
		}
		return nil
	}
	signers := obj.Array(sf.Signers)
	if len(signers) == 0 || len(signers) > MaxSigners {
		return fmt.Errorf("transaction signature: %d signers, want 1 to %d", len(signers), MaxSigners)
	}
	for _, it := range signers {
		s := it.Object
		acct := s.Account(sf.Account)
		msg := codec.MultiSigningData(obj, acct)
		if err := verify(s.Blob(sf.SigningPubKey), msg, s.Blob(sf.TxnSignature)); err != nil {
			return fmt.Errorf("signature of signer %s: %w", acct, err)
		}
	}
	return nil
}

// signedWithMaster reports whether tx is single-signed by its account's own key.
func signedWithMaster(tx *Tx) bool {
	return !tx.IsMultiSigned() && tx.signer == tx.Account()
}

// checkAuthorization decides whether the signing key(s) may act for the
// account: the master key (unless disabled), the regular key, or a quorum of
// the account's signer list.
func checkAuthorization(view ReadView, tx *Tx, root *codec.STObject) (ter.Code, string) {
	if !tx.IsMultiSigned() {
		return checkSingleSigner(root, tx.Account(), tx.signer)
	}
	list := view.Read(SignerListKeylet(tx.Account()))
	if list == nil {
		return ter.TefNOT_MULTI_SIGNING, "the account has no signer list"
	}
	weights := make(map[codec.AccountID]uint16, MaxSigners)
	for _, e := range list.Array(sf.SignerEntries) {
		weights[e.Object.Account(sf.Account)] = e.Object.UInt16(sf.SignerWeight)
	}
	var total uint32
	for _, it := range tx.Object().Array(sf.Signers) {
		signer := it.Object.Account(sf.Account)
		w, ok := weights[signer]
		if !ok {
			return ter.TefBAD_SIGNATURE, fmt.Sprintf("%s is not in the signer list", signer)
		}
		key := crypto.AccountIDFromPublicKey(it.Object.Blob(sf.SigningPubKey))
		if sroot := view.Read(AccountKeylet(signer)); sroot != nil {
			if code, why := checkSingleSigner(sroot, signer, key); code != ter.TesSUCCESS {
				return ter.TefBAD_SIGNATURE, fmt.Sprintf("signer %s: %s", signer, why)
			}
		} else if key != signer {
			// A signer need not have an account; then only its master key counts.
			return ter.TefBAD_SIGNATURE, fmt.Sprintf("signer %s signed with a key that is not its own", signer)
		}
		total += uint32(w)
	}
	if q := list.UInt32(sf.SignerQuorum); total < q {
		return ter.TefBAD_QUORUM, fmt.Sprintf("signer weight %d is below the quorum %d", total, q)
	}
	return ter.TesSUCCESS, ""
}

func checkSingleSigner(root *codec.STObject, account, key codec.AccountID) (ter.Code, string) {
	flags := root.UInt32(sf.Flags)
	regular, hasRegular := root.LookupAccount(sf.RegularKey)
	switch {
	case key == account:
		if flags&LsfDisableMaster != 0 {
			return ter.TefMASTER_DISABLED, "the master key is disabled"
		}
	case hasRegular && key == regular:
	case hasRegular:
		return ter.TefBAD_AUTH, "the signing key is neither the master key nor the regular key"
	default:
		return ter.TefBAD_AUTH_MASTER, "the signing key is not the account's master key"
	}
	return ter.TesSUCCESS, ""
}
