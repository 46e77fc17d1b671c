package shamap

import (
	"bytes"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

// fill32 is rippled's IntToVUC: 32 bytes all equal to v.
func fill32(v byte) []byte { return bytes.Repeat([]byte{v}, 32) }

func TestEmptyTreeHashIsZero(t *testing.T) {
	for _, kind := range []LeafKind{AccountState, TransactionWithMeta, TransactionNoMeta} {
		if h := New(kind).Hash(); h != (crypto.Hash256{}) {
			t.Errorf("%v: empty tree hash = %X, want zero", kind, h[:])
		}
	}
}

// rippled src/test/shamap/SHAMap_test.cpp, "build/tear": eight keys added in
// order to a tree of tnTRANSACTION_NM leaves whose data is 32 bytes equal to
// the insertion index, with the root hash after each add; then deleted in
// reverse order, where each hash must reappear.
func TestRippledBuildTearVectors(t *testing.T) {
	keys := []string{
		"b92891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b92881fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b92691fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b92791fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b91891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b99891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"f22891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"292891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
	}
	hashes := []string{
		"B7387CFEA0465759ADC718E8C42B52D2309D179B326E239EB5075C64B6281F7F",
		"FBC195A9592A54AB44010274163CB6BA95F497EC5BA0A8831845467FB2ECE266",
		"4E7D2684B65DFD48937FFB775E20175C43AF0C94066F7D5679F51AE756795B75",
		"7A2F312EB203695FFD164E038E281839EEF06A1B99BFC263F3CECC6C74F93E07",
		"395A6691A372387A703FB0F2C6D2C405DAF307D0817F8F0E207596462B0E3A3E",
		"D044C0A696DE3169CC70AE216A1564D69DE96582865796142CE7D98A84D9DDE4",
		"76DCC77C4027309B5A91AD164083264D70B77B5E43E08AEDA5EBF94361143615",
		"DF4220E93ADC6F5569063A01B4DC79F8DB9553B6A3222ADE23DEA02BBE7230E5",
	}
	m := New(TransactionNoMeta)
	for i, k := range keys {
		m.Put(mustHash(t, k), fill32(byte(i)))
		if got, want := m.Hash(), mustHash(t, hashes[i]); got != want {
			t.Fatalf("after adding key %d: root %X, rippled has %X", i, got[:], want[:])
		}
		checkInvariants(t, m)
	}
	for i := len(keys) - 1; i >= 0; i-- {
		if got, want := m.Hash(), mustHash(t, hashes[i]); got != want {
			t.Fatalf("before deleting key %d: root %X, rippled has %X", i, got[:], want[:])
		}
		if !m.Delete(mustHash(t, keys[i])) {
			t.Fatalf("Delete(key %d) = false", i)
		}
		checkInvariants(t, m)
	}
	if h := m.Hash(); h != (crypto.Hash256{}) {
		t.Fatalf("after deleting every key: root %X, want zero", h[:])
	}
}

// An account-state tree holding one leaf with an all-zero key and 32 zero
// bytes of data. The expected root is the value xahau's catalogue tool
// (catl) asserts for the same tree, which it checks against rippled ledgers.
func TestSingleAccountStateLeafVector(t *testing.T) {
	m := New(AccountState)
	m.Put(crypto.Hash256{}, make([]byte, 32))
	want := mustHash(t, "B992A0C0480B32A2F32308EA2D64E85586A3DAF663F7B383806B5C4CEA84D8BF")
	if got := m.Hash(); got != want {
		t.Fatalf("root %X, want %X", got[:], want[:])
	}
}

// The three leaf kinds differ only in prefix and in whether the key is
// hashed; this pins each to its spec (spec/jingtum-wire.md §6).
func TestLeafHashUsesKindPrefixAndKey(t *testing.T) {
	key := mustHash(t, "092891fe4ef6cee585fdc6fda0e09eb4d386363158ec3321b8123e5a772c6ca7")
	data := []byte("some ledger entry")
	cases := []struct {
		kind LeafKind
		want crypto.Hash256
	}{
		{AccountState, crypto.SHA512Half([]byte{0x4D, 0x4C, 0x4E, 0x00}, data, key[:])},
		{TransactionWithMeta, crypto.SHA512Half([]byte{0x53, 0x4E, 0x44, 0x00}, data, key[:])},
		{TransactionNoMeta, crypto.SHA512Half([]byte{0x54, 0x58, 0x4E, 0x00}, data)},
	}
	for _, c := range cases {
		if got := LeafHash(c.kind, key, data); got != c.want {
			t.Errorf("LeafHash(%v) = %X, want %X", c.kind, got[:], c.want[:])
		}
	}
}

// A TransactionNoMeta leaf hash is the transaction id, whatever the key.
func TestTransactionNoMetaLeafHashIgnoresKey(t *testing.T) {
	blob := []byte{0x12, 0x00, 0x00}
	a := LeafHash(TransactionNoMeta, crypto.Hash256{1}, blob)
	b := LeafHash(TransactionNoMeta, crypto.Hash256{2}, blob)
	if a != b {
		t.Fatalf("leaf hashes differ by key: %X vs %X", a[:], b[:])
	}
}

// The root is an inner node even for a single item: one leaf in branch
// nibble(key, 0), fifteen zero hashes.
func TestSingleLeafRootIsInnerNode(t *testing.T) {
	key := mustHash(t, "a92891fe4ef6cee585fdc6fda0e09eb4d386363158ec3321b8123e5a772c6ca7")
	m := New(AccountState)
	m.Put(key, []byte{1, 2, 3})
	var children [16]crypto.Hash256
	children[0xa] = LeafHash(AccountState, key, []byte{1, 2, 3})
	buf := []byte("MIN\x00")
	for _, c := range children {
		buf = append(buf, c[:]...)
	}
	if got, want := m.Hash(), crypto.SHA512Half(buf); got != want {
		t.Fatalf("root %X, want %X", got[:], want[:])
	}
}

func TestNewPanicsOnUndefinedKind(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New(LeafKind(0)) did not panic")
		}
	}()
	New(LeafKind(0))
}

func TestEachKindMatchesReferenceImplementation(t *testing.T) {
	r := testRand(t)
	for _, kind := range []LeafKind{AccountState, TransactionWithMeta, TransactionNoMeta} {
		m, md := New(kind), model{}
		for range 300 {
			k, d := randomKey(r), randomData(r)
			m.Put(k, d)
			md.put(k, d)
		}
		checkAgainstModel(t, m, md)
	}
}
