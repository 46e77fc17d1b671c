package crypto

import "testing"

// The verify benchmarks run the full path a node takes for a submitted
// transaction: classify and parse the public key, parse the signature,
// hash (secp256k1), verify. Messages are the spec §9 signing data
// (about 150 and 130 bytes).

func BenchmarkVerifySecp256k1(b *testing.B) {
	pub, msg, sig := secpVector(b)
	for b.Loop() {
		if err := Verify(pub, msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyEd25519(b *testing.B) {
	pub, msg, sig := edVector(b)
	for b.Loop() {
		if err := Verify(pub, msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignSecp256k1(b *testing.B) {
	_, msg, _ := secpVector(b)
	kp := mustKeyPair(b, txVectors[0].secret)
	for b.Loop() {
		if _, err := kp.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignEd25519(b *testing.B) {
	_, msg, _ := edVector(b)
	kp := mustKeyPair(b, txVectors[1].secret)
	for b.Loop() {
		if _, err := kp.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyCacheHit(b *testing.B) {
	pub, msg, sig := secpVector(b)
	c := NewVerifyCache(1 << 16)
	var h Hash256
	if err := c.Verify(h, pub, msg, sig); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := c.Verify(h, pub, msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeriveKeyPairSecp256k1(b *testing.B) {
	seed := SeedFromPassphrase("bench")
	for b.Loop() {
		if _, err := DeriveKeyPair(seed, Secp256k1); err != nil {
			b.Fatal(err)
		}
	}
}
