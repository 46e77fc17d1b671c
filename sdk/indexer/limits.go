package indexer

// Limits of the indexer protocol. Both sides check them: the node before it
// sends, the SDK in the plugin before the plugin sees anything, so a plugin
// can size its storage by them.
const (
	// MaxLedgerSize bounds one ledger as it crosses the wire (its encoded
	// jt.indexer.v1.Ledger). It is half of plugin.MaxMessageSize, which
	// leaves room for the stream's framing.
	MaxLedgerSize = 32 << 20
	// MaxRecordDataSize bounds Record.Data. With MaxQueryLimit it keeps the
	// largest query answer (16 MiB of data) under plugin.MaxMessageSize.
	MaxRecordDataSize = 16 << 10
	// MaxNameSize bounds the text fields: a record's type tag, a
	// transaction's type and result.
	MaxNameSize = 64
	// MaxMarkerSize bounds a paging marker.
	MaxMarkerSize = 256

	// DefaultQueryLimit is the page size of a Query whose Limit is 0.
	DefaultQueryLimit = 100
	// MaxQueryLimit is the largest page: the SDK lowers a larger Limit to
	// it before the plugin sees the query (see Query.EffectiveLimit).
	MaxQueryLimit = 1000

	// DefaultWindow is how many ledgers the node has in flight (sent, not
	// yet acknowledged) when a FeedRequest does not say.
	DefaultWindow = 4
	// MaxWindow is the largest window a plugin grants. The window trades
	// throughput for what a crash of the node can make the plugin see
	// twice: up to a window of ledgers whose acknowledgements were lost.
	MaxWindow = 64
)
