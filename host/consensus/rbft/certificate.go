package rbft

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// ErrInvalid is wrapped by every verification failure of a well-formed
// certificate or evidence.
var ErrInvalid = errors.New("rbft: verification failed")

// CommitSig is one validator's precommit in a certificate: the vote itself
// is implied by the certificate's height, round and block id.
type CommitSig struct {
	Signer    codec.AccountID
	Signature []byte
}

// Certificate proves a decision: at least Q precommits for BlockID in
// (Height, Round), sorted by signer address. Commit carries its encoding;
// it is served to peers that catch up and becomes the next block's
// last_commit.
type Certificate struct {
	Height     uint64
	Round      int32
	BlockID    codec.Hash256
	Precommits []CommitSig
}

// Encode returns the canonical bytes:
//
//	ver ‖ 0x10 ‖ u64 h ‖ u32 r ‖ id[32] ‖ u8 count ‖ count × (signer[20] ‖ u8 len ‖ sig)
func (c *Certificate) Encode() []byte {
	buf := make([]byte, 0, 46+len(c.Precommits)*(21+72))
	buf = append(buf, wireVersion, typeCertificate)
	buf = binary.BigEndian.AppendUint64(buf, c.Height)
	buf = binary.BigEndian.AppendUint32(buf, uint32(c.Round))
	buf = append(buf, c.BlockID[:]...)
	buf = append(buf, byte(len(c.Precommits)))
	for _, p := range c.Precommits {
		buf = append(buf, p.Signer[:]...)
		buf = appendSig(buf, p.Signature)
	}
	return buf
}

// Vote returns the precommit every signature of the certificate signs.
func (c *Certificate) Vote() *Vote {
	return &Vote{Type: Precommit, Height: c.Height, Round: c.Round, BlockID: c.BlockID}
}

// DecodeCertificate parses a certificate strictly: known version and type,
// height ≥ 1, round ≤ MaxInt32, 1..MaxValidators precommits with signers in
// strictly increasing order, signatures of 1..MaxSignatureSize bytes, no
// trailing bytes. It does not check signatures: see VerifyCertificate.
func DecodeCertificate(b []byte) (*Certificate, error) {
	r := &reader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, malformed("certificate version %d", v)
	}
	if t := r.u8("type"); r.err == nil && t != typeCertificate {
		return nil, malformed("type %#x is not a certificate", t)
	}
	c := &Certificate{Height: r.u64("height")}
	round := r.u32("round")
	c.BlockID = r.hash("block id")
	n := int(r.u8("count"))
	if r.err == nil {
		switch {
		case c.Height == 0:
			return nil, malformed("certificate for height 0")
		case round > math.MaxInt32:
			return nil, malformed("certificate round %d", round)
		case n == 0 || n > MaxValidators:
			return nil, malformed("certificate with %d precommits", n)
		}
	}
	c.Round = int32(round)
	for i := 0; i < n && r.err == nil; i++ {
		s := CommitSig{Signer: r.account("signer")}
		s.Signature = r.sig("signature")
		if i > 0 && r.err == nil && bytes.Compare(c.Precommits[i-1].Signer[:], s.Signer[:]) >= 0 {
			return nil, malformed("certificate signers out of order")
		}
		c.Precommits = append(c.Precommits, s)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return c, nil
}

// VerifyCertificate checks that cert is a well-formed certificate whose
// every precommit comes from a distinct member of validators (the set of the
// certificate's height) with a signature that verify accepts over
// SignBytes(chainID, precommit), and that there are at least Q of them. The
// caller compares the decoded Height and BlockID with the block it certifies.
// verify gets the validator's PublicKey, the signed bytes and the signature.
func VerifyCertificate(cert []byte, validators []consensus.Validator, chainID string, verify func(pub, msg, sig []byte) error) error {
	c, err := DecodeCertificate(cert)
	if err != nil {
		return err
	}
	vals, ok := normalizeValidators(validators)
	if !ok {
		return fmt.Errorf("%w: unusable validator set of %d", ErrInvalid, len(validators))
	}
	_, q, _ := thresholds(len(vals))
	if len(c.Precommits) < q {
		return fmt.Errorf("%w: certificate has %d precommits, need %d of %d", ErrInvalid, len(c.Precommits), q, len(vals))
	}
	msg := SignBytes(chainID, c.Vote().Encode())
	for _, p := range c.Precommits {
		v, found := findValidator(vals, p.Signer)
		if !found {
			return fmt.Errorf("%w: certificate signer %x is not a validator", ErrInvalid, p.Signer)
		}
		if err := verify(v.PublicKey, msg, p.Signature); err != nil {
			return fmt.Errorf("%w: precommit of %x: %v", ErrInvalid, p.Signer, err)
		}
	}
	return nil
}

func findValidator(sorted []consensus.Validator, a codec.AccountID) (consensus.Validator, bool) {
	lo, hi := 0, len(sorted)
	for lo < hi {
		m := (lo + hi) / 2
		switch c := bytes.Compare(sorted[m].Address[:], a[:]); {
		case c == 0:
			return sorted[m], true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return consensus.Validator{}, false
}
