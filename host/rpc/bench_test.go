package rpc

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/jtchain/jtchain/host/codec/ter"
)

// BenchmarkHandleAccountInfo is one account_info request through the
// handler layer (decode, dispatch, ledger read, envelope), no network.
func BenchmarkHandleAccountInfo(b *testing.B) {
	c := newWorld(b)
	s, err := New(DefaultConfig(), c, nil)
	if err != nil {
		b.Fatal(err)
	}
	sess := newSession(netip.MustParseAddr("127.0.0.1"), true, true, 16)
	req := []byte(fmt.Sprintf(`{"id":4,"command":"account_info","relation_type":null,"account":%q,"ledger_index":"validated"}`, c.addr("alice")))
	b.ReportAllocs()
	for b.Loop() {
		s.handleFrame(context.Background(), sess, req, false)
	}
}

// BenchmarkTransactionMessage builds the stream message of one payment.
func BenchmarkTransactionMessage(b *testing.B) {
	c := newWorld(b)
	c.apply(ter.TesSUCCESS, "alice", pay(c.addr("bob"), "1000"))
	l, txs := c.close()
	b.ReportAllocs()
	for b.Loop() {
		marshal(transactionMessage(txs[0], l.Seq(), l.Hash(), l.Header().CloseTime))
	}
}
