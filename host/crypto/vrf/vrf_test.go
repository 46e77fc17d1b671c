package vrf

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 9381 Appendix B.3 (ECVRF-EDWARDS25519-SHA512-ELL2; the final
// semantics, draft v11 onward, which put the public key in the challenge).
func TestProveAndVerifyMatchRFC9381Vectors(t *testing.T) {
	cases := []struct{ sk, pk, alpha, pi, beta string }{
		{"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
			"7d9c633ffeee27349264cf5c667579fc583b4bda63ab71d001f89c10003ab46f14adf9a3cd8b8412d9038531e865c341cafa73589b023d14311c331a9ad15ff2fb37831e00f0acaa6d73bc9997b06501",
			"9d574bf9b8302ec0fc1e21c3ec5368269527b87b462ce36dab2d14ccf80c53cccf6758f058c5b1c856b116388152bbe509ee3b9ecfe63d93c3b4346c1fbc6c54"},
		{"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
			"47b327393ff2dd81336f8a2ef10339112401253b3c714eeda879f12c509072ef055b48372bb82efbdce8e10c8cb9a2f9d60e93908f93df1623ad78a86a028d6bc064dbfc75a6a57379ef855dc6733801",
			"38561d6b77b71d30eb97a062168ae12b667ce5c28caccdf76bc88e093e4635987cd96814ce55b4689b3dd2947f80e59aac7b7675f8083865b46c89b2ce9cc735"},
		{"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
			"926e895d308f5e328e7aa159c06eddbe56d06846abf5d98c2512235eaa57fdce35b46edfc655bc828d44ad09d1150f31374e7ef73027e14760d42e77341fe05467bb286cc2c9d7fde29120a0b2320d04",
			"121b7f9b9aaaa29099fc04a94ba52784d44eac976dd1a3cca458733be5cd090a7b5fbd148444f17f8daf1fb55cb04b1ae85a626e30a54b4b0f8abf4a43314a58"},
	}
	for _, c := range cases {
		k, err := PrivateKeyFromEd25519Seed(unhex(t, c.sk))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(k.Public(), unhex(t, c.pk)) {
			t.Fatalf("public key %x", k.Public())
		}
		pi, beta := k.Prove(unhex(t, c.alpha))
		if !bytes.Equal(pi, unhex(t, c.pi)) || !bytes.Equal(beta, unhex(t, c.beta)) {
			t.Fatalf("alpha %s: pi %x beta %x", c.alpha, pi, beta)
		}
		got, err := Verify(unhex(t, c.pk), pi, unhex(t, c.alpha))
		if err != nil || !bytes.Equal(got, beta) {
			t.Fatalf("verify: %v", err)
		}
		if h, err := ProofToHash(pi); err != nil || !bytes.Equal(h, beta) {
			t.Fatalf("proof to hash: %x %v", h, err)
		}
	}
	if _, err := ProofToHash(make([]byte, ProofSize-1)); err == nil {
		t.Fatal("a short proof hashed")
	}
}

func TestVerifyRejectsAnythingAltered(t *testing.T) {
	k := KeyFromNodeSeed(crypto.SeedFromPassphrase("validator-1"))
	alpha := []byte("JT/vrf test")
	pi, _ := k.Prove(alpha)
	pub := k.Public()
	if _, err := Verify(pub, pi, []byte("other alpha")); !errors.Is(err, ErrBadProof) {
		t.Fatal("proof verified for another input")
	}
	other := KeyFromNodeSeed(crypto.SeedFromPassphrase("validator-2"))
	if _, err := Verify(other.Public(), pi, alpha); !errors.Is(err, ErrBadProof) {
		t.Fatal("proof verified under another key")
	}
	for i := 0; i < len(pi); i++ {
		bad := bytes.Clone(pi)
		bad[i] ^= 0x01
		if _, err := Verify(pub, bad, alpha); err == nil {
			t.Fatalf("proof with byte %d flipped verified", i)
		}
	}
	for _, bad := range [][]byte{nil, pi[:79], append(bytes.Clone(pi), 0)} {
		if _, err := Verify(pub, bad, alpha); err == nil {
			t.Fatal("malformed proof accepted")
		}
	}
	if _, err := Verify(pub[:31], pi, alpha); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestTheVRFKeyIsDeterministicAndDistinctFromTheSigningKey(t *testing.T) {
	seed := crypto.SeedFromPassphrase("validator-1")
	a, b := KeyFromNodeSeed(seed), KeyFromNodeSeed(seed)
	if !bytes.Equal(a.Public(), b.Public()) {
		t.Fatal("not deterministic")
	}
	kp, err := crypto.DeriveKeyPair(seed, crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Public(), kp.PublicKey()[1:]) {
		t.Fatal("the VRF key is the signing key")
	}
}

func FuzzVerify(f *testing.F) {
	k := KeyFromNodeSeed(crypto.SeedFromPassphrase("fuzz"))
	pi, _ := k.Prove([]byte("a"))
	f.Add(k.Public(), pi, []byte("a"))
	f.Fuzz(func(t *testing.T, pub, proof, alpha []byte) {
		beta, err := Verify(pub, proof, alpha)
		if err == nil && len(beta) != OutputSize {
			t.Fatalf("output of %d bytes", len(beta))
		}
	})
}
