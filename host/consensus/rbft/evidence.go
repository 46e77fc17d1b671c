package rbft

import (
	"bytes"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// Evidence is provable misbehaviour (rule R12): a *DuplicateVote or a
// *ConflictingProposal.
type Evidence interface {
	// Encode returns the canonical bytes.
	Encode() []byte
	// Offender is the validator that signed both messages.
	Offender() codec.AccountID
	// Height is the height of the messages.
	Height() uint64
}

// DuplicateVote is two different votes of one validator for the same
// (height, round, type); nil counts as a value. VoteA and VoteB are vote
// payloads in increasing byte order, each with its signature.
type DuplicateVote struct {
	Signer      codec.AccountID
	VoteA, SigA []byte
	VoteB, SigB []byte
}

// ConflictingProposal is two different proposals of one proposer for the
// same (height, round): different block id or valid round. ProposalA and
// ProposalB are the signed proposal headers (Proposal.Header) in increasing
// byte order, each with its signature.
type ConflictingProposal struct {
	Signer          codec.AccountID
	ProposalA, SigA []byte
	ProposalB, SigB []byte
}

// NewDuplicateVote orders two conflicting vote payloads canonically.
func NewDuplicateVote(signer codec.AccountID, voteA, sigA, voteB, sigB []byte) *DuplicateVote {
	if bytes.Compare(voteA, voteB) > 0 {
		voteA, sigA, voteB, sigB = voteB, sigB, voteA, sigA
	}
	return &DuplicateVote{Signer: signer, VoteA: voteA, SigA: sigA, VoteB: voteB, SigB: sigB}
}

// NewConflictingProposal orders two conflicting proposal headers
// canonically.
func NewConflictingProposal(signer codec.AccountID, headerA, sigA, headerB, sigB []byte) *ConflictingProposal {
	if bytes.Compare(headerA, headerB) > 0 {
		headerA, sigA, headerB, sigB = headerB, sigB, headerA, sigA
	}
	return &ConflictingProposal{Signer: signer, ProposalA: headerA, SigA: sigA, ProposalB: headerB, SigB: sigB}
}

func (e *DuplicateVote) Offender() codec.AccountID       { return e.Signer }
func (e *ConflictingProposal) Offender() codec.AccountID { return e.Signer }

// Height implements Evidence (0 if VoteA is not a vote).
func (e *DuplicateVote) Height() uint64 {
	if v, err := decodeVoteOnly(e.VoteA); err == nil {
		return v.Height
	}
	return 0
}

// Height implements Evidence (0 if ProposalA is not a proposal header).
func (e *ConflictingProposal) Height() uint64 {
	if p, err := decodeProposalHeader(e.ProposalA); err == nil {
		return p.Height
	}
	return 0
}

// Encode returns
//
//	ver ‖ 0x20 ‖ signer[20] ‖ u8 len ‖ voteA ‖ u8 len ‖ sigA ‖ u8 len ‖ voteB ‖ u8 len ‖ sigB
func (e *DuplicateVote) Encode() []byte {
	buf := make([]byte, 0, 22+4+len(e.VoteA)+len(e.SigA)+len(e.VoteB)+len(e.SigB))
	buf = append(buf, wireVersion, typeDuplicateVote)
	buf = append(buf, e.Signer[:]...)
	buf = appendSig(buf, e.VoteA)
	buf = appendSig(buf, e.SigA)
	buf = appendSig(buf, e.VoteB)
	return appendSig(buf, e.SigB)
}

// Encode returns
//
//	ver ‖ 0x21 ‖ signer[20] ‖ headerA[50] ‖ u8 len ‖ sigA ‖ headerB[50] ‖ u8 len ‖ sigB
func (e *ConflictingProposal) Encode() []byte {
	buf := make([]byte, 0, 22+2*proposalHeaderSize+2+len(e.SigA)+len(e.SigB))
	buf = append(buf, wireVersion, typeConflictingProposal)
	buf = append(buf, e.Signer[:]...)
	buf = append(buf, e.ProposalA...)
	buf = appendSig(buf, e.SigA)
	buf = append(buf, e.ProposalB...)
	return appendSig(buf, e.SigB)
}

// DecodeEvidence parses evidence strictly: known version and type, both
// messages well-formed, for the same (height, round[, type]), different,
// in increasing byte order, signatures of 1..MaxSignatureSize bytes, no
// trailing bytes. It does not check signatures: see VerifyEvidence.
func DecodeEvidence(b []byte) (Evidence, error) {
	r := &reader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, malformed("evidence version %d", v)
	}
	t := r.u8("type")
	signer := r.account("signer")
	if r.err != nil {
		return nil, r.err
	}
	switch t {
	case typeDuplicateVote:
		e := &DuplicateVote{Signer: signer}
		e.VoteA = bytes.Clone(r.take(int(r.u8("vote length")), "vote"))
		e.SigA = r.sig("signature")
		e.VoteB = bytes.Clone(r.take(int(r.u8("vote length")), "vote"))
		e.SigB = r.sig("signature")
		if err := r.end(); err != nil {
			return nil, err
		}
		a, err := decodeVoteOnly(e.VoteA)
		if err != nil {
			return nil, err
		}
		b, err := decodeVoteOnly(e.VoteB)
		if err != nil {
			return nil, err
		}
		if a.Type != b.Type || a.Height != b.Height || a.Round != b.Round {
			return nil, malformed("duplicate vote evidence for different (height, round, type)")
		}
		if sameVoteValue(a, b) {
			return nil, malformed("duplicate vote evidence with equal votes")
		}
		if bytes.Compare(e.VoteA, e.VoteB) >= 0 {
			return nil, malformed("duplicate vote evidence out of order")
		}
		return e, nil
	case typeConflictingProposal:
		e := &ConflictingProposal{Signer: signer}
		e.ProposalA = bytes.Clone(r.take(proposalHeaderSize, "proposal header"))
		e.SigA = r.sig("signature")
		e.ProposalB = bytes.Clone(r.take(proposalHeaderSize, "proposal header"))
		e.SigB = r.sig("signature")
		if err := r.end(); err != nil {
			return nil, err
		}
		a, err := decodeProposalHeader(e.ProposalA)
		if err != nil {
			return nil, err
		}
		b, err := decodeProposalHeader(e.ProposalB)
		if err != nil {
			return nil, err
		}
		if a.Height != b.Height || a.Round != b.Round {
			return nil, malformed("conflicting proposal evidence for different (height, round)")
		}
		if bytes.Compare(e.ProposalA, e.ProposalB) >= 0 {
			return nil, malformed("conflicting proposal evidence equal or out of order")
		}
		return e, nil
	}
	return nil, malformed("type %#x is not evidence", t)
}

func decodeVoteOnly(b []byte) (*Vote, error) {
	if len(b) < 2 || b[0] != wireVersion || (b[1] != typePrevote && b[1] != typePrecommit) {
		return nil, malformed("evidence does not hold a vote")
	}
	return decodeVote(b)
}

// VerifyEvidence checks that ev is well-formed evidence against a member of
// validators (the set of the evidence's height) and that verify accepts both
// of its signatures over SignBytes(chainID, message). The caller decides
// whether the height is recent enough to matter.
func VerifyEvidence(ev []byte, validators []consensus.Validator, chainID string, verify func(pub, msg, sig []byte) error) error {
	e, err := DecodeEvidence(ev)
	if err != nil {
		return err
	}
	vals, ok := normalizeValidators(validators)
	if !ok {
		return fmt.Errorf("%w: unusable validator set of %d", ErrInvalid, len(validators))
	}
	v, found := findValidator(vals, e.Offender())
	if !found {
		return fmt.Errorf("%w: evidence against %x, not a validator", ErrInvalid, e.Offender())
	}
	var pairs [2][2][]byte
	switch e := e.(type) {
	case *DuplicateVote:
		pairs = [2][2][]byte{{e.VoteA, e.SigA}, {e.VoteB, e.SigB}}
	case *ConflictingProposal:
		pairs = [2][2][]byte{{e.ProposalA, e.SigA}, {e.ProposalB, e.SigB}}
	}
	for _, p := range pairs {
		if err := verify(v.PublicKey, SignBytes(chainID, p[0]), p[1]); err != nil {
			return fmt.Errorf("%w: evidence signature of %x: %v", ErrInvalid, e.Offender(), err)
		}
	}
	return nil
}
