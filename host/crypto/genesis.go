package crypto

import "sync"

// The genesis account. A new chain credits the whole SWT supply to it, as
// rippled does (jingtum-core Application.cpp startNewLedger). Its secret is
// public knowledge: a real network must move the funds out and disable the
// master key before it matters.
const (
	GenesisPassphrase   = "masterpassphrase"
	GenesisSecret       = "snoPBjXtMeMyMHUVTgbuqAfg1SUTb"      // EncodeSecret(SeedFromPassphrase(GenesisPassphrase), Secp256k1)
	GenesisAddress      = "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh" // GenesisKeyPair().AccountID().String()
	GenesisPublicKeyHex = "0330E7FC9D56BB25D6893BA3F317AE5BCF33B3291BD63DB32654A313222F7FD020"
)

// GenesisKeyPair returns the genesis account's secp256k1 key pair.
func GenesisKeyPair() KeyPair { return genesisKeyPair() }

var genesisKeyPair = sync.OnceValue(func() KeyPair {
	kp, err := DeriveKeyPair(SeedFromPassphrase(GenesisPassphrase), Secp256k1)
	if err != nil {
		panic("crypto: derive genesis key pair: " + err.Error())
	}
	return kp
})
