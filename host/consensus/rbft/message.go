package rbft

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

// Wire format version of every encoding in this package. A decoder rejects
// any other value, so a new version is a new byte here and a new case there.
const wireVersion = 1

// Type bytes. Messages, certificates, evidence and safety records share one
// space so that no encoding of one kind can be read as another.
const (
	typeProposal            = 0x01
	typePrevote             = 0x02
	typePrecommit           = 0x03
	typeCertificate         = 0x10
	typeDuplicateVote       = 0x20
	typeConflictingProposal = 0x21
	typeSafetyRecord        = 0x30
)

// Limits. They bound what a decoder allocates whatever the input.
const (
	// MaxPayloadSize bounds a block payload. The driver keeps the blocks
	// it builds below it; larger proposals are dropped.
	MaxPayloadSize = 900 << 10
	// MaxSignatureSize bounds a signature in a certificate or evidence
	// (ed25519 is 64 bytes, DER secp256k1 at most 72). Messages whose
	// Signature is empty or longer are ignored.
	MaxSignatureSize = 255
	// MaxValidators bounds a validator set (spec/rbft.md §1).
	MaxValidators = 31
)

// ErrMalformed is wrapped by every decoding error of this package.
var ErrMalformed = errors.New("rbft: malformed encoding")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// blockIDPrefix separates block ids from every other SHA-512Half in the
// system (transaction ids, ledger hashes, tree nodes).
var blockIDPrefix = []byte("JT/rbft/block\x00")

// BlockID is the id of a block payload: SHA-512Half("JT/rbft/block\0" ‖
// payload). Every proposed block must carry exactly this id.
func BlockID(payload []byte) codec.Hash256 { return crypto.SHA512Half(blockIDPrefix, payload) }

// signDomain separates RBFT signatures from every other use of a node key.
const signDomain = "JT/rbft/v1"

// SignBytes returns what a validator signs for a message payload:
//
//	"JT/rbft/v1" ‖ u32(len(chainID)) ‖ chainID ‖ u32(len(body)) ‖ body
//
// where body is the payload, except for a proposal, where it is the fixed
// proposal header (everything before the block payload). The header holds
// the block id, which the decoder checks against the payload, so signing the
// header signs the block; and it keeps the signed bytes, and therefore
// ConflictingProposal evidence, small.
func SignBytes(chainID string, payload []byte) []byte {
	body := signedPart(payload)
	buf := make([]byte, 0, len(signDomain)+8+len(chainID)+len(body))
	buf = append(buf, signDomain...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(chainID)))
	buf = append(buf, chainID...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(body)))
	return append(buf, body...)
}

func signedPart(payload []byte) []byte {
	if len(payload) >= proposalHeaderSize && payload[0] == wireVersion && payload[1] == typeProposal {
		return payload[:proposalHeaderSize]
	}
	return payload
}

// Message is a decoded consensus message: a *Proposal or a *Vote.
type Message interface {
	// Encode returns the canonical payload.
	Encode() []byte
	height() uint64
	round() int32
}

// Proposal proposes a block for (Height, Round). ValidRound is −1 for a
// fresh block, or the earlier round in which the block had a polka.
type Proposal struct {
	Height     uint64
	Round      int32
	ValidRound int32
	BlockID    codec.Hash256
	Payload    []byte
}

// VoteType says whether a vote is a prevote or a precommit.
type VoteType uint8

const (
	Prevote   VoteType = typePrevote
	Precommit VoteType = typePrecommit
)

func (t VoteType) String() string {
	switch t {
	case Prevote:
		return "prevote"
	case Precommit:
		return "precommit"
	}
	return fmt.Sprintf("VoteType(%d)", uint8(t))
}

// Vote is a prevote or precommit for BlockID, or for nil when Nil is set
// (BlockID is then zero).
type Vote struct {
	Type    VoteType
	Height  uint64
	Round   int32
	Nil     bool
	BlockID codec.Hash256
}

func (p *Proposal) height() uint64 { return p.Height }
func (p *Proposal) round() int32   { return p.Round }
func (v *Vote) height() uint64     { return v.Height }
func (v *Vote) round() int32       { return v.Round }

// Layout:
//
//	proposal: ver ‖ 0x01 ‖ u64 h ‖ u32 r ‖ i32 vr ‖ id[32] ‖ u32 len ‖ payload
//	vote:     ver ‖ type ‖ u64 h ‖ u32 r ‖ 0x00           (nil)
//	          ver ‖ type ‖ u64 h ‖ u32 r ‖ 0x01 ‖ id[32]  (a block)
const (
	proposalHeaderSize = 1 + 1 + 8 + 4 + 4 + 32
	voteNilSize        = 1 + 1 + 8 + 4 + 1
	voteBlockSize      = voteNilSize + 32
)

// Encode implements Message.
func (p *Proposal) Encode() []byte {
	buf := make([]byte, 0, proposalHeaderSize+4+len(p.Payload))
	buf = p.appendHeader(buf)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(p.Payload)))
	return append(buf, p.Payload...)
}

func (p *Proposal) appendHeader(buf []byte) []byte {
	buf = append(buf, wireVersion, typeProposal)
	buf = binary.BigEndian.AppendUint64(buf, p.Height)
	buf = binary.BigEndian.AppendUint32(buf, uint32(p.Round))
	buf = binary.BigEndian.AppendUint32(buf, uint32(p.ValidRound))
	return append(buf, p.BlockID[:]...)
}

// Header returns the signed part of the proposal (see SignBytes).
func (p *Proposal) Header() []byte { return p.appendHeader(make([]byte, 0, proposalHeaderSize)) }

// Encode implements Message.
func (v *Vote) Encode() []byte {
	buf := make([]byte, 0, voteBlockSize)
	buf = append(buf, wireVersion, byte(v.Type))
	buf = binary.BigEndian.AppendUint64(buf, v.Height)
	buf = binary.BigEndian.AppendUint32(buf, uint32(v.Round))
	if v.Nil {
		return append(buf, 0)
	}
	buf = append(buf, 1)
	return append(buf, v.BlockID[:]...)
}

// DecodeMessage parses a proposal or vote payload strictly: known version
// and type, exact length, no trailing bytes, 1 ≤ height, 0 ≤ round ≤
// MaxInt32, −1 ≤ valid round < round, a payload of at most MaxPayloadSize
// whose BlockID matches the one in the header. It never panics.
func DecodeMessage(b []byte) (Message, error) {
	if len(b) < 2 {
		return nil, malformed("message of %d bytes", len(b))
	}
	if b[0] != wireVersion {
		return nil, malformed("message version %d", b[0])
	}
	switch b[1] {
	case typeProposal:
		return decodeProposal(b)
	case typePrevote, typePrecommit:
		return decodeVote(b)
	}
	return nil, malformed("message type %#x", b[1])
}

// decodeProposalHeader parses the fixed header of a proposal (the first
// proposalHeaderSize bytes of b).
func decodeProposalHeader(b []byte) (*Proposal, error) {
	if len(b) < proposalHeaderSize {
		return nil, malformed("proposal of %d bytes", len(b))
	}
	if b[0] != wireVersion || b[1] != typeProposal {
		return nil, malformed("not a version %d proposal", wireVersion)
	}
	p := &Proposal{Height: binary.BigEndian.Uint64(b[2:])}
	r := binary.BigEndian.Uint32(b[10:])
	vr := int32(binary.BigEndian.Uint32(b[14:]))
	copy(p.BlockID[:], b[18:50])
	if p.Height == 0 {
		return nil, malformed("proposal for height 0")
	}
	if r > math.MaxInt32 {
		return nil, malformed("proposal round %d", r)
	}
	p.Round, p.ValidRound = int32(r), vr
	if vr < -1 || vr >= p.Round {
		return nil, malformed("proposal valid round %d in round %d", vr, r)
	}
	return p, nil
}

func decodeProposal(b []byte) (*Proposal, error) {
	p, err := decodeProposalHeader(b)
	if err != nil {
		return nil, err
	}
	rest := b[proposalHeaderSize:]
	if len(rest) < 4 {
		return nil, malformed("proposal without payload length")
	}
	n := binary.BigEndian.Uint32(rest)
	if n > MaxPayloadSize {
		return nil, malformed("proposal payload of %d bytes exceeds %d", n, MaxPayloadSize)
	}
	if uint64(len(rest)-4) != uint64(n) {
		return nil, malformed("proposal payload length %d, have %d bytes", n, len(rest)-4)
	}
	p.Payload = rest[4:]
	if BlockID(p.Payload) != p.BlockID {
		return nil, malformed("proposal block id does not match its payload")
	}
	return p, nil
}

func decodeVote(b []byte) (*Vote, error) {
	if len(b) != voteNilSize && len(b) != voteBlockSize {
		return nil, malformed("vote of %d bytes", len(b))
	}
	v := &Vote{Type: VoteType(b[1]), Height: binary.BigEndian.Uint64(b[2:])}
	r := binary.BigEndian.Uint32(b[10:])
	if v.Height == 0 {
		return nil, malformed("vote for height 0")
	}
	if r > math.MaxInt32 {
		return nil, malformed("vote round %d", r)
	}
	v.Round = int32(r)
	switch {
	case b[14] == 0 && len(b) == voteNilSize:
		v.Nil = true
	case b[14] == 1 && len(b) == voteBlockSize:
		copy(v.BlockID[:], b[15:])
	default:
		return nil, malformed("vote value tag %d with %d bytes", b[14], len(b))
	}
	return v, nil
}

// sameVoteValue reports whether two votes name the same value (nil counts
// as a value).
func sameVoteValue(a, b *Vote) bool { return a.Nil == b.Nil && a.BlockID == b.BlockID }

// reader is a strict little cursor for the decoders below.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = malformed("truncated in %s", what)
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u8(what string) uint8 {
	if p := r.take(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if p := r.take(4, what); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (r *reader) u64(what string) uint64 {
	if p := r.take(8, what); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

func (r *reader) hash(what string) (h codec.Hash256) {
	copy(h[:], r.take(32, what))
	return h
}

func (r *reader) account(what string) (a codec.AccountID) {
	copy(a[:], r.take(20, what))
	return a
}

// sig reads a u8-length-prefixed signature of 1..MaxSignatureSize bytes.
func (r *reader) sig(what string) []byte {
	n := int(r.u8(what))
	if r.err == nil && n == 0 {
		r.err = malformed("empty %s", what)
		return nil
	}
	return bytes.Clone(r.take(n, what))
}

func (r *reader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = malformed("%d trailing bytes", len(r.b))
	}
	return r.err
}

func appendSig(buf, sig []byte) []byte {
	buf = append(buf, byte(len(sig)))
	return append(buf, sig...)
}
