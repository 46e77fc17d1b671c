// Command raft is a crash-fault-tolerant consensus engine plugin for private
// and federated chains, built on go.etcd.io/raft/v3: the validators form
// one raft group, the leader proposes each ledger as a log entry, and a
// ledger is decided when its entry is committed. main is one call,
// consensus.Serve(&engine{}); like every plugin it imports only sdk/...,
// the standard library, hclog and the raft library, never host.
//
// # Trust model
//
// Raft tolerates crashes, not lies: with n validators the chain stays
// safe whatever crashes and restarts, and makes progress while a majority
// (n/2+1) runs and can talk. A validator that sends forged raft messages
// can break agreement. The node verifies the signature of every message,
// so the engine knows which validator sent it and refuses a raft message
// whose sender is not that validator, or whose content no honest member
// sends; beyond that it trusts the validators, as a private chain trusts
// its operators. Raft signs nothing, so a Commit's certificate proves
// nothing to a third party: it is the raft term and index of the entry
// (version byte, term, index; 17 bytes) and only locates the decision.
//
// # The group
//
// The validators of the first StartHeight after Configure (or after a
// Restore without a record) are the raft group, in the node's order: raft
// id 1 + index. The membership goes into the safety record and is kept
// from then on; a StartHeight with a different validator set is logged
// and otherwise ignored, because membership changes are not supported in
// this version. A node whose Self is not in the group observes: it builds
// no raft node, emits nothing, and follows the chain through the node's
// own catch-up. Every member starts its log with the same bootstrap
// snapshot (index 1, term 1, every member a voter), whose data is the
// member's own ledger.
//
// The group must form with every validator at the same ledger: a chain
// created for raft starts everyone at genesis, and a chain switching to
// raft must stop every validator at one height first. A validator whose
// ledger is ahead when the group forms could see the first leader decide
// different ledgers at heights it already has; the engine cannot detect
// that. Once the group runs, every ledger any node holds comes from the
// log, and nodes may join late, fall behind and restart at will.
//
// # Inputs
//
// StartHeight{Height h, ParentID}: the node holds ledger h-1 (ParentID)
// and works on h. It arrives at start, after each Commit the node applied,
// and after the node caught up from peers; a height at or below the one in
// progress is ignored.
//
// Tick, TxsAvailable and StartHeight carry Now: the engine turns the time
// passed into raft ticks (option "tick", default 100ms; at most
// 2×election_ticks+1 per input after a pause) and uses Now in solo's close
// rule. Time reaches nothing else: no block, hash or record. The engine
// reads no clock and no global random source; raft itself draws each
// election timeout from [election_ticks, 2×election_ticks) with its own
// random source (crypto/rand), which decides only who campaigns when,
// never what is decided. A lone validator elects itself at once, so a
// single-validator chain behaves deterministically. PreVote and
// CheckQuorum are on: a node cut off does not disturb the group when it
// returns, and a leader that loses the majority steps down.
//
// Message: a raft message (payload: version byte 1 and raftpb.Message in
// raft's protobuf encoding, at most 16 MiB). The node gossips each message
// to every validator and loops the engine's own back; the engine steps
// only those addressed to itself, from the validator that signed them,
// and drops (logging the first of each hundred) what no honest member
// sends: no term, a term or log index above 2^62 (raft would overflow
// adding one to it), an unknown or local type, leader-transfer or read-index
// contexts, entries that do not follow each other or are not blocks,
// heartbeats or acknowledgements beyond its log, snapshots of another
// group. Anything that still trips one of raft's internal assertions makes
// Step return an error and the engine refuse further Steps until it is
// configured and restored again, exactly as after a crash.
//
// BlockBuilt answers the engine's BuildBlock for the height in progress;
// one for another height, parent or round, or not asked for, is ignored,
// as are Validated and Timeout (the engine asks for neither).
//
// # Outputs
//
// BuildBlock{Height: h, Round: 0}: only the leader asks, only when the
// node holds h-1, the height is not waiting for a confirmation, and every
// entry in the leader's log is committed and used — so no proposal for h
// is in flight and none a previous leader left is unseen. Then it asks by
// solo's rule: transactions wait and CloseInterval passed since h started,
// or half of LedgerTarget waits, or IdleInterval passed. It proposes the
// built block (entry data: version byte 1, height, id, parent, payload;
// payload at most 4 MiB). An uncommitted proposal needs the same majority
// a new one would, so the leader proposes again only when its proposal
// left the log (raft dropped it, or a new leader overwrote it), which the
// condition above detects without a timer; a leader that regains the lead
// at the same height proposes the block it built before. A BuildBlock the
// node does not answer is asked again after two election timeouts.
//
// SignAndBroadcast{Payload}: one per raft message, for the node to sign and
// gossip. Never ScheduleTimeout, Validate, Evidence or Rebroadcast.
//
// PersistSafety{Record}: see below. It precedes every SignAndBroadcast
// whose state it makes durable (raft's rule: persist the hard state and
// entries before sending), and is emitted only when the durable state
// changed: a new term or vote, new entries, a snapshot, a compaction, the
// group formed.
//
// Commit{Block, Certificate}: committed entries are used in log order by
// one rule, the same on every node because every node has the same log.
// With h the node's height and ParentID its ledger:
//
//   - a block below h is a stale duplicate: skipped;
//   - a block of height h on another parent is stale too: skipped;
//   - the block of height h on ParentID is decided: Commit, and every later
//     committed entry waits (in memory, and in the record as part of the
//     log) until StartHeight(h+1) confirms it;
//   - a block above h means the node's ledger is behind the log:
//     RequestCatchUp{Height: h}, and the entry waits until a StartHeight
//     brings the node up to it.
//
// A Commit is the last output of the input that decided it, after the
// record and the messages: the node may start the next height, and step
// the engine again, while it carries out the Commit.
//
// RequestCatchUp{Height: h}: the node should fetch decided ledgers from
// peers, from h on. Asked when the log is ahead of the node's ledger (a
// block above h, or a compaction point above h-1), at once when h changed
// and otherwise once per election timeout while it stays behind.
//
// # Compaction and snapshots
//
// Once the node has confirmed everything it used from the log (no Commit
// waiting), the engine compacts the log, keeping the entries of the last
// 10 ledgers it confirmed (and at least 4 used entries). It keeps that
// many because the node confirms a ledger before its store has written it
// (the driver queues up to 8 decided ledgers for the disk): after every
// validator crashed at once, the latest ledgers exist only in the raft
// log, and a restarted node commits them again from the entries kept. The
// snapshot's data (version byte 1, ledger height) is the highest block
// the compacted entries hold. A follower that falls behind the compaction
// point gets that snapshot from the leader: it drops its log, asks the
// node to catch up to at least the snapshot's ledger, and uses the entries
// after it once the node is there. Gossip gives no delivery report, so the
// leader treats a snapshot as delivered when sent; if it was lost, the
// next probe finds the follower still behind and raft sends it again.
//
// While the node's ledger is behind (or a Commit waits for the node) the
// committed entries it cannot use yet stay in the log; past 1024 entries
// or 16 MiB the engine folds them into a snapshot of its own, as if the
// leader had sent one, so the record and a Step's answer stay bounded.
//
// # The safety record
//
// The node keeps only the latest record, so each one is complete:
//
//	"JTRF" version(1)
//	members  count(u16), count × 20-byte account id   (raft id = 1 + position)
//	hard     term(u64) vote(u64) commit(u64)
//	snapshot index(u64) term(u64) ledger height(u64)
//	entries  count(u32), count × (term(u64) length(u32) data)   (indexes follow the snapshot's)
//	crc32c of all of the above (u32)
//
// Integers are big endian. A record that is truncated, corrupted or
// inconsistent (a commit index outside the log, terms going back, an entry
// that is not a block) is refused with an error. Configure with
// Params.Safety and Restore both rebuild raft's storage and node from it;
// either may run in a new process after a kill -9 at any instant. The
// committed entries after the compaction point are used again by the rule
// above, which skips what the node's ledger already holds and commits
// again a ledger the node lost (from the entries kept; beyond them the
// node catches up from peers). RestoreRequest.LastCommitted is only
// logged: the StartHeight the node replays says where its ledger is.
// Losing the record (and restarting with none) is not safe: the validator
// may vote twice in one term.
//
// # Options
//
// Params.Options, all optional: "tick" (duration, 10ms to 10s, default
// 100ms), "election_ticks" (2 to 1000, default 10), "heartbeat_ticks" (1
// to 1000 and below election_ticks, default 1). Unknown options and bad
// values are refused, all at once, each naming the option and the fix. The
// plugin takes no operator config. Raft settings that bound resources are
// fixed: 1 MiB of entries per append message, 64 appends in flight per
// follower, 16 MiB of uncommitted entries, 256 validators.
//
// # Limits
//
// No membership changes, leader transfer or read-only queries. A block's
// entry travels in one message, so the node's gossip max_message_size must
// exceed the largest block payload plus about 1 KiB. A leader whose node
// is behind the log proposes nothing until the node caught up (it stays
// leader meanwhile). A single-validator chain whose node loses more than
// the last 10 ledgers it confirmed (its store writing behind consensus)
// cannot get them back: it has no peers. A raft message goes to every
// validator, so a block reaches each of them n-1 times (one append per
// follower, gossiped to all).
//
// Concurrency: the node calls the engine from one goroutine; it has no
// locks and starts no goroutines.
package main
