package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"runtime/debug"
)

// request is one command being handled.
type request struct {
	ctx    context.Context
	srv    *Server
	params map[string]any
	// ip is the client's address (invalid when unknown, as in tests).
	ip netip.Addr
	// admin: the client's address is in AdminIPs.
	admin bool
	// signing: the listener may take account secrets (Config.ServerSigning).
	signing bool
	// sess is the WebSocket connection, nil over JSON-RPC (no streams).
	sess *session
}

// command is one API command. Each lives in its own file and registers
// itself from init, so the table below is the whole list.
type command struct {
	run func(*request) (map[string]any, *rpcError)
	// admin commands are refused (noPermission) to other clients, as
	// rippled's Role::ADMIN handlers are.
	admin bool
}

var commands = map[string]command{}

func register(name string, c command) {
	if _, dup := commands[name]; dup {
		panic("rpc: command registered twice: " + name)
	}
	commands[name] = c
}

// errTimeout is returned by handlers that notice their deadline passed.
func errTimeout() *rpcError {
	return errorf(rpcTOO_BUSY, "The server is too busy to help you now: the request took longer than the server allows.")
}

// run executes a command. It never panics: a handler bug answers
// "internal" and is logged with its stack.
func (s *Server) run(r *request, name string) (res map[string]any, rerr *rpcError) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic while handling a request", "command", name, "panic", p, "stack", string(debug.Stack()))
			res, rerr = nil, newError(rpcINTERNAL)
		}
	}()
	c, ok := commands[name]
	if !ok {
		return nil, newError(rpcUNKNOWN_COMMAND)
	}
	if c.admin && !r.admin {
		return nil, newError(rpcNO_PERMISSION)
	}
	res, rerr = c.run(r)
	if rerr == nil && res == nil {
		res = map[string]any{}
	}
	return res, rerr
}

// decodeRequest parses one JSON object with exact numbers; anything else
// (another JSON type, trailing data, invalid JSON) fails.
func decodeRequest(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	return m, nil
}

// handleFrame answers one WebSocket text message with exactly one frame:
// a response to the request, or skywelld's jsonInvalid error when the
// message is not a JSON object (Handler.h do_message). warn adds rippled's
// "warning":"load" for a client near its rate limit.
func (s *Server) handleFrame(ctx context.Context, sess *session, data []byte, warn bool) []byte {
	req, err := decodeRequest(data)
	if err != nil {
		return marshal(map[string]any{
			"type":          "error",
			"error":         "jsonInvalid",
			"error_message": "Received invalid JSON: " + err.Error(),
			"value":         string(data),
		})
	}
	var res map[string]any
	var rerr *rpcError
	cmdv, hasCmd := req["command"]
	if !hasCmd {
		rerr = legacyError("missingCommand", "Missing command entry.")
	} else {
		name, _ := cmdv.(string)
		ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
		r := &request{ctx: ctx, srv: s, params: req, sess: sess}
		if sess != nil {
			r.ip, r.admin, r.signing = sess.ip, sess.admin, sess.signing
		}
		res, rerr = s.run(r, name)
		cancel()
	}
	return marshal(wsEnvelope(req, res, rerr, warn))
}

// wsEnvelope builds skywelld's WebSocket response (Connection.h
// invokeCommand): the result under "result" with status "success", or the
// error lifted to the top level with status "error" and the request echoed.
// The id is echoed as received, so a numeric id stays a number.
func wsEnvelope(req, res map[string]any, rerr *rpcError, warn bool) map[string]any {
	var out map[string]any
	if rerr != nil {
		out = rerr.fields()
		out["status"] = "error"
		out["request"] = req
	} else {
		out = map[string]any{"result": res, "status": "success"}
	}
	if id, ok := req["id"]; ok {
		out["id"] = id
	}
	out["type"] = "response"
	if warn {
		out["warning"] = "load"
	}
	return out
}

// marshal encodes a response as rippled does: sorted keys (JsonCpp objects
// are std::maps), no HTML escaping.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"error":"internal","error_code":64,"error_message":"Internal error.","status":"error","type":"response"}`)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}
