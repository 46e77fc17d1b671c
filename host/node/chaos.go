package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jtchain/jtchain/host/p2p"
	"github.com/jtchain/jtchain/host/rpc"
)

// Chaos implements rpc.ChaosController: the admin "chaos" command of a test
// network whose config sets p2p.chaos.
func (n *Node) Chaos(params map[string]any) (map[string]any, error) {
	if n.net == nil || n.net.chaos == nil {
		return nil, rpc.ErrChaosOff
	}
	c := n.net.chaos
	did := 0
	if v, ok := params["partition"]; ok {
		groups, err := partitionGroups(v)
		if err != nil {
			return nil, err
		}
		c.SetPartition(groups)
		did++
	}
	if v, ok := params["heal"]; ok {
		if b, isBool := v.(bool); !isBool || !b {
			return nil, errors.New(`"heal" must be true`)
		}
		c.Heal()
		did++
	}
	if v, ok := params["faults"]; ok {
		f, err := chaosFaults(v)
		if err != nil {
			return nil, err
		}
		if err := c.Set(f); err != nil {
			return nil, err
		}
		did++
	}
	if v, ok := params["reset"]; ok {
		if b, isBool := v.(bool); !isBool || !b {
			return nil, errors.New(`"reset" must be true`)
		}
		c.Reset()
		did++
	}
	if did == 0 {
		return nil, errors.New(`give "partition", "heal", "faults" or "reset"`)
	}
	st := c.Stats()
	return map[string]any{"peer_id": n.net.host.ID(), "seed": fmt.Sprint(c.Seed()), "stats": st}, nil
}

func partitionGroups(v any) ([][]string, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 || len(list) > 64 {
		return nil, errors.New(`"partition" must be a non-empty array of arrays of peer ids`)
	}
	var groups [][]string
	for i, g := range list {
		ids, ok := g.([]any)
		if !ok || len(ids) > 64 {
			return nil, fmt.Errorf(`"partition"[%d] must be an array of peer ids`, i)
		}
		var group []string
		for j, id := range ids {
			s, ok := id.(string)
			if !ok || s == "" || len(s) > 128 {
				return nil, fmt.Errorf(`"partition"[%d][%d] must be a peer id`, i, j)
			}
			group = append(group, s)
		}
		groups = append(groups, group)
	}
	return groups, nil
}

func chaosFaults(v any) (p2p.Faults, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return p2p.Faults{}, errors.New(`"faults" must be an object`)
	}
	var f p2p.Faults
	num := func(k string, max float64) (float64, error) {
		x, present := m[k]
		if !present {
			return 0, nil
		}
		var n float64
		var ok bool
		switch v := x.(type) {
		case float64:
			n, ok = v, true
		case json.Number:
			f, err := v.Float64()
			n, ok = f, err == nil
		}
		if !ok || n < 0 || n > max {
			return 0, fmt.Errorf(`"faults".%s must be a number from 0 to %v`, k, max)
		}
		return n, nil
	}
	known := map[string]bool{"drop_percent": true, "duplicate_percent": true, "delay_min_ms": true, "delay_max_ms": true, "reorder_window": true}
	for k := range m {
		if !known[k] {
			return f, fmt.Errorf(`"faults".%s is not a fault (known: drop_percent, duplicate_percent, delay_min_ms, delay_max_ms, reorder_window)`, k)
		}
	}
	var err error
	var dmin, dmax, win float64
	if f.DropPercent, err = num("drop_percent", 100); err != nil {
		return f, err
	}
	if f.DuplicatePercent, err = num("duplicate_percent", 100); err != nil {
		return f, err
	}
	if dmin, err = num("delay_min_ms", 60_000); err != nil {
		return f, err
	}
	if dmax, err = num("delay_max_ms", 60_000); err != nil {
		return f, err
	}
	if win, err = num("reorder_window", 1024); err != nil {
		return f, err
	}
	f.DelayMin, f.DelayMax = time.Duration(dmin)*time.Millisecond, time.Duration(dmax)*time.Millisecond
	f.ReorderWindow = int(win)
	return f, nil
}
