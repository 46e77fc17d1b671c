package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/plugins/indexer/postgres/pgtest"
	"github.com/jtchain/jtchain/sdk/client"
	sdkindexer "github.com/jtchain/jtchain/sdk/indexer"
)

// postgresIndexerConfig runs the postgres indexer as instance "pg", storing
// into schema on the server at dsn.
func postgresIndexerConfig(dsn, schema string) []string {
	return []string{
		"[plugins]",
		fmt.Sprintf("dir = %q", pluginDir),
		`health_interval = "500ms"`,
		"[[plugins.instance]]",
		`name = "pg"`,
		`kind = "indexer"`,
		`command = "indexer-postgres"`,
		fmt.Sprintf("sha256 = %q", pluginSHA["indexer-postgres"]),
		`call_timeout = "5s"`,
		`restart = { max_attempts = 10, backoff_min = "100ms", backoff_max = "1s" }`,
		"[plugins.instance.config]",
		fmt.Sprintf("dsn = %q", dsn),
		fmt.Sprintf("schema = %q", schema),
	}
}

// pgRecord is a record the test submitted and what the indexer must hold
// for it.
type pgRecord struct {
	id     string // upper-case hex
	tag    string
	data   []byte // what the indexer keeps: nil for a hash alone or data over sdkindexer.MaxRecordDataSize
	signed bool
	outage bool // submitted while PostgreSQL was stopped
	// From blhr_proof once sealed.
	ledger   uint32
	dataHash string
}

// TestPostgresIndexerCatchesUpAfterServerOutage runs a dev chain with the
// postgres indexer plugin while records (tagged, untagged, hash only,
// larger than an indexer is sent, signed) and payments flow, stops the
// PostgreSQL server for several seconds, and checks that ledgers kept
// closing and sealing records meanwhile while the indexer acknowledged
// nothing and answered queries with an error; then restarts the server and
// checks that the indexer catches up and its database holds every record
// exactly once, in the ledger blhr_proof names, and every payment once.
func TestPostgresIndexerCatchesUpAfterServerOutage(t *testing.T) {
	const schema = "jtchain_e2e"
	ctx := ctxFor(t, 80*time.Second)
	began := time.Now()
	// A server of our own, from the repository's .cache/postgres (the test
	// fails without it: run make postgres), stopped and started below.
	pg := pgtest.NewServer(t)
	n := newDevNode(t, postgresIndexerConfig(pg.DSN(), schema)...)
	n.start()
	c := n.dial(ctx)
	gen := genesisTestAccount(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("jtd log:\n%s", tail(n.logs(), 8000))
		}
	})

	indexer := func() pluginEntry {
		t.Helper()
		list, err := n.plugins(ctx)
		if err != nil || len(list) != 1 || list[0].Name != "pg" {
			t.Fatalf("plugins: %+v, %v", list, err)
		}
		return list[0]
	}
	validated := func() uint32 {
		t.Helper()
		l, err := getLedger(ctx, c, "validated", false)
		if err != nil {
			t.Fatal(err)
		}
		return l.Index
	}
	// caughtUp waits until the indexer acknowledged ledger seq.
	caughtUp := func(what string, seq uint32) pluginEntry {
		t.Helper()
		for {
			e := indexer()
			if e.Cursor >= seq && e.State == "ready" {
				return e
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: the indexer did not reach ledger %d: %+v", what, seq, e)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	caughtUp("at start", validated())

	// One submitter on its own connection, owned by this test: a record
	// or a payment every few milliseconds until stopped.
	sub := n.dial(ctx)
	seq, err := nextSequence(ctx, c, gen.addr)
	if err != nil {
		t.Fatal(err)
	}
	var (
		outage   atomic.Bool
		mu       sync.Mutex
		records  []pgRecord
		payments []string
	)
	dests := make([]testAccount, 20)
	for i := range dests {
		dests[i] = newTestAccount(t, fmt.Sprintf("pg-load-%d", i))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if k%2 == 1 {
				blob, hash, err := signTx(gen.kp, payment(gen, seq, dests[k%len(dests)].addr, "1000000000"))
				if err == nil {
					err = submitOK(ctx, sub, blob)
				}
				if err != nil {
					t.Errorf("payment %d: %v", seq, err)
					return
				}
				seq++
				mu.Lock()
				payments = append(payments, hash)
				mu.Unlock()
				continue
			}
			r, params := pgRecordToSubmit(k / 2)
			r.outage = outage.Load()
			raw, err := sub.Request(ctx, "blhr_submit", params)
			if err != nil {
				t.Errorf("blhr_submit %d: %v", k/2, err)
				return
			}
			var ans struct {
				ID     string `json:"record_id"`
				Queued bool   `json:"queued"`
				Signed bool   `json:"signed"`
			}
			if err := json.Unmarshal(raw, &ans); err != nil || !ans.Queued || len(ans.ID) != 64 || ans.Signed != r.signed {
				t.Errorf("blhr_submit %d answered %s (%v)", k/2, raw, err)
				return
			}
			r.id = ans.ID
			mu.Lock()
			records = append(records, r)
			mu.Unlock()
		}
	})
	stopLoad := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}
	defer stopLoad()
	running := func(d time.Duration) {
		t.Helper()
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		if t.Failed() {
			t.FailNow()
		}
	}

	running(3 * time.Second)
	caughtUp("before the outage", validated())

	// The outage: pg_ctl stop -m fast, for several seconds of load.
	outage.Store(true)
	pg.Stop()
	stoppedAt := validated()
	time.Sleep(500 * time.Millisecond) // acknowledgements already on their way
	cursor := indexer().Cursor
	if _, err := c.Request(ctx, "blhr_query", map[string]any{"indexer": "pg", "limit": 5}); err == nil || !strings.Contains(err.Error(), "cannot answer now") {
		t.Errorf("blhr_query with PostgreSQL stopped: %v, want an error saying the indexer cannot answer now", err)
	}
	running(6 * time.Second)
	during := validated()
	e := indexer()
	t.Logf("PostgreSQL stopped at ledger %d for 6.5s: validated %d, indexer cursor %d then %d (%+v)", stoppedAt, during, cursor, e.Cursor, e)
	if during < stoppedAt+10 {
		t.Errorf("ledgers %d to %d validated while PostgreSQL was stopped: the node must keep closing ledgers", stoppedAt, during)
	}
	if e.Cursor != cursor || e.Cursor >= during {
		t.Errorf("the indexer cursor moved from %d to %d (validated %d) with PostgreSQL stopped: nothing can be stored", cursor, e.Cursor, during)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	outage.Store(false)
	running(2 * time.Second)
	stopLoad()
	if t.Failed() {
		t.FailNow()
	}

	// Every payment validated and every record sealed, in the ledger
	// blhr_proof names.
	var top uint32
	for _, h := range payments {
		r, err := waitValidated(ctx, c, h)
		if err != nil {
			t.Fatal(err)
		}
		top = max(top, r.LedgerIndex)
	}
	var sealedInOutage int
	for i := range records {
		r := &records[i]
		p := waitProof(ctx, t, c, r.id)
		r.ledger, r.dataHash = p.LedgerIndex, p.Record.DataHash
		top = max(top, r.ledger)
		if r.outage && r.ledger > cursor && r.ledger <= during {
			sealedInOutage++
		}
	}
	if sealedInOutage == 0 {
		t.Errorf("no record was sealed in ledgers %d to %d, while the indexer was behind", cursor+1, during)
	}
	caughtUp("after the outage", top)
	caughtAt := time.Since(began)

	// The database itself: every record once, where the chain has it.
	conn, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, "SELECT id, ledger_seq, type_tag, account, data_hash, data FROM "+schema+".records WHERE ledger_seq <= $1", top)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seq           int64
		tag           string
		account, data []byte
		dataHash      string
	}
	stored := map[string]row{}
	var nRows int
	for rows.Next() {
		var id, hash []byte
		var r row
		if err := rows.Scan(&id, &r.seq, &r.tag, &r.account, &hash, &r.data); err != nil {
			t.Fatal(err)
		}
		r.dataHash = strings.ToUpper(hex.EncodeToString(hash))
		stored[strings.ToUpper(hex.EncodeToString(id))] = r
		nRows++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if nRows != len(records) || len(stored) != len(records) {
		t.Fatalf("the indexer holds %d record rows (%d ids) in ledgers up to %d, want the %d submitted, each once", nRows, len(stored), top, len(records))
	}
	genesis := gen.kp.AccountID()
	counts := map[string]int{}
	for _, r := range records {
		s, ok := stored[r.id]
		var account []byte
		if r.signed {
			account = genesis[:]
		}
		switch {
		case !ok:
			t.Fatalf("record %s (sealed in ledger %d) is not in the indexer", r.id, r.ledger)
		case s.seq != int64(r.ledger):
			t.Errorf("record %s is in the indexer at ledger %d, blhr_proof says %d", r.id, s.seq, r.ledger)
		case s.tag != r.tag || s.dataHash != r.dataHash || !bytes.Equal(s.data, r.data) || !bytes.Equal(s.account, account):
			t.Errorf("record %s: the indexer holds tag %q, data hash %s, %d bytes of data, account %x; want %q, %s, %d bytes, %x",
				r.id, s.tag, s.dataHash, len(s.data), s.account, r.tag, r.dataHash, len(r.data), account)
		}
		counts[fmt.Sprintf("tag %q", r.tag)]++
		if r.outage {
			counts["during the outage"]++
		}
	}
	var nLedgers, minSeq, maxSeq, recordSum int64
	if err := conn.QueryRow(ctx, "SELECT count(*), min(seq), max(seq), sum(record_count) FROM "+schema+".ledgers WHERE seq <= $1", top).
		Scan(&nLedgers, &minSeq, &maxSeq, &recordSum); err != nil {
		t.Fatal(err)
	}
	if minSeq != 1 || maxSeq != int64(top) || nLedgers != int64(top) || recordSum != int64(nRows) {
		t.Errorf("the indexer holds %d ledgers %d..%d counting %d records; want 1..%d counting %d", nLedgers, minSeq, maxSeq, recordSum, top, nRows)
	}
	for _, h := range payments {
		b, _ := hex.DecodeString(h)
		var k int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+schema+".transactions WHERE hash = $1", b).Scan(&k); err != nil || k != 1 {
			t.Fatalf("payment %s is in the indexer %d times (%v)", h, k, err)
		}
	}

	// Through the node: a tag query finds exactly that tag's records,
	// among untagged ones.
	got := queryAllRecords(ctx, t, c, map[string]any{"indexer": "pg", "type_tag": "e2e-pg", "ledger_index_max": top, "limit": 50})
	if want := counts[`tag "e2e-pg"`]; len(got) != want {
		t.Errorf("blhr_query type_tag e2e-pg: %d records, want %d", len(got), want)
	}
	t.Logf("%d records (%v) and %d payments indexed once each in ledgers 1..%d across a %s outage of PostgreSQL; caught up %v after the start",
		len(records), counts, len(payments), top, "6.5s", caughtAt.Round(100*time.Millisecond))
}

// pgRecordToSubmit is the k-th record the load submits: tagged text,
// untagged text, a tagged hash alone, more data than an indexer is sent,
// and a record the node signs with the genesis secret.
func pgRecordToSubmit(k int) (pgRecord, map[string]any) {
	text := fmt.Sprintf("postgres outage record %d", k)
	switch {
	case k%10 == 9:
		return pgRecord{tag: "e2e-pg:signed", data: []byte(text), signed: true},
			map[string]any{"data": text, "type_tag": "e2e-pg:signed", "secret": crypto.GenesisSecret}
	case k%10 == 7:
		big := bytes.Repeat([]byte(text+"\n"), sdkindexer.MaxRecordDataSize/len(text)+2)
		return pgRecord{tag: ""}, map[string]any{"data_hex": hex.EncodeToString(big)}
	case k%3 == 0:
		return pgRecord{tag: "e2e-pg", data: []byte(text)}, map[string]any{"data": text, "type_tag": "e2e-pg"}
	case k%3 == 1:
		return pgRecord{tag: "", data: []byte(text)}, map[string]any{"data": text}
	default:
		h := crypto.SHA512Half([]byte(text))
		return pgRecord{tag: "e2e-pg/hash"}, map[string]any{"data_hash": hex.EncodeToString(h[:]), "type_tag": "e2e-pg/hash"}
	}
}

// sealedProof is the part of blhr_proof's answer this test reads.
type sealedProof struct {
	LedgerIndex uint32 `json:"ledger_index"`
	Record      struct {
		DataHash string `json:"data_hash"`
	} `json:"record"`
}

// waitProof polls blhr_proof until the record is sealed.
func waitProof(ctx context.Context, t *testing.T, c *client.Client, id string) sealedProof {
	t.Helper()
	for {
		raw, err := c.Request(ctx, "blhr_proof", map[string]any{"record_id": id})
		if err == nil {
			var p sealedProof
			if err := json.Unmarshal(raw, &p); err != nil || p.LedgerIndex == 0 {
				t.Fatalf("blhr_proof of %s: %.300s (%v)", id, raw, err)
			}
			return p
		}
		if !strings.Contains(err.Error(), "blhrPending") || ctx.Err() != nil {
			t.Fatalf("blhr_proof of %s: %v", id, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// queryAllRecords follows blhr_query's markers to the end.
func queryAllRecords(ctx context.Context, t *testing.T, c *client.Client, params map[string]any) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for page := 0; page < 1000; page++ {
		raw, err := c.Request(ctx, "blhr_query", params)
		if err != nil {
			t.Fatalf("blhr_query %v: %v", params, err)
		}
		var ans struct {
			Records []json.RawMessage `json:"records"`
			Marker  string            `json:"marker"`
		}
		if err := json.Unmarshal(raw, &ans); err != nil {
			t.Fatal(err)
		}
		out = append(out, ans.Records...)
		if ans.Marker == "" {
			return out
		}
		params["marker"] = ans.Marker
	}
	t.Fatalf("blhr_query %v: still a marker after 1000 pages", params)
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
