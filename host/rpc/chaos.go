package rpc

import "errors"

// chaos (admin; only on a node whose config sets p2p.chaos = true) drives
// the test network's fault injection:
//
//	{"partition": [["PEER_ID", ...], ["PEER_ID", ...]]}   split the network
//	{"heal": true}                                         remove the partition
//	{"faults": {"drop_percent": 20, "duplicate_percent": 10,
//	            "delay_min_ms": 0, "delay_max_ms": 500, "reorder_window": 16}}
//	{"reset": true}                                        remove every fault
//
// Each node applies faults to what it receives, so a partition is set on
// every node of the network. The answer echoes the node's peer id and the
// chaos seed.
func init() { register("chaos", command{run: doChaos, admin: true}) }

// ChaosController is implemented by a backend with fault injection.
type ChaosController interface {
	// Chaos applies params; ErrChaosOff when the node runs without it.
	Chaos(params map[string]any) (map[string]any, error)
}

// ErrChaosOff is returned by ChaosController.Chaos on a node without fault
// injection.
var ErrChaosOff = errors.New("fault injection is off: set p2p.chaos = true in the node config (test networks only)")

func doChaos(r *request) (map[string]any, *rpcError) {
	c, ok := r.srv.backend.(ChaosController)
	if !ok {
		return nil, errorf(rpcNOT_ENABLED, "%s", ErrChaosOff.Error())
	}
	res, err := c.Chaos(r.params)
	if errors.Is(err, ErrChaosOff) {
		return nil, errorf(rpcNOT_ENABLED, "%s", err.Error())
	}
	if err != nil {
		return nil, errorf(rpcINVALID_PARAMS, "%s", err.Error())
	}
	return res, nil
}
