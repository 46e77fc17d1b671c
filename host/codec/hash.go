package codec

import (
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
)

// HashPrefix is the 4-byte domain separator put in front of hashed data.
// The values are rippled's, and Jingtum's.
type HashPrefix [4]byte

var (
	PrefixTxID       = HashPrefix{'T', 'X', 'N', 0} // transaction id: prefix ‖ signed blob
	PrefixTxSign     = HashPrefix{'S', 'T', 'X', 0} // single-signing data
	PrefixTxMultiSig = HashPrefix{'S', 'M', 'T', 0} // multi-signing data
	PrefixTxNode     = HashPrefix{'S', 'N', 'D', 0} // transaction tree leaf (tx + metadata)
	PrefixLeafNode   = HashPrefix{'M', 'L', 'N', 0} // state tree leaf
	PrefixInnerNode  = HashPrefix{'M', 'I', 'N', 0} // tree inner node
	PrefixLedger     = HashPrefix{'L', 'W', 'R', 0} // ledger header
	PrefixValidation = HashPrefix{'V', 'A', 'L', 0}
	PrefixProposal   = HashPrefix{'P', 'R', 'P', 0}
)

// TxID returns SHA512Half(TXN\0 ‖ blob): a transaction's hash.
func TxID(blob []byte) Hash256 { return crypto.SHA512Half(PrefixTxID[:], blob) }

// SigningData returns STX\0 ‖ the signing fields of tx: what a single signer
// signs (secp256k1 signs its SHA512Half; ed25519 signs it whole).
func SigningData(tx *STObject) []byte {
	buf := make([]byte, 0, 256)
	buf = append(buf, PrefixTxSign[:]...)
	return tx.AppendSigning(buf)
}

// MultiSigningData returns SMT\0 ‖ the signing fields of tx ‖ signer: what
// one member of a signer list signs. tx carries an empty SigningPubKey.
func MultiSigningData(tx *STObject, signer AccountID) []byte {
	buf := make([]byte, 0, 256)
	buf = append(buf, PrefixTxMultiSig[:]...)
	buf = tx.AppendSigning(buf)
	return append(buf, signer[:]...)
}

// Sign sets SigningPubKey and TxnSignature on tx with kp and returns the
// signed blob and its hash. tx must not carry Signers.
func Sign(tx *STObject, kp crypto.KeyPair) ([]byte, Hash256, error) {
	tx.Set(sf.SigningPubKey, kp.PublicKey())
	tx.Delete(sf.TxnSignature)
	sig, err := kp.Sign(SigningData(tx))
	if err != nil {
		return nil, Hash256{}, err
	}
	tx.Set(sf.TxnSignature, sig)
	blob := tx.Encode()
	return blob, TxID(blob), nil
}
