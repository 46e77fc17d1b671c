package p2p

import (
	"crypto/ed25519"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// PeerIDFromKey returns the peer id (as text) of the host whose Config.Key
// is the 32-byte ed25519 seed, so genesis and testnet tooling can print the
// ids that go into other nodes' Config.Peers.
func PeerIDFromKey(seed []byte) (string, error) {
	return PeerIDFromKeyType(KeyEd25519, seed)
}

// PeerIDFromKeyType is PeerIDFromKey for either key type.
func PeerIDFromKeyType(t KeyType, key []byte) (string, error) {
	id, err := peerIDOf(t, key)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

func peerIDOf(t KeyType, key []byte) (peer.ID, error) {
	sk, err := privKey(t, key)
	if err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(sk)
}

func privKey(t KeyType, key []byte) (crypto.PrivKey, error) {
	switch t {
	case KeyEd25519:
		if len(key) != ed25519.SeedSize {
			return nil, fmt.Errorf("an ed25519 seed is %d bytes, got %d", ed25519.SeedSize, len(key))
		}
		// libp2p wants the 64-byte private key (seed || public key).
		return crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(key))
	case KeySecp256k1:
		if len(key) != 32 {
			return nil, fmt.Errorf("a secp256k1 private key is 32 bytes, got %d", len(key))
		}
		// decred reduces the scalar mod N without complaint; a key of 0 or
		// >= N is a configuration mistake, not a key.
		var k secp256k1.ModNScalar
		if overflow := k.SetByteSlice(key); overflow || k.IsZero() {
			return nil, fmt.Errorf("a secp256k1 private key must be in [1, N-1]")
		}
		sk, err := crypto.UnmarshalSecp256k1PrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("secp256k1 key: %w", err)
		}
		return sk, nil
	}
	return nil, fmt.Errorf("unknown key type %v", t)
}
