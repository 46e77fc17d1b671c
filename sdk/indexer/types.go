package indexer

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Hash256 is a 32-byte hash: ledger, transaction and record ids, data
// hashes. In JSON and text it is 64 upper-case hex digits, as Jingtum
// writes hashes.
type Hash256 [32]byte

// AccountID is a 20-byte account id. In JSON and text it is 40 upper-case
// hex digits (the SDK does not depend on the node's base58 codec; the
// node's API shows addresses).
type AccountID [20]byte

// IsZero reports whether h is all zeros, which the types here use for
// "none".
func (h Hash256) IsZero() bool { return h == Hash256{} }

// IsZero reports whether a is all zeros, which the types here use for
// "none".
func (a AccountID) IsZero() bool { return a == AccountID{} }

func (h Hash256) String() string   { return strings.ToUpper(hex.EncodeToString(h[:])) }
func (a AccountID) String() string { return strings.ToUpper(hex.EncodeToString(a[:])) }

// MarshalText writes h as hex.
func (h Hash256) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads 64 hex digits.
func (h *Hash256) UnmarshalText(b []byte) error { return unhex(h[:], b, "hash") }

// MarshalText writes a as hex.
func (a AccountID) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads 40 hex digits.
func (a *AccountID) UnmarshalText(b []byte) error { return unhex(a[:], b, "account id") }

func unhex(dst, b []byte, what string) error {
	if hex.DecodedLen(len(b)) != len(dst) {
		return fmt.Errorf("%s %q: want %d hex digits", what, b, 2*len(dst))
	}
	if _, err := hex.Decode(dst, b); err != nil {
		return fmt.Errorf("%s %q: %w", what, b, err)
	}
	return nil
}

// Ledger is one committed ledger as an indexer sees it. The node sends
// ledgers in order: each one's Seq is the previous one's plus one and its
// ParentHash the previous one's Hash.
type Ledger struct {
	// Seq is the ledger sequence number; ledgers start at 1.
	Seq        uint32
	Hash       Hash256
	ParentHash Hash256 // zero: none
	CloseTime  time.Time
	// TxCount is the number of transactions in the ledger, and
	// Transactions lists every one of them: len(Transactions) == TxCount.
	TxCount      int
	Transactions []Transaction
	// Records are the ledger's block-level hash records in the order the
	// ledger seals them; a record's index here is its place in the ledger.
	Records []Record
}

// Transaction is what an indexer learns of one transaction.
type Transaction struct {
	Hash    Hash256
	Account AccountID // the submitting account
	Type    string    // the transaction type's name, e.g. "Payment"
	Result  string    // the result code, e.g. "tesSUCCESS"
}

// Record is one block-level hash record.
type Record struct {
	// ID is the record's id, unique on the chain.
	ID Hash256
	// TypeTag says what kind of record it is, chosen by the submitter: 0 to
	// MaxNameSize bytes of UTF-8 (the chain allows A-Z a-z 0-9 . _ : / -);
	// empty when the submitter gave none.
	TypeTag string
	// Account is the submitting account; zero when the record has none.
	Account AccountID `json:",omitzero"`
	// DataHash is the hash of the recorded data.
	DataHash Hash256
	// Data is the recorded data itself, at most MaxRecordDataSize bytes;
	// empty when only the hash was recorded, and when the record carries
	// more data than that (fetch it with blhr_proof; DataHash covers it).
	Data []byte `json:",omitempty"`
}

// Validate reports the first way l breaks the rules above; the node and
// the SDK refuse such a ledger before a plugin sees it.
func (l Ledger) Validate() error {
	if l.Seq == 0 {
		return errors.New("ledger seq is 0: ledgers start at 1")
	}
	if l.Hash.IsZero() {
		return fmt.Errorf("ledger %d: hash is zero", l.Seq)
	}
	if l.TxCount != len(l.Transactions) {
		return fmt.Errorf("ledger %d: tx count %d, but %d transactions", l.Seq, l.TxCount, len(l.Transactions))
	}
	for i, tx := range l.Transactions {
		if err := checkName(tx.Type, "type", false); err != nil {
			return fmt.Errorf("ledger %d: transactions[%d]: %w", l.Seq, i, err)
		}
		if err := checkName(tx.Result, "result", false); err != nil {
			return fmt.Errorf("ledger %d: transactions[%d]: %w", l.Seq, i, err)
		}
	}
	ids := make(map[Hash256]int, len(l.Records))
	for i, r := range l.Records {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("ledger %d: records[%d]: %w", l.Seq, i, err)
		}
		if j, dup := ids[r.ID]; dup {
			return fmt.Errorf("ledger %d: records[%d] repeats the id of records[%d]", l.Seq, i, j)
		}
		ids[r.ID] = i
	}
	return nil
}

// Validate reports the first way r breaks the rules of Record.
func (r Record) Validate() error {
	switch {
	case r.ID.IsZero():
		return errors.New("id is zero")
	case r.DataHash.IsZero():
		return errors.New("data hash is zero")
	case len(r.Data) > MaxRecordDataSize:
		return fmt.Errorf("data is %d bytes, more than %d", len(r.Data), MaxRecordDataSize)
	}
	return checkName(r.TypeTag, "type tag", false)
}

func checkName(s, what string, required bool) error {
	switch {
	case required && s == "":
		return fmt.Errorf("%s is empty", what)
	case len(s) > MaxNameSize:
		return fmt.Errorf("%s is %d bytes, more than %d", what, len(s), MaxNameSize)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s %q is not UTF-8", what, s)
	}
	return nil
}

// ConfigureRequest is the plugin's configuration, sent once per launch
// before anything else.
type ConfigureRequest struct {
	// APIMinor is the negotiated minor: the smaller of the node's and the
	// plugin's. The plugin must not use features newer than it.
	APIMinor uint32
	// HostCapabilities name optional node features the plugin may use.
	HostCapabilities []string
	// Config is the operator's config for this plugin instance, already
	// validated against its ConfigSchema (nil when there is none).
	Config json.RawMessage
	// ChainID names the chain the ledgers come from; an indexer whose data
	// directory holds another chain's ledgers should refuse to start.
	ChainID string
	// DataDir is the instance's private directory, kept across restarts;
	// never the node's database.
	DataDir string
}

// ConfigureResponse is empty; it exists so fields can be added.
type ConfigureResponse struct{}

// ErrBadQuery is wrapped by the error of a query that is malformed: an
// inverted ledger range, an overlong type tag or marker, a marker the
// plugin did not make, a negative limit. The node answers the user with it
// rather than counting a plugin failure. Plugins wrap it for the problems
// they find themselves (ParseMarker does).
var ErrBadQuery = errors.New("bad indexer query")

// Query selects stored records. Every set filter must match; the zero
// Query selects every record.
type Query struct {
	// FromSeq and ToSeq bound the ledgers, both inclusive; 0 leaves that
	// end open.
	FromSeq, ToSeq uint32
	// TypeTag selects one type of record (empty: any).
	TypeTag string
	// Account selects the records of one submitting account (zero: any).
	Account AccountID
	// DataHash selects the records of one data hash (zero: any).
	DataHash Hash256
	// Limit is the most records to return: 0 means DefaultQueryLimit, more
	// than MaxQueryLimit means MaxQueryLimit (see EffectiveLimit).
	Limit int
	// Marker continues an earlier query with the same filters: the Marker
	// of its result. Empty: start at the first match.
	Marker []byte
}

// Validate reports a malformed query with an error wrapping ErrBadQuery.
// The SDK calls it before a plugin sees a query from the node; a plugin
// called directly (in tests) should call it too.
func (q Query) Validate() error {
	switch {
	case q.ToSeq != 0 && q.FromSeq > q.ToSeq:
		return fmt.Errorf("%w: ledger range %d to %d is inverted", ErrBadQuery, q.FromSeq, q.ToSeq)
	case q.Limit < 0:
		return fmt.Errorf("%w: limit %d is negative", ErrBadQuery, q.Limit)
	case len(q.Marker) > MaxMarkerSize:
		return fmt.Errorf("%w: marker is %d bytes, more than %d", ErrBadQuery, len(q.Marker), MaxMarkerSize)
	}
	if err := checkName(q.TypeTag, "type tag", false); err != nil {
		return fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	return nil
}

// EffectiveLimit is the page size q asks for: Limit, or DefaultQueryLimit
// for 0, and at most MaxQueryLimit.
func (q Query) EffectiveLimit() int {
	switch {
	case q.Limit <= 0:
		return DefaultQueryLimit
	case q.Limit > MaxQueryLimit:
		return MaxQueryLimit
	}
	return q.Limit
}

// Matches reports whether record r of ledger seq passes q's filters (the
// marker and the limit aside).
func (q Query) Matches(seq uint32, r Record) bool {
	return seq >= q.FromSeq && (q.ToSeq == 0 || seq <= q.ToSeq) &&
		(q.TypeTag == "" || r.TypeTag == q.TypeTag) &&
		(q.Account.IsZero() || r.Account == q.Account) &&
		(q.DataHash.IsZero() || r.DataHash == q.DataHash)
}

// QueryResult is one page of a query's matches.
type QueryResult struct {
	// Records match the query, in ledger order and, within a ledger, in
	// the ledger's order; at most the query's EffectiveLimit of them.
	Records []LedgerRecord
	// Marker is set when more records may match: query again with it and
	// the same filters for the next page. Following markers returns every
	// match exactly once.
	Marker []byte
}

// LedgerRecord is a record and the ledger that holds it.
type LedgerRecord struct {
	LedgerSeq uint32
	Record    Record
}
