package shamap

import (
	"bytes"
	"errors"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

func TestProofOfEveryKeyVerifies(t *testing.T) {
	for _, kind := range []LeafKind{AccountState, TransactionWithMeta, TransactionNoMeta} {
		m, md := New(kind), model{}
		r := testRand(t)
		for range 500 {
			k, d := randomKey(r), randomData(r)
			m.Put(k, d)
			md.put(k, d)
		}
		root := m.Hash()
		for _, it := range md {
			p, err := m.Proof(it.key)
			if err != nil {
				t.Fatalf("%v: Proof(%X): %v", kind, it.key[:], err)
			}
			if len(p.Path) != leafDepth(m, it.key) {
				t.Fatalf("%v: proof has %d levels, leaf is at depth %d", kind, len(p.Path), leafDepth(m, it.key))
			}
			if err := VerifyProof(root, kind, it.key, it.data, p); err != nil {
				t.Fatalf("%v: VerifyProof(%X): %v", kind, it.key[:], err)
			}
		}
	}
}

// rippled SHAMapPathProof_test: keys 1..99 (big-endian integers) with the
// key as data; after each insert the new key's proof verifies against the
// current root, and the bad-path cases fail.
func TestRippledPathProofScenario(t *testing.T) {
	m := New(AccountState)
	var last crypto.Hash256
	var lastRoot crypto.Hash256
	var lastProof Proof
	for c := 1; c < 100; c++ {
		k := crypto.Hash256{31: byte(c)}
		m.Put(k, k[:])
		root := m.Hash()
		p, err := m.Proof(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyProof(root, AccountState, k, k[:], p); err != nil {
			t.Fatalf("key %d: %v", c, err)
		}
		if c == 1 {
			extra := Proof{Path: append([][16]crypto.Hash256{p.Path[0]}, p.Path...)}
			if VerifyProof(root, AccountState, k, k[:], extra) == nil {
				t.Fatal("a proof with an extra level verified")
			}
			if _, err := m.Proof(crypto.Hash256{31: 2}); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Proof of an absent key: %v, want ErrNotFound", err)
			}
		}
		last, lastRoot, lastProof = k, root, p
	}
	if err := VerifyProof(lastRoot, AccountState, last, last[:], lastProof); err != nil {
		t.Fatalf("still good: %v", err)
	}
	if err := VerifyProof(lastRoot, AccountState, last, last[:], Proof{}); !errors.Is(err, ErrMalformedProof) {
		t.Fatalf("empty path: %v", err)
	}
	tooLong := Proof{Path: append(append([][16]crypto.Hash256{}, lastProof.Path...), lastProof.Path[len(lastProof.Path)-1])}
	if VerifyProof(lastRoot, AccountState, last, last[:], tooLong) == nil {
		t.Fatal("too long path verified")
	}
	if len(lastProof.Path) > 1 {
		allInner := Proof{Path: lastProof.Path[1:]} // the leaf's parent removed
		if VerifyProof(lastRoot, AccountState, last, last[:], allInner) == nil {
			t.Fatal("path without the leaf's parent verified")
		}
	}
}

func TestProofFailsWhenAnythingIsAltered(t *testing.T) {
	m, md := buildRandom(t, 300)
	root := m.Hash()
	it := md[len(md)/2]
	p, err := m.Proof(it.key)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}

	for i := range enc {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(enc)
			bad[i] ^= bit
			q, err := DecodeProof(bad)
			if err != nil {
				continue // rejected at decoding: fine
			}
			if VerifyProof(root, AccountState, it.key, it.data, q) == nil {
				t.Fatalf("proof with byte %d ^ %#x still verifies", i, bit)
			}
		}
	}
	for i := range 32 {
		r, k := root, it.key
		r[i] ^= 1
		k[i] ^= 1
		if VerifyProof(r, AccountState, it.key, it.data, p) == nil {
			t.Fatalf("proof verifies with root byte %d altered", i)
		}
		// Every key byte counts, not only the nibbles on the path: the
		// AccountState leaf hash covers the key.
		if VerifyProof(root, AccountState, k, it.data, p) == nil {
			t.Fatalf("proof verifies with key byte %d altered", i)
		}
	}
	for i := range it.data {
		d := bytes.Clone(it.data)
		d[i] ^= 1
		if VerifyProof(root, AccountState, it.key, d, p) == nil {
			t.Fatalf("proof verifies with data byte %d altered", i)
		}
	}
	if VerifyProof(root, TransactionWithMeta, it.key, it.data, p) == nil {
		t.Fatal("proof verifies as the wrong leaf kind")
	}
}

// The documented limit: a TransactionNoMeta leaf hash does not cover the
// key, so only the key nibbles on the path are checked.
func TestTransactionNoMetaProofBindsOnlyThePathNibbles(t *testing.T) {
	m := New(TransactionNoMeta)
	a := mustHash(t, "1000000000000000000000000000000000000000000000000000000000000000")
	b := mustHash(t, "2000000000000000000000000000000000000000000000000000000000000000")
	m.Put(a, []byte("tx a"))
	m.Put(b, []byte("tx b"))
	p, _ := m.Proof(a)
	sameFirstNibble := mustHash(t, "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")
	if err := VerifyProof(m.Hash(), TransactionNoMeta, sameFirstNibble, []byte("tx a"), p); err != nil {
		t.Fatalf("expected the path-only binding to accept a key with the same first nibble: %v", err)
	}
	otherFirstNibble := mustHash(t, "3000000000000000000000000000000000000000000000000000000000000000")
	if VerifyProof(m.Hash(), TransactionNoMeta, otherFirstNibble, []byte("tx a"), p) == nil {
		t.Fatal("a key off the path verified")
	}
}

func TestVerifyProofRejectsUndefinedKind(t *testing.T) {
	m, md := buildRandom(t, 10)
	p, _ := m.Proof(md[0].key)
	if VerifyProof(m.Hash(), LeafKind(9), md[0].key, md[0].data, p) == nil {
		t.Fatal("undefined kind accepted")
	}
}

func TestVerifyProofRejectsHashInTheProvenBranch(t *testing.T) {
	m, md := buildRandom(t, 50)
	it := md[0]
	p, _ := m.Proof(it.key)
	d := len(p.Path) - 1
	p.Path[d][nibble(&it.key, 0)] = crypto.Hash256{1}
	err := VerifyProof(m.Hash(), AccountState, it.key, it.data, p)
	if !errors.Is(err, ErrMalformedProof) {
		t.Fatalf("err = %v, want ErrMalformedProof", err)
	}
}

func TestVerifyProofReportsMismatchForWrongRoot(t *testing.T) {
	m, md := buildRandom(t, 50)
	it := md[0]
	p, _ := m.Proof(it.key)
	err := VerifyProof(crypto.Hash256{9}, AccountState, it.key, it.data, p)
	if !errors.Is(err, ErrProofMismatch) {
		t.Fatalf("err = %v, want ErrProofMismatch", err)
	}
}

func TestProofEncodingRoundTrips(t *testing.T) {
	m, md := buildRandom(t, 1000)
	for _, it := range md[:100] {
		p, _ := m.Proof(it.key)
		enc, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		q, err := DecodeProof(enc)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if len(q.Path) != len(p.Path) {
			t.Fatal("depth changed")
		}
		for i := range p.Path {
			if p.Path[i] != q.Path[i] {
				t.Fatalf("level %d changed", i)
			}
		}
	}
}

// The layout is a wire format: pin it byte for byte.
func TestProofEncodingLayout(t *testing.T) {
	var p Proof
	p.Path = make([][16]crypto.Hash256, 2)
	p.Path[0][3] = crypto.Hash256{0xaa}
	p.Path[1][0] = crypto.Hash256{0xbb}
	p.Path[1][15] = crypto.Hash256{0xcc}
	enc, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{1, 2, 0x00, 0x08}
	want = append(want, p.Path[0][3][:]...)
	want = append(want, 0x80, 0x01)
	want = append(want, p.Path[1][0][:]...)
	want = append(want, p.Path[1][15][:]...)
	if !bytes.Equal(enc, want) {
		t.Fatalf("encoding\n got %x\nwant %x", enc, want)
	}
}

func TestDecodeProofRejectsMalformedInput(t *testing.T) {
	h := bytes.Repeat([]byte{0x11}, 32)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := map[string][]byte{
		"empty":            {},
		"header only":      {1},
		"version 0":        {0, 1, 0, 0},
		"version 2":        {2, 1, 0, 0},
		"depth 0":          {1, 0},
		"depth 65":         {1, 65},
		"truncated mask":   {1, 1, 0},
		"truncated hashes": cat([]byte{1, 1, 0, 3}, h),
		"trailing byte":    cat([]byte{1, 1, 0, 1}, h, []byte{0}),
		"missing level":    cat([]byte{1, 2, 0, 1}, h),
		"zero hash":        cat([]byte{1, 1, 0, 1}, make([]byte, 32)),
		"oversized":        make([]byte, maxProofLen+1),
	}
	for name, in := range cases {
		if _, err := DecodeProof(in); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("%s: err = %v, want ErrMalformedProof", name, err)
		}
	}
	if _, err := DecodeProof(cat([]byte{1, 1, 0, 0})); err != nil {
		t.Errorf("a level with no siblings is valid (a chain node): %v", err)
	}
}

func TestEncodeRejectsDepthOutOfRange(t *testing.T) {
	if _, err := (Proof{}).Encode(); !errors.Is(err, ErrMalformedProof) {
		t.Fatalf("empty proof: %v", err)
	}
	if _, err := (Proof{Path: make([][16]crypto.Hash256, 65)}).Encode(); !errors.Is(err, ErrMalformedProof) {
		t.Fatalf("65 levels: %v", err)
	}
}
