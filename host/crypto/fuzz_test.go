package crypto

import (
	"bytes"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// FuzzVerify checks that Verify never panics, that every rejection carries
// one of the package's sentinels, and that an accepted secp256k1 signature
// is the unique encoding of its (R, S): strict DER leaves nothing to malleate.
func FuzzVerify(f *testing.F) {
	for _, vec := range []func(testing.TB) ([]byte, []byte, []byte){secpVector, edVector} {
		pub, msg, sig := vec(f)
		f.Add(pub, msg, sig)
	}
	f.Add([]byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		err := Verify(pub, msg, sig)
		if err != nil {
			if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrBadPublicKey) {
				t.Fatalf("Verify error %v wraps no sentinel", err)
			}
			return
		}
		if pub[0] == ed25519Prefix {
			return
		}
		r, s, perr := parseDERSignature(sig)
		if perr != nil {
			t.Fatalf("Verify accepted a signature parseDERSignature rejects: %v", perr)
		}
		if canon := ecdsa.NewSignature(&r, &s).Serialize(); !bytes.Equal(canon, sig) {
			t.Fatalf("accepted %X, but the canonical encoding is %X", sig, canon)
		}
	})
}

// FuzzParseSecret checks that ParseSecret never panics, that its errors wrap
// ErrBadSecret, and that an accepted secret is the only text for its seed.
func FuzzParseSecret(f *testing.F) {
	for _, v := range keyVectors {
		f.Add(v.secret)
	}
	f.Add("")
	f.Add("sEd")
	f.Fuzz(func(t *testing.T, s string) {
		seed, kt, err := ParseSecret(s)
		if err != nil {
			if !errors.Is(err, ErrBadSecret) {
				t.Fatalf("ParseSecret error %v does not wrap ErrBadSecret", err)
			}
			return
		}
		if back := EncodeSecret(seed, kt); back != s {
			t.Fatalf("ParseSecret accepted %q, but the seed encodes as %q", s, back)
		}
	})
}
