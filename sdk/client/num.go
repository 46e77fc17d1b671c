package client

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Nodes of the rippled 0.29 family are not consistent about numbers: the
// ledger command sends ledger_index as a string, ledger_closed as a number,
// balances are strings of drops, and server_info reports fees in SWT as
// decimals. The types here accept every form seen on the wire.

// flexInt is a JSON integer or a string holding one.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	v, ok := parseInt(b)
	if !ok {
		return fmt.Errorf("not an integer: %s", truncate(b))
	}
	*n = flexInt(v)
	return nil
}

// flexUint32 is a flexInt that must fit a uint32 (ledger indexes, sequences,
// flags).
type flexUint32 uint32

func (n *flexUint32) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	v, ok := parseInt(b)
	if !ok || v < 0 || v > 1<<32-1 {
		return fmt.Errorf("not a 32-bit unsigned integer: %s", truncate(b))
	}
	*n = flexUint32(v)
	return nil
}

// flexFloat is a JSON number or a string holding one.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", truncate(b))
	}
	*f = flexFloat(v)
	return nil
}

// swtDrops is an amount of SWT written in SWT (a JSON number or string,
// e.g. 0.00001 or "20"), held as drops.
type swtDrops int64

func (d *swtDrops) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return fmt.Errorf("not a decimal amount of SWT: %s", truncate(b))
	}
	r.Mul(r, big.NewRat(1_000_000, 1))
	if r.Sign() >= 0 {
		r.Add(r, big.NewRat(1, 2))
	} else {
		r.Sub(r, big.NewRat(1, 2))
	}
	q := new(big.Int).Quo(r.Num(), r.Denom()) // rounds half away from zero
	if !q.IsInt64() {
		return fmt.Errorf("amount of SWT out of range: %s", truncate(b))
	}
	*d = swtDrops(q.Int64())
	return nil
}

// parseInt reads a JSON integer or a string of one. null and absent read as
// not ok.
func parseInt(raw []byte) (int64, bool) {
	s := string(raw)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "" || s == "null" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// An integral value written as a float, e.g. 18.0.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, false
		}
		return int64(f), true
	}
	return v, true
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// decode unmarshals a command's result into v, naming the command on error.
func decode(command string, raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return fmt.Errorf("client: %s: the response has no result", command)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("client: %s: unexpected result: %w", command, err)
	}
	return nil
}
