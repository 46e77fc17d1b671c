package indexer

import (
	"crypto/sha256"
	"fmt"
	"time"
)

// testChain returns n linked ledgers from first on: ledger s holds s%4
// transactions and s%5 records, tagged "t0".."t2", half of them with an
// account. (indexertest.Chain is richer, but that package imports this
// one.)
func testChain(first uint32, n int) []Ledger {
	h := func(what string, s uint32, j int) Hash256 {
		return sha256.Sum256(fmt.Appendf(nil, "%s %d %d", what, s, j))
	}
	out := make([]Ledger, n)
	for i := range out {
		s := first + uint32(i)
		l := Ledger{Seq: s, Hash: h("ledger", s, 0), CloseTime: time.Unix(int64(s)*10, 0).UTC()}
		if s > 1 {
			l.ParentHash = h("ledger", s-1, 0)
		}
		for j := range int(s % 4) {
			l.Transactions = append(l.Transactions, Transaction{Hash: h("tx", s, j), Account: AccountID{byte(j + 1)}, Type: "Payment", Result: "tesSUCCESS"})
		}
		l.TxCount = len(l.Transactions)
		for j := range int(s % 5) {
			r := Record{ID: h("rec", s, j), TypeTag: fmt.Sprintf("t%d", j%3), DataHash: h("data", s%3, 0)}
			if j%2 == 0 {
				r.Account = AccountID{0xac, byte(s % 3)}
				r.Data = fmt.Appendf(nil, "data %d %d", s, j)
			}
			l.Records = append(l.Records, r)
		}
		out[i] = l
	}
	return out
}

func cloneLedger(l Ledger) Ledger {
	l.Transactions = append([]Transaction(nil), l.Transactions...)
	l.Records = append([]Record(nil), l.Records...)
	return l
}
