package shamap

import (
	"bytes"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

// rippled SHAMap_test.cpp, "iterate": keys added in descending order come
// back in ascending order.
func TestAllYieldsAscendingKeyOrder(t *testing.T) {
	descending := []string{
		"f22891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b99891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b92891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b92881fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b92791fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b92691fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"b91891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
		"292891fe4ef6cee585fdc6fda1e09eb4d386363158ec3321b8123e5a772c6ca8",
	}
	m := New(TransactionNoMeta)
	for _, k := range descending {
		m.Put(mustHash(t, k), fill32(0))
	}
	i := len(descending) - 1
	for k := range m.All() {
		if want := mustHash(t, descending[i]); k != want {
			t.Fatalf("got %X, want %X", k[:], want[:])
		}
		i--
	}
	if i != -1 {
		t.Fatalf("iteration stopped with %d keys left", i+1)
	}
}

func TestAfterYieldsOnlyGreaterKeysInOrder(t *testing.T) {
	m, md := buildRandom(t, 400)
	r := testRand(t)
	markers := []crypto.Hash256{{}, md[0].key, md[len(md)-1].key, allOnes()}
	for range 50 {
		markers = append(markers, md[r.IntN(len(md))].key, randomKey(r))
	}
	for _, marker := range markers {
		var want []crypto.Hash256
		for _, it := range md {
			if bytes.Compare(it.key[:], marker[:]) > 0 {
				want = append(want, it.key)
			}
		}
		var got []crypto.Hash256
		for k := range m.After(marker) {
			got = append(got, k)
		}
		if len(got) != len(want) {
			t.Fatalf("After(%X): %d keys, want %d", marker[:], len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("After(%X)[%d] = %X, want %X", marker[:], i, got[i][:], want[i][:])
			}
		}
	}
}

// API paging: each page resumes after the last key of the previous one.
func TestPagingWithAfterVisitsEveryKeyOnce(t *testing.T) {
	m, md := buildRandom(t, 1000)
	var seen []crypto.Hash256
	marker, first := crypto.Hash256{}, true
	for {
		page := 0
		next := m.All()
		if !first {
			next = m.After(marker)
		}
		for k := range next {
			seen = append(seen, k)
			marker = k
			if page++; page == 37 {
				break
			}
		}
		first = false
		if page < 37 {
			break
		}
	}
	if len(seen) != len(md) {
		t.Fatalf("paging saw %d keys, want %d", len(seen), len(md))
	}
	for i := range seen {
		if seen[i] != md[i].key {
			t.Fatalf("page order broken at %d", i)
		}
	}
}

func TestAfterWithKeysSharingLongPrefix(t *testing.T) {
	keys := []crypto.Hash256{
		mustHash(t, "5555555555555555555555555555555555555555555555555555555555555550"),
		mustHash(t, "5555555555555555555555555555555555555555555555555555555555555557"),
		mustHash(t, "555555555555555555555555555555555555555555555555555555555555555f"),
	}
	m := New(AccountState)
	for _, k := range keys {
		m.Put(k, nil)
	}
	between := mustHash(t, "5555555555555555555555555555555555555555555555555555555555555553")
	var got []crypto.Hash256
	for k := range m.After(between) {
		got = append(got, k)
	}
	if len(got) != 2 || got[0] != keys[1] || got[1] != keys[2] {
		t.Fatalf("After(…53) = %X", got)
	}
}

func TestIterationStopsWhenTheLoopBreaks(t *testing.T) {
	m, _ := buildRandom(t, 100)
	n := 0
	for range m.All() {
		if n++; n == 10 {
			break
		}
	}
	for range m.After(crypto.Hash256{}) {
		if n++; n == 20 {
			break
		}
	}
	if n != 20 {
		t.Fatalf("n = %d", n)
	}
}

func allOnes() crypto.Hash256 {
	var k crypto.Hash256
	for i := range k {
		k[i] = 0xff
	}
	return k
}
