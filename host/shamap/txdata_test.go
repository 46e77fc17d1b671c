package shamap

import (
	"bytes"
	"errors"
	"testing"
)

// Boundaries of rippled's VL length prefix (Serializer::encodeLengthLength).
func TestTxWithMetaDataUsesRippledVLPrefix(t *testing.T) {
	cases := []struct {
		n      int
		prefix []byte
	}{
		{0, []byte{0x00}},
		{1, []byte{0x01}},
		{192, []byte{0xC0}},
		{193, []byte{0xC1, 0x00}},
		{194, []byte{0xC1, 0x01}},
		{12480, []byte{0xF0, 0xFF}},
		{12481, []byte{0xF1, 0x00, 0x00}},
		{918744, []byte{0xFE, 0xD4, 0x17}},
	}
	for _, c := range cases {
		tx := bytes.Repeat([]byte{0xAB}, c.n)
		meta := []byte{0xCD}
		got, err := TxWithMetaData(tx, meta)
		if err != nil {
			t.Fatalf("len %d: %v", c.n, err)
		}
		want := bytes.Join([][]byte{c.prefix, tx, {0x01, 0xCD}}, nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("len %d: prefix %x, want %x", c.n, got[:len(c.prefix)], c.prefix)
		}
		gotTx, gotMeta, err := SplitTxWithMetaData(got)
		if err != nil || !bytes.Equal(gotTx, tx) || !bytes.Equal(gotMeta, meta) {
			t.Fatalf("len %d: split did not invert build: %v", c.n, err)
		}
	}
}

func TestTxWithMetaDataRejectsBlobsTooLongForAPrefix(t *testing.T) {
	big := make([]byte, 918745)
	if _, err := TxWithMetaData(big, nil); !errors.Is(err, ErrBadTxData) {
		t.Fatalf("tx: %v", err)
	}
	if _, err := TxWithMetaData(nil, big); !errors.Is(err, ErrBadTxData) {
		t.Fatalf("meta: %v", err)
	}
}

func TestSplitTxWithMetaDataRejectsMalformedInput(t *testing.T) {
	cases := map[string][]byte{
		"empty":               {},
		"no meta":             {0x01, 0xAA},
		"truncated tx":        {0x05, 0xAA},
		"truncated 2-byte":    {0xC1},
		"truncated 3-byte":    {0xF1, 0x00},
		"prefix byte 0xFF":    {0xFF, 0x00, 0x00},
		"length over 918744":  {0xFE, 0xD4, 0x18},
		"trailing bytes":      {0x00, 0x00, 0x00},
		"meta longer than in": {0x00, 0x02, 0xAA},
	}
	for name, in := range cases {
		if _, _, err := SplitTxWithMetaData(in); !errors.Is(err, ErrBadTxData) {
			t.Errorf("%s: err = %v, want ErrBadTxData", name, err)
		}
	}
}
