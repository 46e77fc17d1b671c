// Package ledger is the TX layer: ledger entries, transactors, fees,
// reserves, metadata and the ledger header, as pure deterministic code.
//
// Transactions follow rippled's three stages, one transactor type per
// transaction type (payment.go, trustset.go, ...):
//
//	preflight  stateless checks of the transaction alone       -> tem results
//	preclaim   read-only checks against the ledger            -> tef/ter/tec results
//	doApply    the write, in a per-transaction sandbox         -> tes/tec results
//
// A tes result applies everything. A tec result claims the fee and consumes
// the sequence number and nothing else. Any other result changes nothing.
// Every applied transaction gets rippled-style metadata (AffectedNodes,
// TransactionIndex, TransactionResult, DeliveredAmount).
//
// The validator set that consensus uses lives in the ledger too
// (validatorset.go): genesis names the first validators, ValidatorApply and
// ValidatorVote change it by a quorum of the current ones, and
// ValidatorsAt(state of ledger h−1, h) tells consensus who validates h.
//
// Pseudo-transactions (pseudo.go) are what a validator's node itself puts
// into a block: zero Account, Sequence 0, Fee 0, empty SigningPubKey, no
// signature. They apply only through ApplyPseudo / OpenLedger.ApplyPseudo;
// Preflight, Apply and OpenLedger.Apply, the client path, refuse them with
// temINVALID and VerifySignatures with ErrPseudoTx. The one so far is
// Evidence (602, evidence.go): NewEvidenceTx commits equivocation evidence
// found by consensus as a ValidatorEvidence entry ('E', at
// EvidenceKeylet(data), listed oldest first in the evidence directory at
// EvidenceDirKeylet); committing the same evidence again is tefALREADY and
// changes nothing. Evidence(view) lists what is committed.
//
// Invariants: no I/O, no clock, no randomness and no map iteration order
// reaches state or hashes; the ledger's close time and everything else that
// varies arrives as input. Signatures are verified by the caller (once per
// node, see VerifySignatures and crypto.VerifyCache); apply only checks that
// the signing key is authorised for the account. Any package may import
// ledger; it imports only codec, crypto and shamap.
package ledger
