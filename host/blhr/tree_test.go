package blhr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

// refTree is a reference Merkle tree written differently from tree.go: it
// sorts with package sort and a string key, hashes with crypto.SHA512Half,
// and defines every node top-down by recursion on (level, index) instead
// of building levels bottom-up.
type refTree struct {
	leaves []codec.Hash256
	counts []int // counts[l]: nodes at level l; the last level has one
}

func newRefTree(ids []codec.Hash256) refTree {
	leaves := append([]codec.Hash256(nil), ids...)
	sort.Slice(leaves, func(i, j int) bool { return string(leaves[i][:]) < string(leaves[j][:]) })
	t := refTree{leaves: leaves, counts: []int{len(leaves)}}
	for c := len(leaves); c > 1; {
		c = (c + 1) / 2
		t.counts = append(t.counts, c)
	}
	return t
}

func (t refTree) node(level, i int) codec.Hash256 {
	if level == 0 {
		return crypto.SHA512Half([]byte{0}, t.leaves[i][:])
	}
	left := t.node(level-1, 2*i)
	if 2*i+1 >= t.counts[level-1] {
		return left // the unpaired last node moves up
	}
	right := t.node(level-1, 2*i+1)
	return crypto.SHA512Half([]byte{1}, left[:], right[:])
}

func (t refTree) root() codec.Hash256 {
	if len(t.leaves) == 0 {
		return codec.Hash256{}
	}
	top := t.node(len(t.counts)-1, 0)
	return crypto.SHA512Half([]byte{2}, binary.BigEndian.AppendUint64(nil, uint64(len(t.leaves))), top[:])
}

func (t refTree) proof(i int) Proof {
	p := Proof{Index: uint64(i), Count: uint64(len(t.leaves))}
	for l := 0; l < len(t.counts)-1; l++ {
		if s := i ^ 1; s < t.counts[l] {
			p.Siblings = append(p.Siblings, t.node(l, s))
		}
		i /= 2
	}
	return p
}

func TestRootOfNoRecordsIsZero(t *testing.T) {
	root, err := Root(nil)
	if err != nil || root != (codec.Hash256{}) {
		t.Fatalf("Root(nil) = %X, %v", root, err)
	}
	if _, err := ProofFor(nil, codec.Hash256{1}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ProofFor in an empty tree: %v", err)
	}
}

// TestRootKnownAnswers pins the tree's hashing, so a change to it cannot go
// unnoticed: these roots are in ledger headers.
func TestRootKnownAnswers(t *testing.T) {
	id := func(s string) codec.Hash256 { return crypto.SHA512Half([]byte(s)) }
	a, b, c := id("a"), id("b"), id("c")
	la := crypto.SHA512Half([]byte{0}, a[:])
	one, _ := Root([]codec.Hash256{a})
	if want := crypto.SHA512Half([]byte{2, 0, 0, 0, 0, 0, 0, 0, 1}, la[:]); one != want {
		t.Fatalf("one leaf: %X, want %X", one, want)
	}
	three, _ := Root([]codec.Hash256{c, a, b})
	if got := codec.HexUpper(three[:]); got != knownRootABC {
		t.Fatalf("root of a, b, c = %s, want %s", got, knownRootABC)
	}
}

const knownRootABC = "C56F67266136977A2DBD0ABEA6910FA56AED4773FAA947E3242EA7D2704D39FB"

func TestRootDoesNotDependOnOrderAndRejectsDuplicates(t *testing.T) {
	r := testRand(t)
	ids := randomIDs(r, 57)
	want, err := Root(ids)
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(ids)
	for range 20 {
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		before = slices.Clone(ids)
		if got, _ := Root(ids); got != want {
			t.Fatalf("shuffled root %X, want %X", got, want)
		}
		if !slices.Equal(ids, before) {
			t.Fatal("Root reordered its argument")
		}
	}
	dup := append(slices.Clone(ids), ids[10])
	if _, err := Root(dup); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := ProofFor(dup, ids[0]); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("ProofFor with a duplicate: %v", err)
	}
	if _, err := ProofFor(ids, codec.Hash256{0xFF}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ProofFor of an absent id: %v", err)
	}
}

// TestTreesOfUpTo200RecordsMatchTheReference checks, for every size from 0
// to 200, the root against the reference, and for every record that its
// proof equals the reference's, survives encoding, and verifies; and that
// it does not verify for another id, another root, or with any sibling,
// the index or the count changed.
func TestTreesOfUpTo200RecordsMatchTheReference(t *testing.T) {
	r := testRand(t)
	for n := 0; n <= 200; n++ {
		ids := randomIDs(r, n)
		ref := newRefTree(ids)
		root, err := Root(ids)
		if err != nil || root != ref.root() {
			t.Fatalf("n=%d: root %X (%v), reference %X", n, root, err, ref.root())
		}
		for _, id := range ids {
			p, err := ProofFor(ids, id)
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			want := ref.proof(int(p.Index))
			if ref.leaves[p.Index] != id || p.Count != uint64(n) || !slices.Equal(p.Siblings, want.Siblings) {
				t.Fatalf("n=%d id %X: proof %+v, reference %+v", n, id, p, want)
			}
			back, err := DecodeProof(p.Encode())
			if err != nil || !bytes.Equal(back.Encode(), p.Encode()) {
				t.Fatalf("n=%d: proof round trip: %v", n, err)
			}
			if err := back.Verify(id, root); err != nil {
				t.Fatalf("n=%d leaf %d: %v", n, p.Index, err)
			}
			checkProofRejectsChanges(t, p, id, root, r)
		}
	}
}

func checkProofRejectsChanges(t *testing.T, p Proof, id, root codec.Hash256, r *rand.Rand) {
	t.Helper()
	other := id
	other[r.IntN(32)] ^= 1 << r.IntN(8)
	if p.Verify(other, root) == nil {
		t.Fatalf("proof of leaf %d/%d verifies another id", p.Index, p.Count)
	}
	badRoot := root
	badRoot[r.IntN(32)] ^= 1 << r.IntN(8)
	if p.Verify(id, badRoot) == nil {
		t.Fatalf("proof of leaf %d/%d verifies under another root", p.Index, p.Count)
	}
	for k := range p.Siblings {
		q := Proof{Index: p.Index, Count: p.Count, Siblings: slices.Clone(p.Siblings)}
		q.Siblings[k][r.IntN(32)] ^= 1 << r.IntN(8)
		if q.Verify(id, root) == nil {
			t.Fatalf("leaf %d/%d verifies with sibling %d changed", p.Index, p.Count, k)
		}
	}
	// Every other position and every other count: the root commits to the
	// count, and within one count each leaf has its own path.
	for _, q := range []Proof{
		{Index: p.Index ^ 1, Count: p.Count, Siblings: p.Siblings},
		{Index: p.Index, Count: p.Count + 1, Siblings: p.Siblings},
		{Index: p.Index, Count: p.Count - 1, Siblings: p.Siblings},
		{Index: uint64(r.IntN(int(p.Count))), Count: p.Count, Siblings: p.Siblings},
	} {
		if q.Index != p.Index || q.Count != p.Count {
			if q.Verify(id, root) == nil {
				t.Fatalf("leaf %d/%d verifies as %d/%d", p.Index, p.Count, q.Index, q.Count)
			}
		}
	}
}

func TestProofEncodingFlipsAreAllRejected(t *testing.T) {
	r := testRand(t)
	for _, n := range []int{1, 2, 3, 5, 6, 20, 21, 64, 200} {
		ids := randomIDs(r, n)
		root, _ := Root(ids)
		id := ids[r.IntN(n)]
		p, _ := ProofFor(ids, id)
		enc := p.Encode()
		for i := range enc {
			for bit := range 8 {
				b := bytes.Clone(enc)
				b[i] ^= 1 << bit
				q, err := DecodeProof(b)
				if err == nil {
					err = q.Verify(id, root)
				}
				if err == nil {
					t.Fatalf("n=%d: flipping bit %d of byte %d of the proof still verifies", n, bit, i)
				}
			}
		}
	}
}

func TestDecodeProofRejectsEachMalformedForm(t *testing.T) {
	enc := func(version byte, index, count uint64, n int, siblings int) []byte {
		b := []byte{version}
		b = binary.BigEndian.AppendUint64(b, index)
		b = binary.BigEndian.AppendUint64(b, count)
		b = append(b, byte(n))
		return append(b, make([]byte, 32*siblings)...)
	}
	if _, err := DecodeProof(enc(1, 4, 5, 1, 1)); err != nil {
		t.Fatalf("leaf 4 of 5 has one sibling: %v", err)
	}
	valid := enc(1, 4, 5, 1, 1)
	cases := []struct {
		name, want string
		b          []byte
	}{
		{"empty", "truncated in proof version", nil},
		{"version 2", "proof version 2", append([]byte{2}, valid[1:]...)},
		{"truncated index", "truncated in leaf index", valid[:5]},
		{"truncated count", "truncated in leaf count", valid[:12]},
		{"no sibling count", "truncated in sibling count", valid[:17]},
		{"count 0", "tree of no leaves", enc(1, 0, 0, 0, 0)},
		{"index = count", "leaf 5 in a tree of 5", enc(1, 5, 5, 1, 1)},
		{"too few siblings", "has 2 siblings, want 3", enc(1, 2, 5, 2, 2)},
		{"too many siblings", "has 2 siblings, want 1", enc(1, 4, 5, 2, 2)},
		{"sibling for a leaf that moves up", "has 2 siblings, want 1", enc(1, 2, 3, 2, 2)},
		{"truncated sibling", "truncated in sibling", valid[:18+20]},
		{"trailing byte", "1 trailing bytes", append(bytes.Clone(valid), 0)},
		{"oversized", "exceeds", make([]byte, MaxProofSize+1)},
		{"65 siblings", "exceeds", enc(1, 0, 1<<63, 65, 65)},
		{"64 siblings where 63 belong", "has 64 siblings, want 63", enc(1, 0, 1<<63, 64, 64)},
	}
	for _, c := range cases {
		_, err := DecodeProof(c.b)
		if !errors.Is(err, ErrMalformed) || !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
			t.Errorf("%s: got %v, want an ErrMalformed containing %q", c.name, err, c.want)
		}
	}
	// The deepest tree a proof can describe: 2^64−1 leaves, 64 levels.
	if _, err := DecodeProof(enc(1, 0, 1<<64-1, 64, 64)); err != nil {
		t.Fatalf("64 siblings: %v", err)
	}
	if err := (Proof{Index: 0, Count: 1}).Verify(codec.Hash256{}, codec.Hash256{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("zero root: %v", err)
	}
}
