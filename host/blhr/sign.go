package blhr

import (
	"encoding/binary"
	"fmt"

	"github.com/jtchain/jtchain/host/crypto"
)

// MaxChainID bounds the chain id that goes into signing data.
const MaxChainID = 255

// SigningData returns what a record's signer signs for chainID:
//
//	"BLS\0" ‖ u32 len(chainID) ‖ chainID ‖ encoding without the signature
//
// where the encoding without the signature is Encode's layout with a
// signature length of 0 (the signing key is included). The chain id makes a
// signature worthless on any other chain. As for Jingtum transactions,
// secp256k1 signs SHA512Half of these bytes and ed25519 signs them as they
// are (crypto.KeyPair.Sign).
func (r Record) SigningData(chainID string) []byte {
	buf := make([]byte, 0, 4+4+len(chainID)+r.encodedSize()-len(r.Signature))
	buf = append(buf, prefixSigning[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(chainID)))
	buf = append(buf, chainID...)
	return r.appendEncoding(buf, false)
}

// Sign returns r signed by kp for chainID: it sets SigningPubKey and
// Account to kp's and Signature to a signature over SigningData(chainID).
// Any earlier signature is replaced.
func Sign(r Record, chainID string, kp crypto.KeyPair) (Record, error) {
	if len(chainID) == 0 || len(chainID) > MaxChainID {
		return Record{}, fmt.Errorf("%w: chain id of %d bytes, want 1..%d", ErrBadSignature, len(chainID), MaxChainID)
	}
	r.SigningPubKey = kp.PublicKey()
	r.Account = kp.AccountID()
	r.Signature = nil
	r.Data = append([]byte(nil), r.Data...)
	if err := r.checkSigner(false); err != nil {
		return Record{}, err
	}
	sig, err := kp.Sign(r.SigningData(chainID))
	if err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	r.Signature = sig
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// VerifySignature checks a signed record's signature for chainID. An
// unsigned record has nothing to verify and passes; callers that require a
// signature test Signed.
func (r Record) VerifySignature(chainID string) error {
	if err := r.checkSigner(true); err != nil {
		return err
	}
	if !r.Signed() {
		return nil
	}
	if err := crypto.Verify(r.SigningPubKey, r.SigningData(chainID), r.Signature); err != nil {
		return fmt.Errorf("%w: account %s on chain %q: %v", ErrBadSignature, r.Account, chainID, err)
	}
	return nil
}
