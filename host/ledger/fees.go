package ledger

import (
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
)

// Fees are the chain's fee and reserve parameters, kept on-ledger in the
// FeeSettings entry so every node applies the same values.
type Fees struct {
	Base      uint64 // minimum fee of a transaction, in drops
	Units     uint32 // reference fee units (reported as fee_ref)
	Reserve   uint64 // reserve of an account with no owned objects, in drops
	Increment uint64 // extra reserve per owned object, in drops
	Record    uint64 // what sealing a signed BLHR record costs its signer, in drops
}

// DefaultFees are Jingtum's: 10 drops, 10 SWT base reserve, 1 SWT per object.
// The record fee, jtchain's, is one base fee.
var DefaultFees = Fees{Base: 10, Units: 10, Reserve: 10_000_000, Increment: 1_000_000, Record: 10}

// AccountReserve is the balance an account with ownerCount objects must keep.
func (f Fees) AccountReserve(ownerCount uint32) int64 {
	return int64(f.Reserve + uint64(ownerCount)*f.Increment)
}

// feesFromEntry reads a FeeSettings entry; missing fields keep the defaults.
func feesFromEntry(o *codec.STObject) Fees {
	f := DefaultFees
	if o == nil {
		return f
	}
	if o.Has(sf.BaseFee) {
		f.Base = o.UInt64(sf.BaseFee)
	}
	if v, ok := o.LookupUInt32(sf.ReferenceFeeUnits); ok {
		f.Units = v
	}
	if v, ok := o.LookupUInt32(sf.ReserveBase); ok {
		f.Reserve = uint64(v)
	}
	if v, ok := o.LookupUInt32(sf.ReserveIncrement); ok {
		f.Increment = uint64(v)
	}
	if o.Has(sf.RecordFee) {
		f.Record = o.UInt64(sf.RecordFee)
	}
	return f
}

func feeSettingsEntry(f Fees) *codec.STObject {
	o := codec.NewObject(6)
	o.Set(sf.LedgerEntryType, uint16(codec.EntryFeeSettings))
	o.Set(sf.Flags, uint32(0))
	o.Set(sf.BaseFee, f.Base)
	o.Set(sf.ReferenceFeeUnits, f.Units)
	o.Set(sf.ReserveBase, uint32(f.Reserve))
	o.Set(sf.ReserveIncrement, uint32(f.Increment))
	if f.Record != DefaultFees.Record {
		// Absent means the default, so a chain that keeps it has the
		// FeeSettings entry (and genesis hash) it had before records.
		o.Set(sf.RecordFee, f.Record)
	}
	return o
}
