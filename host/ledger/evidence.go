package ledger

import (
	"bytes"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// MaxEvidenceSize bounds EvidenceData. The consensus layer's encodings are
// about 150 bytes for a ConflictingProposal and at most about 1 KB for a
// DuplicateVote; the bound leaves room for new kinds and keeps one entry
// small.
const MaxEvidenceSize = 4096

// evidence is the Evidence pseudo-transaction (602; pseudo.go has the form
// every pseudo-transaction shares): a validator's node commits provable
// misbehaviour of a validator, found by consensus (spec/rbft.md §1f.3, rule
// R12: DuplicateVote, ConflictingProposal), to the ledger, so that it is in
// the transaction tree and the state of every node and visible through the
// API. Fields besides the pseudo form:
//
//	Offender        the validator's account (that of its node public key)
//	LedgerSequence  the height at which it misbehaved
//	EvidenceData    the encoded evidence, 1 to MaxEvidenceSize bytes
//
// The ledger treats EvidenceData as opaque: the node verifies the evidence
// against the validator set of that height (rbft.VerifyEvidence) before it
// builds or accepts a block carrying it; the ledger only stores it, once.
//
// It creates a ValidatorEvidence entry ('E', at EvidenceKeylet(data)) with
// Offender, LedgerSequence, EvidenceData and the usual PreviousTxnID /
// PreviousTxnLgrSeq threading, and appends it to the evidence directory
// (EvidenceDirKeylet). Nobody owns the entry and nothing deletes it; it
// touches no account.
//
// Results:
//
//	tesSUCCESS     the entry is created
//	temMALFORMED   Offender zero or missing, LedgerSequence 0 or missing,
//	               EvidenceData empty, missing or too long (and the pseudo
//	               form's tem results, pseudo.go)
//	tefMAX_LEDGER  LedgerSequence is after the ledger being built
//	tefALREADY     the same EvidenceData is already committed
//
// None but tesSUCCESS applies anything; the node leaves such a transaction
// out of its block.
type evidence struct{}

func init() { registerPseudo(codec.TxEvidence, evidence{}) }

func (evidence) flags() uint32 { return 0 }
func (evidence) fields() []*sf.Field {
	return []*sf.Field{sf.LedgerSequence, sf.Offender, sf.EvidenceData}
}

func (evidence) preflight(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	if id, ok := obj.LookupAccount(sf.Offender); !ok || id.IsZero() {
		return ter.TemMALFORMED, "Offender must be the misbehaving validator's account, not zero"
	}
	if h, ok := obj.LookupUInt32(sf.LedgerSequence); !ok || h == 0 {
		return ter.TemMALFORMED, "LedgerSequence must be the height of the offence (1 or more)"
	}
	if n := len(obj.Blob(sf.EvidenceData)); n == 0 || n > MaxEvidenceSize {
		return ter.TemMALFORMED, fmt.Sprintf("EvidenceData is %d bytes, want 1 to %d", n, MaxEvidenceSize)
	}
	return ter.TesSUCCESS, ""
}

func (evidence) preclaim(c *preclaimContext) (ter.Code, string) {
	obj := c.tx.Object()
	if h := obj.UInt32(sf.LedgerSequence); h > c.view.Seq() {
		return ter.TefMAX_LEDGER, fmt.Sprintf("the offence at height %d is after ledger %d", h, c.view.Seq())
	}
	if e := c.view.Read(EvidenceKeylet(obj.Blob(sf.EvidenceData))); e != nil {
		return ter.TefALREADY, fmt.Sprintf("this evidence was committed in ledger %d", e.UInt32(sf.PreviousTxnLgrSeq))
	}
	return ter.TesSUCCESS, ""
}

func (evidence) doApply(c *applyContext) (ter.Code, string) {
	obj := c.tx.Object()
	data := obj.Blob(sf.EvidenceData)
	k := EvidenceKeylet(data)
	if _, code := dirAppend(c.view, EvidenceDirKeylet(), nil, k.Key); code != ter.TesSUCCESS {
		return code, "the evidence directory is full"
	}
	e := codec.NewObject(7)
	e.SetUInt32(sf.Flags, 0)
	e.SetUInt32(sf.LedgerSequence, obj.UInt32(sf.LedgerSequence))
	e.Set(sf.PreviousTxnID, codec.Hash256{})
	e.SetUInt32(sf.PreviousTxnLgrSeq, 0)
	e.Set(sf.EvidenceData, bytes.Clone(data))
	e.Set(sf.Offender, obj.Account(sf.Offender))
	c.view.Insert(k, e)
	return ter.TesSUCCESS, ""
}

// NewEvidenceTx builds the Evidence pseudo-transaction that commits data,
// the encoded evidence against offender (the account of its node key) for
// its misbehaviour at height. The same arguments always give the same
// transaction and so the same ID. It refuses what ApplyPseudo would refuse
// as malformed (zero offender, height 0, empty or oversized data), with an
// error wrapping ErrMalformedTx.
func NewEvidenceTx(offender codec.AccountID, height uint32, data []byte) (*Tx, error) {
	obj := codec.NewObject(8)
	obj.SetUInt16(sf.TransactionType, uint16(codec.TxEvidence))
	obj.SetUInt32(sf.Sequence, 0)
	obj.SetUInt32(sf.LedgerSequence, height)
	obj.Set(sf.Fee, codec.NewNative(0))
	obj.Set(sf.SigningPubKey, []byte{})
	obj.Set(sf.EvidenceData, bytes.Clone(data))
	obj.Set(sf.Account, codec.AccountID{})
	obj.Set(sf.Offender, offender)
	tx, err := NewTx(obj)
	if err != nil {
		return nil, err
	}
	if code, why := PreflightPseudo(tx); code != ter.TesSUCCESS {
		return nil, fmt.Errorf("%w: evidence: %s: %s", ErrMalformedTx, code, why)
	}
	return tx, nil
}

// EvidenceEntry is one piece of committed evidence, as the API shows it.
type EvidenceEntry struct {
	Key      codec.Hash256   // the ValidatorEvidence entry's index
	Offender codec.AccountID // the misbehaving validator's account
	Height   uint32          // LedgerSequence: the height of the offence
	Data     []byte          // EvidenceData, the encoded evidence
	TxID     codec.Hash256   // the Evidence transaction that committed it
	Ledger   uint32          // the ledger that committed it
}

// HasEvidence reports whether data is already committed in view, so a node
// need not build an Evidence transaction that would get tefALREADY.
func HasEvidence(view ReadView, data []byte) bool {
	return view.Read(EvidenceKeylet(data)) != nil
}

// Evidence lists the evidence committed in view, oldest first (the order of
// the evidence directory, which is the order of commitment). The slices in
// the entries are the caller's. An error means the state is inconsistent
// (a directory names a missing entry), which a ledger built by this package
// never is.
func Evidence(view ReadView) ([]EvidenceEntry, error) {
	keys := dirEntries(view, EvidenceDirKeylet())
	out := make([]EvidenceEntry, 0, len(keys))
	for _, key := range keys {
		o := view.Read(Keylet{codec.EntryValidatorEvidence, key})
		if o == nil {
			return nil, fmt.Errorf("ledger: the evidence directory lists %X, which is not a ValidatorEvidence entry", key)
		}
		out = append(out, EvidenceEntry{
			Key:      key,
			Offender: o.Account(sf.Offender),
			Height:   o.UInt32(sf.LedgerSequence),
			Data:     bytes.Clone(o.Blob(sf.EvidenceData)),
			TxID:     o.Hash256(sf.PreviousTxnID),
			Ledger:   o.UInt32(sf.PreviousTxnLgrSeq),
		})
	}
	return out, nil
}
