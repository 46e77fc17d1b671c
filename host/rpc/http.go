package rpc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"time"
)

// serveHTTP is JSON-RPC as rippled's ServerHandlerImp::processRequest:
// POST {"method": "cmd", "params": [{...}]} answers 200 with
// {"result": {..., "status": "success"}} or, for a command error,
// {"result": {"error", "error_code", "error_message", "request", "status":
// "error"}}. Transport problems are plain-text 400s with rippled's wording;
// a client over its address's rate limit gets 503 and a body over
// MaxBodyBytes 413. GET answers a short hint.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet, http.MethodHead:
		hint(w, "This is the jtchain JSON-RPC API: POST {\"method\": \"server_info\", \"params\": [{}]}.\n")
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	ip := remoteIP(r)
	admin := s.admins.contains(ip)
	warn := false
	if !admin {
		switch s.ipLimit.take(ip, time.Now()) {
		case drop:
			http.Error(w, "Server is overloaded", http.StatusServiceUnavailable)
			return
		case warnLoad:
			warn = true
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(s.cfg.MaxBodyBytes)))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "Request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "Unable to read request", http.StatusBadRequest)
		return
	}
	status, reply := s.handleJSONRPC(r.Context(), body, ip, admin, warn)
	if reply == nil {
		http.Error(w, status.text, status.code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(reply)
}

type httpStatus struct {
	code int
	text string
}

// handleJSONRPC answers one JSON-RPC body: a 200 reply, or nil and the
// plain-text status rippled sends for transport errors.
func (s *Server) handleJSONRPC(ctx context.Context, body []byte, ip netip.Addr, admin, warn bool) (httpStatus, []byte) {
	req, err := decodeRequest(body)
	if err != nil {
		return httpStatus{http.StatusBadRequest, "Unable to parse request"}, nil
	}
	m := req["method"]
	if m == nil {
		return httpStatus{http.StatusBadRequest, "Null method"}, nil
	}
	method, ok := m.(string)
	if !ok {
		return httpStatus{http.StatusBadRequest, "method is not string"}, nil
	}
	if method == "" {
		return httpStatus{http.StatusBadRequest, "method is empty"}, nil
	}
	params := map[string]any{}
	switch p := req["params"].(type) {
	case nil:
	case []any:
		if len(p) > 0 {
			obj, ok := p[0].(map[string]any)
			if !ok {
				return httpStatus{http.StatusBadRequest, "params unparseable"}, nil
			}
			params = obj
		}
	default:
		return httpStatus{http.StatusBadRequest, "params unparseable"}, nil
	}
	params["command"] = method

	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	res, rerr := s.run(&request{ctx: ctx, srv: s, params: params, ip: ip, admin: admin, signing: s.httpSigning}, method)
	var result map[string]any
	if rerr != nil {
		result = rerr.fields()
		result["status"] = "error"
		result["request"] = params
	} else {
		result = res
		result["status"] = "success"
	}
	reply := map[string]any{"result": result}
	if id, ok := req["id"]; ok {
		reply["id"] = id
	}
	if warn {
		reply["warning"] = "load"
	}
	return httpStatus{}, marshal(reply)
}
