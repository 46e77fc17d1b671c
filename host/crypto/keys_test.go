package crypto

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Key vectors from spec §9 and the libraries' fixtures. privateHex is the
// libraries' display form; empty where the source gives none.
var keyVectors = []struct {
	name                  string
	secret, address       string
	publicHex, privateHex string
}{
	{
		name:   "vector 1",
		secret: "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C", address: "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz",
		publicHex: "029110C3744FB57BD1F4824F5B989AE75EB6402B4365B501F6EDCA9BE44A675E15",
	},
	{
		name:   "vector 7 (ed25519)",
		secret: "sEdTJSpen5J8ZA7H4cVGDF6oSSLLW2Y", address: "jfqiMxoT228vp3dMrXKnJXo6V9iYEx94pt",
		publicHex: "ED68635043BC70DE82272BF5990642400CF79089B2ABCF8EF9D10FFFB96A658763",
	},
	{name: "vector 9a", secret: "shVCQFSxkF7DLXkrHY8X2PBKCKxS9", address: "jfdqBEDsbk3eMSXX2t7CGeu2RPkEjHs6ie"},
	{name: "vector 9b", secret: "sszWqvtbDzzMQEVWqGDSA5DbMYDBN", address: "jahbmVT3T9yf5D4Ykw8x6nRUtUfAAMzBRV"},
	{
		// Also ripple-keypairs' secp256k1 fixture, which gives the public key.
		name:   "vector 9c",
		secret: "sp5fghtJtpUojTwvof1NpDXAzNwf5", address: "jU6K7V3Po4snVhBBaU29sesqs2qTQJWDw1",
		publicHex:  "030D58EB48B4420B1F7B9DF55087E0E29FEF0E8468F9A6825B01CA2C361042D435",
		privateHex: "00D78B9735C3F26501C7337B8A5727FD53A6EFDBC6AA55984F098488561F985E23",
	},
	{
		// Also ripple-keypairs' ed25519 fixture, which gives both keys.
		name:   "vector 9d (ed25519)",
		secret: "sEdSKaCy2JT7JaM7v95H9SxkhP9wS2j", address: "jLUEXYuLiQptky37CqLcm9USQpPiz5jkpD",
		publicHex:  "ED01FA53FA5A7E77798F882ECE20B1ABC00BB358A9E55A202D0D0676BD0CE37A63",
		privateHex: "EDB4C4E046826BD26190D09715FC31F4E6A728204EADD112905B08B14B7F15C4F3",
	},
	{
		name:   "vector 12 (genesis)",
		secret: GenesisSecret, address: GenesisAddress, publicHex: GenesisPublicKeyHex,
	},
}

func TestDeriveKeyPairMatchesTheJSLibraries(t *testing.T) {
	for _, v := range keyVectors {
		t.Run(v.name, func(t *testing.T) {
			kp := mustKeyPair(t, v.secret)
			if got := kp.AccountID().String(); got != v.address {
				t.Errorf("address = %s, want %s", got, v.address)
			}
			if v.publicHex != "" && kp.PublicKeyHex() != v.publicHex {
				t.Errorf("public key = %s, want %s", kp.PublicKeyHex(), v.publicHex)
			}
			if v.privateHex != "" && kp.PrivateKeyHex() != v.privateHex {
				t.Errorf("private key = %s, want %s", kp.PrivateKeyHex(), v.privateHex)
			}
			if n := len(kp.PrivateKeyHex()); n != 66 {
				t.Errorf("private key display is %d hex characters, want 66", n)
			}
		})
	}
}

func TestAccountIDOfVector1PublicKey(t *testing.T) {
	// spec §9 vector 1: the account id is RIPEMD160(SHA256(pubkey33)).
	kp := mustKeyPair(t, "ssiUDhUpUZ5JDPWZ9Twt27Ckq6k4C")
	if got := kp.AccountID().Hex(); got != "1359AA928F4D98FDB3D93E8B690C80D37DED11C3" {
		t.Errorf("account id = %s", got)
	}
}

func TestDeriveNodeKeyPairUsesTheFamilyRootKey(t *testing.T) {
	cases := []struct {
		name                   string
		seedHex                string
		publicHex, privateHex  string
		nodePublic, accountStr string
	}{
		{
			// Ripple wiki "Account Family" vector: root private key, node
			// public key, and (via DeriveKeyPair) the account, j for r.
			name:       "ripple wiki account family",
			seedHex:    "71ED064155FFADFA38782C5E0158CB26",
			publicHex:  "0388E5BA87A000CB807240DF8C848EB0B5FFA5C8E5A521BC8E105C0F0A44217828",
			privateHex: "007CFBA64F771E93E817E15039215430B53F7401C34931D111EAB3510B22DBB0D8",
			// rippled shows n9MXXueo…YTj7x17TH: its 'j' is Jingtum's 'r'.
			nodePublic: "n9MXXueo837zYH36DvMc13BwHcqtfAWNJY5czWVbp7uYTr7x17TH",
			accountStr: "jhcfR9Cg98qCxHpCcPBmMonbDBXo84wyTn",
		},
		{
			// ripple-keypairs fixture: validatorKeypair of sp5fghtJtpUorTwvof1NpDXAzNwf5.
			name:       "ripple-keypairs validator keypair",
			seedHex:    seedHexOf(t, "sp5fghtJtpUojTwvof1NpDXAzNwf5"),
			publicHex:  "03B462771E99AAE9C7912AF47D6120C0B0DA972A4043A17F26320A52056DA46EA8",
			privateHex: "001A6B48BF0DE7C7E425B61E0444E3921182B6529867685257CEDC3E7EF13F0F18",
			accountStr: "jU6K7V3Po4snVhBBaU29sesqs2qTQJWDw1",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var seed Seed
			raw, _ := hex.DecodeString(c.seedHex)
			copy(seed[:], raw)
			node, err := DeriveNodeKeyPair(seed, Secp256k1)
			if err != nil {
				t.Fatal(err)
			}
			if node.PublicKeyHex() != c.publicHex || node.PrivateKeyHex() != c.privateHex {
				t.Errorf("node keys = %s / %s, want %s / %s",
					node.PublicKeyHex(), node.PrivateKeyHex(), c.publicHex, c.privateHex)
			}
			if c.nodePublic != "" {
				if got := EncodeNodePublic(node.PublicKey()); got != c.nodePublic {
					t.Errorf("node public = %s, want %s", got, c.nodePublic)
				}
			}
			acct, _ := DeriveKeyPair(seed, Secp256k1)
			if got := acct.AccountID().String(); got != c.accountStr {
				t.Errorf("account of the same seed = %s, want %s", got, c.accountStr)
			}
		})
	}
}

func TestDeriveNodeKeyPairEd25519IsTheAccountKey(t *testing.T) {
	seed := SeedFromPassphrase("node")
	node, _ := DeriveNodeKeyPair(seed, Ed25519)
	acct, _ := DeriveKeyPair(seed, Ed25519)
	if node.PublicKeyHex() != acct.PublicKeyHex() || node.PrivateKeyHex() != acct.PrivateKeyHex() {
		t.Errorf("ed25519 node key %v differs from account key %v", node, acct)
	}
}

func TestDeriveRejectsUnknownKeyType(t *testing.T) {
	if _, err := DeriveKeyPair(Seed{}, KeyType(2)); !errors.Is(err, ErrBadKeyType) {
		t.Errorf("DeriveKeyPair error = %v, want %v", err, ErrBadKeyType)
	}
	if _, err := DeriveNodeKeyPair(Seed{}, KeyType(2)); !errors.Is(err, ErrBadKeyType) {
		t.Errorf("DeriveNodeKeyPair error = %v, want %v", err, ErrBadKeyType)
	}
}

func TestNodePublicRoundTripsBothKeyTypes(t *testing.T) {
	for _, kt := range []KeyType{Secp256k1, Ed25519} {
		kp, _ := DeriveNodeKeyPair(SeedFromPassphrase("validator"), kt)
		s := EncodeNodePublic(kp.PublicKey())
		if !strings.HasPrefix(s, "n") {
			t.Errorf("%v node public %s does not start with n", kt, s)
		}
		pub, err := ParseNodePublic(s)
		if err != nil || hex.EncodeToString(pub) != hex.EncodeToString(kp.PublicKey()) {
			t.Errorf("ParseNodePublic(%s) = %X, %v, want %s", s, pub, err, kp.PublicKeyHex())
		}
	}
}

func TestParseNodePublicRejectsWhatIsNotANodeKey(t *testing.T) {
	offCurve := make([]byte, 33) // x = 5 has no point on secp256k1: 5³+7 = 132 is not a square mod p
	offCurve[0], offCurve[32] = 0x02, 0x05
	uncompressedPrefix := append([]byte{0x04}, make([]byte, 32)...)
	cases := []struct{ name, s string }{
		{"empty", ""},
		{"account address", GenesisAddress},
		{"secret", GenesisSecret},
		{"point not on the curve", EncodeNodePublic(offCurve)},
		{"unknown prefix", EncodeNodePublic(uncompressedPrefix)},
		{"checksum", strings.Replace("n9MXXueo837zYH36DvMc13BwHcqtfAWNJY5czWVbp7uYTr7x17TH", "MXX", "MXY", 1)},
	}
	for _, c := range cases {
		if _, err := ParseNodePublic(c.s); !errors.Is(err, ErrBadPublicKey) {
			t.Errorf("%s: ParseNodePublic error = %v, want %v", c.name, err, ErrBadPublicKey)
		}
	}
}

func TestKeyPairPrintsWithoutItsPrivateKey(t *testing.T) {
	for _, v := range keyVectors {
		kp := mustKeyPair(t, v.secret)
		priv := kp.PrivateKeyHex()[2:]
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(format, kp)
			if strings.Contains(strings.ToUpper(out), priv) {
				t.Errorf("%s: Sprintf(%q) = %s shows the private key", v.name, format, out)
			}
			if !strings.Contains(out, kp.PublicKeyHex()) {
				t.Errorf("%s: Sprintf(%q) = %s lacks the public key", v.name, format, out)
			}
		}
	}
}

func mustKeyPair(t testing.TB, secret string) KeyPair {
	t.Helper()
	seed, kt, err := ParseSecret(secret)
	if err != nil {
		t.Fatalf("ParseSecret(%s): %v", secret, err)
	}
	kp, err := DeriveKeyPair(seed, kt)
	if err != nil {
		t.Fatalf("DeriveKeyPair(%s): %v", secret, err)
	}
	return kp
}

func seedHexOf(t testing.TB, secret string) string {
	t.Helper()
	seed, _, err := ParseSecret(secret)
	if err != nil {
		t.Fatalf("ParseSecret(%s): %v", secret, err)
	}
	return hex.EncodeToString(seed[:])
}
