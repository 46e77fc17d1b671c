package rpc

// server_state: server_info for programs (handlers/ServerState.cpp:
// getServerInfo(human=false) under "state"): fees in drops, load in fee
// units, converge_time in milliseconds, no hostid.
func init() { register("server_state", command{run: doServerState}) }

func doServerState(r *request) (map[string]any, *rpcError) {
	return map[string]any{"state": r.srv.serverInfo(false)}, nil
}
