package ledger

import (
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// Outcome is what applying one transaction did. Changes and Meta are set
// only when Applied (a tes or tec result).
type Outcome struct {
	Result  ter.Code
	Applied bool
	// FeeDestroyed is the fee in drops taken from the account and burnt.
	FeeDestroyed int64
	Changes      []Change
	Meta         *codec.STObject
	// Delivered is what a successful Payment delivered (delivered_amount).
	Delivered *codec.Amount
	// Detail explains a failure for logs and API errors; it is not in metadata.
	Detail string
}

// transactor is one transaction type's three stages.
type transactor interface {
	// flags is the set of tx-specific flags allowed besides universal ones.
	flags() uint32
	// fields are the optional fields this type accepts besides the common ones.
	fields() []*sf.Field
	preflight(tx *Tx) (ter.Code, string)
	preclaim(c *preclaimContext) (ter.Code, string)
	doApply(c *applyContext) (ter.Code, string)
}

var transactors = map[codec.TxType]transactor{}

func register(t codec.TxType, tr transactor) { transactors[t] = tr }

// Supported reports whether the TX layer implements the transaction type as
// one a client may submit. Pseudo-transaction types (IsPseudo) are not.
func Supported(t codec.TxType) bool { _, ok := transactors[t]; return ok }

// commonFields may appear on every transaction.
var commonFields = fieldSet(sf.TransactionType, sf.Flags, sf.SourceTag, sf.LastLedgerSequence, sf.Account,
	sf.Sequence, sf.Fee, sf.OperationLimit, sf.SigningPubKey, sf.TxnSignature, sf.Signers, sf.Memos,
	sf.Timestamp, sf.PreviousTxnID, sf.AccountTxnID)

func fieldSet(fs ...*sf.Field) map[*sf.Field]bool {
	m := make(map[*sf.Field]bool, len(fs))
	for _, f := range fs {
		m[f] = true
	}
	return m
}

// Limits on transaction contents (rippled's values).
const (
	maxMemoSize   = 1024 // serialized Memos array
	MaxSigners    = 8    // entries in a signer list and signatures on a transaction
	maxDomainSize = 256
)

type preclaimContext struct {
	view    ReadView
	tx      *Tx
	account *codec.STObject // the sending account's root
}

type applyContext struct {
	view *Sandbox
	tx   *Tx
	// priorBalance is the sender's balance before the fee was taken;
	// rippled's reserve checks use it.
	priorBalance int64
	delivered    *codec.Amount
	// signedWithMaster is true when the account's own key signed.
	signedWithMaster bool
}

// Preflight runs the stateless checks of tx: everything that can be decided
// from the transaction alone. A non-tes result means it can never apply.
// A pseudo-transaction type is refused with temINVALID: clients cannot
// submit one (see pseudo.go; PreflightPseudo checks them).
func Preflight(tx *Tx) (ter.Code, string) {
	if IsPseudo(tx.Type()) {
		return ter.TemINVALID, fmt.Sprintf("%s is a pseudo-transaction: clients cannot submit it, validators insert it into blocks", tx.Type())
	}
	tr, ok := transactors[tx.Type()]
	if !ok {
		return ter.TemUNKNOWN, fmt.Sprintf("transaction type %s is not supported", tx.Type())
	}
	obj := tx.Object()
	var bad *sf.Field
	allowed := fieldSet(tr.fields()...)
	obj.Each(func(f *sf.Field, _ any) bool {
		if !commonFields[f] && !allowed[f] {
			bad = f
			return false
		}
		return true
	})
	if bad != nil {
		return ter.TemMALFORMED, fmt.Sprintf("field %s is not allowed in %s", bad.Name, tx.Type())
	}
	if tx.Flags()&^(tfUniversal|tr.flags()) != 0 {
		return ter.TemINVALID_FLAG, fmt.Sprintf("flags 0x%08X", tx.Flags())
	}
	fee := tx.Fee()
	if !fee.IsNative() || fee.Sign() < 0 {
		return ter.TemBAD_FEE, "fee must be a non-negative SWT amount"
	}
	if tx.Account().IsZero() {
		return ter.TemBAD_SRC_ACCOUNT, "account zero"
	}
	if code, why := checkMemos(obj); code != ter.TesSUCCESS {
		return code, why
	}
	if code, why := checkSigningFields(tx); code != ter.TesSUCCESS {
		return code, why
	}
	return tr.preflight(tx)
}

func checkMemos(obj *codec.STObject) (ter.Code, string) {
	memos, ok := obj.Get(sf.Memos)
	if !ok {
		return ter.TesSUCCESS, ""
	}
	arr := memos.(codec.Array)
	size := len(codec.NewObject(1).AppendTo(nil))
	for _, it := range arr {
		if it.Field != sf.Memo {
			return ter.TemINVALID, "Memos may only hold Memo objects"
		}
		var bad bool
		it.Object.Each(func(f *sf.Field, _ any) bool {
			bad = f != sf.MemoType && f != sf.MemoData && f != sf.MemoFormat
			return !bad
		})
		if bad {
			return ter.TemINVALID, "a Memo may only hold MemoType, MemoData and MemoFormat"
		}
		size += len(it.Object.Encode()) + 2
	}
	if size > maxMemoSize {
		return ter.TemINVALID, fmt.Sprintf("memos are %d bytes, limit %d", size, maxMemoSize)
	}
	return ter.TesSUCCESS, ""
}

// checkSigningFields checks the shape of the signature fields: one key and
// one signature, or an empty key and a sorted list of distinct signers.
func checkSigningFields(tx *Tx) (ter.Code, string) {
	obj := tx.Object()
	pub := tx.SigningPubKey()
	if !tx.IsMultiSigned() {
		if !validPublicKey(pub) {
			return ter.TemBAD_SIGNATURE, "SigningPubKey is not a public key"
		}
		if len(obj.Blob(sf.TxnSignature)) == 0 {
			return ter.TemBAD_SIGNATURE, "missing TxnSignature"
		}
		return ter.TesSUCCESS, ""
	}
	if len(pub) != 0 || obj.Has(sf.TxnSignature) {
		return ter.TemBAD_SIGNATURE, "a multi-signed transaction has an empty SigningPubKey and no TxnSignature"
	}
	signers := obj.Array(sf.Signers)
	if len(signers) == 0 || len(signers) > MaxSigners {
		return ter.TemMALFORMED, fmt.Sprintf("%d signers, want 1 to %d", len(signers), MaxSigners)
	}
	var last codec.AccountID
	for i, it := range signers {
		if it.Field != sf.Signer {
			return ter.TemMALFORMED, "Signers may only hold Signer objects"
		}
		s := it.Object
		if s.Len() != 3 || !s.Has(sf.Account) || !s.Has(sf.SigningPubKey) || !s.Has(sf.TxnSignature) {
			return ter.TemMALFORMED, "a Signer has exactly Account, SigningPubKey and TxnSignature"
		}
		acct := s.Account(sf.Account)
		if acct == tx.Account() {
			return ter.TemBAD_SIGNATURE, "an account may not multi-sign for itself"
		}
		if i > 0 && !accountLess(last, acct) {
			return ter.TemMALFORMED, "signers must be sorted by account with no duplicates"
		}
		last = acct
		if !validPublicKey(s.Blob(sf.SigningPubKey)) {
			return ter.TemBAD_SIGNATURE, "a signer's SigningPubKey is not a public key"
		}
	}
	return ter.TesSUCCESS, ""
}

// badCurrency is the issued currency spelled "SWT": it would read as the
// native currency in JSON, so transactions may not use it (rippled rejects
// "XRP" the same way).
func badCurrency(c codec.Currency) bool {
	var swt codec.Currency
	copy(swt[12:], "SWT")
	return c == swt
}

func validPublicKey(pub []byte) bool {
	return len(pub) == 33 && (pub[0] == 0x02 || pub[0] == 0x03 || pub[0] == 0xED)
}

// Preclaim runs the read-only checks against view, for a transaction that
// passed Preflight.
func Preclaim(view ReadView, tx *Tx) (ter.Code, string) {
	tr, ok := transactors[tx.Type()]
	if !ok {
		return Preflight(tx) // its refusal, rather than a nil transactor below
	}
	root := view.Read(tx.accountKey)
	if root == nil {
		return ter.TerNO_ACCOUNT, "the sending account does not exist"
	}
	if seq := root.UInt32(sf.Sequence); tx.Sequence() < seq {
		return ter.TefPAST_SEQ, fmt.Sprintf("sequence %d already used (account is at %d)", tx.Sequence(), seq)
	} else if tx.Sequence() > seq {
		return ter.TerPRE_SEQ, fmt.Sprintf("sequence %d is ahead of the account's %d", tx.Sequence(), seq)
	}
	if lls, ok := tx.LastLedgerSequence(); ok && lls < view.Seq() {
		return ter.TefMAX_LEDGER, fmt.Sprintf("LastLedgerSequence %d is before ledger %d", lls, view.Seq())
	}
	if want, ok := tx.Object().Get(sf.AccountTxnID); ok {
		// An account that does not track its last transaction compares as
		// zero, as in rippled.
		if have := root.Hash256(sf.AccountTxnID); want != have {
			return ter.TefWRONG_PRIOR, "AccountTxnID does not match the account's last transaction"
		}
	}
	need := MinimumFee(view.Fees(), tx)
	fee := tx.Fee().Drops()
	if fee < need {
		return ter.TelINSUF_FEE_P, fmt.Sprintf("fee %d drops, minimum %d", fee, need)
	}
	bal, _ := root.Amount(sf.Balance)
	if bal.Drops() < fee {
		return ter.TerINSUF_FEE_B, fmt.Sprintf("balance %d drops cannot pay fee %d", bal.Drops(), fee)
	}
	if code, why := checkAuthorization(view, tx, root); code != ter.TesSUCCESS {
		return code, why
	}
	return tr.preclaim(&preclaimContext{view: view, tx: tx, account: root})
}

// MinimumFee is the least fee tx must pay: the base fee, times one plus the
// number of signers for a multi-signed transaction.
func MinimumFee(f Fees, tx *Tx) int64 {
	n := int64(1)
	if tx.IsMultiSigned() {
		n += int64(len(tx.Object().Array(sf.Signers)))
	}
	return int64(f.Base) * n
}

// Apply applies tx, the index-th transaction of the ledger behind view, and
// reports the outcome. It never modifies view: the caller writes
// Outcome.Changes when Outcome.Applied. A transactor bug that panics gives
// tefEXCEPTION, as in rippled, instead of stopping the node.
func Apply(view ReadView, tx *Tx, index uint32) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Result: ter.TefEXCEPTION, Detail: fmt.Sprint("internal error: ", r)}
		}
	}()
	if code, why := Preflight(tx); code != ter.TesSUCCESS {
		return Outcome{Result: code, Detail: why}
	}
	code, why := Preclaim(view, tx)
	if code != ter.TesSUCCESS && !code.IsTec() {
		return Outcome{Result: code, Detail: why}
	}
	sb := newSandbox(view)
	ctx := &applyContext{view: sb, tx: tx}
	ctx.signedWithMaster = signedWithMaster(tx)
	ctx.priorBalance = payFee(sb, tx)
	if code == ter.TesSUCCESS {
		code, why = transactors[tx.Type()].doApply(ctx)
	}
	if code.IsTec() {
		// Claim the fee and the sequence, nothing else.
		sb = newSandbox(view)
		payFee(sb, tx)
		ctx.delivered = nil
	} else if code != ter.TesSUCCESS {
		return Outcome{Result: code, Detail: why}
	}
	changes, meta := sb.finish(tx.ID(), index, uint8(code), ctx.delivered)
	return Outcome{
		Result:       code,
		Applied:      true,
		FeeDestroyed: tx.Fee().Drops(),
		Changes:      changes,
		Meta:         meta,
		Delivered:    ctx.delivered,
		Detail:       why,
	}
}

// payFee takes the fee, consumes the sequence number and returns the balance
// before the fee.
func payFee(sb *Sandbox, tx *Tx) int64 {
	root := sb.Peek(tx.accountKey)
	bal, _ := root.Amount(sf.Balance)
	root.Set(sf.Balance, codec.NewNative(bal.Drops()-tx.Fee().Drops()))
	root.SetUInt32(sf.Sequence, tx.Sequence()+1)
	if root.Has(sf.AccountTxnID) {
		root.Set(sf.AccountTxnID, tx.ID())
	}
	return bal.Drops()
}
