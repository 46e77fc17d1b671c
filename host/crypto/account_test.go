package crypto

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestAddressVectors(t *testing.T) {
	cases := []struct{ hexID, addr string }{
		{"ED2BBF5F80507853D1539F70D16557FB1AD0BE45", "j4dsZadfBLTFcLyNWTqvAPrP8gaEBijqSo"}, // spec §9 vector 11
		{"1359AA928F4D98FDB3D93E8B690C80D37DED11C3", "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"}, // spec §9 vector 1
		{"0000000000000000000000000000000000000000", "jjjjjjjjjjjjjjjjjjjjjhoLvTp"},
		{"0000000000000000000000000000000000000001", "jjjjjjjjjjjjjjjjjjjjBZbvri"},
	}
	for _, c := range cases {
		raw, _ := hex.DecodeString(c.hexID)
		var id AccountID
		copy(id[:], raw)
		if got := id.String(); got != c.addr {
			t.Errorf("encode %s = %s, want %s", c.hexID, got, c.addr)
		}
		back, err := ParseAddress(c.addr)
		if err != nil || back != id {
			t.Errorf("decode %s = %x, %v", c.addr, back, err)
		}
	}
}

func TestParseAddressRejectsCorruption(t *testing.T) {
	good := "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz"
	bad := []string{
		"", "j", good[:len(good)-1], good + "j",
		strings.Replace(good, "K", "L", 1),   // checksum
		"rpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", // rippled alphabet first char is not 'r' here
		"jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJA0", // '0' is not in the alphabet
		EncodeCheck(VersionSeedSecp256k1, make([]byte, 16)),
	}
	for _, s := range bad {
		if _, err := ParseAddress(s); err == nil {
			t.Errorf("ParseAddress(%q) accepted", s)
		}
	}
}
