package rbft

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
)

func testProposal(h uint64, r, vr int32, payload string) *Proposal {
	return &Proposal{Height: h, Round: r, ValidRound: vr, BlockID: BlockID([]byte(payload)), Payload: []byte(payload)}
}

func TestMessagesRoundTrip(t *testing.T) {
	msgs := []Message{
		testProposal(1, 0, -1, "a block"),
		testProposal(1<<63, 1<<31-1, 1<<31-2, ""),
		testProposal(9, 5, 4, strings.Repeat("x", MaxPayloadSize)),
		&Vote{Type: Prevote, Height: 1, Round: 0, Nil: true},
		&Vote{Type: Precommit, Height: 77, Round: 3, BlockID: codec.Hash256{1, 2}},
		&Vote{Type: Prevote, Height: 2, Round: 1 << 30, BlockID: codec.Hash256{}},
	}
	for _, m := range msgs {
		b := m.Encode()
		got, err := DecodeMessage(b)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if !bytes.Equal(got.Encode(), b) {
			t.Fatalf("%T does not re-encode identically", m)
		}
	}
	// A vote for the zero block id is not a nil vote.
	v, _ := DecodeMessage((&Vote{Type: Prevote, Height: 2, Round: 1}).Encode())
	if v.(*Vote).Nil {
		t.Fatal("zero id decoded as nil")
	}
}

func TestDecodeRejects(t *testing.T) {
	prop := testProposal(3, 2, 1, "payload").Encode()
	vote := (&Vote{Type: Prevote, Height: 3, Round: 2, BlockID: codec.Hash256{5}}).Encode()
	nilVote := (&Vote{Type: Precommit, Height: 3, Round: 2, Nil: true}).Encode()
	with := func(b []byte, at int, v ...byte) []byte {
		c := bytes.Clone(b)
		copy(c[at:], v)
		return c
	}
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	u64 := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	oversized := testProposal(3, 2, 1, "").Encode()
	oversized = append(oversized[:proposalHeaderSize], u32(MaxPayloadSize+1)...)
	oversized = append(oversized, make([]byte, MaxPayloadSize+1)...)
	cases := map[string][]byte{
		"empty":                      nil,
		"one byte":                   {1},
		"version 0":                  with(vote, 0, 0),
		"version 2":                  with(vote, 0, 2),
		"unknown type":               with(vote, 1, 7),
		"certificate type":           with(vote, 1, typeCertificate),
		"vote height 0":              with(vote, 2, u64(0)...),
		"vote round 2^31":            with(vote, 10, u32(1<<31)...),
		"vote tag 2":                 with(vote, 14, 2),
		"vote tag 0 with id":         with(vote, 14, 0),
		"nil vote tag 1 without id":  with(nilVote, 14, 1),
		"vote truncated":             vote[:len(vote)-1],
		"vote trailing byte":         append(bytes.Clone(vote), 0),
		"nil vote trailing byte":     append(bytes.Clone(nilVote), 0),
		"proposal header only":       prop[:proposalHeaderSize],
		"proposal truncated length":  prop[:proposalHeaderSize+2],
		"proposal truncated payload": prop[:len(prop)-1],
		"proposal trailing byte":     append(bytes.Clone(prop), 0),
		"proposal height 0":          with(prop, 2, u64(0)...),
		"proposal round 2^31":        with(prop, 10, u32(1<<31)...),
		"proposal vr = r":            with(prop, 14, u32(2)...),
		"proposal vr > r":            with(prop, 14, u32(9)...),
		"proposal vr = -2":           with(prop, 14, u32(0xfffffffe)...),
		"proposal wrong block id":    with(prop, 18, 0xff),
		"proposal length too large":  with(prop, proposalHeaderSize, u32(1<<31)...),
		"proposal payload too large": oversized,
	}
	for name, b := range cases {
		m, err := DecodeMessage(b)
		if err == nil {
			t.Errorf("%s: decoded %+v", name, m)
			continue
		}
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: error %v does not wrap ErrMalformed", name, err)
		}
	}
}

func TestSignBytesSeparateChainsAndCoverTheBlock(t *testing.T) {
	vote := (&Vote{Type: Prevote, Height: 1, Round: 0, Nil: true}).Encode()
	a, b := SignBytes("chain-a", vote), SignBytes("chain-b", vote)
	if bytes.Equal(a, b) {
		t.Fatal("same sign bytes on two chains")
	}
	// Length prefixes: ("ab", "c…") and ("a", "bc…") differ.
	if bytes.Equal(SignBytes("ab", vote), SignBytes("a", append([]byte("b"), vote...))) {
		t.Fatal("chain id and payload are not separated")
	}
	if !bytes.HasPrefix(a, []byte("JT/rbft/v1")) {
		t.Fatal("missing domain")
	}
	// A proposal signs its header, which holds the block id; the decoder
	// ties the id to the payload.
	p := testProposal(1, 0, -1, "block one")
	q := testProposal(1, 0, -1, "block two")
	if bytes.Equal(SignBytes("c", p.Encode()), SignBytes("c", q.Encode())) {
		t.Fatal("two blocks, same sign bytes")
	}
	if !bytes.Equal(SignBytes("c", p.Encode()), SignBytes("c", p.Header())) {
		t.Fatal("a proposal's sign bytes are not its header's")
	}
	swapped := append(p.Header(), q.Encode()[proposalHeaderSize:]...)
	if _, err := DecodeMessage(swapped); err == nil {
		t.Fatal("a signed header with another block's payload decoded")
	}
}

func TestBlockIDIsDomainSeparated(t *testing.T) {
	payload := []byte("payload")
	if BlockID(payload) == codec.TxID(payload) {
		t.Fatal("block id equals a transaction id")
	}
	if BlockID(payload) == BlockID([]byte("payloae")) {
		t.Fatal("collision")
	}
}
