package node

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
)

func sampleBlock() *Block {
	b := &Block{Height: 7, CloseTime: 1000, CreatorRound: 2, VRFProof: bytes.Repeat([]byte{5}, 80),
		TxIDs: []codec.Hash256{{1}, {2}, {3}}, LastCommit: []byte("certificate"), Evidence: [][]byte{[]byte("ev1"), {}}}
	b.ParentHash[0], b.Seed[1], b.LedgerHash[2], b.Creator[3] = 9, 8, 7, 6
	return b
}

func TestBlockRoundTripsCanonically(t *testing.T) {
	b := sampleBlock()
	enc := b.Encode()
	got, err := DecodeBlock(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Encode(), enc) {
		t.Fatal("re-encoding differs")
	}
	if got.Height != 7 || got.CreatorRound != 2 || len(got.TxIDs) != 3 || got.TxIDs[2][0] != 3 || string(got.LastCommit) != "certificate" || len(got.Evidence) != 2 {
		t.Fatalf("decoded %+v", got)
	}
}

func TestDecodeBlockRejectsEveryTruncationAndTrailingBytes(t *testing.T) {
	enc := sampleBlock().Encode()
	for n := 0; n < len(enc); n++ {
		if _, err := DecodeBlock(enc[:n]); !errors.Is(err, ErrBadBlock) {
			t.Fatalf("prefix of %d bytes: %v", n, err)
		}
	}
	if _, err := DecodeBlock(append(bytes.Clone(enc), 0)); !errors.Is(err, ErrBadBlock) {
		t.Fatal("trailing byte accepted")
	}
	bad := bytes.Clone(enc)
	bad[0] = 3
	if _, err := DecodeBlock(bad); !errors.Is(err, ErrBadBlock) {
		t.Fatal("unknown version accepted")
	}
}

func FuzzDecodeBlock(f *testing.F) {
	f.Add(sampleBlock().Encode())
	withRecords := sampleBlock()
	withRecords.RecordIDs = []codec.Hash256{{1}, {2}}
	f.Add(withRecords.Encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBlock(data)
		if err != nil {
			return
		}
		if !bytes.Equal(b.Encode(), data) {
			t.Fatal("decode/encode is not the identity")
		}
	})
}

func TestVRFInputSeparatesChainsHeightsAndSeeds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s1, s2 codec.Hash256
	for i := range s1 {
		s1[i], s2[i] = byte(r.Uint32()), byte(r.Uint32())
	}
	inputs := [][]byte{VRFInput("a", 1, s1), VRFInput("b", 1, s1), VRFInput("a", 2, s1), VRFInput("a", 1, s2), VRFInput("a1", 1, s1)}
	for i := range inputs {
		for j := i + 1; j < len(inputs); j++ {
			if bytes.Equal(inputs[i], inputs[j]) {
				t.Fatalf("inputs %d and %d collide", i, j)
			}
		}
	}
}
