package rpc

import (
	"fmt"
	"time"
)

// server_info: the node's state for people (handlers/ServerInfo.cpp, which
// calls NetworkOPs::getServerInfo(human=true)). jingtum-lib's filter reads
// info.complete_ledgers, info.validated_ledger.hash, info.pubkey_node,
// info.server_state, info.peers and info.build_version, and throws when
// validated_ledger is missing, so it is always present.
func init() { register("server_info", command{run: doServerInfo}) }

func doServerInfo(r *request) (map[string]any, *rpcError) {
	return map[string]any{"info": r.srv.serverInfo(true)}, nil
}

// serverInfo is getServerInfo: human selects server_info's units (SWT,
// seconds, a load ratio) over server_state's (drops, milliseconds, load
// fee units).
func (s *Server) serverInfo(human bool) map[string]any {
	b := s.backend
	st, fs := b.Status(), b.Fees()
	now := time.Now()
	info := map[string]any{
		"build_version":     st.BuildVersion,
		"complete_ledgers":  completeLedgers(b),
		"io_latency_ms":     1,
		"peers":             st.Peers,
		"pubkey_node":       st.PubkeyNode,
		"server_state":      serverState(st, now),
		"validation_quorum": quorum(st.Validators),
	}
	if st.Consensus != nil {
		info["consensus"] = st.Consensus
	}
	if rb, ok := b.(RecordBackend); ok {
		// What BLHR record signatures are made for (`jt blhr put`).
		info["chain_id"] = rb.ChainID()
	}
	if !st.Started.IsZero() {
		info["startup_time"] = st.Started.UTC().Format("2006-Jan-02 15:04:05")
		info["uptime"] = int64(now.Sub(st.Started).Seconds())
	}
	lastClose := map[string]any{"proposers": st.Validators}
	l := b.Validated()
	var converge uint32
	// The genesis ledger has no parent close time to measure from.
	if l != nil && l.ParentCloseTime() != 0 && l.Header().CloseTime >= l.ParentCloseTime() {
		converge = l.Header().CloseTime - l.ParentCloseTime()
	}
	if human {
		info["hostid"] = st.HostID
		info["load_factor"] = float64(loadFactor(fs)) / float64(loadBase(fs))
		lastClose["converge_time_s"] = float64(converge)
	} else {
		info["load_base"] = loadBase(fs)
		info["load_factor"] = loadFactor(fs)
		lastClose["converge_time"] = converge * 1000
	}
	info["last_close"] = lastClose
	if l != nil {
		hdr, hash, fees := l.Header(), l.Hash(), l.Fees()
		v := map[string]any{"seq": hdr.Seq, "hash": hexUpper(hash[:])}
		if human {
			ref := uint64(fees.Units)
			if ref == 0 {
				ref = fees.Base
			}
			scale := func(drops uint64) float64 {
				if ref == 0 {
					return float64(drops) / 1e6
				}
				return float64(drops*fees.Base/ref) / 1e6
			}
			v["base_fee_swt"] = float64(fees.Base) / 1e6
			v["reserve_base_swt"] = scale(fees.Reserve)
			v["reserve_inc_swt"] = scale(fees.Increment)
			if ct, rn := hdr.CloseTime, rippleNow(); ct <= rn && rn-ct < 1000000 {
				v["age"] = rn - ct
			}
		} else {
			v["base_fee"] = fees.Base
			v["reserve_base"] = fees.Reserve
			v["reserve_inc"] = fees.Increment
			v["close_time"] = hdr.CloseTime
		}
		info["validated_ledger"] = v
	}
	return info
}

// serverState is skywelld's server_state: the operating mode, three spaces
// and the time in that mode as HHH:MM:SS ('full   851:35:58' on the real
// network), always one of the online states the libraries accept.
func serverState(st Status, now time.Time) string {
	state := serverStatus(st)
	if st.Started.IsZero() {
		return state
	}
	d := now.Sub(st.Started)
	if d < 0 {
		d = 0
	}
	secs := int64(d / time.Second)
	return fmt.Sprintf("%s   %02d:%02d:%02d", state, secs/3600, secs/60%60, secs%60)
}

// quorum is the BFT validation quorum of n validators: more than two
// thirds.
func quorum(n int) int {
	if n <= 0 {
		return 1
	}
	return 2*n/3 + 1
}
