package config

// ChainConfig says which chain the node belongs to ([chain]).
type ChainConfig struct {
	// GenesisFile is the chain's genesis document, written by jtd init. A
	// relative path follows Config.Resolve: relative to the config file's
	// directory when set there, otherwise to data_dir. Default
	// "genesis.json".
	GenesisFile string `koanf:"genesis_file"`
	// NetworkID tells this chain apart from others (server_info reports it).
	// 0 is for dev chains; give every private or federated chain its own, so
	// nodes and clients of two chains are not mixed up. Default 0.
	NetworkID uint32 `koanf:"network_id"`
}

// Validate reports every problem with the section at once.
func (c ChainConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c ChainConfig) check(p *problems) {
	checkNonEmpty(p, "chain.genesis_file", c.GenesisFile, "genesis.json")
}

// NodeConfig is this node's identity ([node]).
type NodeConfig struct {
	// KeyFile holds the node's key pair (its identity to peers and, on a
	// validator, its signing key), written by jtd init. Relative paths follow
	// Config.Resolve. Default "node_key.json".
	KeyFile string `koanf:"key_file"`
}

// Validate reports every problem with the section at once.
func (c NodeConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c NodeConfig) check(p *problems) {
	checkNonEmpty(p, "node.key_file", c.KeyFile, "node_key.json")
}
