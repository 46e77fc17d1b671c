package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jtchain/jtchain/sdk/plugin"
)

// Limits on the strings that cross the wire, so a broken plugin or node
// gets a clear error instead of filling the other side's memory or log.
const (
	MaxIDLength     = 256  // ExternalID, RedemptionID, TxHash, ExternalRef
	MaxCursorLength = 1024 // Deposit.Cursor
	MaxFieldLength  = 256  // To, From, Destination
)

// ConfigureRequest is the gateway's configuration, sent once per launch
// before any other call but Info.
type ConfigureRequest struct {
	// APIMinor is the negotiated minor: the smaller of the node's and the
	// plugin's. The gateway must not use features newer than it.
	APIMinor uint32
	// HostCapabilities name optional node features the gateway may use.
	HostCapabilities []string
	// Config is the operator's config for this plugin (a JSON object),
	// already validated against its ConfigSchema; nil when there is none.
	Config json.RawMessage
	// ChainID names the chain the node serves.
	ChainID string
	// DataDir is a private directory for this instance, never the node DB:
	// the place for the record that makes Redeem idempotent.
	DataDir string
}

// Decode reads Config into v, a pointer to the gateway's config struct,
// strictly: a key v has no field for, a value of the wrong type, trailing
// data or a config that is not a JSON object is an error, since a misspelt
// setting that is silently ignored goes unnoticed until money moves wrong.
// An empty config leaves v as it is (its defaults).
func (r ConfigureRequest) Decode(v any) error { return plugin.DecodeConfig(r.Config, v) }

// ConfigureResponse is empty; it exists so fields can be added.
type ConfigureResponse struct{}

// WatchRequest says where WatchDeposits starts.
type WatchRequest struct {
	// Cursor is the Cursor of the last deposit the node issued; empty means
	// from the beginning.
	Cursor string
}

// Deposit is one confirmed deposit in the external system.
type Deposit struct {
	// ExternalID is the deposit's id in the external system, unique per
	// gateway; the node issues each ExternalID once.
	ExternalID string
	// To is the ledger account (an address) the issuance goes to.
	To string
	// Currency is the usercoin's code, e.g. "CNY" (see CheckCurrency).
	Currency string
	// Amount is a positive decimal string, e.g. "12.50" (see CheckAmount).
	Amount string
	// Cursor is opaque to the node. It is persisted only after every
	// Deposit sent before it was issued, and WatchDeposits from it must
	// yield the deposits after this one; so a plugin may resend deposits
	// after a restart, and ExternalID makes that safe.
	Cursor string
}

// Validate reports what makes d unfit to issue; the error wraps
// ErrInvalidRequest.
func (d Deposit) Validate() error {
	return invalid("deposit",
		checkID("external id", d.ExternalID, MaxIDLength),
		checkID("to", d.To, MaxFieldLength),
		CheckCurrency(d.Currency),
		CheckAmount(d.Amount),
		checkID("cursor", d.Cursor, MaxCursorLength))
}

// RedeemRequest is a redemption the ledger committed: From sent Amount of
// Currency back to the gateway's issuing account, asking for a payout to
// Destination.
type RedeemRequest struct {
	// RedemptionID identifies the redemption; Redeem is idempotent on it.
	// The node uses the hash of the redeeming transaction.
	RedemptionID string
	// From is the ledger account that redeemed.
	From string
	// TxHash is the hash of the redeeming ledger transaction (may be empty).
	TxHash   string
	Currency string
	// Amount is a positive decimal string.
	Amount string
	// Destination is the account in the external system to pay, in the
	// gateway's own format.
	Destination string
}

// Validate reports what makes r unfit to pay; the error wraps
// ErrInvalidRequest. The SDK checks every request on both sides of the
// wire, but a gateway run in process (tests, the conformance suite) must
// call it itself.
func (r RedeemRequest) Validate() error {
	var txHash error
	if len(r.TxHash) > MaxIDLength {
		txHash = fmt.Errorf("tx hash is %d bytes, more than %d", len(r.TxHash), MaxIDLength)
	}
	return invalid("redemption",
		checkID("redemption id", r.RedemptionID, MaxIDLength),
		checkID("from", r.From, MaxFieldLength),
		txHash,
		CheckCurrency(r.Currency),
		CheckAmount(r.Amount),
		checkID("destination", r.Destination, MaxFieldLength))
}

// RedeemResponse says how the redemption was paid.
type RedeemResponse struct {
	// ExternalRef is the payout's reference in the external system; it is
	// never empty, and differs between redemptions.
	ExternalRef string
}

// ReservesRequest is empty; it exists so fields can be added.
type ReservesRequest struct{}

// ReservesResponse lists what the gateway holds, one Reserve per currency.
type ReservesResponse struct{ Reserves []Reserve }

// Reserve is what the gateway holds of one currency.
type Reserve struct {
	Currency string
	// Amount is a non-negative decimal string.
	Amount string
}

// Validate reports what makes r unfit to show; the error wraps
// ErrInvalidRequest.
func (r ReservesResponse) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, res := range r.Reserves {
		amount := checkDecimal(res.Amount, true) // holding nothing is fine
		if seen[res.Currency] {
			errs = append(errs, fmt.Errorf("reserve %d: currency %q is listed twice", i, res.Currency))
		}
		seen[res.Currency] = true
		if err := errors.Join(CheckCurrency(res.Currency), amount); err != nil {
			errs = append(errs, fmt.Errorf("reserve %d: %w", i, err))
		}
	}
	return invalid("reserves", errs...)
}

// invalid joins the problems of what, wrapping ErrInvalidRequest.
func invalid(what string, problems ...error) error {
	err := errors.Join(problems...)
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %w", ErrInvalidRequest, what, err)
}

// checkID checks a required identifier: non-empty, at most max bytes, no
// spaces or control characters.
func checkID(field, s string, max int) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", field)
	case len(s) > max:
		return fmt.Errorf("%s is %d bytes, more than %d", field, len(s), max)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("%s %.40q holds spaces or control characters", field, s)
	}
	return nil
}
