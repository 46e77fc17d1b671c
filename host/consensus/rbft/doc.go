// Package rbft is the RBFT consensus engine: Tendermint's algorithm
// (Buchman, Kwon, Milošević, "The latest gossip on BFT consensus", 2018)
// with the rules R0–R12 of spec/rbft.md §5 (see "Counting and R12" for how
// R12's counting is read), and a proposer order
// drawn from a per-height seed (§2). It is registered as "rbft".
//
// # A pure state machine
//
// Engine.Step takes one consensus.Input and returns the consensus.Outputs
// the driver must carry out, in order. The engine does no I/O, reads no
// clock (time comes only from the Now of StartHeight, Tick and
// TxsAvailable), starts no goroutines, uses no randomness and never lets map
// order reach its outputs: the same inputs give the same outputs, byte for
// byte. The code is split as spec §7 and Malachite suggest:
//
//   - round.go: the round state machine, one method per rule R0–R11;
//   - votekeeper.go: per-round tallies, thresholds and equivocation (R12);
//   - engine.go, gossip.go: the height driver, which multiplexes the two,
//     asks for blocks and validation, signs through the CheckHRS guard,
//     buffers the next height and rebroadcasts.
//
// # Invariants
//
//   - A correct engine never signs two different messages for one
//     (height, round, step), across restarts: every signature is preceded
//     by a PersistSafety record naming it, and a restarted engine refuses
//     anything that is not after its last signature (or is that signature
//     again, byte for byte).
//   - A lock changes only in R4, to a value with a polka in a later round.
//     A nil polka or nil precommits never unlock (the inverse of CometBFT's
//     TestStateLockPOLUnlock). Locks reset only at a new height.
//   - Commit is emitted at most once per height and always carries at least
//     Q precommits for exactly the committed block.
//   - Memory is bounded by the validator count: messages are stored only
//     for heights h and h+1 and rounds up to round+n, one vote per
//     (validator, round, type), one proposal per round.
//
// # The driver contract
//
// Validators and seeds. StartHeight gives the validator set of the height
// (1 to 31 validators, equal power, distinct addresses; the engine sorts
// them by address and ignores a StartHeight with an unusable set) and its
// seed. With n validators, f = ⌊(n−1)/3⌋, Q = n−f and W = f+1. The driver
// computes seeds with GenesisSeed (seed_1 from the genesis ledger hash) and
// NextSeed (seed_{h+1} from seed_h and beta_h, the VRF output of the proof in
// the block decided at h; FallbackBeta is the phase-1 substitute). The
// proposer of round r is Proposer(validators, seed, r) = perm[r mod n], with
// perm the Fisher–Yates shuffle of Permutation (exact, by rejection
// sampling). Params.Self is the node's address; a node that is not in the
// set follows the height and commits, but signs nothing.
//
// Blocks are opaque: consensus.Block{Height, ID, ParentID, Payload}, where ID
// must be BlockID(Payload) and Payload at most MaxPayloadSize bytes; the
// payload must commit to its parent (the driver's header does). Only the
// proposer asks for a block (BuildBlock{h, r}); the driver answers with
// BlockBuilt carrying a block of height h on StartHeight's ParentID, and the
// engine takes a block it built as valid. Every other proposed block is
// checked with Validate{Block}; the driver executes it and answers
// Validated{BlockID, OK}, asynchronously if it likes. Results are cached by
// block id for the height, so Validated must be a deterministic function of
// the block and its parent.
//
// Messages. The engine emits SignAndBroadcast{Payload} for its own
// proposals and votes. The driver signs SignBytes(ChainID, Payload) with
// the node key, broadcasts {payload, signer, signature} and delivers the
// signed message back to Step as a consensus.Message (the engine counts its
// own votes only then, and needs their signatures for certificates). The
// driver checks the signature of every incoming message against its
// sender's key over SignBytes before Step; the engine still drops, without
// error, anything that does not decode (DecodeMessage is strict), comes
// from a non-validator, is for another height or a round too far ahead, or
// has an empty signature or one longer than MaxSignatureSize. Step retains
// the Payload and Signature slices it is given; the driver must not reuse
// them.
//
// Safety. PersistSafety{Record} must be durably written (fsync; see
// consensus.SafetyFile) before anything emitted after it is sent. The
// engine emits one before every SignAndBroadcast and whenever its lock or
// valid value changes. On restart the driver passes the last record in
// Params.Safety; New refuses a record it cannot read. When StartHeight
// reaches the height of the record, the engine resumes the round and step
// of its last signature, restores its lock and valid value, and emits that
// last signed payload again (identical bytes, so not an equivocation: the
// crash may have come between PersistSafety and the send). The driver's own
// startup guard (spec §8: refuse to sign when a recent commit carries this
// node's signature that the record does not explain) is the driver's.
//
// Timers. ScheduleTimeout{Kind, Height, Round, Delay} asks for a Timeout
// input with the same Kind, Height and Round after Delay. After StartHeight
// the engine schedules TimeoutCommit (timeout_commit) and starts round 0
// when it fires, or earlier when W validators are already in a round of the
// height. The driver must feed Tick often (every 100–500 ms): rebroadcast
// and catch-up run on the time of the inputs.
//
// Decisions. Commit{Block, Certificate} comes exactly once per height. The
// driver stores the block with the certificate in one synced write and then
// sends StartHeight for h+1. The certificate (Certificate, DecodeCertificate,
// VerifyCertificate) holds at least Q precommits, sorted by signer; it is
// what the driver serves to peers that catch up and what the next block
// carries as last_commit.
//
// Gossip (spec §9). While in (h, r) the engine emits, every
// timeoutPropose(r)+timeoutPrevote(r)+timeoutPrecommit(r), Rebroadcast with
// its own latest proposal, prevote and precommit, the round certificate it
// holds, and the polka of its valid value; the driver sends those signed
// messages again as they are. When a validator sends a message for a height
// beyond h+1, or W validators send messages for h+1, and the decision of h
// does not arrive within timeoutPrecommit(0), the engine emits
// RequestCatchUp{Height: h} (at most once per round period). The driver then
// fetches the decided blocks from h on with their certificates, checks each
// with VerifyCertificate against that height's validators, stores them and
// sends StartHeight for the height after the last one. The engine accepts
// any StartHeight above its current height; it ignores one at or below it.
//
// Evidence (R12). When a validator signs two different votes for one
// (height, round, type), or a proposer two different proposals for one
// (height, round), the engine emits Evidence once with a DuplicateVote or
// ConflictingProposal (canonical: the two messages in byte order). The
// driver checks it with VerifyEvidence and puts it in a block.
//
// Options (Params.Options, Go durations): timeout_propose (3s),
// timeout_prevote (1s), timeout_precommit (1s), timeout_delta (500ms),
// timeout_commit (1s); timeoutX(r) = X + r·delta. Unknown keys are errors.
// Params.ChainID must be set; CloseInterval, IdleInterval and LedgerTarget
// are not used: RBFT closes one ledger per decision, paced by
// timeout_commit, empty or not.
//
// Status. Engine.Status returns what the operator's consensus_info shows:
// height, round, step, locked and valid round and block id, the proposer
// of the current round, how many validators' prevotes and precommits of the
// current round were counted, the validator count, and whether the height
// is decided. It is O(1) and allocates nothing, but, like Step, it may be
// called only from the driver goroutine that owns the engine: the driver
// takes the snapshot there and hands copies to RPC.
//
// # Counting and R12
//
// The vote keeper counts distinct validators per value, as Algorithm 1
// counts signed messages from distinct senders. R12's "keep the first,
// never count both" is implemented as: a validator's first vote of a
// (round, type) is the one that counts for "any" (R3, R6) and for R8, and
// no tally ever counts a validator twice; an equivocator's second vote is
// reported once as DuplicateVote evidence and counts only for its own value
// (if that is nil or a proposed block). Counting only first votes would let
// one equivocator that prevoted X to some nodes and nil to others hide X's
// polka from the latter for ever, so that they could never accept X's
// re-proposal through R2 while f+1 correct nodes stay locked on X (a
// livelock the simulator found). Safety is unaffected: two polkas for
// different values in one round still need a correct validator in both
// (Lemma A of spec §10).
//
// # Rules and their tests
//
// Every rule of spec/rbft.md §5 has an assertion test in rules_test.go and
// a trace in testdata/*.txt (run by TestScripts in script_test.go):
//
//	R0  StartRound             TestR0StartRound; r0_start_round.txt
//	R1  fresh proposal         TestR1PrevoteOnFreshProposal; r1_r2_proposal.txt
//	R2  proposal with polka    TestR2PrevoteOnProposalWithPolka; r1_r2_proposal.txt
//	R3  Q prevotes (any)       TestR3PrevoteTimerOnQuorumOfAnyPrevotes; timers.txt
//	R4  polka: lock            TestR4LockOnPolka; locks.txt
//	R5  nil polka              TestR5NilPolkaPrecommitsNilAndKeepsLock; locks.txt
//	R6  Q precommits (any)     TestR6PrecommitTimerOnQuorumOfAnyPrecommits; timers.txt
//	R7  decide                 TestR7DecideOnQuorumOfPrecommitsInAnyRound; decide.txt
//	R8  round skip on W        TestR8RoundSkipOnWeakQuorum; round_skip.txt
//	R9  TimeoutPropose         TestR9R10R11Timeouts; timers.txt
//	R10 TimeoutPrevote         TestR9R10R11Timeouts; timers.txt
//	R11 TimeoutPrecommit       TestR9R10R11Timeouts; timers.txt
//	R12 equivocation evidence  TestR12EquivocationEvidence; evidence.txt
//
// The lock rules: lock in R4 (TestR4LockOnPolka); relock only on a later
// polka (TestLockRelocksOnlyOnLaterPolka); R2 is the only way to prevote
// against a lock (TestLockOnlyR2PrevotesAgainstLock,
// TestR2PrevoteOnProposalWithPolka); no unlock on a nil polka or nil
// precommits, the inverse of CometBFT's TestStateLockPOLUnlock
// (TestLockSurvivesNilPolkaAndNilPrecommits); locks reset only at a new
// height (TestLockResetsOnlyAtNewHeight). Crash safety (spec §8):
// TestRestartAtEveryRecordNeverSignsConflictingVotes and restore.txt.
// Buffers and catch-up (spec §7): buffer.txt, TestFloodIsBounded,
// TestMessagesBeyondNextHeightAreDroppedAndRequestCatchUp,
// TestWeakQuorumAtNextHeightRequestsCatchUp,
// TestDecisionWithoutBlockRequestsCatchUp. The T1 simulator (sim_test.go,
// TestSimulator and its mutation test TestSimulatorControl) checks I1, I2,
// I7 and I8 under every fault of spec §2.8; FuzzDecodeMessage and FuzzStep
// feed it garbage; TestPurity enforces the purity rules above.
//
// # Who may import it
//
// host/node (the driver) and tests. host/ledger may import it for
// VerifyCertificate and VerifyEvidence. rbft imports only the standard
// library, host/consensus, host/codec and host/crypto.
package rbft
