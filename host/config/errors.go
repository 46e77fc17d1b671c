package config

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// KeyError is one problem with one configuration key. Load and Validate
// return every problem they find as an errors.Join of *KeyError; errors.As
// finds the first, and the joined error's Unwrap() []error lists them all.
// Its message reads
//
//	config: rpc.max_connections = 0 (from JTD_RPC_MAX_CONNECTIONS): must be at least 1 (default 1000)
type KeyError struct {
	// Key is the config key ("rpc.ws_listen"), or for an unknown key or
	// variable, the name as the user wrote it.
	Key string
	// Value is the offending value written as in TOML (strings quoted), or
	// "" when there is none to show.
	Value string
	// Source is where the value was set: the config file's path, a JTD_*
	// variable, a --flag, or "environment". Empty for built-in defaults and
	// for Config.Validate, which does not know where values came from.
	Source string
	// Problem says what is wrong and how to fix it.
	Problem string
}

func (e *KeyError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	b.WriteString(e.Key)
	if e.Value != "" {
		b.WriteString(" = ")
		b.WriteString(e.Value)
	}
	if e.Source != "" {
		b.WriteString(" (from ")
		b.WriteString(e.Source)
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

// problems collects the errors of one Validate or Load run.
type problems []error

// add records a problem with key, showing value (nil for none).
func (p *problems) add(key string, value any, format string, args ...any) {
	*p = append(*p, &KeyError{Key: key, Value: formatValue(value), Problem: fmt.Sprintf(format, args...)})
}

func (p problems) err() error { return errors.Join(p...) }

// formatValue writes v as it would appear in a TOML file.
func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strconv.Quote(v)
	case time.Duration:
		return strconv.Quote(v.String())
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case map[string]string:
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		sort.Strings(names)
		q := make([]string, len(names))
		for i, k := range names {
			q[i] = k + " = " + strconv.Quote(v[k])
		}
		return "{" + strings.Join(q, ", ") + "}"
	default:
		return fmt.Sprint(v)
	}
}

// The checks below are shared by the sections' Validate methods. Each adds at
// most one problem and names the default, so the fix is always at hand.

func checkNonEmpty(p *problems, key, v, example string) {
	if v == "" {
		p.add(key, v, "is empty: set it, e.g. %s = %q", key[strings.LastIndex(key, ".")+1:], example)
	}
}

func checkOneOf(p *problems, key, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	p.add(key, v, "must be one of %s", strings.Join(allowed, ", "))
}

func checkRange(p *problems, key string, v, lo, hi, def int64) {
	if v < lo || v > hi {
		p.add(key, v, "must be between %d and %d (default %d)", lo, hi, def)
	}
}

func checkAtLeast(p *problems, key string, v, lo, def int64) {
	if v < lo {
		p.add(key, v, "must be at least %d (default %d)", lo, def)
	}
}

func checkPositiveRate(p *problems, key string, v, def float64) {
	if !(v > 0) { // also catches NaN
		p.add(key, v, "must be more than 0 (default %g); to lift the limit, set a large value", def)
	}
}

func checkPositiveDuration(p *problems, key string, v, def time.Duration) {
	if v <= 0 {
		p.add(key, v, "must be a positive duration such as %q (default)", def.String())
	}
}
