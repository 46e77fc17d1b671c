package rpc

import (
	"github.com/jtchain/jtchain/host/crypto"
)

// wallet_propose (handlers/WalletPropose.cpp, admin only as in skywelld)
// makes a key pair: from "seed", "seed_hex" or "passphrase" when given,
// else from a fresh random seed; "key_type" is secp256k1 (default) or
// ed25519. master_key (the RFC 1751 words) is left out: jtchain carries no
// RFC 1751 dictionary.
func init() { register("wallet_propose", command{run: doWalletPropose, admin: true}) }

// accountPublicVersion is rippled's VER_ACCOUNT_PUBLIC (35): public_key's
// base58 prefix.
var accountPublicVersion = []byte{35}

func doWalletPropose(r *request) (map[string]any, *rpcError) {
	seed, kt, found, rerr := seedFromParams(r.params, []string{"seed", "seed_hex", "passphrase"})
	if rerr != nil {
		return nil, rerr
	}
	if !found {
		s, err := crypto.NewSeed(nil)
		if err != nil {
			r.srv.log.Error("no randomness for a new seed", "error", err)
			return nil, newError(rpcINTERNAL)
		}
		seed = s
	}
	kp, err := crypto.DeriveKeyPair(seed, kt)
	if err != nil {
		return nil, newError(rpcBAD_SEED)
	}
	pub := kp.PublicKey()
	return map[string]any{
		"account_id":      kp.AccountID().String(),
		"key_type":        kt.String(),
		"master_seed":     crypto.EncodeSecret(seed, kt),
		"master_seed_hex": hexUpper(seed[:]),
		"public_key":      crypto.EncodeCheck(accountPublicVersion, pub),
		"public_key_hex":  hexUpper(pub),
	}, nil
}
