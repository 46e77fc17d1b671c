package ledger

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
)

// Block-level hash records (BLHR) are sealed into a ledger after its
// transactions: the ledger keeps their encodings and its header carries the
// root of a Merkle tree over their ids (package blhr defines the record, the
// tree and the proofs; the ledger treats a record as an id, an optional
// signer and opaque bytes, which keeps it free of that package).
//
// A signed record costs its signer Fees.Record drops, destroyed like a
// transaction fee. Sealing one creates a BLHRRecord entry at
// RecordKeylet(id), which is how no ledger ever seals, and charges for, the
// same signed record twice. Unsigned records touch no state: they cost
// nothing, so nothing is kept of them but the record itself.

// SealedRecord is a record as a ledger holds it.
type SealedRecord struct {
	ID       codec.Hash256
	Signed   bool
	Signer   codec.AccountID // the signing key's account; zero when unsigned
	Encoding []byte          // the record's canonical bytes, opaque here
}

// RecordDrop says why SealRecords left a record out.
type RecordDrop struct {
	ID     codec.Hash256
	Reason string
}

// RecordKeylet is the BLHRRecord entry that marks the signed record id
// sealed.
func RecordKeylet(id codec.Hash256) Keylet {
	return Keylet{codec.EntryBLHRRecord, index(spaceBLHRRecord, id[:])}
}

// CheckRecordFee tells whether the signed record id of signer could be
// sealed on top of this view's state, with the reason it could not: the
// check SealRecords makes, for a node to refuse a record at submission.
func CheckRecordFee(read func(Keylet) *codec.STObject, fees Fees, id codec.Hash256, signer codec.AccountID) (ok bool, reason string) {
	if e := read(RecordKeylet(id)); e != nil {
		return false, fmt.Sprintf("the record was sealed in ledger %d", e.UInt32(sf.LedgerSequence))
	}
	acct := read(AccountKeylet(signer))
	if acct == nil {
		return false, fmt.Sprintf("signing account %s does not exist", signer)
	}
	bal, _ := acct.Amount(sf.Balance)
	if fees.Record > 0 && (bal.Drops() < 0 || uint64(bal.Drops()) < fees.Record) {
		return false, fmt.Sprintf("signing account %s holds %d drops, the record fee is %d", signer, bal.Drops(), fees.Record)
	}
	return true, ""
}

// SealRecords seals recs into the ledger, replacing any earlier call's set.
// It considers them in id order and keeps every unsigned record and every
// signed one whose signer pays the record fee; it drops a repeated id, a
// signed record already sealed, and one whose signer does not exist or
// holds less than the fee. For each signed record kept it debits the fee
// (destroyed), points the signer's AccountRoot's PreviousTxnID at the
// record and creates its BLHRRecord entry.
//
// root computes the tree root of the kept ids (blhr.Root); the header will
// carry it, or zero when nothing is kept. SealRecords returns the kept
// records in id order and the dropped ones with reasons. A node calls it
// once, last, when it builds a ledger and when it re-executes one, so both
// get the same ledger; it must not be called twice on one open ledger.
func (o *OpenLedger) SealRecords(recs []SealedRecord, root func([]codec.Hash256) codec.Hash256) (kept []SealedRecord, dropped []RecordDrop) {
	if o.records != nil {
		panic("ledger: SealRecords called twice on one open ledger")
	}
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b SealedRecord) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	kept = make([]SealedRecord, 0, len(sorted))
	for i, r := range sorted {
		if i > 0 && sorted[i-1].ID == r.ID {
			dropped = append(dropped, RecordDrop{r.ID, "the record is already in this ledger"})
			continue
		}
		if r.Signed {
			if ok, why := CheckRecordFee(o.Read, o.fees, r.ID, r.Signer); !ok {
				dropped = append(dropped, RecordDrop{r.ID, why})
				continue
			}
			o.chargeRecord(r)
		}
		kept = append(kept, r)
	}
	o.records = kept
	if len(kept) > 0 {
		ids := make([]codec.Hash256, len(kept))
		for i, r := range kept {
			ids[i] = r.ID
		}
		o.recordsRoot = root(ids)
	}
	return kept, dropped
}

func (o *OpenLedger) chargeRecord(r SealedRecord) {
	k := AccountKeylet(r.Signer)
	acct := o.Read(k).Clone()
	bal, _ := acct.Amount(sf.Balance)
	acct.Set(sf.Balance, codec.NewNative(bal.Drops()-int64(o.fees.Record)))
	acct.Set(sf.PreviousTxnID, r.ID)
	acct.Set(sf.PreviousTxnLgrSeq, o.seq)
	o.write(k.Key, acct)
	e := codec.NewObject(5)
	e.Set(sf.LedgerEntryType, uint16(codec.EntryBLHRRecord))
	e.Set(sf.Flags, uint32(0))
	e.Set(sf.Account, r.Signer)
	e.Set(sf.LedgerSequence, o.seq)
	e.Set(sf.RecordID, r.ID)
	o.write(RecordKeylet(r.ID).Key, e)
	o.coins -= o.fees.Record
}

func (o *OpenLedger) write(k codec.Hash256, e *codec.STObject) {
	o.changed[k] = e
	delete(o.decoded, k)
}

// Records returns the records sealed in the ledger, in id order (nil for a
// ledger rebuilt from storage, which keeps them apart: store.Records).
// Callers must not modify them.
func (l *Ledger) Records() []SealedRecord { return l.records }
