package rpc

import "errors"

// ledger_commit {"ledger_index": N} returns how a validated ledger was
// decided by a networked engine: the block its validators agreed on and the
// commit certificate (hex), for anyone who wants to check the decision
// offline against the validator set. Solo chains have none.
func init() { register("ledger_commit", command{run: doLedgerCommit}) }

// CommitSource is implemented by a backend whose ledgers carry commit
// records.
type CommitSource interface {
	// LedgerCommit returns the engine block and certificate of ledger seq,
	// ErrLedgerNotFound when there is none.
	LedgerCommit(seq uint32) (block, certificate []byte, err error)
}

func doLedgerCommit(r *request) (map[string]any, *rpcError) {
	src, ok := r.srv.backend.(CommitSource)
	if !ok {
		return nil, errorf(rpcNOT_SUPPORTED, "This node's consensus engine keeps no commit certificates.")
	}
	seq, isNum := integer(r.params["ledger_index"])
	if !isNum || seq < 1 || seq > 0xFFFFFFFF {
		return nil, invalidField("ledger_index")
	}
	block, cert, err := src.LedgerCommit(uint32(seq))
	switch {
	case errors.Is(err, ErrLedgerNotFound):
		return nil, lgrNotFound()
	case err != nil:
		r.srv.log.Error("reading a commit record", "ledger", uint32(seq), "error", err)
		return nil, newError(rpcINTERNAL)
	}
	return map[string]any{"ledger_index": uint32(seq), "block": hexUpper(block), "certificate": hexUpper(cert)}, nil
}
