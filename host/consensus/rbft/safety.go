package rbft

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/jtchain/jtchain/host/codec"
)

// step is a round step. Its values double as the type byte of the message a
// validator signs in that step, so (height, round, step) orders everything
// a validator signs (the CheckHRS rule of spec/rbft.md §8).
type step uint8

const (
	stepNone      step = 0
	stepPropose   step = typeProposal
	stepPrevote   step = typePrevote
	stepPrecommit step = typePrecommit
)

func (s step) String() string {
	switch s {
	case stepPropose:
		return "propose"
	case stepPrevote:
		return "prevote"
	case stepPrecommit:
		return "precommit"
	}
	return "none"
}

// hrs is a position in the signing order.
type hrs struct {
	Height uint64
	Round  int32
	Step   step
}

func (a hrs) cmp(b hrs) int {
	switch {
	case a.Height != b.Height:
		return cmpOrder(a.Height < b.Height)
	case a.Round != b.Round:
		return cmpOrder(a.Round < b.Round)
	case a.Step != b.Step:
		return cmpOrder(a.Step < b.Step)
	}
	return 0
}

func cmpOrder(less bool) int {
	if less {
		return -1
	}
	return 1
}

// safetyRecord is what PersistSafety carries: the last message this node
// signed, and the lock and valid value of StateHeight. The driver stores it
// durably (consensus.SafetyFile) and gives it back in Params.Safety.
type safetyRecord struct {
	Last        hrs    // the last signed (h, r, step); Step 0 if nothing yet
	LastPayload []byte // exactly what was signed then
	// OwnVotes are the latest prevote and precommit signed at Last.Height
	// (one of them may be LastPayload), in that order. A restarted node
	// sends them again: the others may need them to reach a quorum, and
	// only this node can give them.
	OwnVotes [][]byte

	StateHeight  uint64
	LockedRound  int32
	LockedID     codec.Hash256
	ValidRound   int32
	ValidPayload []byte // the valid value's block payload, to re-propose it
	// ValidPolka is the Q prevotes for the valid value in ValidRound, sorted
	// by signer: without them a restarted proposer could re-propose its
	// valid value but nobody, itself included, could accept it through R2.
	ValidPolka []CommitSig
}

// encode returns
//
//	ver ‖ 0x30 ‖ u64 h ‖ u32 r ‖ u8 step ‖ u32 len ‖ payload ‖
//	u8 count ‖ count × (u8 len ‖ own vote) ‖
//	u64 state height ‖ i32 locked round ‖ locked id[32] ‖ i32 valid round ‖ u32 len ‖ valid payload ‖
//	u8 count ‖ count × (signer[20] ‖ u8 len ‖ prevote signature)
func (s *safetyRecord) encode() []byte {
	buf := make([]byte, 0, 2+8+4+1+4+len(s.LastPayload)+8+4+32+4+4+len(s.ValidPayload))
	buf = append(buf, wireVersion, typeSafetyRecord)
	buf = binary.BigEndian.AppendUint64(buf, s.Last.Height)
	buf = binary.BigEndian.AppendUint32(buf, uint32(s.Last.Round))
	buf = append(buf, byte(s.Last.Step))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(s.LastPayload)))
	buf = append(buf, s.LastPayload...)
	buf = append(buf, byte(len(s.OwnVotes)))
	for _, v := range s.OwnVotes {
		buf = appendSig(buf, v)
	}
	buf = binary.BigEndian.AppendUint64(buf, s.StateHeight)
	buf = binary.BigEndian.AppendUint32(buf, uint32(s.LockedRound))
	buf = append(buf, s.LockedID[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(s.ValidRound))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(s.ValidPayload)))
	buf = append(buf, s.ValidPayload...)
	buf = append(buf, byte(len(s.ValidPolka)))
	for _, p := range s.ValidPolka {
		buf = append(buf, p.Signer[:]...)
		buf = appendSig(buf, p.Signature)
	}
	return buf
}

// maxSignedPayload bounds the last signed message in a record.
const maxSignedPayload = proposalHeaderSize + 4 + MaxPayloadSize

// decodeSafetyRecord parses a record strictly; it accepts exactly what
// encode produces for a consistent state.
func decodeSafetyRecord(b []byte) (*safetyRecord, error) {
	r := &reader{b: b}
	if v := r.u8("version"); r.err == nil && v != wireVersion {
		return nil, malformed("safety record version %d", v)
	}
	if t := r.u8("type"); r.err == nil && t != typeSafetyRecord {
		return nil, malformed("type %#x is not a safety record", t)
	}
	s := &safetyRecord{}
	s.Last.Height = r.u64("height")
	round := r.u32("round")
	s.Last.Step = step(r.u8("step"))
	if n := r.u32("signed length"); r.err == nil {
		if n > maxSignedPayload {
			return nil, malformed("signed payload of %d bytes", n)
		}
		s.LastPayload = bytes.Clone(r.take(int(n), "signed payload"))
	}
	nOwn := int(r.u8("own vote count"))
	for i := 0; i < nOwn && r.err == nil; i++ {
		s.OwnVotes = append(s.OwnVotes, bytes.Clone(r.take(int(r.u8("own vote length")), "own vote")))
	}
	s.StateHeight = r.u64("state height")
	s.LockedRound = int32(r.u32("locked round"))
	s.LockedID = r.hash("locked id")
	s.ValidRound = int32(r.u32("valid round"))
	if n := r.u32("valid length"); r.err == nil {
		if n > MaxPayloadSize {
			return nil, malformed("valid payload of %d bytes", n)
		}
		s.ValidPayload = bytes.Clone(r.take(int(n), "valid payload"))
	}
	n := int(r.u8("polka count"))
	if n > MaxValidators {
		return nil, malformed("safety record polka of %d votes", n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		p := CommitSig{Signer: r.account("polka signer"), Signature: r.sig("polka signature")}
		if i > 0 && r.err == nil && bytes.Compare(s.ValidPolka[i-1].Signer[:], p.Signer[:]) >= 0 {
			return nil, malformed("safety record polka signers out of order")
		}
		s.ValidPolka = append(s.ValidPolka, p)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	if round > math.MaxInt32 {
		return nil, malformed("safety record round %d", round)
	}
	s.Last.Round = int32(round)
	switch s.Last.Step {
	case stepNone:
		if s.Last.Height != 0 || s.Last.Round != 0 || len(s.LastPayload) != 0 {
			return nil, malformed("safety record signed nothing but has a position")
		}
	case stepPropose, stepPrevote, stepPrecommit:
		m, err := DecodeMessage(s.LastPayload)
		if err != nil {
			return nil, err
		}
		if m.height() != s.Last.Height || m.round() != s.Last.Round || step(s.LastPayload[1]) != s.Last.Step {
			return nil, malformed("safety record position does not match its signed message")
		}
	default:
		return nil, malformed("safety record step %d", s.Last.Step)
	}
	// Own votes: at most a prevote then a precommit, of the last height,
	// not after the last signature.
	if len(s.OwnVotes) > 2 {
		return nil, malformed("safety record with %d own votes", len(s.OwnVotes))
	}
	for i, b := range s.OwnVotes {
		v, err := decodeVoteOnly(b)
		if err != nil {
			return nil, err
		}
		pos := hrs{v.Height, v.Round, step(v.Type)}
		if v.Height != s.Last.Height || pos.cmp(s.Last) > 0 || (i == 1 && (v.Type != Precommit || s.OwnVotes[0][1] != typePrevote)) {
			return nil, malformed("safety record own votes out of place")
		}
		if pos.cmp(s.Last) == 0 && !bytes.Equal(b, s.LastPayload) {
			return nil, malformed("safety record own vote contradicts the last signature")
		}
	}
	switch {
	case s.LockedRound < -1 || s.ValidRound < -1:
		return nil, malformed("safety record rounds %d/%d", s.LockedRound, s.ValidRound)
	case s.LockedRound == -1 && s.LockedID != codec.Hash256{}:
		return nil, malformed("safety record has a locked id but no lock")
	case s.ValidRound == -1 && (len(s.ValidPayload) != 0 || len(s.ValidPolka) != 0):
		return nil, malformed("safety record has a valid payload or polka but no valid round")
	case s.LockedRound > s.ValidRound:
		return nil, malformed("safety record locked round %d after valid round %d", s.LockedRound, s.ValidRound)
	case s.ValidRound >= 0 && s.StateHeight == 0:
		return nil, malformed("safety record lock at height 0")
	}
	return s, nil
}
