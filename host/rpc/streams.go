package rpc

import (
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/codec/sf"
	"github.com/jtchain/jtchain/host/codec/ter"
	"github.com/jtchain/jtchain/host/ledger"
)

// Streams (NetworkOPs.cpp pubLedger / pubValidatedTransaction /
// pubAccountTransaction / pubServer): the node calls Publish after each
// validated ledger; a publisher goroutine turns it into messages and queues
// them on each subscriber without ever waiting.

// streamSet is the named streams a session subscribed to.
type streamSet uint8

const (
	streamLedger streamSet = 1 << iota
	streamServer
	streamTransactions
)

// registry is who subscribed to what.
type registry struct {
	mu       sync.RWMutex
	ledger   map[*session]struct{}
	server   map[*session]struct{}
	txs      map[*session]struct{}
	accounts map[codec.AccountID]map[*session]struct{}
}

func newRegistry() *registry {
	return &registry{
		ledger:   make(map[*session]struct{}),
		server:   make(map[*session]struct{}),
		txs:      make(map[*session]struct{}),
		accounts: make(map[codec.AccountID]map[*session]struct{}),
	}
}

func (g *registry) set(st streamSet) map[*session]struct{} {
	switch st {
	case streamLedger:
		return g.ledger
	case streamServer:
		return g.server
	}
	return g.txs
}

// subscribe adds streams and accounts; it refuses the whole request if the
// session would follow more than max accounts.
func (g *registry) subscribe(sess *session, streams streamSet, accts []codec.AccountID, max int) *rpcError {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := len(sess.accounts)
	for _, a := range accts {
		if _, ok := sess.accounts[a]; !ok {
			n++
		}
	}
	if n > max {
		return errorf(rpcINVALID_PARAMS, "Too many accounts: a connection may follow at most %d; unsubscribe from some first.", max)
	}
	for _, st := range []streamSet{streamLedger, streamServer, streamTransactions} {
		if streams&st != 0 {
			g.set(st)[sess] = struct{}{}
		}
	}
	sess.streams |= streams
	if len(accts) > 0 && sess.accounts == nil {
		sess.accounts = make(map[codec.AccountID]struct{})
	}
	for _, a := range accts {
		sess.accounts[a] = struct{}{}
		subs := g.accounts[a]
		if subs == nil {
			subs = make(map[*session]struct{})
			g.accounts[a] = subs
		}
		subs[sess] = struct{}{}
	}
	return nil
}

func (g *registry) unsubscribe(sess *session, streams streamSet, accts []codec.AccountID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.unsubscribeLocked(sess, streams, accts)
}

func (g *registry) unsubscribeLocked(sess *session, streams streamSet, accts []codec.AccountID) {
	for _, st := range []streamSet{streamLedger, streamServer, streamTransactions} {
		if streams&st != 0 {
			delete(g.set(st), sess)
		}
	}
	sess.streams &^= streams
	for _, a := range accts {
		delete(sess.accounts, a)
		if subs := g.accounts[a]; subs != nil {
			delete(subs, sess)
			if len(subs) == 0 {
				delete(g.accounts, a)
			}
		}
	}
}

// remove forgets a session that has gone.
func (g *registry) remove(sess *session) {
	g.mu.Lock()
	defer g.mu.Unlock()
	accts := make([]codec.AccountID, 0, len(sess.accounts))
	for a := range sess.accounts {
		accts = append(accts, a)
	}
	g.unsubscribeLocked(sess, streamLedger|streamServer|streamTransactions, accts)
}

func (g *registry) snapshot(st streamSet) []*session {
	g.mu.RLock()
	defer g.mu.RUnlock()
	m := g.set(st)
	out := make([]*session, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	return out
}

func (g *registry) empty() bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.ledger) == 0 && len(g.server) == 0 && len(g.txs) == 0 && len(g.accounts) == 0
}

// pubEvent is one Publish or PublishServerStatus call.
type pubEvent struct {
	ledger *ledger.Ledger
	txs    []ledger.TxWithMeta
	server bool
}

// publishQueue bounds the events waiting for the publisher. A node that
// outruns it by this many ledgers loses stream messages (counted and
// logged), never time.
const publishQueue = 256

// Publish sends a validated ledger to the streams: a ledgerClosed message to
// "ledger" subscribers, then one "transaction" message per transaction (in
// txs order, the ledger's application order) to "transactions" subscribers
// and to subscribers of any account it affected. Call it once per validated
// ledger, in ledger order, with the ledger's transactions and metadata
// (ledger.Ledger.Transactions). It returns at once: the messages are built
// and queued by the server's publisher goroutine. txs must not be modified
// afterwards.
func (s *Server) Publish(l *ledger.Ledger, txs []ledger.TxWithMeta) {
	if l == nil || !s.running.Load() || s.subs.empty() {
		return
	}
	s.enqueue(pubEvent{ledger: l, txs: txs})
}

// PublishServerStatus sends a serverStatus message (server_status,
// load_base, load_factor) to "server" subscribers; call it when the load
// factor or the server state changes.
func (s *Server) PublishServerStatus() {
	if !s.running.Load() || s.subs.empty() {
		return
	}
	s.enqueue(pubEvent{server: true})
}

func (s *Server) enqueue(ev pubEvent) {
	select {
	case s.events <- ev:
	default:
		if n := s.dropped.Add(1); n == 1 || n%100 == 0 {
			s.log.Warn("stream publisher is behind; subscribers miss messages", "dropped_events", n)
		}
	}
}

func (s *Server) publisher() {
	for {
		select {
		case ev := <-s.events:
			s.publishEvent(ev)
		case <-s.pubStop:
			return
		}
	}
}

func (s *Server) publishEvent(ev pubEvent) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic while publishing", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if ev.server {
		subs := s.subs.snapshot(streamServer)
		if len(subs) == 0 {
			return
		}
		st, fs := s.backend.Status(), s.backend.Fees()
		msg := marshal(map[string]any{
			"type":          "serverStatus",
			"server_status": serverStatus(st),
			"load_base":     loadBase(fs),
			"load_factor":   loadFactor(fs),
		})
		s.pushAll(subs, msg)
		return
	}
	s.publishLedger(ev.ledger, ev.txs)
}

// publishBudget is how long one ledger's stream messages may wait for
// subscribers to make room in their send queues; a subscriber still full
// after it is too slow and is dropped. It bounds how far publishing can fall
// behind because of one slow client.
const publishBudget = 2 * time.Second

func (s *Server) publishLedger(l *ledger.Ledger, txs []ledger.TxWithMeta) {
	hdr, hash := l.Header(), l.Hash()
	deadline := time.Now().Add(publishBudget)
	if subs := s.subs.snapshot(streamLedger); len(subs) > 0 {
		fees := l.Fees()
		msg := marshal(map[string]any{
			"type":              "ledgerClosed",
			"ledger_index":      hdr.Seq,
			"ledger_hash":       hexUpper(hash[:]),
			"ledger_time":       hdr.CloseTime,
			"fee_ref":           fees.Units,
			"fee_base":          fees.Base,
			"reserve_base":      fees.Reserve,
			"reserve_inc":       fees.Increment,
			"txn_count":         len(txs),
			"validated_ledgers": completeLedgers(s.backend),
		})
		s.pushAll(subs, msg)
	}
	txSubs := s.subs.snapshot(streamTransactions)
	for _, t := range txs {
		if t.Tx == nil || t.Meta == nil {
			continue
		}
		targets := make(map[*session]struct{}, len(txSubs))
		for _, sess := range txSubs {
			targets[sess] = struct{}{}
		}
		s.subs.mu.RLock()
		if len(s.subs.accounts) > 0 {
			for _, a := range affectedAccounts(t) {
				for sess := range s.subs.accounts[a] {
					targets[sess] = struct{}{}
				}
			}
		}
		s.subs.mu.RUnlock()
		if len(targets) == 0 {
			continue
		}
		msg := transactionMessageJSON(t, hdr.Seq, hash, hdr.CloseTime)
		for sess := range targets {
			if !sess.pushBy(msg, deadline) {
				s.log.Info("disconnecting a subscriber that does not keep up", "remote", sess.ip, "send_queue", s.cfg.SendQueue)
			}
		}
	}
}

func (s *Server) pushAll(subs []*session, msg []byte) {
	for _, sess := range subs {
		s.push(sess, msg)
	}
}

func (s *Server) push(sess *session, msg []byte) {
	if !sess.push(msg) {
		s.log.Info("disconnecting a subscriber that does not keep up", "remote", sess.ip, "send_queue", s.cfg.SendQueue)
	}
}

// transactionMessage is transJson + meta for a validated transaction
// (NetworkOPs.cpp): transaction.hash is what jingtum-lib deduplicates on.
func transactionMessage(t ledger.TxWithMeta, seq uint32, ledgerHash codec.Hash256, closeTime uint32) map[string]any {
	res := t.Result()
	return map[string]any{
		"type":                  "transaction",
		"transaction":           rawTxJSON(t.Tx, uintMember("date", closeTime)),
		"meta":                  metaJSON(t),
		"engine_result":         res.Token(),
		"engine_result_code":    int(res),
		"engine_result_message": res.Message(),
		"ledger_hash":           hexUpper(ledgerHash[:]),
		"ledger_index":          seq,
		"status":                "closed",
		"validated":             true,
	}
}

// transactionMessageJSON is transactionMessage written directly: the node
// streams one per validated transaction, and building the map only for
// encoding/json to sort it and re-scan the raw parts cost a tenth of the
// node's CPU at full load. TestTransactionMessageJSONMatchesTheMapForm
// keeps the two identical.
func transactionMessageJSON(t ledger.TxWithMeta, seq uint32, ledgerHash codec.Hash256, closeTime uint32) []byte {
	res := t.Result()
	b := make([]byte, 0, 2048)
	b = append(b, `{"engine_result":`...)
	b = strconv.AppendQuote(b, res.Token())
	b = append(b, `,"engine_result_code":`...)
	b = strconv.AppendInt(b, int64(res), 10)
	b = append(b, `,"engine_result_message":`...)
	b = strconv.AppendQuote(b, res.Message())
	b = append(b, `,"ledger_hash":"`...)
	b = append(b, hexUpper(ledgerHash[:])...)
	b = append(b, `","ledger_index":`...)
	b = strconv.AppendUint(b, uint64(seq), 10)
	b = append(b, `,"meta":`...)
	b = append(b, metaJSON(t)...)
	b = append(b, `,"status":"closed","transaction":`...)
	b = append(b, rawTxJSON(t.Tx, uintMember("date", closeTime))...)
	return append(b, `,"type":"transaction","validated":true}`...)
}

// affectedAccounts are the accounts a transaction touched: its own account
// fields, and in its metadata every account field and the issuers of limits
// and offer amounts (rippled's TransactionMetaSet::getAffectedAccounts).
func affectedAccounts(t ledger.TxWithMeta) []codec.AccountID {
	seen := make(map[codec.AccountID]struct{})
	var out []codec.AccountID
	add := func(a codec.AccountID) {
		if a.IsZero() {
			return
		}
		if _, ok := seen[a]; !ok {
			seen[a] = struct{}{}
			out = append(out, a)
		}
	}
	scan := func(o *codec.STObject) {
		if o == nil {
			return
		}
		o.Each(func(f *sf.Field, v any) bool {
			switch x := v.(type) {
			case codec.AccountID:
				add(x)
			case codec.Amount:
				if f == sf.LowLimit || f == sf.HighLimit || f == sf.TakerPays || f == sf.TakerGets || f == sf.LimitAmount {
					add(x.Issuer())
				}
			}
			return true
		})
	}
	scan(t.Tx.Object())
	for _, it := range t.Meta.Array(sf.AffectedNodes) {
		node := it.Object
		for _, f := range []*sf.Field{sf.NewFields, sf.FinalFields, sf.PreviousFields} {
			scan(node.Object(f))
		}
	}
	return out
}

// onlineStates are the server_status values jingtum-lib treats as
// connected; anything else silently stops its request queue
// (spec/jingtum-wire.md §7.4), so nothing else is ever reported.
var onlineStates = map[string]bool{
	"syncing": true, "tracking": true, "proposing": true,
	"validating": true, "full": true, "connected": true,
}

func serverStatus(st Status) string {
	if onlineStates[st.ServerState] {
		return st.ServerState
	}
	return "full"
}

func loadBase(fs FeeStatus) uint32 {
	if fs.LoadBase == 0 {
		return 256
	}
	return fs.LoadBase
}

func loadFactor(fs FeeStatus) uint32 {
	if fs.LoadFactor < loadBase(fs) {
		return loadBase(fs)
	}
	return fs.LoadFactor
}

// engineResult is the submit/stream trio for a result code.
func engineResult(c ter.Code) map[string]any {
	return map[string]any{
		"engine_result":         c.Token(),
		"engine_result_code":    int(c),
		"engine_result_message": c.Message(),
	}
}
