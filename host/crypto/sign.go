package crypto

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// Signature errors. Every rejection by Verify wraps ErrBadSignature or
// ErrBadPublicKey; ErrNonCanonical itself wraps ErrBadSignature, so a caller
// that only needs accept/reject tests for ErrBadSignature, and one that wants
// to tell malleated signatures apart tests for ErrNonCanonical first.
var (
	ErrBadSignature = errors.New("crypto: invalid signature")
	// ErrNonCanonical marks a signature whose value may be valid but whose
	// encoding is not the unique one the protocol accepts: a high S, or DER
	// with padding or long-form lengths. Accepting those would let anyone
	// change a transaction's hash without its key.
	ErrNonCanonical = fmt.Errorf("%w: non-canonical encoding", ErrBadSignature)
	ErrNoPrivateKey = errors.New("crypto: key pair has no private key")
)

// Sign signs msg, the full signing data the caller built (for a transaction,
// "STX\0" ‖ the blob without TxnSignature).
//
// secp256k1 signs SHA512Half(msg) with an RFC 6979 nonce and a low S and
// returns DER, byte for byte what the JS libraries produce. ed25519 signs msg
// itself, with no pre-hash, and returns 64 bytes.
func (kp KeyPair) Sign(msg []byte) ([]byte, error) {
	switch {
	case kp.pub[0] == 0:
		return nil, ErrNoPrivateKey
	case kp.typ == Ed25519:
		return ed25519.Sign(kp.ed, msg), nil
	default:
		h := SHA512Half(msg)
		// ecdsa.Sign negates a high S itself (BIP 62), so the result always
		// passes Verify's low-S rule.
		return ecdsa.Sign(secp256k1.PrivKeyFromBytes(kp.priv[:]), h[:]).Serialize(), nil
	}
}

// Verify checks sig over msg under the 33-byte public key pub, choosing the
// scheme by the key's form: 02 or 03 ‖ X is secp256k1, ED ‖ 32 bytes is
// ed25519, anything else is ErrBadPublicKey.
//
// secp256k1 signatures must be strict DER with a low S (S <= n/2) and are
// checked against SHA512Half(msg). ed25519 signatures are accepted exactly
// when crypto/ed25519.Verify accepts them (cofactorless, S < L).
//
// This is stricter than skywelld, whose STTransaction::checkSign accepts a
// high S unless the transaction sets tfFullyCanonicalSig (the JS libraries
// leave it unset). Those libraries always sign with a low S, so clients see
// no difference; only a replayed historic transaction with a high S would.
func Verify(pub, msg, sig []byte) error {
	if len(pub) == PublicKeySize {
		switch pub[0] {
		case 0x02, 0x03:
			return verifySecp256k1(pub, msg, sig)
		case ed25519Prefix:
			return verifyEd25519(pub[1:], msg, sig)
		}
	}
	var first byte
	if len(pub) > 0 {
		first = pub[0]
	}
	return fmt.Errorf("%w: %d bytes starting %#02x, want 33 bytes starting 02, 03 or ED",
		ErrBadPublicKey, len(pub), first)
}

func verifySecp256k1(pub, msg, sig []byte) error {
	// Parse the signature before the key: it is cheaper, and most garbage
	// fails there.
	r, s, err := parseDERSignature(sig)
	if err != nil {
		return err
	}
	if s.IsOverHalfOrder() {
		return fmt.Errorf("%w: S is above n/2", ErrNonCanonical)
	}
	key, err := secp256k1.ParsePubKey(pub)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadPublicKey, err)
	}
	h := SHA512Half(msg)
	if !ecdsa.NewSignature(&r, &s).Verify(h[:], key) {
		return fmt.Errorf("%w: secp256k1 signature does not match key and message", ErrBadSignature)
	}
	return nil
}

func verifyEd25519(pub, msg, sig []byte) error {
	if len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: ed25519 signature is %d bytes, want 64", ErrBadSignature, len(sig))
	}
	if ed25519.Verify(pub, msg, sig) {
		return nil
	}
	// The decision above is the standard library's alone; this only names
	// the reason, so that a malleated S reads as ErrNonCanonical.
	if !ed25519ScalarReduced(sig[32:]) {
		return fmt.Errorf("%w: ed25519 S is not below the group order", ErrNonCanonical)
	}
	return fmt.Errorf("%w: ed25519 signature does not match key and message", ErrBadSignature)
}

// ed25519Order is L = 2^252 + 27742317777372353535851937790883648493, the
// order of the ed25519 base point, little-endian as in signatures.
var ed25519Order = [32]byte{
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
}

// ed25519ScalarReduced reports whether the little-endian 32-byte s is below L.
func ed25519ScalarReduced(s []byte) bool {
	for i := len(ed25519Order) - 1; i >= 0; i-- {
		if s[i] != ed25519Order[i] {
			return s[i] < ed25519Order[i]
		}
	}
	return false
}
