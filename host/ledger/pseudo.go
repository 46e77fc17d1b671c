package ledger

import (
	"errors"
	"fmt"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
)

// Pseudo-transactions are what a validator's node itself puts into a block,
// as rippled's EnableAmendment and SetFee are: they record a fact the
// consensus layer established (so far, equivocation evidence) rather than an
// account's wish. They have one form:
//
//	TransactionType  a pseudo type (IsPseudo)
//	Account          the zero account
//	Sequence         0
//	Fee              0 drops
//	SigningPubKey    empty
//	                 and the type's own fields; nothing else (no Flags,
//	                 TxnSignature, Signers, Memos, LastLedgerSequence, ...)
//
// so each fact has exactly one encoding and one transaction id. Nobody signs
// them: the block that carries them is what consensus agreed on.
//
// They apply only through ApplyPseudo / (*OpenLedger).ApplyPseudo, which the
// node calls when it builds a block and when it re-executes one. The client
// path refuses them: Preflight (and so Apply, OpenLedger.Apply and the
// mempool) answers temINVALID, and VerifySignatures returns ErrPseudoTx, so
// a submitted pseudo-transaction changes nothing.
//
// A pseudo-transaction touches no account: no fee, no sequence. Only a tes
// result applies it (there is no fee to claim, so no tec result exists for
// it); every other result, including tefALREADY for a fact already in the
// ledger, changes nothing, and the node leaves the transaction out.

// ErrPseudoTx is returned by VerifySignatures for a pseudo-transaction: it
// carries no signature and only a validator's node may put one in a block.
var ErrPseudoTx = errors.New("ledger: pseudo-transactions cannot be submitted; validators insert them into blocks")

var pseudoTransactors = map[codec.TxType]transactor{}

func registerPseudo(t codec.TxType, tr transactor) { pseudoTransactors[t] = tr }

// IsPseudo reports whether t is a pseudo-transaction type.
func IsPseudo(t codec.TxType) bool { _, ok := pseudoTransactors[t]; return ok }

// pseudoFields may appear on every pseudo-transaction (all of them must).
var pseudoFields = fieldSet(sf.TransactionType, sf.Account, sf.Sequence, sf.Fee, sf.SigningPubKey)

// PreflightPseudo runs the stateless checks of a pseudo-transaction: its
// form (see above), then its type's own checks.
func PreflightPseudo(tx *Tx) (ter.Code, string) {
	tr, ok := pseudoTransactors[tx.Type()]
	if !ok {
		if _, client := transactors[tx.Type()]; client {
			return ter.TemINVALID, fmt.Sprintf("%s is not a pseudo-transaction", tx.Type())
		}
		return ter.TemUNKNOWN, fmt.Sprintf("transaction type %s is not supported", tx.Type())
	}
	obj := tx.Object()
	if obj.Has(sf.TxnSignature) || obj.Has(sf.Signers) || len(tx.SigningPubKey()) != 0 {
		return ter.TemBAD_SIGNATURE, "a pseudo-transaction has an empty SigningPubKey and no signature"
	}
	var bad *sf.Field
	allowed := fieldSet(tr.fields()...)
	obj.Each(func(f *sf.Field, _ any) bool {
		if !pseudoFields[f] && !allowed[f] {
			bad = f
			return false
		}
		return true
	})
	if bad != nil {
		return ter.TemMALFORMED, fmt.Sprintf("field %s is not allowed in the %s pseudo-transaction", bad.Name, tx.Type())
	}
	if !tx.Account().IsZero() {
		return ter.TemBAD_SRC_ACCOUNT, "the Account of a pseudo-transaction is the zero account"
	}
	if tx.Sequence() != 0 {
		return ter.TemBAD_SEQUENCE, "the Sequence of a pseudo-transaction is 0"
	}
	if fee := tx.Fee(); !fee.IsNative() || !fee.IsZero() {
		return ter.TemBAD_FEE, "the Fee of a pseudo-transaction is 0 drops"
	}
	return tr.preflight(tx)
}

// ApplyPseudo applies the pseudo-transaction tx as the index-th transaction
// of the ledger behind view, as Apply does for client transactions: it never
// modifies view, a tes result carries the Changes and the metadata, and any
// other result applies nothing. It reads no signature and no account.
func ApplyPseudo(view ReadView, tx *Tx, index uint32) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Result: ter.TefEXCEPTION, Detail: fmt.Sprint("internal error: ", r)}
		}
	}()
	if code, why := PreflightPseudo(tx); code != ter.TesSUCCESS {
		return Outcome{Result: code, Detail: why}
	}
	tr := pseudoTransactors[tx.Type()]
	if code, why := tr.preclaim(&preclaimContext{view: view, tx: tx}); code != ter.TesSUCCESS {
		return Outcome{Result: code, Detail: why}
	}
	sb := newSandbox(view)
	code, why := tr.doApply(&applyContext{view: sb, tx: tx})
	if code != ter.TesSUCCESS {
		return Outcome{Result: code, Detail: why}
	}
	changes, meta := sb.finish(tx.ID(), index, uint8(code), nil)
	return Outcome{Result: code, Applied: true, Changes: changes, Meta: meta, Detail: why}
}
