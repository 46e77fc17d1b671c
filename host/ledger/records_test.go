package ledger

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/crypto"
)

// testRoot stands in for blhr.Root (which imports this package): any
// deterministic function of the ids shows the header carries what it gives.
func testRoot(ids []codec.Hash256) codec.Hash256 {
	var parts [][]byte
	for _, id := range ids {
		parts = append(parts, id[:])
	}
	return crypto.SHA512Half(parts...)
}

func recordID(n int) codec.Hash256 { return crypto.SHA512Half([]byte{byte(n >> 8), byte(n)}) }

func TestSealRecordsChargesSignedRecordsOnceAndKeepsUnsigned(t *testing.T) {
	e := newEnv(t)
	e.fund(50_000_000, "alice")
	e.close()
	before := e.balance("alice")
	coins := e.open.coins
	signed := SealedRecord{ID: recordID(1), Signed: true, Signer: e.id("alice"), Encoding: []byte("s")}
	unsigned := SealedRecord{ID: recordID(2), Encoding: []byte("u")}
	stranger := SealedRecord{ID: recordID(3), Signed: true, Signer: e.id("nobody"), Encoding: []byte("x")}
	kept, dropped := e.open.SealRecords([]SealedRecord{stranger, unsigned, signed, unsigned}, testRoot)
	if len(kept) != 2 || len(dropped) != 2 {
		t.Fatalf("kept %d, dropped %v", len(kept), dropped)
	}
	if !slices.IsSortedFunc(kept, func(a, b SealedRecord) int { return bytes.Compare(a.ID[:], b.ID[:]) }) {
		t.Fatal("kept records are not in id order")
	}
	if got := e.balance("alice"); got != before-int64(DefaultFees.Record) {
		t.Fatalf("alice holds %d, want %d", got, before-int64(DefaultFees.Record))
	}
	if e.open.coins != coins-DefaultFees.Record {
		t.Fatal("the record fee was not destroyed")
	}
	if e.root("alice").Hash256(sf.PreviousTxnID) != signed.ID {
		t.Fatal("AccountRoot not threaded to the record")
	}
	l := e.open.Close(CloseInfo{CloseTime: e.now + 1, Resolution: 1})
	if want := testRoot([]codec.Hash256{kept[0].ID, kept[1].ID}); l.Header().BLHRRoot != want {
		t.Fatalf("header root %X, want %X", l.Header().BLHRRoot, want)
	}
	if len(l.Records()) != 2 || l.Read(RecordKeylet(signed.ID)) == nil || l.Read(RecordKeylet(unsigned.ID)) != nil {
		t.Fatal("the ledger does not hold the records and the signed record's entry")
	}
	// The same signed record in a later ledger is refused and costs nothing.
	o := l.Open()
	kept, dropped = o.SealRecords([]SealedRecord{signed, unsigned}, testRoot)
	if len(kept) != 1 || kept[0].ID != unsigned.ID || len(dropped) != 1 || dropped[0].ID != signed.ID {
		t.Fatalf("second sealing kept %v dropped %v", kept, dropped)
	}
	if ok, why := CheckRecordFee(o.Read, o.Fees(), signed.ID, signed.Signer); ok || why == "" {
		t.Fatal("CheckRecordFee accepts a sealed record")
	}
}

func TestSealRecordsRefusesAnUnderfundedSigner(t *testing.T) {
	e := newEnvWith(t, func(_ *env, g *GenesisConfig) { g.Fees.Record = 8_000_000 })
	e.fund(20_000_000, "bob")
	e.close()
	var recs []SealedRecord
	for i := range 3 {
		recs = append(recs, SealedRecord{ID: recordID(10 + i), Signed: true, Signer: e.id("bob")})
	}
	kept, dropped := e.open.SealRecords(recs, testRoot)
	if len(kept) != 2 || len(dropped) != 1 || e.balance("bob") != 4_000_000 {
		t.Fatalf("kept %d dropped %d, bob holds %d", len(kept), len(dropped), e.balance("bob"))
	}
}

func TestSealRecordsIsOrderIndependent(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	e := newEnv(t)
	e.fund(50_000_000, "a", "b")
	base := e.close()
	var recs []SealedRecord
	// An id fixes a record's content (it is the hash of its encoding), so
	// repeats carry the same fields.
	for range 200 {
		n := rng.IntN(150)
		r := SealedRecord{ID: recordID(n), Encoding: []byte{byte(n)}}
		if n%2 == 0 {
			r.Signed, r.Signer = true, e.id([]string{"a", "b", "nobody"}[n%3])
		}
		recs = append(recs, r)
	}
	var hashes []codec.Hash256
	for range 3 {
		rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		o := base.Open()
		o.SealRecords(recs, testRoot)
		hashes = append(hashes, o.Close(CloseInfo{CloseTime: 5000, Resolution: 1}).Hash())
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Fatal("the sealed ledger depends on the order records arrive in")
	}
}

func TestRecordFeeIsInFeeSettingsOnlyWhenNotTheDefault(t *testing.T) {
	if feeSettingsEntry(DefaultFees).Has(sf.RecordFee) {
		t.Fatal("default record fee written to FeeSettings (would change every genesis hash)")
	}
	f := DefaultFees
	f.Record = 0
	if got := feesFromEntry(feeSettingsEntry(f)); got.Record != 0 {
		t.Fatalf("a free record fee reads back as %d", got.Record)
	}
	if got := feesFromEntry(feeSettingsEntry(DefaultFees)); got != DefaultFees {
		t.Fatalf("defaults read back as %+v", got)
	}
}
