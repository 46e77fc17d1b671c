package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/ledger"
)

// JSON shapes shared by several commands, in skywelld's form.

// rippleEpoch is 2000-01-01T00:00:00Z in Unix seconds; ledger times count
// from it (the libraries add 0x386D4380).
const rippleEpoch = 946684800

// closeTimeHuman is boost's to_simple_string of a ledger time, as
// close_time_human shows it: "2019-Apr-01 22:00:10".
func closeTimeHuman(t uint32) string {
	return time.Unix(int64(t)+rippleEpoch, 0).UTC().Format("2006-Jan-02 15:04:05")
}

func rippleNow() uint32 { return uint32(time.Now().Unix() - rippleEpoch) }

// metaJSON is a transaction's metadata with delivered_amount added for
// successful payments (the amount that arrived, which differs from Amount
// for partial payments). It is written directly, not through maps: every
// streamed transaction carries it.
func metaJSON(t ledger.TxWithMeta) json.RawMessage {
	var extra []byte
	if d, ok := ledger.DeliveredAmount(t.Tx.Object(), t.Meta); ok {
		extra = codec.AppendAmountJSON(append(extra, `"delivered_amount":`...), d)
	}
	return t.Meta.AppendJSON(make([]byte, 0, 512), extra)
}

// rawTxJSON is a transaction's JSON with its "hash" and any extra members
// (pre-encoded "key":value), written directly for the hot paths (submit
// responses and transaction streams).
func rawTxJSON(tx *ledger.Tx, extra ...[]byte) json.RawMessage {
	id := tx.ID()
	hash := make([]byte, 0, 75)
	hash = append(append(hash, `"hash":"`...), hexUpper(id[:])...)
	hash = append(hash, '"')
	return tx.Object().AppendJSON(make([]byte, 0, 768), append([][]byte{hash}, extra...)...)
}

// uintMember is a pre-encoded "key":n member for rawTxJSON.
func uintMember(key string, n uint32) []byte {
	b := strconv.AppendQuote(make([]byte, 0, len(key)+14), key)
	return strconv.AppendUint(append(b, ':'), uint64(n), 10)
}

// txInLedger is a validated transaction's JSON as tx and account_tx show it
// (rippled's Transaction::getJson(1)): the fields, hash, and where it landed.
func txInLedger(rec TxRecord) map[string]any {
	j := rec.Tx.JSON()
	j["date"] = rec.CloseTime
	j["inLedger"] = rec.LedgerSeq
	j["ledger_index"] = rec.LedgerSeq
	return j
}

// completeLedgers is complete_ledgers / validated_ledgers: "min-max", or
// "empty" as rippled says when it has none.
func completeLedgers(b Backend) string {
	lo, hi := b.CompleteLedgers()
	switch {
	case hi == 0:
		return "empty"
	case lo == hi:
		return strconv.FormatUint(uint64(lo), 10)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// closedLedgerJSON is LedgerToJson's fillJson for a closed ledger. The
// sequence is a string in seqNum and ledger_index, as in rippled 0.29, and
// the libraries read it that way.
func closedLedgerJSON(h ledger.Header) map[string]any {
	hash := h.Hash()
	seq := strconv.FormatUint(uint64(h.Seq), 10)
	coins := strconv.FormatUint(h.TotalCoins, 10)
	j := map[string]any{
		"accepted":         true,
		"account_hash":     hexUpper(h.AccountHash[:]),
		"closed":           true,
		"hash":             hexUpper(hash[:]),
		"ledger_hash":      hexUpper(hash[:]),
		"ledger_index":     seq,
		"parent_hash":      hexUpper(h.ParentHash[:]),
		"seqNum":           seq,
		"totalCoins":       coins,
		"total_coins":      coins,
		"transaction_hash": hexUpper(h.TxHash[:]),
	}
	if h.CloseTime != 0 {
		j["close_time"] = h.CloseTime
		j["close_time_human"] = closeTimeHuman(h.CloseTime)
		j["close_time_resolution"] = h.CloseTimeResolution
		// sLCF_NoConsensusTime: the validators did not agree on a time.
		if h.CloseFlags&1 != 0 {
			j["close_time_estimated"] = true
		}
	}
	return j
}

// openLedgerJSON is fillJson for the ledger being built.
func openLedgerJSON(seq uint32, parent codec.Hash256) map[string]any {
	s := strconv.FormatUint(uint64(seq), 10)
	return map[string]any{
		"closed":       false,
		"ledger_index": s,
		"seqNum":       s,
		"parent_hash":  hexUpper(parent[:]),
	}
}

// ledgerTransactionsJSON lists a ledger's transactions in transaction-tree
// order (by id), as rippled walks its SHAMap: hashes, or with expand the
// transactions with their metadata under "metaData".
func ledgerTransactionsJSON(txs []ledger.TxWithMeta, expand, binary bool) []any {
	sorted := append([]ledger.TxWithMeta(nil), txs...)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i].Tx.ID(), sorted[j].Tx.ID()
		return bytes.Compare(a[:], b[:]) < 0
	})
	out := make([]any, 0, len(sorted))
	for _, t := range sorted {
		id := t.Tx.ID()
		switch {
		case !expand:
			out = append(out, hexUpper(id[:]))
		case binary:
			out = append(out, map[string]any{"tx_blob": hexUpper(t.Tx.Blob()), "meta": hexUpper(t.Meta.Encode())})
		default:
			j := t.Tx.JSON()
			j["metaData"] = metaJSON(t)
			out = append(out, j)
		}
	}
	return out
}

// entryJSON is a ledger entry with its index, as rippled's SLE::getJson.
func entryJSON(o *codec.STObject, key codec.Hash256) map[string]any {
	j := o.JSON()
	j["index"] = hexUpper(key[:])
	return j
}

// entryTypes are all ledger entry types, for reading an entry by index
// alone (ReadView reads are typed).
var entryTypes = []codec.EntryType{
	codec.EntryAccountRoot, codec.EntrySkywellState, codec.EntryDirectoryNode,
	codec.EntryRelation, codec.EntrySignerList, codec.EntryOffer,
	codec.EntryFeeSettings, codec.EntryLedgerHashes, codec.EntryEnabledFeatures,
	codec.EntryTicket, codec.EntryContract, codec.EntryGeneratorMap,
	codec.EntryNickname, codec.EntryManageIssuer, codec.EntryBlackList, codec.EntryManageFee,
}

// readAny reads the entry at key whatever its type.
func readAny(view ledger.ReadView, key codec.Hash256) *codec.STObject {
	if l, ok := view.(*ledger.Ledger); ok {
		data, ok := l.State().Get(key)
		if !ok {
			return nil
		}
		o, err := codec.Decode(data)
		if err != nil {
			return nil
		}
		return o
	}
	for _, t := range entryTypes {
		if o := view.Read(ledger.Keylet{Type: t, Key: key}); o != nil {
			return o
		}
	}
	return nil
}
