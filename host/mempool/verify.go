package mempool

import (
	"encoding/binary"

	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
)

// sigKeyPrefix separates signature cache keys from every other hash.
var sigKeyPrefix = []byte("SIG\x00")

// CachedVerifier returns a ledger.VerifyFunc that checks each signature once
// through c, for New and for anything else in the node that calls
// ledger.VerifySignatures (relayed transactions, proposed ledgers).
//
// A VerifyFunc sees one signature, not the transaction, so the cache key is
// SHA512Half over the public key, the signature and the signed message
// rather than the transaction id. That commits to exactly the inputs that
// verified, as crypto.VerifyCache requires of its keys, and it stays correct
// for multi-signed transactions: keying every signer's check by the one
// transaction id would let the first signer's success answer for the others.
// The extra hash costs about a microsecond against 50 to 100 for a
// signature check.
func CachedVerifier(c *crypto.VerifyCache) ledger.VerifyFunc {
	return func(pub, msg, sig []byte) error {
		return c.Verify(signatureKey(pub, msg, sig), pub, msg, sig)
	}
}

func signatureKey(pub, msg, sig []byte) crypto.Hash256 {
	var lens [8]byte
	binary.BigEndian.PutUint32(lens[:4], uint32(len(pub)))
	binary.BigEndian.PutUint32(lens[4:], uint32(len(sig)))
	return crypto.SHA512Half(sigKeyPrefix, lens[:], pub, sig, msg)
}
