// Package rbftcheck checks the commit part of a BLHR proof bundle on an
// RBFT chain: that a block and its certificate were committed by a known
// validator set, and which ledger hash they commit to. It is the trust
// anchor `jt blhr verify` uses offline; blhr.VerifyBundle does the rest.
//
// It imports host/consensus/rbft and host/node, which is why it is not part
// of package blhr: the node imports blhr, and nothing in host imports this
// package.
package rbftcheck

import (
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
	"github.com/jtchain/jtchain/host/consensus/rbft"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/node"
)

// ErrNotCommitted is wrapped by every rejection of a block and certificate
// that decode but do not prove the ledger committed.
var ErrNotCommitted = errors.New("rbftcheck: not a commit of the ledger")

// CheckCommit returns the ledger hash that block commits to as ledger seq,
// if certificate is a valid RBFT certificate of block at height seq by
// validators (the validator set of that height) on chainID. Signatures are
// checked with crypto.Verify.
func CheckCommit(chainID string, validators []consensus.Validator, block, certificate []byte, seq uint32) (codec.Hash256, error) {
	if err := rbft.VerifyCertificate(certificate, validators, chainID, crypto.Verify); err != nil {
		return codec.Hash256{}, err
	}
	cert, err := rbft.DecodeCertificate(certificate)
	if err != nil { // VerifyCertificate decoded it already
		return codec.Hash256{}, err
	}
	if cert.Height != uint64(seq) {
		return codec.Hash256{}, fmt.Errorf("%w: certificate is for height %d, want %d", ErrNotCommitted, cert.Height, seq)
	}
	if id := rbft.BlockID(block); cert.BlockID != id {
		return codec.Hash256{}, fmt.Errorf("%w: certificate is for block %X, the block given is %X", ErrNotCommitted, cert.BlockID, id)
	}
	b, err := node.DecodeBlock(block)
	if err != nil {
		return codec.Hash256{}, err
	}
	if b.Height != seq {
		return codec.Hash256{}, fmt.Errorf("%w: block is ledger %d, want %d", ErrNotCommitted, b.Height, seq)
	}
	return b.LedgerHash, nil
}

// Checker returns CheckCommit for a fixed chain and validator set, in the
// shape blhr.VerifyBundle takes. It is right for bundles of ledgers whose
// height the set governed; a verifier that spans validator changes needs
// the set of each height.
func Checker(chainID string, validators []consensus.Validator) func(block, certificate []byte, seq uint32) (codec.Hash256, error) {
	vals := append([]consensus.Validator(nil), validators...)
	return func(block, certificate []byte, seq uint32) (codec.Hash256, error) {
		return CheckCommit(chainID, vals, block, certificate, seq)
	}
}
