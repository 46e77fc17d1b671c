package crypto

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// PublicKeySize is the length of every Jingtum public key: a compressed
// secp256k1 point (02 or 03 ‖ X) or 0xED ‖ a 32-byte ed25519 key.
const PublicKeySize = 33

// ed25519Prefix marks an ed25519 public key in its 33-byte form; the same
// byte prefixes an ed25519 private key in the libraries' display form.
const ed25519Prefix = 0xED

// ErrBadPublicKey is wrapped by every error about a public key's form.
var ErrBadPublicKey = errors.New("crypto: invalid public key")

// KeyPair is a private key with its public key. Get one from DeriveKeyPair
// or DeriveNodeKeyPair; the zero KeyPair holds no key and cannot sign.
//
// Its String and GoString forms show only the public key, so a KeyPair that
// ends up in a log line does not leak the private key.
type KeyPair struct {
	typ  KeyType
	pub  [PublicKeySize]byte
	priv [32]byte // secp256k1: the scalar; ed25519: the RFC 8032 private key (seed)
	// ed is priv expanded once here, because expanding costs a scalar
	// multiplication that Sign would otherwise repeat every time.
	ed ed25519.PrivateKey
}

// DeriveKeyPair derives the account key pair of seed, as the Jingtum JS
// libraries (and ripple-keypairs) do.
//
// secp256k1 uses rippled's "family generator": the root private key is the
// first SHA512Half(seed ‖ u32 i), i = 0, 1, …, that lies in [1, n-1]; the
// account key is root + the first valid SHA512Half(rootPub ‖ u32 0 ‖ u32 j),
// mod n, where rootPub is the compressed root public key and 0 is the
// account index. ed25519 uses SHA512Half(seed) as the RFC 8032 private key.
func DeriveKeyPair(seed Seed, kt KeyType) (KeyPair, error) {
	switch kt {
	case Secp256k1:
		root := firstValidScalar(seed[:])
		rootPub := secp256k1.NewPrivateKey(&root).PubKey().SerializeCompressed()
		// Account index 0: the libraries only ever use a family's first account.
		offset := firstValidScalar(binary.BigEndian.AppendUint32(rootPub, 0))
		var k secp256k1.ModNScalar
		k.Add2(&root, &offset)
		if k.IsZero() {
			// Probability about 2^-256; rippled and the JS libraries do not
			// check, and would produce an unusable key.
			return KeyPair{}, errors.New("crypto: derive secp256k1 key pair: account key is zero")
		}
		return secp256k1KeyPair(&k), nil
	case Ed25519:
		return ed25519KeyPair(seed), nil
	}
	return KeyPair{}, fmt.Errorf("derive key pair: %w %d", ErrBadKeyType, uint8(kt))
}

// DeriveNodeKeyPair derives a node's (validator's) key pair from its
// validation seed. For secp256k1 this is the family's root key, not the
// account key of DeriveKeyPair: rippled 0.29's RippleAddress::createNodePublic
// and createNodePrivate (and so skywelld's) use the root deterministic key,
// and ripple-keypairs does the same for {validator: true}. For ed25519 both
// derivations are the same.
func DeriveNodeKeyPair(seed Seed, kt KeyType) (KeyPair, error) {
	switch kt {
	case Secp256k1:
		root := firstValidScalar(seed[:])
		return secp256k1KeyPair(&root), nil
	case Ed25519:
		return ed25519KeyPair(seed), nil
	}
	return KeyPair{}, fmt.Errorf("derive node key pair: %w %d", ErrBadKeyType, uint8(kt))
}

// firstValidScalar returns the first SHA512Half(prefix ‖ u32 i), i = 0, 1, …,
// that is a valid secp256k1 private key, that is in [1, n-1]. A hash misses
// with probability about 2^-128, so the loop practically never repeats.
func firstValidScalar(prefix []byte) secp256k1.ModNScalar {
	buf := make([]byte, len(prefix)+4)
	copy(buf, prefix)
	for i := uint32(0); ; i++ {
		binary.BigEndian.PutUint32(buf[len(prefix):], i)
		h := SHA512Half(buf)
		var k secp256k1.ModNScalar
		if overflow := k.SetBytes((*[32]byte)(&h)); overflow == 0 && !k.IsZero() {
			return k
		}
	}
}

func secp256k1KeyPair(k *secp256k1.ModNScalar) KeyPair {
	kp := KeyPair{typ: Secp256k1}
	k.PutBytes(&kp.priv)
	copy(kp.pub[:], secp256k1.NewPrivateKey(k).PubKey().SerializeCompressed())
	return kp
}

func ed25519KeyPair(seed Seed) KeyPair {
	kp := KeyPair{typ: Ed25519, priv: SHA512Half(seed[:])}
	kp.ed = ed25519.NewKeyFromSeed(kp.priv[:])
	kp.pub[0] = ed25519Prefix
	copy(kp.pub[1:], kp.ed.Public().(ed25519.PublicKey))
	return kp
}

// Type returns the key's signature scheme.
func (kp KeyPair) Type() KeyType { return kp.typ }

// PublicKey returns a copy of the 33-byte public key, in the form carried in
// a transaction's SigningPubKey.
func (kp KeyPair) PublicKey() []byte { return append([]byte(nil), kp.pub[:]...) }

// PublicKeyHex returns the public key in upper-case hex, as the libraries
// and rippled's JSON show it.
func (kp KeyPair) PublicKeyHex() string { return strings.ToUpper(hex.EncodeToString(kp.pub[:])) }

// PrivateKeyHex returns the private key in the JS libraries' display form:
// "00" ‖ the 32-byte scalar for secp256k1, "ED" ‖ the 32-byte RFC 8032 key
// for ed25519, upper-case hex (66 characters either way).
func (kp KeyPair) PrivateKeyHex() string {
	prefix := "00"
	if kp.typ == Ed25519 {
		prefix = "ED"
	}
	return prefix + strings.ToUpper(hex.EncodeToString(kp.priv[:]))
}

// AccountID returns the account id of the public key.
func (kp KeyPair) AccountID() AccountID { return AccountIDFromPublicKey(kp.pub[:]) }

// String shows the key type and public key, never the private key.
func (kp KeyPair) String() string { return kp.typ.String() + ":" + kp.PublicKeyHex() }

// GoString is String, so %#v does not print the private key either.
func (kp KeyPair) GoString() string { return "crypto.KeyPair{" + kp.String() + "}" }

// nodePublicLen is the text length of every "n…" key: base58 of 1+33+4
// bytes whose version byte 0x1C fixes the number of digits.
const nodePublicLen = 52

// EncodeNodePublic returns the "n…" form of a node's public key. pub should
// be a 33-byte key such as KeyPair.PublicKey returns.
func EncodeNodePublic(pub []byte) string { return EncodeCheck(VersionNodePublic, pub) }

// ParseNodePublic decodes an "n…" node public key and checks that it is a
// 33-byte key of a known form. A secp256k1 key must be a point on the curve;
// an ed25519 key is only checked for its prefix here, and a bad point is
// caught by Verify.
func ParseNodePublic(s string) ([]byte, error) {
	// Every node public key is 52 characters; checking first keeps long
	// input away from the quadratic base58 decoder.
	if len(s) != nodePublicLen {
		return nil, fmt.Errorf("%w: node public key %.60q: %w: %d characters, want %d",
			ErrBadPublicKey, s, ErrBadLength, len(s), nodePublicLen)
	}
	pub, err := DecodeCheck(s, VersionNodePublic, PublicKeySize)
	if err != nil {
		return nil, fmt.Errorf("%w: node public key %q: %w", ErrBadPublicKey, s, err)
	}
	switch pub[0] {
	case 0x02, 0x03:
		if _, err := secp256k1.ParsePubKey(pub); err != nil {
			return nil, fmt.Errorf("%w: node public key %q: %v", ErrBadPublicKey, s, err)
		}
	case ed25519Prefix:
	default:
		return nil, fmt.Errorf("%w: node public key %q starts with %#02x, want 02, 03 or ED",
			ErrBadPublicKey, s, pub[0])
	}
	return pub, nil
}
