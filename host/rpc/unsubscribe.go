package rpc

// unsubscribe (handlers/Unsubscribe.cpp) removes streams and accounts from
// a WebSocket connection; removing what was never added is not an error.
func init() { register("unsubscribe", command{run: doUnsubscribe}) }

func doUnsubscribe(r *request) (map[string]any, *rpcError) {
	if r.sess == nil {
		return nil, errorf(rpcINVALID_PARAMS, "Streams need a WebSocket connection: unsubscribe over the WebSocket API.")
	}
	streams, accts, rerr := parseSubscription(r.params)
	if rerr != nil {
		return nil, rerr
	}
	r.srv.subs.unsubscribe(r.sess, streams, accts)
	return map[string]any{}, nil
}
