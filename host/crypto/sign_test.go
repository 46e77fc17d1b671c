package crypto

import (
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Signed transactions from spec §9. The signing data is "STX\0" ‖ the blob
// with the TxnSignature field (74, a VL length, the signature) removed; the
// transaction id is SHA512Half("TXN\0" ‖ the whole blob).
var txVectors = []struct {
	name, secret, blobHex, sigHex, hashHex string
}{
	{
		name:   "vector 2: secp256k1 payment with memo",
		secret: "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C",
		blobHex: "120000220000000024000000016140000017428107006840000000000027107321029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E15" +
			"74473045022100EC761F10DDA2371C77437EE2C7A71379B4214CF77E1C4058C46236B3E446ACE90220456CFB5ACDEE1EB7DEAC4819B5CD19C09911518BD38810A77EF20863C776FC80" +
			"81141359AA928F4D98FDB3D93E8B690C80D37DED11C38314054FADDC8595E2950FA43F673F65C2009F58C7F1F9EA7D09E7BB99E694AFE4BB98E1F1",
		sigHex:  "3045022100EC761F10DDA2371C77437EE2C7A71379B4214CF77E1C4058C46236B3E446ACE90220456CFB5ACDEE1EB7DEAC4819B5CD19C09911518BD38810A77EF20863C776FC80",
		hashHex: "EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2",
	},
	{
		name:   "vector 7: ed25519 payment",
		secret: "sEdTJSpen5J8ZA7H4cVGDF6oSSLLW2Y",
		blobHex: "1200002200000000240000000E6140000000000186A06840000000000027107321ED68635043BC70DE82272BF5990642400CF79089B2ABCF8EF9D10FFFB96A658763" +
			"7440FC0A0CD28AB6A18E14D990324E27AA39795FF5FA5FBEE8D055AEB3647BEC7E9DCF46401E9978B09B5F5836FFF82DFA9F3B8EA36C2E057F3FF23681E428B1630A" +
			"81144B0DECFADE9D4170260CD5BA9EC1CF065CA8894683141359AA928F4D98FDB3D93E8B690C80D37DED11C3",
		sigHex:  "FC0A0CD28AB6A18E14D990324E27AA39795FF5FA5FBEE8D055AEB3647BEC7E9DCF46401E9978B09B5F5836FFF82DFA9F3B8EA36C2E057F3FF23681E428B1630A",
		hashHex: "0473C8FFF375E06EE763B5D63F351B231EC90F6BEE0170BB9158803F9DBCD267",
	},
}

// signingData returns "STX\0" ‖ blob without its TxnSignature field.
func signingData(t testing.TB, blobHex, sigHex string) []byte {
	t.Helper()
	field := "74" + strings.ToUpper(hex.EncodeToString([]byte{byte(len(sigHex) / 2)})) + sigHex
	before, after, found := strings.Cut(blobHex, field)
	if !found || len(before)%2 != 0 || strings.Contains(after, field) {
		t.Fatalf("TxnSignature field %s is not in the blob exactly once", field[:8])
	}
	return append([]byte("STX\x00"), mustHex(t, before+after)...)
}

func TestSignReproducesTheTxnSignatureOfSignedVectors(t *testing.T) {
	for _, v := range txVectors {
		t.Run(v.name, func(t *testing.T) {
			kp := mustKeyPair(t, v.secret)
			msg := signingData(t, v.blobHex, v.sigHex)
			sig, err := kp.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ToUpper(hex.EncodeToString(sig)); got != v.sigHex {
				t.Errorf("Sign = %s\nwant   %s", got, v.sigHex)
			}
			if err := Verify(kp.PublicKey(), msg, mustHex(t, v.sigHex)); err != nil {
				t.Errorf("Verify(library signature) = %v", err)
			}
			txID := SHA512Half([]byte("TXN\x00"), mustHex(t, v.blobHex))
			if got := strings.ToUpper(hex.EncodeToString(txID[:])); got != v.hashHex {
				t.Errorf("tx hash = %s, want %s", got, v.hashHex)
			}
		})
	}
}

func TestSignArbitraryMessagesLikeTheLibraries(t *testing.T) {
	cases := []struct {
		name, secret, msg, sigHex string
	}{
		{
			// spec §9 vector 10: jingtum-base-lib Wallet.sign("hello").
			name: "vector 10", secret: "sszWqvtbDzzMQEVWqGDSA5DbMYDBN", msg: "hello",
			sigHex: "3045022100B53E6A54B71E44A4D449C76DECAE44169204744D639C14D22D941157F5A1418F02201D029783B31EE3DA88F18C56D055CF47606A9708FDCA9A42BAD9EFD335FA29FD",
		},
		{
			name: "ripple-keypairs secp256k1 fixture", secret: "sp5fghtJtpUojTwvof1NpDXAzNwf5", msg: "test message",
			sigHex: "30440220583A91C95E54E6A651C47BEC22744E0B101E2C4060E7B08F6341657DAD9BC3EE02207D1489C7395DB0188D3A56A977ECBA54B36FA9371B40319655B1B4429E33EF2D",
		},
		{
			name: "ripple-keypairs ed25519 fixture", secret: "sEdSKaCy2JT7JaM7v95H9SxkhP9wS2j", msg: "test message",
			sigHex: "CB199E1BFD4E3DAA105E4832EEDFA36413E1F44205E4EFB9E27E826044C21E3E2E848BBC8195E8959BADF887599B7310AD1B7047EF11B682E0D068F73749750E",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kp := mustKeyPair(t, c.secret)
			sig, err := kp.Sign([]byte(c.msg))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ToUpper(hex.EncodeToString(sig)); got != c.sigHex {
				t.Errorf("Sign(%q) = %s\nwant   %s", c.msg, got, c.sigHex)
			}
			if err := Verify(kp.PublicKey(), []byte(c.msg), sig); err != nil {
				t.Errorf("Verify = %v", err)
			}
		})
	}
}

func TestZeroKeyPairCannotSign(t *testing.T) {
	if _, err := (KeyPair{}).Sign([]byte("x")); !errors.Is(err, ErrNoPrivateKey) {
		t.Errorf("zero KeyPair Sign error = %v, want %v", err, ErrNoPrivateKey)
	}
}

// secpVector returns vector 2's key, signing data and signature.
func secpVector(t testing.TB) (pub, msg, sig []byte) {
	v := txVectors[0]
	return mustKeyPair(t, v.secret).PublicKey(), signingData(t, v.blobHex, v.sigHex), mustHex(t, v.sigHex)
}

// edVector returns vector 7's key, signing data and signature.
func edVector(t testing.TB) (pub, msg, sig []byte) {
	v := txVectors[1]
	return mustKeyPair(t, v.secret).PublicKey(), signingData(t, v.blobHex, v.sigHex), mustHex(t, v.sigHex)
}

// derSig encodes r and s in DER, padding each with pad extra zero bytes
// beyond the minimal encoding, so tests can build valid and invalid forms.
func derSig(r, s *big.Int, padR int) []byte {
	integer := func(v *big.Int, pad int) []byte {
		b := v.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		b = append(make([]byte, pad), b...)
		return append([]byte{0x02, byte(len(b))}, b...)
	}
	body := append(integer(r, padR), integer(s, 0)...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

var curveN = secp256k1.S256().N

func TestVerifyRejectsMalleatedAndMalformedSecp256k1Signatures(t *testing.T) {
	pub, msg, sig := secpVector(t)
	r, s, err := parseDERSignature(sig)
	if err != nil {
		t.Fatal(err)
	}
	rb, sb := r.Bytes(), s.Bytes()
	R, S := new(big.Int).SetBytes(rb[:]), new(big.Int).SetBytes(sb[:])
	highS := new(big.Int).Sub(curveN, S)

	if err := Verify(pub, msg, derSig(R, S, 0)); err != nil {
		t.Fatalf("the helper's own encoding of the valid signature fails: %v", err)
	}
	// Vector 2's R has its high bit set, so its DER form carries a 00 pad;
	// dropping the pad makes the INTEGER negative.
	negR := append([]byte{0x30, byte(len(sig) - 3), 0x02, 0x20}, sig[5:]...)
	cases := []struct {
		name string
		sig  []byte
		want error
	}{
		{"high S (n - S), mathematically valid", derSig(R, highS, 0), ErrNonCanonical},
		{"R padded with a superfluous zero", derSig(R, S, 1), ErrNonCanonical},
		{"long-form sequence length", append([]byte{0x30, 0x81, sig[1]}, sig[2:]...), ErrNonCanonical},
		{"long-form R length", append([]byte{0x30, sig[1] + 1, 0x02, 0x81, sig[3]}, sig[4:]...), ErrNonCanonical},
		{"trailing byte after the sequence", append(append([]byte{}, sig...), 0x00), ErrBadSignature},
		{"trailing byte inside the sequence", append(append([]byte{0x30, sig[1] + 1}, sig[2:]...), 0x00), ErrBadSignature},
		{"negative R", negR, ErrBadSignature},
		{"R is zero", derSig(big.NewInt(0), S, 0), ErrBadSignature},
		{"S is zero", derSig(R, big.NewInt(0), 0), ErrBadSignature},
		{"R = n", derSig(curveN, S, 0), ErrBadSignature},
		{"S + n (same value mod n)", derSig(R, new(big.Int).Add(S, curveN), 0), ErrBadSignature},
		{"R of 2^256", derSig(new(big.Int).Lsh(big.NewInt(1), 256), S, 0), ErrBadSignature},
		{"SET instead of SEQUENCE", append([]byte{0x31}, sig[1:]...), ErrBadSignature},
		{"R not an INTEGER", append([]byte{0x30, sig[1], 0x03}, sig[3:]...), ErrBadSignature},
		{"empty R", []byte{0x30, 0x06, 0x02, 0x00, 0x02, 0x02, 0x01, 0x01}, ErrBadSignature},
		{"ed25519-sized signature", make([]byte, 64), ErrBadSignature},
		{"empty", nil, ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(pub, msg, c.sig)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify(%X) = %v, want %v", c.sig, err, c.want)
			}
			if c.want == ErrBadSignature && errors.Is(err, ErrNonCanonical) {
				t.Errorf("Verify = %v, which claims a canonical-encoding problem", err)
			}
		})
	}
}

func TestVerifyRejectsEveryTruncationOfAValidSignature(t *testing.T) {
	for _, vec := range []func(testing.TB) ([]byte, []byte, []byte){secpVector, edVector} {
		pub, msg, sig := vec(t)
		for n := range len(sig) {
			if err := Verify(pub, msg, sig[:n]); !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify(first %d of %d signature bytes) = %v, want %v", n, len(sig), err, ErrBadSignature)
			}
		}
	}
}

func TestVerifyRejectsAnEd25519SignatureWithSAboveTheGroupOrder(t *testing.T) {
	pub, msg, sig := edVector(t)
	// S + L is the same scalar mod L, so a verifier that reduced S would
	// accept it; RFC 8032 and crypto/ed25519 require S < L.
	forged := append([]byte{}, sig...)
	var carry uint16
	for i := range 32 {
		sum := uint16(forged[32+i]) + uint16(ed25519Order[i]) + carry
		forged[32+i], carry = byte(sum), sum>>8
	}
	if carry != 0 {
		t.Fatal("S + L overflowed 256 bits")
	}
	if err := Verify(pub, msg, forged); !errors.Is(err, ErrNonCanonical) {
		t.Errorf("Verify(S + L) = %v, want %v", err, ErrNonCanonical)
	}
	mutated := append([]byte{}, sig...)
	mutated[0] ^= 1
	err := Verify(pub, msg, mutated)
	if !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrNonCanonical) {
		t.Errorf("Verify(flipped R bit) = %v, want plain %v", err, ErrBadSignature)
	}
}

func TestVerifyRejectsTheWrongKeyOrMessage(t *testing.T) {
	secpPub, secpMsg, secpSig := secpVector(t)
	edPub, edMsg, edSig := edVector(t)
	other := GenesisKeyPair().PublicKey()
	otherEd := mustKeyPair(t, "sEdSKaCy2JT7JaM7v95H9SxkhP9wS2j").PublicKey()
	cases := []struct {
		name          string
		pub, msg, sig []byte
	}{
		{"secp256k1, another key", other, secpMsg, secpSig},
		{"secp256k1, message changed", secpPub, append(append([]byte{}, secpMsg...), 0), secpSig},
		{"secp256k1, message not prefixed with STX", secpPub, secpMsg[4:], secpSig},
		{"ed25519, another key", otherEd, edMsg, edSig},
		{"ed25519, message changed", edPub, edMsg[:len(edMsg)-1], edSig},
		{"ed25519 signature under a secp256k1 key", secpPub, edMsg, edSig},
		{"secp256k1 signature under an ed25519 key", edPub, secpMsg, secpSig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Verify(c.pub, c.msg, c.sig); !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify = %v, want %v", err, ErrBadSignature)
			}
		})
	}
}

func TestVerifyRejectsPublicKeysOfUnknownForm(t *testing.T) {
	pub, msg, sig := secpVector(t)
	key, _ := secp256k1.ParsePubKey(pub)
	offCurve := append([]byte{0x02}, make([]byte, 32)...)
	offCurve[32] = 0x05
	cases := []struct {
		name string
		pub  []byte
	}{
		{"empty", nil},
		{"uncompressed form of the right key", key.SerializeUncompressed()},
		{"compressed key minus a byte", pub[:32]},
		{"compressed key plus a byte", append(append([]byte{}, pub...), 0)},
		{"0x04 prefix at 33 bytes", append([]byte{0x04}, pub[1:]...)},
		{"x not on the curve", offCurve},
		{"ed25519 key of 32 bytes, no prefix", make([]byte, 32)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Verify(c.pub, msg, sig); !errors.Is(err, ErrBadPublicKey) {
				t.Errorf("Verify = %v, want %v", err, ErrBadPublicKey)
			}
		})
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}
