package rpc

// consensus_info: the consensus engine's position (rippled's consensus_info
// shows its ledger-close state; ours shows the RBFT round): the height being
// decided, round and step, lock and valid rounds, the validator set, the
// current round's proposer, pending evidence and catch-up.
func init() { register("consensus_info", command{run: doConsensusInfo}) }

func doConsensusInfo(r *request) (map[string]any, *rpcError) {
	st := r.srv.backend.Status()
	info := map[string]any{"engine": st.Engine}
	for k, v := range st.Consensus {
		info[k] = v
	}
	if l := r.srv.backend.Validated(); l != nil {
		info["validated_ledger"] = l.Seq()
	}
	return map[string]any{"info": info}, nil
}
