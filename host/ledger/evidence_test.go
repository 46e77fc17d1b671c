package ledger

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/crypto"
)

// evidenceBlob stands for an encoded rbft evidence item: the ledger does not
// look inside.
func evidenceBlob(tag string) []byte {
	return append([]byte{1, 0x20}, []byte(strings.Repeat(tag, 40))...)
}

func (e *env) evidenceTx(offender string, height uint32, data []byte) *Tx {
	e.t.Helper()
	tx, err := NewEvidenceTx(e.id(offender), height, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

// applyPseudo applies a pseudo-transaction and requires the result.
func (e *env) applyPseudo(want ter.Code, tx *Tx) Outcome {
	e.t.Helper()
	n := e.open.Len()
	out := e.open.ApplyPseudo(tx)
	if out.Result != want {
		e.t.Fatalf("ApplyPseudo: got %s (%s), want %s", out.Result, out.Detail, want)
	}
	if out.Applied != (want == ter.TesSUCCESS) {
		e.t.Fatalf("%s with Applied=%v", out.Result, out.Applied)
	}
	if !out.Applied && (e.open.Len() != n || out.Changes != nil || out.Meta != nil) {
		e.t.Fatalf("%s changed the open ledger", out.Result)
	}
	return out
}

func TestEvidenceTxHasThePseudoFormAndRoundTrips(t *testing.T) {
	e := newEnv(t)
	data := evidenceBlob("a")
	tx := e.evidenceTx("val-a", 7, data)

	if tx.Type() != codec.TxEvidence || !IsPseudo(tx.Type()) || Supported(tx.Type()) {
		t.Fatalf("type %s, pseudo %v, client-supported %v", tx.Type(), IsPseudo(tx.Type()), Supported(tx.Type()))
	}
	if !tx.Account().IsZero() || tx.Sequence() != 0 || !tx.Fee().IsNative() || tx.Fee().Drops() != 0 ||
		len(tx.SigningPubKey()) != 0 || tx.Object().Has(sf.TxnSignature) || tx.Object().Has(sf.Flags) {
		t.Fatalf("not in pseudo form: %v", tx.JSON())
	}
	if tx.ID() != codec.TxID(tx.Blob()) {
		t.Fatal("ID is not the hash of the blob")
	}

	// Binary round trip.
	back, err := DecodeTx(tx.Blob())
	if err != nil || back.ID() != tx.ID() || !back.Object().Equal(tx.Object()) {
		t.Fatalf("decode: %v", err)
	}
	// JSON round trip, with the names and forms an API client sees.
	j := tx.JSON()
	want := map[string]any{
		"TransactionType": "Evidence", "Account": codec.AccountID{}.String(), "Sequence": uint32(0), "Fee": "0",
		"SigningPubKey": "", "LedgerSequence": uint32(7), "Offender": e.addr("val-a"),
		"EvidenceData": strings.ToUpper(hex.EncodeToString(data)),
	}
	for k, v := range want {
		if got, _ := json.Marshal(j[k]); string(got) != string(must(json.Marshal(v))) {
			t.Errorf("JSON %s = %s, want %v", k, got, v)
		}
	}
	if j["hash"] == nil {
		t.Error("JSON has no hash")
	}
	js, _ := json.Marshal(j)
	obj, err := codec.ParseJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewTx(obj)
	if err != nil || again.ID() != tx.ID() || !bytes.Equal(again.Blob(), tx.Blob()) {
		t.Fatalf("JSON round trip gives another transaction: %v", err)
	}
}

func TestEvidenceTxHashIsDeterministic(t *testing.T) {
	e := newEnv(t)
	a := e.evidenceTx("val-a", 7, evidenceBlob("a"))
	if b := e.evidenceTx("val-a", 7, evidenceBlob("a")); b.ID() != a.ID() || !bytes.Equal(a.Blob(), b.Blob()) {
		t.Fatal("the same evidence gives two transactions")
	}
	for name, other := range map[string]*Tx{
		"offender": e.evidenceTx("val-c", 7, evidenceBlob("a")),
		"height":   e.evidenceTx("val-a", 8, evidenceBlob("a")),
		"data":     e.evidenceTx("val-a", 7, evidenceBlob("b")),
	} {
		if other.ID() == a.ID() {
			t.Errorf("another %s gives the same id", name)
		}
	}
	// The constructor does not keep the caller's slice.
	data := evidenceBlob("c")
	tx := e.evidenceTx("val-a", 7, data)
	data[5] ^= 1
	if !bytes.Equal(tx.Object().Blob(sf.EvidenceData), evidenceBlob("c")) {
		t.Fatal("NewEvidenceTx aliases its data argument")
	}
}

func TestNewEvidenceTxRefusesMalformedEvidence(t *testing.T) {
	e := newEnv(t)
	for name, c := range map[string]struct {
		offender codec.AccountID
		height   uint32
		data     []byte
	}{
		"zero offender": {codec.AccountID{}, 5, evidenceBlob("a")},
		"height 0":      {e.id("val-a"), 0, evidenceBlob("a")},
		"no data":       {e.id("val-a"), 5, nil},
		"too much data": {e.id("val-a"), 5, make([]byte, MaxEvidenceSize+1)},
	} {
		if _, err := NewEvidenceTx(c.offender, c.height, c.data); !errors.Is(err, ErrMalformedTx) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := NewEvidenceTx(e.id("val-a"), 5, make([]byte, MaxEvidenceSize)); err != nil {
		t.Errorf("MaxEvidenceSize bytes refused: %v", err)
	}
}

func TestEvidenceCreatesAnEntryAndTouchesNoAccount(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	e.close()
	data := evidenceBlob("a")
	tx := e.evidenceTx("val-c", e.open.Seq()-1, data)
	coins := e.open.coins
	out := e.applyPseudo(ter.TesSUCCESS, tx)

	if out.FeeDestroyed != 0 || e.open.coins != coins || out.Delivered != nil {
		t.Fatalf("fee %d, coins %d -> %d", out.FeeDestroyed, coins, e.open.coins)
	}
	want := map[string]int{"CreatedNode/ValidatorEvidence": 1, "CreatedNode/DirectoryNode": 1}
	if got := affected(out.Meta); len(got) != len(want) || got["CreatedNode/ValidatorEvidence"] != 1 || got["CreatedNode/DirectoryNode"] != 1 {
		t.Fatalf("affected %v, want %v", got, want)
	}
	if out.Meta.UInt32(sf.TransactionIndex) != 0 || ter.Code(out.Meta.UInt8(sf.TransactionResult)) != ter.TesSUCCESS {
		t.Fatalf("meta %v", out.Meta.JSON())
	}
	k := EvidenceKeylet(data)
	entry := e.open.Read(k)
	if entry == nil {
		t.Fatal("no ValidatorEvidence entry")
	}
	if entry.Account(sf.Offender) != e.id("val-c") || entry.UInt32(sf.LedgerSequence) != e.open.Seq()-1 ||
		!bytes.Equal(entry.Blob(sf.EvidenceData), data) || entry.Hash256(sf.PreviousTxnID) != tx.ID() ||
		entry.UInt32(sf.PreviousTxnLgrSeq) != e.open.Seq() {
		t.Fatalf("entry %v", entry.JSON())
	}
	for _, it := range out.Meta.Array(sf.AffectedNodes) {
		if codec.EntryType(it.Object.UInt16(sf.LedgerEntryType)) != codec.EntryValidatorEvidence {
			continue
		}
		nf := it.Object.Object(sf.NewFields)
		if nf.Account(sf.Offender) != e.id("val-c") || !bytes.Equal(nf.Blob(sf.EvidenceData), data) || it.Object.Hash256(sf.LedgerIndex) != k.Key {
			t.Fatalf("CreatedNode %v", it.Object.JSON())
		}
	}
	if got := HasEvidence(e.open, data); !got {
		t.Fatal("HasEvidence is false after the commit")
	}

	// It is in the closed ledger's transaction tree and state.
	l := e.close()
	got, ok, err := l.Tx(tx.ID())
	if err != nil || !ok || got.Result() != ter.TesSUCCESS || got.Index() != 0 || got.Tx.Type() != codec.TxEvidence {
		t.Fatalf("Tx lookup: %v %v", ok, err)
	}
	if l.Read(k) == nil {
		t.Fatal("the closed state lacks the entry")
	}
	list, err := Evidence(l)
	if err != nil || len(list) != 1 {
		t.Fatalf("Evidence: %v %v", list, err)
	}
	want0 := EvidenceEntry{Key: k.Key, Offender: e.id("val-c"), Height: l.Seq() - 1, Data: data, TxID: tx.ID(), Ledger: l.Seq()}
	if g := list[0]; g.Key != want0.Key || g.Offender != want0.Offender || g.Height != want0.Height ||
		!bytes.Equal(g.Data, want0.Data) || g.TxID != want0.TxID || g.Ledger != want0.Ledger {
		t.Fatalf("Evidence()[0] = %+v, want %+v", g, want0)
	}

	// A second item, after a client transaction, goes to the same directory.
	e.submit(ter.TesSUCCESS, "val-a", pay(e.addr("val-c"), "1000"))
	tx2 := e.evidenceTx("ed-val-b", e.open.Seq(), evidenceBlob("b"))
	out = e.applyPseudo(ter.TesSUCCESS, tx2)
	if got := affected(out.Meta); got["ModifiedNode/DirectoryNode"] != 1 || got["CreatedNode/ValidatorEvidence"] != 1 || len(got) != 2 {
		t.Fatalf("affected %v", got)
	}
	if out.Meta.UInt32(sf.TransactionIndex) != 1 {
		t.Fatalf("TransactionIndex %d, want 1", out.Meta.UInt32(sf.TransactionIndex))
	}
	l2 := e.close()
	list, err = Evidence(l2)
	if err != nil || len(list) != 2 || list[0].TxID != tx.ID() || list[1].TxID != tx2.ID() || list[1].Ledger != l2.Seq() {
		t.Fatalf("Evidence after two: %+v %v", list, err)
	}

	// Re-executing the block on its parent gives the same ledger.
	o := l.Open()
	txs, err := l2.Transactions()
	if err != nil {
		t.Fatal(err)
	}
	for _, t2 := range txs {
		var res Outcome
		if IsPseudo(t2.Tx.Type()) {
			res = o.ApplyPseudo(t2.Tx)
		} else {
			res = o.Apply(t2.Tx)
		}
		if res.Result != t2.Result() {
			t.Fatalf("replay: %s, first time %s", res.Result, t2.Result())
		}
	}
	if r := o.Close(CloseInfo{CloseTime: l2.Header().CloseTime, Resolution: l2.Header().CloseTimeResolution}); r.Hash() != l2.Hash() {
		t.Fatal("re-executing the block gives another ledger")
	}
}

func TestEvidenceCommittedTwiceIsRefusedAndChangesNothing(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	data := evidenceBlob("a")
	tx := e.evidenceTx("val-a", 1, data)
	e.applyPseudo(ter.TesSUCCESS, tx)
	// The same transaction in the same ledger.
	e.applyPseudo(ter.TefALREADY, tx)
	// The same evidence under another offender or height: another id, the same entry.
	e.applyPseudo(ter.TefALREADY, e.evidenceTx("val-c", 1, data))
	e.applyPseudo(ter.TefALREADY, e.evidenceTx("val-a", 2, data))
	before := e.close()

	// In a later ledger: refused, and the ledger is what it is without it.
	withDup := before.Open()
	out := withDup.ApplyPseudo(tx)
	if out.Result != ter.TefALREADY || out.Applied || withDup.Len() != 0 {
		t.Fatalf("later ledger: %s applied %v", out.Result, out.Applied)
	}
	ci := CloseInfo{CloseTime: before.Header().CloseTime + 10, Resolution: 10}
	if a, b := withDup.Close(ci), before.Open().Close(ci); a.Hash() != b.Hash() {
		t.Fatal("a refused duplicate changed the ledger")
	}
	if list, _ := Evidence(before); len(list) != 1 {
		t.Fatalf("%d evidence entries, want 1", len(list))
	}
}

func TestEvidenceInTheFutureIsRefused(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	e.applyPseudo(ter.TefMAX_LEDGER, e.evidenceTx("val-a", e.open.Seq()+1, evidenceBlob("a")))
	e.applyPseudo(ter.TesSUCCESS, e.evidenceTx("val-a", e.open.Seq(), evidenceBlob("a")))
}

// Every way a 602 can leave the pseudo form, and every malformed evidence,
// is refused by ApplyPseudo with a tem result and changes nothing.
func TestMalformedEvidenceIsRefused(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	good := e.evidenceTx("val-a", 1, evidenceBlob("a"))
	mutate := func(fn func(o *codec.STObject)) *Tx {
		o := good.Object().Clone()
		fn(o)
		tx, err := NewTx(o)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	signer := e.key("val-a")
	for name, c := range map[string]struct {
		tx   *Tx
		want ter.Code
	}{
		"a fee":            {mutate(func(o *codec.STObject) { o.Set(sf.Fee, codec.NewNative(10)) }), ter.TemBAD_FEE},
		"a usercoin fee":   {mutate(func(o *codec.STObject) { o.Set(sf.Fee, must(codec.ParseAmountJSON(iou("0", "CNY", e.addr("val-a"))))) }), ter.TemBAD_FEE},
		"a sequence":       {mutate(func(o *codec.STObject) { o.SetUInt32(sf.Sequence, 1) }), ter.TemBAD_SEQUENCE},
		"an account":       {mutate(func(o *codec.STObject) { o.Set(sf.Account, e.id("val-a")) }), ter.TemBAD_SRC_ACCOUNT},
		"a signing key":    {mutate(func(o *codec.STObject) { o.Set(sf.SigningPubKey, signer.PublicKey()) }), ter.TemBAD_SIGNATURE},
		"a signature":      {mutate(func(o *codec.STObject) { o.Set(sf.TxnSignature, []byte{0x30, 1, 2}) }), ter.TemBAD_SIGNATURE},
		"signers":          {mutate(func(o *codec.STObject) { o.Set(sf.Signers, codec.Array{}) }), ter.TemBAD_SIGNATURE},
		"flags":            {mutate(func(o *codec.STObject) { o.SetUInt32(sf.Flags, 0) }), ter.TemMALFORMED},
		"a memo":           {mutate(func(o *codec.STObject) { o.Set(sf.Memos, codec.Array{}) }), ter.TemMALFORMED},
		"a last ledger":    {mutate(func(o *codec.STObject) { o.SetUInt32(sf.LastLedgerSequence, 100) }), ter.TemMALFORMED},
		"another field":    {mutate(func(o *codec.STObject) { o.Set(sf.Destination, e.id("val-a")) }), ter.TemMALFORMED},
		"no offender":      {mutate(func(o *codec.STObject) { o.Delete(sf.Offender) }), ter.TemMALFORMED},
		"a zero offender":  {mutate(func(o *codec.STObject) { o.Set(sf.Offender, codec.AccountID{}) }), ter.TemMALFORMED},
		"no height":        {mutate(func(o *codec.STObject) { o.Delete(sf.LedgerSequence) }), ter.TemMALFORMED},
		"height 0":         {mutate(func(o *codec.STObject) { o.SetUInt32(sf.LedgerSequence, 0) }), ter.TemMALFORMED},
		"no data":          {mutate(func(o *codec.STObject) { o.Delete(sf.EvidenceData) }), ter.TemMALFORMED},
		"empty data":       {mutate(func(o *codec.STObject) { o.Set(sf.EvidenceData, []byte{}) }), ter.TemMALFORMED},
		"oversized data":   {mutate(func(o *codec.STObject) { o.Set(sf.EvidenceData, make([]byte, MaxEvidenceSize+1)) }), ter.TemMALFORMED},
		"a client payment": {e.tx("val-a", pay(e.addr("val-c"), "1000")), ter.TemINVALID},
		"an unknown type":  {mutate(func(o *codec.STObject) { o.SetUInt16(sf.TransactionType, 650) }), ter.TemUNKNOWN},
	} {
		t.Run(name, func(t *testing.T) {
			e.t = t
			e.applyPseudo(c.want, c.tx)
			if HasEvidence(e.open, evidenceBlob("a")) {
				t.Fatal("the evidence was committed")
			}
		})
	}
	e.t = t
	e.applyPseudo(ter.TesSUCCESS, good)
}

// The client path (Preflight, Apply, OpenLedger.Apply, VerifySignatures)
// refuses a 602 in any form, signed or not, without panicking.
func TestClientsCannotSubmitEvidence(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	pseudo := e.evidenceTx("val-a", 1, evidenceBlob("a"))
	signed := e.tx("val-a", map[string]any{"TransactionType": "Evidence", "Offender": e.addr("val-c"),
		"LedgerSequence": 1, "EvidenceData": hex.EncodeToString(evidenceBlob("a"))})
	for name, tx := range map[string]*Tx{"pseudo form": pseudo, "signed by an account": signed} {
		if code, why := Preflight(tx); code != ter.TemINVALID || !strings.Contains(why, "pseudo-transaction") {
			t.Errorf("%s: Preflight %s (%s)", name, code, why)
		}
		if code, _ := Preclaim(e.open, tx); code != ter.TemINVALID {
			t.Errorf("%s: Preclaim %s", name, code)
		}
		if err := VerifySignatures(tx, crypto.Verify); !errors.Is(err, ErrPseudoTx) {
			t.Errorf("%s: VerifySignatures %v", name, err)
		}
		n := e.open.Len()
		if out := e.open.Apply(tx); out.Result != ter.TemINVALID || out.Applied || e.open.Len() != n {
			t.Errorf("%s: Apply %s applied %v", name, out.Result, out.Applied)
		}
		if HasEvidence(e.open, evidenceBlob("a")) {
			t.Fatalf("%s: the client path committed evidence", name)
		}
	}
	// A signed 602 is not in pseudo form either.
	e.applyPseudo(ter.TemBAD_SIGNATURE, signed)
}

// The evidence directory pages like an owner directory, and Evidence reads
// the entries back in the order they were committed, across ledgers.
func TestEvidenceDirectorySpansPagesInCommitOrder(t *testing.T) {
	e := newValidatorEnv(t, fourValidators...)
	var ids []codec.Hash256
	for i := range 3*dirPageSize + 5 {
		tx := e.evidenceTx(fourValidators[i%4], 1, evidenceBlob(string(rune('A'+i%26))+string(rune('a'+i/26))))
		e.applyPseudo(ter.TesSUCCESS, tx)
		ids = append(ids, tx.ID())
		if i%25 == 24 {
			e.close()
		}
	}
	l := e.close()
	list, err := Evidence(l)
	if err != nil || len(list) != len(ids) {
		t.Fatalf("Evidence: %d entries, %v", len(list), err)
	}
	for i, ev := range list {
		if ev.TxID != ids[i] {
			t.Fatalf("entry %d is from %X, want %X", i, ev.TxID, ids[i])
		}
	}
	root := l.Read(EvidenceDirKeylet())
	if root == nil || root.UInt64(sf.IndexPrevious) != 3 || root.Has(sf.Owner) {
		t.Fatalf("directory root %v", root)
	}
}
