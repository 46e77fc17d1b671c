package blhr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

func TestRecordsRoundTripThroughTheirEncoding(t *testing.T) {
	data := mustRecord(t, "doc/pdf", []byte("contract #42"))
	hashOnly, err := NewHashRecord("", crypto.SHA512Half([]byte("kept elsewhere")))
	if err != nil {
		t.Fatal(err)
	}
	records := map[string]Record{
		"data":                data,
		"hash only, no tag":   hashOnly,
		"signed secp256k1":    mustSign(t, data, testKey(t, "alice", crypto.Secp256k1)),
		"signed ed25519":      mustSign(t, hashOnly, testKey(t, "bob", crypto.Ed25519)),
		"largest data":        mustRecord(t, strings.Repeat("x", MaxTypeTag), bytes.Repeat([]byte{7}, MaxData)),
		"signed largest data": mustSign(t, mustRecord(t, "A-z0.9_:/", bytes.Repeat([]byte{1}, MaxData)), testKey(t, "carol", crypto.Secp256k1)),
	}
	for name, r := range records {
		enc := r.Encode()
		back, err := DecodeRecord(enc)
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("%s: round trip gave %+v, want %+v", name, back, r)
		}
		if !bytes.Equal(back.Encode(), enc) || back.ID() != r.ID() {
			t.Fatalf("%s: re-encoding changed the bytes or the id", name)
		}
		if want := crypto.SHA512Half([]byte("BLR\x00"), enc); r.ID() != want {
			t.Fatalf("%s: id %X, want SHA512Half(BLR\\0 ‖ encoding) = %X", name, r.ID(), want)
		}
		if err := back.VerifySignature(testChain); err != nil {
			t.Fatalf("%s: signature: %v", name, err)
		}
	}
}

func TestRecordEncodingLayout(t *testing.T) {
	r := mustRecord(t, "t", []byte{0xAB})
	h := crypto.SHA512Half([]byte{0xAB})
	want := append([]byte{1, 1, 't'}, h[:]...)
	want = append(want, 0, 0, 0, 1, 0xAB, 0, 0)
	if got := r.Encode(); !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %X\nwant %X", got, want)
	}
}

func TestNewRecordComputesTheDataHash(t *testing.T) {
	r := mustRecord(t, "x", []byte("hello"))
	if r.DataHash != crypto.SHA512Half([]byte("hello")) {
		t.Fatalf("data hash %X", r.DataHash)
	}
	if _, err := NewRecord("x", nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("NewRecord without data: %v", err)
	}
	if _, err := NewHashRecord("x", codec.Hash256{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("NewHashRecord of the zero hash: %v", err)
	}
	if _, err := NewRecord("x", make([]byte, MaxData+1)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("NewRecord over MaxData: %v", err)
	}
}

func TestTypeTagCharacters(t *testing.T) {
	const allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/-"
	for c := 0; c < 256; c++ {
		_, err := NewHashRecord("a"+string([]byte{byte(c)}), crypto.SHA512Half(nil))
		if ok := strings.IndexByte(allowed, byte(c)) >= 0; ok != (err == nil) {
			t.Errorf("tag byte %#02x: allowed %v, got error %v", c, ok, err)
		}
	}
	if _, err := NewHashRecord(strings.Repeat("a", MaxTypeTag+1), crypto.SHA512Half(nil)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("65-byte tag: %v", err)
	}
}

func TestSignedRecordVerifiesOnlyOnItsChainAndUnchanged(t *testing.T) {
	for _, kt := range []crypto.KeyType{crypto.Secp256k1, crypto.Ed25519} {
		kp := testKey(t, "signer", kt)
		r := mustSign(t, mustRecord(t, "tag", []byte("payload")), kp)
		if r.Account != kp.AccountID() || !bytes.Equal(r.SigningPubKey, kp.PublicKey()) || !r.Signed() {
			t.Fatalf("%v: signer fields %+v", kt, r)
		}
		if err := r.VerifySignature(testChain); err != nil {
			t.Fatalf("%v: %v", kt, err)
		}
		if err := r.VerifySignature("another-chain"); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("%v: replayed on another chain: %v", kt, err)
		}
		// Every byte of the signed encoding is covered: flip each one
		// outside the signature and the record either no longer decodes
		// or no longer verifies.
		enc := r.Encode()
		for i := 0; i < len(enc); i++ {
			b := bytes.Clone(enc)
			b[i] ^= 0x01
			back, err := DecodeRecord(b)
			if err == nil {
				err = back.VerifySignature(testChain)
			}
			if err == nil {
				t.Fatalf("%v: flipping byte %d of %d left a valid signed record", kt, i, len(enc))
			}
		}
	}
}

func TestSignReplacesAnEarlierSignature(t *testing.T) {
	r := mustSign(t, mustRecord(t, "", []byte("x")), testKey(t, "a", crypto.Ed25519))
	kp := testKey(t, "b", crypto.Secp256k1)
	r2 := mustSign(t, r, kp)
	if r2.Account != kp.AccountID() || r2.VerifySignature(testChain) != nil {
		t.Fatalf("re-signed record %+v", r2)
	}
	if _, err := Sign(r, "", kp); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("empty chain id: %v", err)
	}
	if _, err := Sign(r, testChain, crypto.KeyPair{}); err == nil {
		t.Fatal("the zero key pair signed")
	}
}

func TestValidateRejectsInconsistentSigners(t *testing.T) {
	signed := mustSign(t, mustRecord(t, "", []byte("x")), testKey(t, "a", crypto.Secp256k1))
	cases := map[string]func(*Record){
		"unsigned with an account": func(r *Record) { r.SigningPubKey, r.Signature = nil, nil },
		"key without signature":    func(r *Record) { r.Signature = nil },
		"signature without key":    func(r *Record) { r.SigningPubKey = nil; r.Account = codec.AccountID{} },
		"account of another key":   func(r *Record) { r.Account[0] ^= 1 },
		"short key":                func(r *Record) { r.SigningPubKey = r.SigningPubKey[:32] },
		"key of unknown type":      func(r *Record) { r.SigningPubKey = append([]byte{0x04}, r.SigningPubKey[1:]...) },
		"long signature":           func(r *Record) { r.Signature = make([]byte, MaxSignature+1) },
		"data hash not of data":    func(r *Record) { r.DataHash[3] ^= 1 },
	}
	for name, mutate := range cases {
		r := signed
		r.SigningPubKey = bytes.Clone(r.SigningPubKey)
		mutate(&r)
		if err := r.Validate(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Validate = %v", name, err)
		}
		if err := r.VerifySignature(testChain); err == nil {
			t.Errorf("%s: VerifySignature passed", name)
		}
	}
}

// rawRecord builds a record encoding field by field, so tests can write
// what Encode never would.
type rawRecord struct {
	version       byte
	tagLen        int
	tag           string
	hash          codec.Hash256
	dataLen       uint32
	data          []byte
	keyLen        int
	key           []byte
	sigLen        int
	sig           []byte
	trailing      []byte
	truncateAfter int // 0: keep everything
}

func rawFrom(r Record) rawRecord {
	return rawRecord{
		version: RecordVersion, tagLen: len(r.TypeTag), tag: r.TypeTag, hash: r.DataHash,
		dataLen: uint32(len(r.Data)), data: r.Data, keyLen: len(r.SigningPubKey), key: r.SigningPubKey,
		sigLen: len(r.Signature), sig: r.Signature,
	}
}

func (w rawRecord) bytes() []byte {
	b := []byte{w.version, byte(w.tagLen)}
	b = append(b, w.tag...)
	b = append(b, w.hash[:]...)
	b = binary.BigEndian.AppendUint32(b, w.dataLen)
	b = append(b, w.data...)
	b = append(b, byte(w.keyLen))
	b = append(b, w.key...)
	b = append(b, byte(w.sigLen))
	b = append(b, w.sig...)
	b = append(b, w.trailing...)
	if w.truncateAfter > 0 {
		b = b[:w.truncateAfter]
	}
	return b
}

func TestDecodeRecordRejectsEachMalformedForm(t *testing.T) {
	dataRec := mustRecord(t, "tag", []byte("some data"))
	signed := mustSign(t, dataRec, testKey(t, "s", crypto.Secp256k1))
	hashRec, _ := NewHashRecord("h", crypto.SHA512Half([]byte("x")))
	good := rawFrom(signed)
	if _, err := DecodeRecord(good.bytes()); err != nil {
		t.Fatalf("the raw encoder disagrees with Encode: %v", err)
	}
	with := func(f func(*rawRecord)) []byte { w := rawFrom(signed); f(&w); return w.bytes() }
	withHash := func(f func(*rawRecord)) []byte { w := rawFrom(hashRec); f(&w); return w.bytes() }

	cases := []struct {
		name, want string
		b          []byte
	}{
		{"empty", "truncated in version", nil},
		{"version 0", "record version 0", with(func(w *rawRecord) { w.version = 0 })},
		{"version 2", "record version 2", with(func(w *rawRecord) { w.version = 2 })},
		{"tag length over limit", "type tag of 65 bytes exceeds 64", with(func(w *rawRecord) { w.tagLen = 65; w.tag = strings.Repeat("a", 65) })},
		{"bad tag byte", "type tag byte 1", with(func(w *rawRecord) { w.tag = "t g" })},
		{"truncated tag", "truncated in type tag", []byte{1, 5, 'a', 'b'}},
		{"truncated data hash", "truncated in data hash", []byte{1, 0, 1, 2, 3}},
		{"truncated data length", "truncated in data length", append([]byte{1, 0}, make([]byte, 34)...)},
		{"data over MaxData", "data of 65537 bytes exceeds 65536", with(func(w *rawRecord) { w.dataLen = MaxData + 1 })},
		{"data length 2^32-1", "data of 4294967295 bytes exceeds", with(func(w *rawRecord) { w.dataLen = 1<<32 - 1 })},
		{"data shorter than its length", "truncated in data", with(func(w *rawRecord) {
			w.dataLen += 100
			w.truncateAfter = 0
			w.key, w.sig = nil, nil
			w.keyLen, w.sigLen = 0, 0
		})},
		{"data hash of other data", "is not SHA512Half of the data", with(func(w *rawRecord) { w.hash[0] ^= 1 })},
		{"zero hash without data", "all-zero data hash", withHash(func(w *rawRecord) { w.hash = codec.Hash256{} })},
		{"key length 32", "signing key of 32 bytes", with(func(w *rawRecord) { w.keyLen = 32; w.key = w.key[:32] })},
		{"key length 34", "signing key of 34 bytes exceeds 33", with(func(w *rawRecord) { w.keyLen = 34; w.key = append(w.key, 0) })},
		{"key of unknown type", "signing key starts 0x04", with(func(w *rawRecord) { w.key = append([]byte{4}, w.key[1:]...) })},
		{"truncated key", "truncated in signing key", with(func(w *rawRecord) { w.truncateAfter = len(w.bytes()) - len(w.sig) - 10 })},
		{"key without signature", "signing key but no signature", with(func(w *rawRecord) { w.sigLen, w.sig = 0, nil })},
		{"signature without key", "signature but no signing key", with(func(w *rawRecord) { w.keyLen, w.key = 0, nil })},
		{"signature over limit", "signature of 73 bytes exceeds 72", with(func(w *rawRecord) { w.sigLen = 73; w.sig = make([]byte, 73) })},
		{"truncated signature", "truncated in signature", with(func(w *rawRecord) { w.truncateAfter = len(w.bytes()) - 1 })},
		{"missing signature length", "truncated in signature length", withHash(func(w *rawRecord) { w.truncateAfter = len(w.bytes()) - 1 })},
		{"trailing byte", "1 trailing bytes", with(func(w *rawRecord) { w.trailing = []byte{0} })},
		{"oversized input", "exceeds", make([]byte, MaxRecordSize+1)},
	}
	for _, c := range cases {
		_, err := DecodeRecord(c.b)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an ErrMalformed containing %q", c.name, err, c.want)
		}
	}
}

func TestRandomRecordsRoundTrip(t *testing.T) {
	r := testRand(t)
	keys := []crypto.KeyPair{testKey(t, "k1", crypto.Secp256k1), testKey(t, "k2", crypto.Ed25519)}
	const tagChars = "ABCxyz019._:/-"
	for i := range 300 {
		tag := make([]byte, r.IntN(MaxTypeTag+1))
		for j := range tag {
			tag[j] = tagChars[r.IntN(len(tagChars))]
		}
		var rec Record
		var err error
		if r.IntN(2) == 0 {
			rec, err = NewRecord(string(tag), randomBytes(r, 1+r.IntN(2000)))
		} else {
			rec, err = NewHashRecord(string(tag), randomIDs(r, 1)[0])
		}
		if err != nil {
			t.Fatalf("#%d: %v", i, err)
		}
		if k := r.IntN(3); k < 2 {
			rec = mustSign(t, rec, keys[k])
		}
		back, err := DecodeRecord(rec.Encode())
		if err != nil || !reflect.DeepEqual(back, rec) || back.VerifySignature(testChain) != nil {
			t.Fatalf("#%d: round trip %+v: %v", i, back, err)
		}
	}
}
