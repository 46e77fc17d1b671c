package blhr

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// BundleVersion is the only bundle layout this package reads and writes.
const BundleVersion = 1

// Bundle limits, per decoded field. The block bound is above rbft's largest
// payload (900 KiB); a certificate of 31 precommits is under 9 KiB.
const (
	MaxBundleHeader      = 1 << 10
	MaxBundleBlock       = 1 << 20
	MaxBundleCertificate = 16 << 10
	// MaxBundleJSON bounds a bundle's JSON text: every field at its limit,
	// hex-encoded, with room for names and whitespace.
	MaxBundleJSON = 2*(MaxRecordSize+MaxBundleHeader+MaxBundleBlock+MaxBundleCertificate+MaxProofSize) + 4<<10
)

// Bundle is a self-contained proof that a record is in a validated ledger:
// what the blhr_proof API command returns and `jt blhr verify` checks
// offline with VerifyBundle. Every field is bytes in its own canonical
// encoding, so nothing is trusted that VerifyBundle does not re-derive.
type Bundle struct {
	Record      []byte // Record.Encode()
	LedgerSeq   uint32 // the ledger that sealed the record
	Header      []byte // that ledger's header: ledger.Header.Encode(), extension included
	Block       []byte // the committed block of LedgerSeq (for RBFT: the node's block encoding)
	Certificate []byte // the engine's commit certificate of that block
	Proof       []byte // Proof.Encode(): the path from the record id to the header's BLHRRoot
}

// VerifyBundle checks b for chainID: the record decodes, and a signed one's
// signature verifies; the proof leads from the record's id to the header's
// BLHRRoot; the header is ledger LedgerSeq; and the header's hash is the
// ledger hash that checkCommit derives from the block and certificate.
//
// checkCommit carries the trust: it must accept a block and certificate
// only if a known validator set committed them as ledger seq, and return
// the ledger hash they commit to. package rbftcheck builds one for RBFT.
func VerifyBundle(b Bundle, chainID string, checkCommit func(block, certificate []byte, seq uint32) (ledgerHash codec.Hash256, err error)) error {
	if checkCommit == nil {
		return errors.New("blhr: VerifyBundle needs a commit checker")
	}
	rec, err := DecodeRecord(b.Record)
	if err != nil {
		return fmt.Errorf("bundle record: %w", err)
	}
	if err := rec.VerifySignature(chainID); err != nil {
		return fmt.Errorf("bundle record: %w", err)
	}
	id := rec.ID()
	proof, err := DecodeProof(b.Proof)
	if err != nil {
		return fmt.Errorf("bundle proof: %w", err)
	}
	h, err := ledger.DecodeHeader(b.Header)
	if err != nil {
		return fmt.Errorf("%w: bundle header: %w", ErrMalformed, err)
	}
	if h.Seq != b.LedgerSeq {
		return invalid("bundle header is ledger %d, the bundle names ledger %d", h.Seq, b.LedgerSeq)
	}
	if err := proof.Verify(id, h.BLHRRoot); err != nil {
		return fmt.Errorf("bundle proof in ledger %d: %w", h.Seq, err)
	}
	committed, err := checkCommit(b.Block, b.Certificate, b.LedgerSeq)
	if err != nil {
		return fmt.Errorf("%w: commit of ledger %d: %w", ErrInvalid, b.LedgerSeq, err)
	}
	if hash := h.Hash(); hash != committed {
		return invalid("bundle header hashes to %X, but ledger %d was committed as %X", hash, b.LedgerSeq, committed)
	}
	return nil
}

// bundleJSON fixes the field names; its hex strings are upper case, as in
// the rest of the Jingtum API.
type bundleJSON struct {
	Version     uint32 `json:"version"`
	Record      string `json:"record"`
	LedgerSeq   uint32 `json:"ledger_seq"`
	Header      string `json:"header"`
	Block       string `json:"block"`
	Certificate string `json:"certificate"`
	Proof       string `json:"proof"`
}

// MarshalJSON encodes b as one JSON object of every field, bytes in hex.
func (b Bundle) MarshalJSON() ([]byte, error) {
	return json.Marshal(bundleJSON{
		Version:     BundleVersion,
		Record:      codec.HexUpper(b.Record),
		LedgerSeq:   b.LedgerSeq,
		Header:      codec.HexUpper(b.Header),
		Block:       codec.HexUpper(b.Block),
		Certificate: codec.HexUpper(b.Certificate),
		Proof:       codec.HexUpper(b.Proof),
	})
}

// UnmarshalJSON is DecodeBundle.
func (b *Bundle) UnmarshalJSON(data []byte) error {
	d, err := DecodeBundle(data)
	if err != nil {
		return err
	}
	*b = d
	return nil
}

// bundleField describes one JSON field: a hex string of at most max bytes,
// or (max < 0) an unsigned integer.
type bundleField struct {
	name string
	max  int
}

var bundleFields = []bundleField{
	{"version", -1}, {"record", MaxRecordSize}, {"ledger_seq", -1}, {"header", MaxBundleHeader},
	{"block", MaxBundleBlock}, {"certificate", MaxBundleCertificate}, {"proof", MaxProofSize},
}

// DecodeBundle parses a bundle's JSON strictly: one object with exactly the
// fields MarshalJSON writes, each once, version 1, ledger_seq a plain
// decimal uint32, the others hex strings (either case) within their field's
// limit, and nothing after the object. It checks no content: VerifyBundle
// does.
func DecodeBundle(data []byte) (Bundle, error) {
	if len(data) > MaxBundleJSON {
		return Bundle{}, malformed("bundle of %d bytes exceeds %d", len(data), MaxBundleJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Bundle{}, malformed("bundle is not a JSON object")
	}
	var b Bundle
	seen := make([]bool, len(bundleFields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Bundle{}, malformed("bundle JSON: %v", err)
		}
		name, _ := tok.(string)
		i := fieldIndex(name)
		if i < 0 {
			return Bundle{}, malformed("bundle has unknown field %q", name)
		}
		if seen[i] {
			return Bundle{}, malformed("bundle field %q appears twice", name)
		}
		seen[i] = true
		val, err := dec.Token()
		if err != nil {
			return Bundle{}, malformed("bundle field %q: %v", name, err)
		}
		if err := b.setField(bundleFields[i], val); err != nil {
			return Bundle{}, err
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return Bundle{}, malformed("bundle JSON object is not closed")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Bundle{}, malformed("bundle has data after its JSON object")
	}
	for i, ok := range seen {
		if !ok {
			return Bundle{}, malformed("bundle field %q is missing", bundleFields[i].name)
		}
	}
	return b, nil
}

func fieldIndex(name string) int {
	for i, f := range bundleFields {
		if f.name == name {
			return i
		}
	}
	return -1
}

func (b *Bundle) setField(f bundleField, val json.Token) error {
	if f.max < 0 {
		num, ok := val.(json.Number)
		if !ok {
			return malformed("bundle field %q must be a number", f.name)
		}
		s := string(num)
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || strconv.FormatUint(n, 10) != s {
			return malformed("bundle field %q is %s, want a decimal integer 0..%d", f.name, s, uint32(1<<32-1))
		}
		switch f.name {
		case "version":
			if n != BundleVersion {
				return malformed("bundle version %d, want %d", n, BundleVersion)
			}
		case "ledger_seq":
			b.LedgerSeq = uint32(n)
		}
		return nil
	}
	s, ok := val.(string)
	if !ok {
		return malformed("bundle field %q must be a hex string", f.name)
	}
	if len(s) > 2*f.max {
		return malformed("bundle field %q of %d hex digits exceeds %d bytes", f.name, len(s), f.max)
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return malformed("bundle field %q: hex without a 0x prefix, please", f.name)
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return malformed("bundle field %q is not hex: %v", f.name, err)
	}
	switch f.name {
	case "record":
		b.Record = raw
	case "header":
		b.Header = raw
	case "block":
		b.Block = raw
	case "certificate":
		b.Certificate = raw
	case "proof":
		b.Proof = raw
	}
	return nil
}
