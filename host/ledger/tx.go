package ledger

import (
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
)

// ErrMalformedTx is wrapped by every DecodeTx / NewTx error.
var ErrMalformedTx = errors.New("ledger: malformed transaction")

// MaxTxSize bounds a serialized transaction (rippled uses 1 MB for the
// whole; ordinary transactions are a few hundred bytes).
const MaxTxSize = 1 << 20

// Tx is a decoded, signed transaction with the fields every stage needs
// pulled out once. A Tx is immutable after construction.
type Tx struct {
	obj      *codec.STObject
	blob     []byte
	id       codec.Hash256
	typ      codec.TxType
	account  codec.AccountID
	sequence uint32
	fee      codec.Amount
	flags    uint32
	// Derived once: every stage needs them and each costs a hash.
	accountKey Keylet
	signer     codec.AccountID // account of SigningPubKey (single-signed)
}

// DecodeTx parses a signed transaction blob.
func DecodeTx(blob []byte) (*Tx, error) {
	if len(blob) > MaxTxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformedTx, len(blob), MaxTxSize)
	}
	obj, err := codec.Decode(blob)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedTx, err)
	}
	return newTx(obj, append([]byte(nil), blob...))
}

// NewTx wraps a transaction object, which must not be modified afterwards.
func NewTx(obj *codec.STObject) (*Tx, error) { return newTx(obj, obj.Encode()) }

func newTx(obj *codec.STObject, blob []byte) (*Tx, error) {
	tx := &Tx{obj: obj, blob: blob, id: codec.TxID(blob)}
	for _, f := range []*sf.Field{sf.TransactionType, sf.Account, sf.Sequence, sf.Fee, sf.SigningPubKey} {
		if !obj.Has(f) {
			return nil, fmt.Errorf("%w: missing %s", ErrMalformedTx, f.Name)
		}
	}
	tx.typ = codec.TxType(obj.UInt16(sf.TransactionType))
	tx.account = obj.Account(sf.Account)
	tx.sequence = obj.UInt32(sf.Sequence)
	tx.fee, _ = obj.Amount(sf.Fee)
	tx.flags = obj.UInt32(sf.Flags)
	tx.accountKey = AccountKeylet(tx.account)
	if pub := obj.Blob(sf.SigningPubKey); len(pub) > 0 {
		tx.signer = crypto.AccountIDFromPublicKey(pub)
	}
	return tx, nil
}

func (t *Tx) Object() *codec.STObject  { return t.obj }
func (t *Tx) Blob() []byte             { return t.blob }
func (t *Tx) ID() codec.Hash256        { return t.id }
func (t *Tx) Type() codec.TxType       { return t.typ }
func (t *Tx) Account() codec.AccountID { return t.account }
func (t *Tx) Sequence() uint32         { return t.sequence }
func (t *Tx) Fee() codec.Amount        { return t.fee }
func (t *Tx) Flags() uint32            { return t.flags }
func (t *Tx) SigningPubKey() []byte    { return t.obj.Blob(sf.SigningPubKey) }
func (t *Tx) IsMultiSigned() bool      { return t.obj.Has(sf.Signers) }

// LastLedgerSequence returns the field and whether it is set.
func (t *Tx) LastLedgerSequence() (uint32, bool) { return t.obj.LookupUInt32(sf.LastLedgerSequence) }

// JSON returns the transaction's JSON form with its "hash".
func (t *Tx) JSON() map[string]any {
	j := t.obj.JSON()
	j["hash"] = fmt.Sprintf("%X", t.id[:])
	return j
}
