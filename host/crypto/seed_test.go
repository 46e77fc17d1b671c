package crypto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestSeedFromPassphraseIsRippledCreateSeedGeneric(t *testing.T) {
	// spec §2: SHA-512("masterpassphrase")[0:16].
	got := SeedFromPassphrase("masterpassphrase")
	if h := strings.ToUpper(hex.EncodeToString(got[:])); h != "DEDCE9CE67B451D852FD4E846FCDE31C" {
		t.Fatalf("SeedFromPassphrase(masterpassphrase) = %s", h)
	}
}

func TestGenesisAccountIsDerivedFromMasterPassphrase(t *testing.T) {
	// spec §9 vector 12 and §2.
	seed := SeedFromPassphrase(GenesisPassphrase)
	if got := EncodeSecret(seed, Secp256k1); got != GenesisSecret {
		t.Errorf("genesis secret = %s, want %s", got, GenesisSecret)
	}
	kp := GenesisKeyPair()
	if got := kp.AccountID().String(); got != GenesisAddress {
		t.Errorf("genesis address = %s, want %s", got, GenesisAddress)
	}
	if got := kp.PublicKeyHex(); got != GenesisPublicKeyHex {
		t.Errorf("genesis public key = %s, want %s", got, GenesisPublicKeyHex)
	}
	parsed, kt, err := ParseSecret(GenesisSecret)
	if err != nil || parsed != seed || kt != Secp256k1 {
		t.Errorf("ParseSecret(genesis) = %X, %v, %v", parsed, kt, err)
	}
}

func TestParseSecretRecognisesBothForms(t *testing.T) {
	cases := []struct {
		secret  string
		seedHex string
		kt      KeyType
	}{
		{GenesisSecret, "DEDCE9CE67B451D852FD4E846FCDE31C", Secp256k1},
		// Ripple wiki "Account Family" seed, its secret moved to the Jingtum alphabet.
		{"shHM53KPZ87Gwdqajm1bAmPeXg8Tn", "71ED064155FFADFA38782C5E0158CB26", Secp256k1},
		// ripple-address-codec's ed25519 seed vector (no r or j, so the same text).
		{"sEdTM1uX8pu2do5XvTnutH6HsouMaM2", "4C3A1D213FBDFB14C7C28D609469B341", Ed25519},
	}
	for _, c := range cases {
		seed, kt, err := ParseSecret(c.secret)
		if err != nil {
			t.Errorf("ParseSecret(%s): %v", c.secret, err)
			continue
		}
		if got := strings.ToUpper(hex.EncodeToString(seed[:])); got != c.seedHex || kt != c.kt {
			t.Errorf("ParseSecret(%s) = %s %v, want %s %v", c.secret, got, kt, c.seedHex, c.kt)
		}
		if back := EncodeSecret(seed, kt); back != c.secret {
			t.Errorf("EncodeSecret(%s, %v) = %s, want %s", c.seedHex, kt, back, c.secret)
		}
	}
}

func TestParseSecretNamesTheProblem(t *testing.T) {
	good := GenesisSecret
	cases := []struct {
		name, secret string
		want         error
	}{
		{"empty", "", ErrBadLength},
		{"not base58", good[:10] + "0" + good[11:], ErrBadBase58},
		{"checksum", good[:10] + "X" + good[11:], ErrBadChecksum},
		{"too short", good[:len(good)-1], ErrBadLength},
		{"too long", good + "j", ErrBadLength},
		{"address, not secret", GenesisAddress, ErrBadLength},
		{"right length, wrong version", EncodeCheck([]byte{0x22}, make([]byte, 16)), ErrBadVersion},
		{"ed25519 length, wrong version", EncodeCheck([]byte{0x01, 0xE1, 0x4C}, make([]byte, 16)), ErrBadVersion},
		{"node public key", EncodeNodePublic(GenesisKeyPair().PublicKey()), ErrBadLength},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ParseSecret(c.secret)
			if !errors.Is(err, ErrBadSecret) || !errors.Is(err, c.want) {
				t.Fatalf("ParseSecret error = %v, want %v and %v", err, ErrBadSecret, c.want)
			}
			if len(c.secret) > 3 && strings.Contains(err.Error(), c.secret) {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
}

func TestKeyTypeNamesRoundTrip(t *testing.T) {
	for _, kt := range []KeyType{Secp256k1, Ed25519} {
		back, err := ParseKeyType(kt.String())
		if err != nil || back != kt {
			t.Errorf("ParseKeyType(%q) = %v, %v", kt.String(), back, err)
		}
	}
	if Secp256k1.String() != "secp256k1" || Ed25519.String() != "ed25519" {
		t.Errorf("names = %q, %q", Secp256k1, Ed25519)
	}
	if _, err := ParseKeyType("sm2"); !errors.Is(err, ErrBadKeyType) {
		t.Errorf("ParseKeyType(sm2) error = %v, want %v", err, ErrBadKeyType)
	}
	if got := KeyType(7).String(); got != "KeyType(7)" {
		t.Errorf("KeyType(7).String() = %q", got)
	}
}

func TestNewSeedTakesSixteenBytesOfEntropy(t *testing.T) {
	src := bytes.NewReader(bytes.Repeat([]byte{0xAB}, 20))
	seed, err := NewSeed(src)
	if err != nil || seed != Seed(bytes.Repeat([]byte{0xAB}, 16)) {
		t.Fatalf("NewSeed = %X, %v", seed, err)
	}
	if src.Len() != 4 {
		t.Errorf("NewSeed read %d bytes, want 16", 20-src.Len())
	}

	if _, err := NewSeed(bytes.NewReader(make([]byte, 15))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("NewSeed(15 bytes) error = %v, want %v", err, io.ErrUnexpectedEOF)
	}
	if _, err := NewSeed(iotest.ErrReader(io.ErrClosedPipe)); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("NewSeed(failing reader) error = %v, want %v", err, io.ErrClosedPipe)
	}

	a, errA := NewSeed(nil)
	b, errB := NewSeed(nil)
	if errA != nil || errB != nil || a == b {
		t.Errorf("NewSeed(nil) twice = %X, %X (%v, %v): want two distinct seeds", a, b, errA, errB)
	}
}
