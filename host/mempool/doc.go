// Package mempool is the node's open ledger and transaction queue, in the
// manner of rippled's OpenLedger and TxQ (FeeEscalation.md): where
// submitted transactions wait, and what the next ledger is made of.
//
// The pool owns a speculative open ledger built on the last closed ledger.
// A transaction that passes admission and is its account's next sequence is
// applied to it at once, so the client gets a real engine result. Closing
// (CloseOpen) turns exactly that open ledger into the next ledger and opens a
// new one on it straight away, so submissions go on while consensus decides.
// When a ledger is validated (Accept) the pool keeps its open ledger if the
// ledger is one it closed, and otherwise rebuilds it on the validated ledger
// and re-applies what that ledger lacks.
//
// Transactions that cannot apply yet are queued per account, by sequence:
// those waiting for an earlier sequence (terPRE_SEQ), those that got a ter
// result (for example terINSUF_FEE_B), and those held because the open
// ledger is full. A queued transaction applies as soon as it can: when the
// gap before it closes, and whenever a ledger opens, the best fee level
// first. What can never apply is dropped (sequence spent, LastLedgerSequence
// passed), and so is what failed or waited for Config.Retries ledgers.
//
// Fees escalate as in rippled. A transaction's fee level is its fee over its
// minimum fee (ledger.MinimumFee) times BaseLevel (256). Up to
// Config.LedgerTarget transactions in the open ledger any level from 256
// enters; past it the level needed is median*n²/target², where n is the
// open ledger's size and median the median level of the last validated
// ledger (at least 256). All fee arithmetic is integer, 128-bit where it
// multiplies, and saturating.
//
// Limits: Config.MaxTxsPerLedger bounds the open ledger; Config.MaxTxs and
// Config.MaxPerAccount bound the queue. A full queue takes a transaction only
// by evicting the cheapest last-in-line transaction of another account (never
// one in the middle of an account's sequence run). Replacing a queued
// transaction (same account and sequence) needs a fee level 25% higher.
//
// Invariants, checked by the tests after every operation of a randomized
// run: the open ledger holds exactly the transactions whose result says
// Applied; no transaction is applied twice or held twice; every queued
// transaction is unapplied, in sequence order, and at most SequenceWindow
// ahead of its account; no count exceeds its limit. Every result depends
// only on the sequence of calls: ties are broken by fee level and then by
// arrival, never by map order.
//
// Concurrency: one mutex guards everything. Submit verifies signatures and
// runs ledger.Preflight before taking it, so RPC goroutines verify in
// parallel; everything else (applying to the open ledger, closing, the
// rebuild on a foreign ledger) runs under it. Closing a ledger of 10,000
// payments holds the lock for tens of milliseconds; see BenchmarkCloseAndAccept.
//
// The node (host/node) owns the pool: RPC and peer goroutines call Submit,
// Fees and Current; the consensus driver calls TxsAvailable, CloseOpen and
// Accept. mempool imports host/ledger, host/codec and host/crypto only.
package mempool
