package shamap

import (
	"bytes"
	"slices"
	"testing"

	"github.com/jtchain/jtchain/host/crypto"
)

// FuzzMapOps reads the input as 4-byte operations [op, pos, val, n] and
// applies them to a Map and to a sorted-slice model:
//
//	op%4 == 0, 1  Put(key, data)
//	op%4 == 2     Delete(key)
//	op%4 == 3     take a Snapshot and keep it with a copy of the model
//
// The key is zero except key[pos%32] = val, with pos>>5 in the top nibble,
// so keys often share long prefixes and differ deep down. At the end the map,
// every snapshot and a few proofs are checked against the model and the
// reference hash.
func FuzzMapOps(f *testing.F) {
	f.Add([]byte{0, 31, 1, 0, 0, 31, 2, 1, 2, 31, 1, 0})
	f.Add([]byte{0, 0, 0x10, 3, 0, 0, 0x11, 3, 3, 0, 0, 0, 2, 0, 0x10, 0, 1, 5, 5, 5})
	f.Add(bytes.Repeat([]byte{0, 1, 2, 3, 1, 200, 7, 9, 2, 1, 2, 3, 3, 0, 0, 0}, 8))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4*512 {
			ops = ops[:4*512]
		}
		m, md := New(AccountState), model{}
		type snap struct {
			m  *Map
			md model
		}
		var snaps []snap
		for len(ops) >= 4 {
			op, pos, val, n := ops[0], ops[1], ops[2], ops[3]
			ops = ops[4:]
			var key crypto.Hash256
			key[pos%32] = val
			key[0] |= (pos >> 5) << 4
			switch op % 4 {
			case 0, 1:
				data := bytes.Repeat([]byte{op, val}, int(n%4))
				m.Put(key, data)
				md.put(key, data)
			case 2:
				if got, want := m.Delete(key), md.del(key); got != want {
					t.Fatalf("Delete(%X) = %v, model says %v", key[:], got, want)
				}
			case 3:
				if len(snaps) < 8 {
					if n%2 == 0 {
						m.Hash() // snapshots of hashed and unhashed trees
					}
					snaps = append(snaps, snap{m.Snapshot(), slices.Clone(md)})
				}
			}
		}
		checkAgainstModel(t, m, md)
		for i, s := range snaps {
			if s.m.Len() != len(s.md) {
				t.Fatalf("snapshot %d: Len %d, want %d", i, s.m.Len(), len(s.md))
			}
			checkAgainstModel(t, s.m, s.md)
		}
		root := m.Hash()
		for i := 0; i < len(md) && i < 8; i++ {
			p, err := m.Proof(md[i].key)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyProof(root, AccountState, md[i].key, md[i].data, p); err != nil {
				t.Fatalf("proof of %X: %v", md[i].key[:], err)
			}
		}
	})
}

// FuzzDecodeProof: decoding arbitrary bytes never panics, and whatever it
// accepts re-encodes to the same bytes (the encoding is canonical) and can
// be verified without panicking.
func FuzzDecodeProof(f *testing.F) {
	m := New(AccountState)
	for i := range 200 {
		k := crypto.SHA512Half([]byte{byte(i)})
		m.Put(k, k[:8])
	}
	k := crypto.SHA512Half([]byte{7})
	p, _ := m.Proof(k)
	enc, _ := p.Encode()
	f.Add(enc)
	f.Add(enc[:len(enc)-1])
	f.Add([]byte{1, 1, 0, 0})
	f.Add([]byte{1, 64})
	f.Add([]byte{})
	root := m.Hash()
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeProof(b)
		if err != nil {
			return
		}
		again, err := p.Encode()
		if err != nil {
			t.Fatalf("decoded proof does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n in %x\nout %x", b, again)
		}
		_ = VerifyProof(root, AccountState, k, k[:8], p)
		_ = VerifyProof(root, TransactionNoMeta, crypto.Hash256{}, nil, p)
	})
}

// FuzzSplitTxWithMetaData: never panics, and accepted input is exactly what
// TxWithMetaData builds from the parts (VL prefixes are canonical).
func FuzzSplitTxWithMetaData(f *testing.F) {
	good, _ := TxWithMetaData(bytes.Repeat([]byte{1}, 200), []byte{2, 3})
	f.Add(good)
	f.Add([]byte{0, 0})
	f.Add([]byte{0xF1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, meta, err := SplitTxWithMetaData(b)
		if err != nil {
			return
		}
		again, err := TxWithMetaData(tx, meta)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip: %v\n in %x\nout %x", err, b, again)
		}
	})
}
