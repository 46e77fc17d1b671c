package node

import (
	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/mempool"
	"github.com/jtchain/jtchain/host/rpc"
	"github.com/jtchain/jtchain/host/store"
)

// The node turns the loaded configuration into each component's own
// typed config: components never see koanf or the whole Config.

func storeConfig(c config.StoreConfig) store.Config {
	return store.Config{
		SyncWrites:         c.SyncWrites,
		MemTableMB:         c.MemTableMB,
		NumMemtables:       c.NumMemtables,
		BlockCacheMB:       c.BlockCacheMB,
		IndexCacheMB:       c.IndexCacheMB,
		NumCompactors:      c.NumCompactors,
		ValueThreshold:     c.ValueThreshold,
		ValueLogGCInterval: c.ValueLogGCInterval,
		ValueLogGCRatio:    c.ValueLogGCRatio,
	}
}

func mempoolConfig(c config.Config) mempool.Config {
	return mempool.Config{
		MaxTxs:          c.Mempool.MaxTxs,
		MaxPerAccount:   c.Mempool.MaxPerAccount,
		SequenceWindow:  uint32(c.Mempool.SequenceWindow),
		LedgerTarget:    c.Mempool.LedgerTarget,
		MaxTxsPerLedger: c.Consensus.MaxTxsPerLedger,
		Retries:         c.Mempool.Retries,
	}
}

func rpcConfig(c config.RPCConfig) rpc.Config { return rpc.Config(c) }
