package plugin

// Kind names a family of plugins that serve the same service.
type Kind string

// The plugin kinds of DESIGN.md §6.
const (
	KindConsensus Kind = "consensus"
	KindVM        Kind = "vm"
	KindGateway   Kind = "gateway"
	KindIndexer   Kind = "indexer"
)

// Info is what a plugin reports about itself (jt.base.v1.GetInfoResponse).
// Plugin authors set Name, Version, Semantics and any Capabilities of their
// own; the kind's SDK fills Kind, APIMajor and APIMinor, and adds the
// capabilities it detects from the optional interfaces the plugin
// implements.
type Info struct {
	Kind    Kind
	Name    string // the implementation, e.g. "raft"
	Version string // semver of the plugin binary, independent of the host's
	// APIMajor is the kind's protocol major the plugin speaks; it equals the
	// go-plugin negotiated version.
	APIMajor uint32
	// APIMinor is the highest minor of that major the plugin implements.
	APIMinor uint32
	// Capabilities name optional features, e.g. "consensus.restore".
	Capabilities []string
	// Semantics is the behaviour identity of consensus and vm plugins,
	// checked against the chain's parameters: two binaries reporting the
	// same Semantics must produce identical results from identical inputs.
	Semantics string
}

// HasCapability reports whether the plugin declared capability c.
func (i Info) HasCapability(c string) bool {
	for _, have := range i.Capabilities {
		if have == c {
			return true
		}
	}
	return false
}
