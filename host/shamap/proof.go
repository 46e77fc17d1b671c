package shamap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"github.com/jtchain/jtchain/host/crypto"
)

var (
	// ErrNotFound is returned when a key is not in the tree.
	ErrNotFound = errors.New("shamap: key not found")
	// ErrMalformedProof wraps every error about a proof's structure or
	// encoding, as opposed to a well-formed proof of something else.
	ErrMalformedProof = errors.New("shamap: malformed proof")
	// ErrProofMismatch is returned when a well-formed proof does not lead to
	// the expected root hash.
	ErrProofMismatch = errors.New("shamap: proof does not match root hash")
)

// Proof is an inclusion proof: the inner nodes on the path from a leaf to the
// root, enough to recompute the root hash from the leaf's hash.
type Proof struct {
	// Path holds one entry per inner node on the path, deepest first:
	// Path[0] is the leaf's parent and Path[len(Path)-1] is the root, so the
	// leaf sits at depth len(Path). Each entry is the node's 16 child hashes
	// with empty branches zero, and with the branch that leads to the leaf
	// also zero: VerifyProof fills that one in from below.
	Path [][16]crypto.Hash256
}

// Proof returns an inclusion proof for key, or an error wrapping ErrNotFound.
// It is a read: it may fill hash caches but changes nothing else.
func (m *Map) Proof(key crypto.Hash256) (Proof, error) {
	var nodes [maxDepth]*inner
	n, depth := m.root, 0
	for {
		nodes[depth] = n
		c := n.children[nibble(&key, depth)]
		if l, ok := c.(*leaf); ok && l.key == key {
			break
		}
		next, ok := c.(*inner)
		if !ok {
			return Proof{}, fmt.Errorf("proof for key %X: %w", key[:], ErrNotFound)
		}
		n = next
		depth++
	}
	path := make([][16]crypto.Hash256, depth+1)
	for d := 0; d <= depth; d++ {
		entry := &path[depth-d]
		onPath := nibble(&key, d)
		for i, c := range nodes[d].children {
			if c != nil && i != onPath {
				entry[i] = c.hash(m.kind)
			}
		}
	}
	return Proof{Path: path}, nil
}

// VerifyProof checks that data is stored under key in the tree of the given
// leaf kind whose root hash is root, by recomputing the path from the leaf up.
// It returns nil, an error wrapping ErrMalformedProof, or one wrapping
// ErrProofMismatch.
//
// It takes the data rather than a leaf hash so that the key is bound through
// the leaf hash and not only through the path: for AccountState and
// TransactionWithMeta leaves, which hash the key, every byte of key is
// checked. A TransactionNoMeta leaf hash does not cover the key, so for those
// trees the proof binds data only to the first len(p.Path) nibbles of key. In
// ledgers such keys are transaction ids, which equal the leaf hash; callers
// relying on that should also check key == LeafHash(TransactionNoMeta, key, data).
func VerifyProof(root crypto.Hash256, kind LeafKind, key crypto.Hash256, data []byte, p Proof) error {
	if !kind.Valid() {
		return fmt.Errorf("verify proof: undefined %v", kind)
	}
	if len(p.Path) == 0 || len(p.Path) > maxDepth {
		return fmt.Errorf("%w: %d inner nodes, want 1 to %d", ErrMalformedProof, len(p.Path), maxDepth)
	}
	h := LeafHash(kind, key, data)
	for i, entry := range p.Path {
		depth := len(p.Path) - 1 - i
		b := nibble(&key, depth)
		if entry[b] != (crypto.Hash256{}) {
			return fmt.Errorf("%w: depth %d has a hash in branch %d, which is the proven key's own", ErrMalformedProof, depth, b)
		}
		entry[b] = h
		h = hashInner(&entry)
	}
	if h != root {
		return fmt.Errorf("key %X: %w", key[:], ErrProofMismatch)
	}
	return nil
}

// Binary encoding of a Proof, version 1. Empty branches are not sent: levels
// near the root are full but those near the leaf are sparse, so a proof in a
// 100k-leaf state tree (4.9 levels on average) takes about 1.9 KB instead of
// the 2.5 KB of sending every branch.
//
//	version  1 byte   = 1
//	depth    1 byte   = len(Path), 1..64
//	then for each Path entry, Path[0] first:
//	  mask   2 bytes  big-endian; bit i (value 1<<i) set if branch i is non-zero
//	  hashes 32 bytes per set bit, in increasing branch order
//
// The encoding is canonical: DecodeProof rejects an unknown version, a depth out
// of range, a set bit whose hash is all zeros, and short or trailing bytes,
// so equal proofs have equal encodings.
const (
	proofVersion   = 1
	proofHeaderLen = 2
	maxProofLen    = proofHeaderLen + maxDepth*(2+16*32)
)

// Encode returns the binary encoding of p. It fails only for a Path length
// outside 1..64, which Proof never produces.
func (p Proof) Encode() ([]byte, error) {
	if len(p.Path) == 0 || len(p.Path) > maxDepth {
		return nil, fmt.Errorf("encode proof: %w: %d inner nodes, want 1 to %d", ErrMalformedProof, len(p.Path), maxDepth)
	}
	size := proofHeaderLen
	for i := range p.Path {
		size += 2 + 32*bits.OnesCount16(presentMask(&p.Path[i]))
	}
	out := make([]byte, 0, size)
	out = append(out, proofVersion, byte(len(p.Path)))
	for i := range p.Path {
		entry := &p.Path[i]
		mask := presentMask(entry)
		out = binary.BigEndian.AppendUint16(out, mask)
		for b := range entry {
			if mask&(1<<b) != 0 {
				out = append(out, entry[b][:]...)
			}
		}
	}
	return out, nil
}

// DecodeProof parses the encoding written by Encode. It never panics; any
// input it does not accept yields an error wrapping ErrMalformedProof.
func DecodeProof(b []byte) (Proof, error) {
	if len(b) > maxProofLen {
		return Proof{}, fmt.Errorf("decode proof: %w: %d bytes, at most %d", ErrMalformedProof, len(b), maxProofLen)
	}
	if len(b) < proofHeaderLen {
		return Proof{}, fmt.Errorf("decode proof: %w: %d bytes, shorter than the header", ErrMalformedProof, len(b))
	}
	if b[0] != proofVersion {
		return Proof{}, fmt.Errorf("decode proof: %w: version %d, want %d", ErrMalformedProof, b[0], proofVersion)
	}
	depth := int(b[1])
	if depth == 0 || depth > maxDepth {
		return Proof{}, fmt.Errorf("decode proof: %w: depth %d, want 1 to %d", ErrMalformedProof, depth, maxDepth)
	}
	p := Proof{Path: make([][16]crypto.Hash256, depth)}
	rest := b[proofHeaderLen:]
	for i := range p.Path {
		if len(rest) < 2 {
			return Proof{}, fmt.Errorf("decode proof: %w: entry %d: truncated mask", ErrMalformedProof, i)
		}
		mask := binary.BigEndian.Uint16(rest)
		rest = rest[2:]
		if need := 32 * bits.OnesCount16(mask); len(rest) < need {
			return Proof{}, fmt.Errorf("decode proof: %w: entry %d: mask %04x needs %d bytes of hashes, %d left", ErrMalformedProof, i, mask, need, len(rest))
		}
		entry := &p.Path[i]
		for br := range entry {
			if mask&(1<<br) == 0 {
				continue
			}
			copy(entry[br][:], rest[:32])
			rest = rest[32:]
			if entry[br] == (crypto.Hash256{}) {
				return Proof{}, fmt.Errorf("decode proof: %w: entry %d: branch %d is marked present but all zeros", ErrMalformedProof, i, br)
			}
		}
	}
	if len(rest) != 0 {
		return Proof{}, fmt.Errorf("decode proof: %w: %d trailing bytes", ErrMalformedProof, len(rest))
	}
	return p, nil
}

// presentMask has bit i set when branch i holds a non-zero hash.
func presentMask(entry *[16]crypto.Hash256) uint16 {
	var mask uint16
	for i := range entry {
		if entry[i] != (crypto.Hash256{}) {
			mask |= 1 << i
		}
	}
	return mask
}
