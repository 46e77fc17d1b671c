package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jtchain/jtchain/sdk/client"
)

// clusterLoad pays between a few funded accounts through random live
// nodes, and remembers every transaction a node accepted, for the checks of
// invariants I3–I5 afterwards.
type clusterLoad struct {
	c     *cluster
	accts []testAccount
	live  atomic.Pointer[[]int] // nodes to submit to

	mu   sync.Mutex
	sent map[string]int // hash -> account index
	errs []string

	stop chan struct{}
	wg   sync.WaitGroup
	rate time.Duration // pause between one account's payments
}

const fundDrops = "100000000000" // 100,000 SWT

// newClusterLoad funds n accounts from the genesis account through node 0.
func newClusterLoad(ctx context.Context, t *testing.T, c *cluster, n int, seedName string) *clusterLoad {
	t.Helper()
	l := &clusterLoad{c: c, sent: map[string]int{}, stop: make(chan struct{}), rate: 100 * time.Millisecond}
	g := genesisTestAccount(t)
	cl, err := client.Dial(ctx, c.nodes[0].url(), &client.Options{RequestTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seq, err := nextSequence(ctx, cl, g.addr)
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for i := 0; i < n; i++ {
		a := newTestAccount(t, fmt.Sprintf("%s-%d", seedName, i))
		l.accts = append(l.accts, a)
		blob, hash, err := signTx(g.kp, payment(g, seq, a.addr, fundDrops))
		if err != nil {
			t.Fatal(err)
		}
		if err := submitOK(ctx, cl, blob); err != nil {
			t.Fatalf("funding %s: %v", a.addr, err)
		}
		seq++
		last = hash
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := waitValidated(wctx, cl, last); err != nil {
		t.Fatalf("funding: %v\n%s", err, c.logTails(c.all()))
	}
	all := c.all()
	l.live.Store(&all)
	return l
}

func (l *clusterLoad) setLive(idx []int) { l.live.Store(&idx) }

func (l *clusterLoad) start(ctx context.Context) {
	for i := range l.accts {
		l.wg.Add(1)
		go l.worker(ctx, i)
	}
}

func (l *clusterLoad) halt() {
	close(l.stop)
	l.wg.Wait()
}

func (l *clusterLoad) pick(r *rand.Rand) int {
	live := *l.live.Load()
	return live[r.IntN(len(live))]
}

// worker sends payments from account i; its next sequence is refreshed
// from the node whenever a submission is refused or every 20 payments, so
// a transaction lost with a crashed node does not stall it.
func (l *clusterLoad) worker(ctx context.Context, i int) {
	defer l.wg.Done()
	r := rand.New(rand.NewPCG(uint64(i), 42))
	a := l.accts[i]
	var seq uint32
	for n := 0; ; n++ {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			return
		case <-time.After(l.rate):
		}
		nodeIdx := l.pick(r)
		if seq == 0 || n%20 == 0 {
			raw, err := l.c.rpc(ctx, nodeIdx, "account_info", map[string]any{"account": a.addr, "ledger_index": "current"})
			if err != nil {
				continue
			}
			s, err := sequenceOf(raw)
			if err != nil {
				continue
			}
			seq = s
		}
		dest := l.accts[(i+1+r.IntN(len(l.accts)-1))%len(l.accts)]
		blob, hash, err := signTx(a.kp, payment(a, seq, dest.addr, fmt.Sprint(1000+r.IntN(1000))))
		if err != nil {
			l.fail("sign: %v", err)
			return
		}
		raw, err := l.c.rpc(ctx, nodeIdx, "submit", map[string]any{"tx_blob": blob})
		if err != nil {
			seq = 0
			continue
		}
		res := resultOf(raw)
		switch res {
		case "tesSUCCESS", "terQUEUED":
			l.mu.Lock()
			l.sent[hash] = i
			l.mu.Unlock()
			seq++
		default:
			seq = 0 // refetch
		}
	}
}

func (l *clusterLoad) fail(format string, args ...any) {
	l.mu.Lock()
	l.errs = append(l.errs, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func resultOf(raw []byte) string {
	var w struct {
		EngineResult string `json:"engine_result"`
	}
	decodeInto(raw, &w)
	return w.EngineResult
}

func sequenceOf(raw []byte) (uint32, error) {
	var w struct {
		AccountData struct {
			Sequence uint32 `json:"Sequence"`
		} `json:"account_data"`
	}
	if err := decodeInto(raw, &w); err != nil {
		return 0, err
	}
	if w.AccountData.Sequence == 0 {
		return 0, errors.New("no sequence")
	}
	return w.AccountData.Sequence, nil
}

// verify checks I3–I5 once the load has stopped and the nodes in idx agree:
// every accepted transaction that validated anywhere is in the same ledger
// on every node and applied once; each account's sequence is one past its
// validated transactions; the balances of the closed set of accounts add up
// to total_coins. It returns how many transactions validated.
func (l *clusterLoad) verify(ctx context.Context, t *testing.T, idx []int) int {
	t.Helper()
	if len(l.errs) > 0 {
		t.Fatalf("load errors: %v", l.errs)
	}
	// Let the last submissions validate everywhere.
	time.Sleep(3 * time.Second)
	top := l.c.heights(ctx, idx)[0]
	l.c.waitHeights(ctx, idx, top+1, 30*time.Second)
	clients := make([]*client.Client, len(idx))
	for k, i := range idx {
		cl, err := client.Dial(ctx, l.c.nodes[i].url(), &client.Options{RequestTimeout: 15 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		clients[k] = cl
	}
	validated := 0
	for hash := range l.sent {
		var where uint32
		for k, cl := range clients {
			r, err := cl.Tx(ctx, hash)
			switch {
			case errors.Is(err, client.ErrNotFound) || (err == nil && !r.Validated):
				if where != 0 {
					t.Fatalf("I3 violated: tx %s is in ledger %d on node %d but not on node %d", hash, where, idx[0], idx[k])
				}
				continue
			case err != nil:
				t.Fatalf("tx %s on node %d: %v", hash, idx[k], err)
			}
			if k == 0 {
				where = r.LedgerIndex
				validated++
			} else if r.LedgerIndex != where {
				t.Fatalf("I3 violated: tx %s in ledger %d on node %d, %d on node %d", hash, where, idx[0], r.LedgerIndex, idx[k])
			}
		}
	}
	// I5 and I4 at one validated ledger of node idx[0].
	hdr, err := getLedger(ctx, clients[0], "validated", false)
	if err != nil {
		t.Fatal(err)
	}
	g := genesisTestAccount(t)
	var sum int64
	for _, a := range append([]testAccount{g}, l.accts...) {
		var ai client.AccountInfo
		for k, cl := range clients {
			info, err := cl.AccountInfo(ctx, a.addr, fmt.Sprint(hdr.Index))
			if err != nil {
				t.Fatalf("account_info %s at %d on node %d: %v", a.addr, hdr.Index, idx[k], err)
			}
			if k == 0 {
				ai = info
			} else if info.Balance != ai.Balance || info.Sequence != ai.Sequence {
				t.Fatalf("I6 violated: %s at ledger %d differs between nodes %d and %d", a.addr, hdr.Index, idx[0], idx[k])
			}
		}
		sum += ai.Balance
	}
	for _, a := range l.accts {
		info, err := clients[0].AccountInfo(ctx, a.addr, fmt.Sprint(hdr.Index))
		if err != nil {
			t.Fatal(err)
		}
		seqs, err := l.validatedSequences(ctx, a.addr, hdr.Index)
		if err != nil {
			t.Fatal(err)
		}
		// Exactly 1, 2, ..., Sequence−1: no gap, no duplicate.
		if len(seqs) != int(info.Sequence)-1 {
			t.Fatalf("I5 violated: %s has sequence %d after %d validated transactions", a.addr, info.Sequence, len(seqs))
		}
		for k, s := range seqs {
			if s != uint32(k+1) {
				t.Fatalf("I5 violated: %s's validated sequences are %v", a.addr, seqs)
			}
		}
	}
	if uint64(sum) != hdr.TotalCoins {
		t.Fatalf("I4 violated: balances add up to %d drops at ledger %d, total_coins is %d", sum, hdr.Index, hdr.TotalCoins)
	}
	return validated
}

// validatedSequences lists, in order, the Sequence of every transaction
// the account sent in ledgers up to maxLedger (node 0's account_tx).
func (l *clusterLoad) validatedSequences(ctx context.Context, addr string, maxLedger uint32) ([]uint32, error) {
	var out []uint32
	var marker any
	for page := 0; page < 100; page++ {
		params := map[string]any{"account": addr, "ledger_index_min": -1, "ledger_index_max": maxLedger, "forward": true, "limit": 400}
		if marker != nil {
			params["marker"] = marker
		}
		raw, err := l.c.rpc(ctx, 0, "account_tx", params)
		if err != nil {
			return nil, err
		}
		var w struct {
			Transactions []struct {
				Tx struct {
					Account  string `json:"Account"`
					Sequence uint32 `json:"Sequence"`
				} `json:"tx"`
			} `json:"transactions"`
			Marker any `json:"marker"`
		}
		if err := decodeInto(raw, &w); err != nil {
			return nil, err
		}
		for _, t := range w.Transactions {
			if t.Tx.Account == addr {
				out = append(out, t.Tx.Sequence)
			}
		}
		if w.Marker == nil {
			return out, nil
		}
		marker = w.Marker
	}
	return nil, errors.New("account_tx: too many pages")
}

func decodeInto(raw []byte, v any) error { return json.Unmarshal(raw, v) }
