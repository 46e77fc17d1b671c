package node

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/blhr"
	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/ledger"
	"github.com/jtchain/jtchain/host/store"
)

func testRecord(t testing.TB, i int) ledger.SealedRecord {
	t.Helper()
	r, err := blhr.NewRecord("test", []byte(fmt.Sprintf("record %d", i)))
	if err != nil {
		t.Fatal(err)
	}
	return sealedForm(r)
}

func TestRecordPoolKeepsArrivalOrderWithinItsLimits(t *testing.T) {
	p := newRecordPool(5, 1<<20)
	var recs []ledger.SealedRecord
	for i := range 6 {
		recs = append(recs, testRecord(t, i))
	}
	for i, r := range recs[:5] {
		if added, err := p.add(r); !added || err != nil {
			t.Fatalf("record %d: added %v, %v", i, added, err)
		}
	}
	if added, err := p.add(recs[0]); added || err != nil {
		t.Fatalf("a pending record added again: %v, %v", added, err)
	}
	if _, err := p.add(recs[5]); !errors.Is(err, errPoolFull) {
		t.Fatalf("a sixth record in a pool of 5: %v", err)
	}
	got := p.take(3, 1<<20, 1<<20)
	if len(got) != 3 || got[0].ID != recs[0].ID || got[2].ID != recs[2].ID {
		t.Fatal("take does not return the oldest records first")
	}
	p.remove([]codec.Hash256{recs[0].ID, recs[1].ID, recs[3].ID, {9}})
	if p.len() != 2 {
		t.Fatalf("%d records left, want 2", p.len())
	}
	got = p.take(10, 1<<20, 1<<20)
	if len(got) != 2 || got[0].ID != recs[2].ID || got[1].ID != recs[4].ID {
		t.Fatal("removal broke the arrival order")
	}
	if got := p.take(10, len(recs[2].Encoding), 1<<20); len(got) != 1 {
		t.Fatalf("byte cap of one record took %d", len(got))
	}
	if got := p.take(10, 1<<20, recordCost(len(recs[2].Encoding))); len(got) != 1 {
		t.Fatalf("storage cap of one record took %d", len(got))
	}
	if _, ok := p.lookup(recs[4].ID); !ok {
		t.Fatal("lookup misses a pending record")
	}
	// Bytes are freed with the records.
	small := newRecordPool(10, len(recs[0].Encoding))
	if _, err := small.add(recs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := small.add(recs[1]); !errors.Is(err, errPoolFull) {
		t.Fatalf("byte limit: %v", err)
	}
	small.remove([]codec.Hash256{recs[0].ID})
	if _, err := small.add(recs[1]); err != nil {
		t.Fatalf("after removal: %v", err)
	}
}

func TestRecordPoolExpiresRecordsNoLedgerSealed(t *testing.T) {
	p := newRecordPool(100, 1<<20)
	p.expire(1000)
	old, young := testRecord(t, 1), testRecord(t, 2)
	p.add(old)
	p.expire(1000 + recordTTL/2)
	p.add(young)
	if n := p.expire(1000 + recordTTL); n != 0 || p.len() != 2 {
		t.Fatalf("expired %d at the TTL, %d left", n, p.len())
	}
	if n := p.expire(1000 + recordTTL + 1); n != 1 || p.len() != 1 {
		t.Fatalf("expired %d past the TTL, %d left", n, p.len())
	}
	if _, ok := p.lookup(young.ID); !ok {
		t.Fatal("the younger record expired too")
	}
	if p.expire(900); p.len() != 1 {
		t.Fatal("an older ledger moved the pool's clock back")
	}
}

func TestBlockWithRecordsRoundTripsAndIsStrict(t *testing.T) {
	plain := sampleBlock().Encode()
	if plain[0] != blockVersion {
		t.Fatal("a block without records is not version 1")
	}
	b := sampleBlock()
	b.RecordIDs = []codec.Hash256{{1}, {2, 5}, {7}}
	enc := b.Encode()
	got, err := DecodeBlock(enc)
	if err != nil {
		t.Fatal(err)
	}
	if enc[0] != blockVersionRecords || len(got.RecordIDs) != 3 || got.RecordIDs[1] != b.RecordIDs[1] || !bytes.Equal(got.Encode(), enc) {
		t.Fatalf("decoded %+v", got)
	}
	for n := 0; n < len(enc); n++ {
		if _, err := DecodeBlock(enc[:n]); !errors.Is(err, ErrBadBlock) {
			t.Fatalf("prefix of %d bytes: %v", n, err)
		}
	}
	b.RecordIDs = []codec.Hash256{{2}, {1}}
	if _, err := DecodeBlock(b.Encode()); !errors.Is(err, ErrBadBlock) {
		t.Fatal("record ids out of order accepted")
	}
	b.RecordIDs = []codec.Hash256{{2}, {2}}
	if _, err := DecodeBlock(b.Encode()); !errors.Is(err, ErrBadBlock) {
		t.Fatal("repeated record id accepted")
	}
	// Version 2 with an empty record list is not canonical.
	v2 := append([]byte{blockVersionRecords}, plain[1:]...)
	v2 = append(v2, 0, 0, 0, 0)
	if _, err := DecodeBlock(v2); !errors.Is(err, ErrBadBlock) {
		t.Fatal("a version 2 block without records accepted")
	}
	// A count that claims more ids than the input holds fails before
	// allocating for them.
	huge := append([]byte{blockVersionRecords}, plain[1:]...)
	huge = append(huge, 0, 1, 0x86, 0xA0)
	if _, err := DecodeBlock(huge); !errors.Is(err, ErrBadBlock) {
		t.Fatal("a truncated record list accepted")
	}
}

func TestRecordBatchAndLedgerAnswerWire(t *testing.T) {
	var encs [][]byte
	for i := range 3 {
		encs = append(encs, testRecord(t, i).Encoding)
	}
	batch := encodeRecordBatch(encs)
	if !isRecordBatch(batch) || isRecordBatch(encodeTxBatch([][]byte{{1}})) {
		t.Fatal("record and transaction batches are not told apart")
	}
	recs, err := decodeRecordBatch(batch)
	if err != nil || len(recs) != 3 || recs[2].ID() != blhr.EncodingID(encs[2]) {
		t.Fatalf("decoded %d records: %v", len(recs), err)
	}
	for n := 0; n < len(batch); n++ {
		if _, err := decodeRecordBatch(batch[:n]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", n)
		}
	}
	bad := bytes.Clone(batch)
	bad[len(bad)-1] ^= 0xFF // the last record's signature length: no longer a valid record
	if _, err := decodeRecordBatch(bad); err == nil {
		t.Fatal("a batch with a malformed record accepted")
	}
	ans := ledgerAnswer{Record: []byte("commit"), Txs: [][]byte{{1, 2}}, Records: encs}
	got, err := decodeLedgerAnswer(ans.encode())
	if err != nil || len(got.Records) != 3 || !bytes.Equal(got.Records[1], encs[1]) || len(got.Txs) != 1 {
		t.Fatalf("ledger answer: %+v, %v", got, err)
	}
	plain := ledgerAnswer{Record: []byte("commit")}
	if enc := plain.encode(); enc[0] != wireVersion {
		t.Fatal("an answer without records changed its layout")
	}
}

// BenchmarkSealAndSaveRecords is the node's sealing path for one ledger of
// 20,000 unsigned records without the API: take them from the pool, seal
// them (Merkle root), close the ledger and save it with its records.
//
//	go test ./host/node -run '^$' -bench SealAndSaveRecords -benchtime 5x
func BenchmarkSealAndSaveRecords(b *testing.B) {
	const perLedger = 20_000
	g, err := ledger.Genesis(ledger.GenesisConfig{
		Account: crypto.GenesisKeyPair().AccountID(), TotalCoins: ledger.JingtumTotalCoins,
		Fees: ledger.DefaultFees, CloseTime: 1000,
	})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(filepath.Join(b.TempDir(), "db"), store.DefaultConfig(), hclog.NewNullLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.SaveLedger(g, nil); err != nil {
		b.Fatal(err)
	}
	pool := newRecordPool(perLedger*2, 1<<30)
	parent := g
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for k := range perLedger {
			r, _ := blhr.NewHashRecord("bench", crypto.SHA512Half([]byte(fmt.Sprint(i, k))))
			pool.add(sealedForm(r))
		}
		b.StartTimer()
		recs := pool.take(perLedger, maxLedgerRecordBytes, 1<<30)
		open := parent.Open()
		kept, _ := open.SealRecords(recs, recordRoot)
		l := open.Close(ledger.CloseInfo{CloseTime: 1000 + uint32(i) + 1, Resolution: 1})
		if err := st.SaveLedger(l, nil); err != nil {
			b.Fatal(err)
		}
		ids := make([]codec.Hash256, len(kept))
		for k, r := range kept {
			ids[k] = r.ID
		}
		pool.remove(ids)
		parent = l
	}
	b.ReportMetric(float64(perLedger*b.N)/b.Elapsed().Seconds(), "records/s")
}
