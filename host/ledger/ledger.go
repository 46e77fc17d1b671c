package ledger

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/shamap"
)

// Ledger is a closed ledger: a header, the state tree and the transaction
// tree. It is immutable; readers may share it across goroutines.
type Ledger struct {
	header Header
	hash   codec.Hash256
	state  *shamap.Map
	txs    *shamap.Map
	fees   Fees
	// written holds the decoded entries this ledger wrote (nil: deleted), so
	// the next open ledger need not decode what was just encoded. Read-only.
	written map[codec.Hash256]*codec.STObject
	// changedKeys lists the keys written, sorted.
	changedKeys []codec.Hash256
	// records are the BLHR records sealed in this ledger (records.go).
	records []SealedRecord
}

// ChangedKeys returns the state keys this ledger created, modified or
// deleted, in key order; State() tells which still exist. Storage uses it to
// write only what changed. Callers must not modify the slice.
func (l *Ledger) ChangedKeys() []codec.Hash256 { return l.changedKeys }

// Header returns the ledger's header.
func (l *Ledger) Header() Header { return l.header }

// Hash returns the ledger hash.
func (l *Ledger) Hash() codec.Hash256 { return l.hash }

// Seq returns the ledger sequence.
func (l *Ledger) Seq() uint32 { return l.header.Seq }

// ParentCloseTime returns the parent's close time.
func (l *Ledger) ParentCloseTime() uint32 { return l.header.ParentCloseTime }

// Fees returns the fee parameters in this ledger's state.
func (l *Ledger) Fees() Fees { return l.fees }

// State returns the state tree. Callers must not modify it.
func (l *Ledger) State() *shamap.Map { return l.state }

// TxTree returns the transaction tree. Callers must not modify it.
func (l *Ledger) TxTree() *shamap.Map { return l.txs }

// Read decodes the entry at k. Closed ledgers keep no decode cache: the
// node's hot path reads through an OpenLedger, which does.
func (l *Ledger) Read(k Keylet) *codec.STObject { return readEntry(l.state, k) }

func readEntry(state *shamap.Map, k Keylet) *codec.STObject {
	data, ok := state.Get(k.Key)
	if !ok {
		return nil
	}
	o, err := codec.Decode(data)
	if err != nil {
		// State is only ever written from encoded entries and is covered by
		// the state hash; a decode failure means corrupted memory or storage.
		panic(fmt.Sprintf("ledger: corrupt state entry %X: %v", k.Key, err))
	}
	if codec.EntryType(o.UInt16(sf.LedgerEntryType)) != k.Type {
		return nil
	}
	return o
}

// TxWithMeta is a transaction as stored in a ledger.
type TxWithMeta struct {
	Tx   *Tx
	Meta *codec.STObject
}

// Index returns the transaction's position in its ledger.
func (t TxWithMeta) Index() uint32 { return t.Meta.UInt32(sf.TransactionIndex) }

// Result returns the transaction's result.
func (t TxWithMeta) Result() ter.Code { return ter.Code(t.Meta.UInt8(sf.TransactionResult)) }

// Transactions returns the ledger's transactions in application order.
func (l *Ledger) Transactions() ([]TxWithMeta, error) {
	out := make([]TxWithMeta, 0, l.txs.Len())
	for _, data := range l.txs.All() {
		t, err := DecodeTxWithMeta(data)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b TxWithMeta) int { return int(a.Index()) - int(b.Index()) })
	return out, nil
}

// Tx looks a transaction up by id.
func (l *Ledger) Tx(id codec.Hash256) (TxWithMeta, bool, error) {
	data, ok := l.txs.Get(id)
	if !ok {
		return TxWithMeta{}, false, nil
	}
	t, err := DecodeTxWithMeta(data)
	return t, err == nil, err
}

// DecodeTxWithMeta parses a transaction-tree leaf (VL tx ‖ VL meta).
func DecodeTxWithMeta(data []byte) (TxWithMeta, error) {
	txb, metab, err := shamap.SplitTxWithMetaData(data)
	if err != nil {
		return TxWithMeta{}, err
	}
	tx, err := DecodeTx(txb)
	if err != nil {
		return TxWithMeta{}, err
	}
	meta, err := codec.Decode(metab)
	if err != nil {
		return TxWithMeta{}, fmt.Errorf("ledger: metadata of %X: %w", tx.ID(), err)
	}
	return TxWithMeta{Tx: tx, Meta: meta}, nil
}

// Rebuild reconstructs a closed ledger from stored parts and checks that
// they hash to the header's roots.
func Rebuild(h Header, state, txs *shamap.Map) (*Ledger, error) {
	if got := state.Hash(); got != h.AccountHash {
		return nil, fmt.Errorf("ledger %d: state hash %X does not match header %X", h.Seq, got, h.AccountHash)
	}
	if got := txs.Hash(); got != h.TxHash {
		return nil, fmt.Errorf("ledger %d: transaction hash %X does not match header %X", h.Seq, got, h.TxHash)
	}
	l := &Ledger{header: h, hash: h.Hash(), state: state, txs: txs}
	l.fees = feesFromEntry(l.Read(FeeSettingsKeylet()))
	return l, nil
}

// GenesisConfig describes a new chain's first ledger.
type GenesisConfig struct {
	Account    codec.AccountID // holds every coin
	TotalCoins uint64          // drops; Jingtum's is 600 billion SWT
	Fees       Fees
	CloseTime  uint32 // Ripple-epoch seconds
	// Validators is the first validator set (1 to MaxValidators, distinct
	// node keys), kept in the ValidatorSet entry. Empty for a chain without
	// one (solo, raft): then there is no ValidatorSet entry, the genesis
	// ledger is what it was before validator sets existed, and the
	// validator transactions are refused.
	Validators []GenesisValidator
}

// JingtumTotalCoins is Jingtum's native supply: 600,000,000,000 SWT in drops.
const JingtumTotalCoins uint64 = 600_000_000_000_000_000

// Genesis builds ledger 1: the genesis account with every coin, the fee
// settings and, when the config names validators, the validator set.
func Genesis(g GenesisConfig) (*Ledger, error) {
	if g.TotalCoins == 0 || g.TotalCoins > codec.MaxNativeDrops {
		return nil, fmt.Errorf("ledger: genesis total coins %d out of range", g.TotalCoins)
	}
	if g.Fees.Base == 0 {
		return nil, fmt.Errorf("ledger: genesis base fee must be positive")
	}
	state := shamap.New(shamap.AccountState)
	root := newAccountRoot(g.Account)
	root.Set(sf.LedgerEntryType, uint16(codec.EntryAccountRoot))
	root.Set(sf.Balance, codec.NewNative(int64(g.TotalCoins)))
	state.Put(AccountKeylet(g.Account).Key, root.Encode())
	state.Put(FeeSettingsKeylet().Key, feeSettingsEntry(g.Fees).Encode())
	keys := []codec.Hash256{AccountKeylet(g.Account).Key, FeeSettingsKeylet().Key}
	if len(g.Validators) > 0 {
		vs, err := genesisValidatorSet(g.Validators)
		if err != nil {
			return nil, err
		}
		state.Put(ValidatorSetKeylet().Key, vs.Encode())
		keys = append(keys, ValidatorSetKeylet().Key)
	}
	txs := shamap.New(shamap.TransactionWithMeta)
	h := Header{
		Seq:                 1,
		TotalCoins:          g.TotalCoins,
		AccountHash:         state.Hash(),
		TxHash:              txs.Hash(),
		CloseTime:           g.CloseTime,
		CloseTimeResolution: 10,
	}
	slices.SortFunc(keys, func(a, b codec.Hash256) int { return bytes.Compare(a[:], b[:]) })
	return &Ledger{header: h, hash: h.Hash(), state: state, txs: txs, fees: g.Fees, changedKeys: keys}, nil
}

// OpenLedger is the ledger being built on a closed parent. Transactions
// apply to it one at a time; Close seals it. It is not safe for concurrent use.
type OpenLedger struct {
	parent  *Ledger
	seq     uint32
	coins   uint64
	state   *shamap.Map
	txs     *shamap.Map
	fees    Fees
	changed map[codec.Hash256]*codec.STObject // entries written in this ledger; nil = deleted
	decoded map[codec.Hash256]*codec.STObject // decoded parent entries
	count   uint32
	// records and recordsRoot are set by SealRecords.
	records     []SealedRecord
	recordsRoot codec.Hash256
}

// Open starts the ledger that follows l.
func (l *Ledger) Open() *OpenLedger {
	return &OpenLedger{
		parent:  l,
		seq:     l.header.Seq + 1,
		coins:   l.header.TotalCoins,
		state:   l.state.Snapshot(),
		txs:     shamap.New(shamap.TransactionWithMeta),
		fees:    l.fees,
		changed: make(map[codec.Hash256]*codec.STObject),
		decoded: make(map[codec.Hash256]*codec.STObject),
	}
}

func (o *OpenLedger) Seq() uint32             { return o.seq }
func (o *OpenLedger) ParentCloseTime() uint32 { return o.parent.header.CloseTime }
func (o *OpenLedger) Fees() Fees              { return o.fees }
func (o *OpenLedger) Parent() *Ledger         { return o.parent }

// Len returns the number of transactions applied so far.
func (o *OpenLedger) Len() int { return int(o.count) }

// Read returns the current entry at k.
func (o *OpenLedger) Read(k Keylet) *codec.STObject {
	if e, ok := o.changed[k.Key]; ok {
		if e == nil || codec.EntryType(e.UInt16(sf.LedgerEntryType)) != k.Type {
			return nil
		}
		return e
	}
	if e, ok := o.decoded[k.Key]; ok {
		if e == nil || codec.EntryType(e.UInt16(sf.LedgerEntryType)) != k.Type {
			return nil
		}
		return e
	}
	if e, ok := o.parent.written[k.Key]; ok {
		if e == nil || codec.EntryType(e.UInt16(sf.LedgerEntryType)) != k.Type {
			return nil
		}
		return e
	}
	data, ok := o.state.Get(k.Key)
	if !ok {
		return nil
	}
	e, err := codec.Decode(data)
	if err != nil {
		panic(fmt.Sprintf("ledger: corrupt state entry %X: %v", k.Key, err))
	}
	o.decoded[k.Key] = e
	if codec.EntryType(e.UInt16(sf.LedgerEntryType)) != k.Type {
		return nil
	}
	return e
}

// Contains reports whether a transaction with this id is already in the ledger.
func (o *OpenLedger) Contains(id codec.Hash256) bool { return o.txs.Has(id) }

// Apply applies tx as the next transaction. tes and tec results are
// recorded with their metadata; anything else leaves the ledger unchanged.
func (o *OpenLedger) Apply(tx *Tx) Outcome {
	if o.txs.Has(tx.ID()) {
		return Outcome{Result: ter.TefALREADY, Detail: "the transaction is already in this ledger"}
	}
	out := Apply(o, tx, o.count)
	if out.Applied {
		o.record(tx, out)
	}
	return out
}

// ApplyPseudo applies the pseudo-transaction tx (pseudo.go) as the next
// transaction. The node calls it, after the block's client transactions,
// when it builds a block and when it re-executes one, so both get the same
// ledger. A tes result is recorded with its metadata; anything else (a
// client transaction, a malformed pseudo-transaction, tefALREADY for a fact
// the ledger already holds) leaves the ledger unchanged, and the node leaves
// the transaction out of the block.
func (o *OpenLedger) ApplyPseudo(tx *Tx) Outcome {
	if o.txs.Has(tx.ID()) {
		return Outcome{Result: ter.TefALREADY, Detail: "the transaction is already in this ledger"}
	}
	out := ApplyPseudo(o, tx, o.count)
	if out.Applied {
		o.record(tx, out)
	}
	return out
}

// record writes an applied transaction's changes and its tree leaf.
func (o *OpenLedger) record(tx *Tx, out Outcome) {
	for _, c := range out.Changes {
		o.changed[c.Key] = c.After
		delete(o.decoded, c.Key)
	}
	leaf, err := shamap.TxWithMetaData(tx.Blob(), out.Meta.Encode())
	if err != nil {
		panic(fmt.Sprintf("ledger: transaction %X too large for the tree: %v", tx.ID(), err))
	}
	o.txs.PutOwned(tx.ID(), leaf)
	o.coins -= uint64(out.FeeDestroyed)
	o.count++
}

// CloseInfo is what consensus decides about a closing ledger.
type CloseInfo struct {
	CloseTime  uint32
	Resolution uint8
	Flags      uint8
}

// Close seals the ledger: it writes the changed entries into the state tree
// in key order and computes the tree roots and the header.
func (o *OpenLedger) Close(ci CloseInfo) *Ledger {
	keys := make([]codec.Hash256, 0, len(o.changed))
	for k := range o.changed {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b codec.Hash256) int { return bytes.Compare(a[:], b[:]) })
	for _, k := range keys {
		if e := o.changed[k]; e != nil {
			o.state.PutOwned(k, e.Encode())
		} else {
			o.state.Delete(k)
		}
	}
	h := Header{
		Seq:                 o.seq,
		TotalCoins:          o.coins,
		ParentHash:          o.parent.hash,
		TxHash:              o.txs.Hash(),
		AccountHash:         o.state.Hash(),
		ParentCloseTime:     o.parent.header.CloseTime,
		CloseTime:           ci.CloseTime,
		CloseTimeResolution: ci.Resolution,
		CloseFlags:          ci.Flags,
		BLHRRoot:            o.recordsRoot,
	}
	l := &Ledger{header: h, hash: h.Hash(), state: o.state, txs: o.txs, fees: o.fees, written: o.changed, changedKeys: keys,
		records: o.records}
	if e, ok := o.changed[FeeSettingsKeylet().Key]; ok {
		l.fees = feesFromEntry(e)
	}
	// The open ledger is spent; further use is a programming error.
	o.state, o.txs, o.changed, o.decoded = nil, nil, nil, nil
	// The entries in l.written are now shared with every ledger opened on l.
	return l
}
