package rpc

// ping answers an empty result (handlers/Ping.cpp).
func init() { register("ping", command{run: doPing}) }

func doPing(*request) (map[string]any, *rpcError) { return map[string]any{}, nil }
