package blhr

import (
	"encoding/binary"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
)

// RecordVersion is the only record layout this package reads and writes.
const RecordVersion = 1

// Limits. DecodeRecord enforces them whatever the input, so a decoded record
// is bounded in size before anything else looks at it.
const (
	// MaxTypeTag bounds a record's type tag, in bytes.
	MaxTypeTag = 64
	// MaxData is the protocol's upper bound on a record's data. A node
	// accepts at most its configured limit, which may only be smaller: a
	// record that fits here is valid in a ledger whatever that setting.
	MaxData = 64 << 10
	// MaxSignature bounds a record signature: strict DER secp256k1 is at
	// most 72 bytes, ed25519 exactly 64.
	MaxSignature = 72
	// MaxRecordSize is the largest encoding DecodeRecord accepts.
	MaxRecordSize = recordFixed + MaxTypeTag + MaxData + crypto.PublicKeySize + MaxSignature
)

// recordFixed is the size of an encoding's fixed part: version, tag length,
// data hash, data length, key length, signature length.
const recordFixed = 1 + 1 + 32 + 4 + 1 + 1

// Record is one block-level hash record: a data hash (and optionally the
// data itself) under a type tag, optionally signed by an account.
//
// A Record returned by NewRecord, NewHashRecord, Sign or DecodeRecord is
// valid. Encode and ID do not check the fields, so one built by hand should
// go through Validate first.
type Record struct {
	// TypeTag says what kind of data this is, for indexers and queries:
	// 0..MaxTypeTag bytes of [A-Za-z0-9._:/-].
	TypeTag string
	// DataHash is SHA512Half(Data) when Data is present; otherwise the hash
	// of data kept elsewhere, chosen by the submitter (never all zero).
	DataHash codec.Hash256
	// Data is 0..MaxData bytes recorded on chain, or empty.
	Data []byte

	// Signed records only; an unsigned record leaves all three empty.
	Account       codec.AccountID // derived from SigningPubKey; not encoded
	SigningPubKey []byte          // 33 bytes: 02/03 ‖ X (secp256k1) or ED ‖ key (ed25519)
	Signature     []byte          // over SigningData(chainID); see Sign
}

// NewRecord returns an unsigned record of data, whose DataHash it computes.
// data must not be empty: to record only a hash, use NewHashRecord.
func NewRecord(typeTag string, data []byte) (Record, error) {
	if len(data) == 0 {
		return Record{}, malformed("record without data: pass the data, or use NewHashRecord for a hash alone")
	}
	r := Record{TypeTag: typeTag, DataHash: crypto.SHA512Half(data), Data: append([]byte(nil), data...)}
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// NewHashRecord returns an unsigned record of a hash alone, for data kept
// off chain.
func NewHashRecord(typeTag string, dataHash codec.Hash256) (Record, error) {
	r := Record{TypeTag: typeTag, DataHash: dataHash}
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Signed reports whether the record carries an account signature.
func (r Record) Signed() bool { return len(r.SigningPubKey) != 0 || len(r.Signature) != 0 }

// Validate checks every rule DecodeRecord enforces on the fields (it cannot
// check the signature itself, which depends on the chain: see
// VerifySignature).
func (r Record) Validate() error {
	if err := checkTypeTag(r.TypeTag); err != nil {
		return err
	}
	if len(r.Data) > MaxData {
		return malformed("data of %d bytes exceeds the limit of %d", len(r.Data), MaxData)
	}
	if len(r.Data) > 0 {
		if r.DataHash != crypto.SHA512Half(r.Data) {
			return malformed("data hash %X is not SHA512Half of the data", r.DataHash)
		}
	} else if r.DataHash == (codec.Hash256{}) {
		return malformed("record of a hash alone with an all-zero data hash: set the hash of the data it records")
	}
	return r.checkSigner(true)
}

// checkSigner checks the signer fields; withSig false accepts a signed
// record whose signature is not there yet (the signing form).
func (r Record) checkSigner(withSig bool) error {
	if !r.Signed() {
		if r.Account != (codec.AccountID{}) {
			return malformed("unsigned record names account %X: sign it, or leave the account empty", r.Account[:])
		}
		return nil
	}
	if err := checkPublicKey(r.SigningPubKey); err != nil {
		return err
	}
	if withSig && len(r.Signature) == 0 {
		return malformed("record has a signing key but no signature")
	}
	if len(r.Signature) > MaxSignature {
		return malformed("signature of %d bytes exceeds %d", len(r.Signature), MaxSignature)
	}
	if r.Account != crypto.AccountIDFromPublicKey(r.SigningPubKey) {
		return malformed("account %X is not the account of the signing key", r.Account[:])
	}
	return nil
}

func checkPublicKey(pub []byte) error {
	if len(pub) != crypto.PublicKeySize {
		return malformed("signing key of %d bytes, want %d", len(pub), crypto.PublicKeySize)
	}
	switch pub[0] {
	case 0x02, 0x03, 0xED:
		return nil
	}
	return malformed("signing key starts %#02x, want 02, 03 (secp256k1) or ED (ed25519)", pub[0])
}

func checkTypeTag(tag string) error {
	if len(tag) > MaxTypeTag {
		return malformed("type tag of %d bytes exceeds %d", len(tag), MaxTypeTag)
	}
	for i := 0; i < len(tag); i++ {
		if !tagByte(tag[i]) {
			return malformed("type tag byte %d is %#02x: use only A-Z a-z 0-9 . _ : / -", i, tag[i])
		}
	}
	return nil
}

func tagByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '.', '_', ':', '/', '-':
		return true
	}
	return false
}

// Encode returns the record's canonical bytes:
//
//	u8 version (1) ‖ u8 len ‖ type tag ‖ data hash[32] ‖ u32 len ‖ data ‖
//	u8 len ‖ signing key ‖ u8 len ‖ signature
//
// Lengths are big-endian. An unsigned record has both last lengths zero; a
// signed one a 33-byte key and a 1..MaxSignature-byte signature. The
// account is not encoded: it is the signing key's.
func (r Record) Encode() []byte {
	return r.appendEncoding(make([]byte, 0, r.encodedSize()), true)
}

func (r Record) encodedSize() int {
	return recordFixed + len(r.TypeTag) + len(r.Data) + len(r.SigningPubKey) + len(r.Signature)
}

func (r Record) appendEncoding(buf []byte, withSig bool) []byte {
	buf = append(buf, RecordVersion, byte(len(r.TypeTag)))
	buf = append(buf, r.TypeTag...)
	buf = append(buf, r.DataHash[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(r.Data)))
	buf = append(buf, r.Data...)
	buf = append(buf, byte(len(r.SigningPubKey)))
	buf = append(buf, r.SigningPubKey...)
	if !withSig {
		return append(buf, 0)
	}
	buf = append(buf, byte(len(r.Signature)))
	return append(buf, r.Signature...)
}

// ID returns the record id: SHA512Half("BLR\0" ‖ Encode()). It covers the
// signature, so one content signed twice gives two records (secp256k1
// signatures are deterministic and low-S, so a signer's own re-signing
// does not).
func (r Record) ID() codec.Hash256 {
	return EncodingID(r.Encode())
}

// EncodingID is the id of the record whose canonical encoding is enc,
// without decoding it.
func EncodingID(enc []byte) codec.Hash256 {
	return crypto.SHA512Half(prefixRecordID[:], enc)
}

// DecodeRecord parses Encode's output strictly: version 1, every length
// within its limit, a data hash that matches the data, a signing key and a
// signature together or neither, and no trailing bytes. It does not verify
// the signature (VerifySignature does, for a chain). The result does not
// share memory with b.
func DecodeRecord(b []byte) (Record, error) {
	if len(b) > MaxRecordSize {
		return Record{}, malformed("record of %d bytes exceeds %d", len(b), MaxRecordSize)
	}
	rd := reader{b: b}
	if v := rd.u8("version"); rd.err == nil && v != RecordVersion {
		return Record{}, malformed("record version %d, want %d", v, RecordVersion)
	}
	var r Record
	r.TypeTag = string(rd.bytes("type tag", uint32(rd.u8("type tag length")), MaxTypeTag))
	copy(r.DataHash[:], rd.take(32, "data hash"))
	r.Data = rd.bytes("data", rd.u32("data length"), MaxData)
	r.SigningPubKey = rd.bytes("signing key", uint32(rd.u8("signing key length")), crypto.PublicKeySize)
	r.Signature = rd.bytes("signature", uint32(rd.u8("signature length")), MaxSignature)
	if err := rd.end(); err != nil {
		return Record{}, err
	}
	if r.Signed() {
		if len(r.SigningPubKey) == 0 {
			return Record{}, malformed("record has a signature but no signing key")
		}
		if len(r.SigningPubKey) == crypto.PublicKeySize {
			r.Account = crypto.AccountIDFromPublicKey(r.SigningPubKey)
		}
	}
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// reader consumes an encoding; the first error sticks and later reads
// return zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.err = malformed("truncated in %s: %d bytes left, want %d", what, len(r.b), n)
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

// bytes reads n bytes into a fresh slice (nil when n is 0), rejecting n
// above max before looking at the input.
func (r *reader) bytes(what string, n uint32, max int) []byte {
	if r.err != nil {
		return nil
	}
	if int64(n) > int64(max) {
		r.err = malformed("%s of %d bytes exceeds %d", what, n, max)
		return nil
	}
	p := r.take(int(n), what)
	if len(p) == 0 {
		return nil
	}
	return append([]byte(nil), p...)
}

func (r *reader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = malformed("%d trailing bytes", len(r.b))
	}
	return r.err
}
