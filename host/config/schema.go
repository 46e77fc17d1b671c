package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The schema is derived once from Config's koanf tags, so a field added to a
// section is at once a key in the file, a JTD_* variable and an entry of
// Keys (and the example test asks for its documentation).

// kind is what a key holds, which decides how a TOML value or a string from
// the environment or a flag is read.
type kind int

const (
	kindString kind = iota
	kindInt
	kindInt64
	kindUint32
	kindFloat
	kindBool
	kindDuration
	kindStrings   // []string: a TOML array, comma-separated in JTD_* variables
	kindStringMap // map[string]string: a TOML table, one JTD_<KEY>_<NAME> variable per entry
)

// field is one config key.
type field struct {
	key   string // "rpc.ws_listen"
	env   string // "JTD_RPC_WS_LISTEN"
	index []int  // reflect field path from Config
	kind  kind
}

// envPrefix starts every environment variable Load reads.
const envPrefix = "JTD_"

var (
	fields     = schemaOf(reflect.TypeOf(Config{}), "", nil)
	fieldByKey = make(map[string]field, len(fields))
	fieldByEnv = make(map[string]field, len(fields))
	sections   = map[string]bool{} // keys of sub-tables: "log", "rpc", ...
)

func init() {
	for _, f := range fields {
		fieldByKey[f.key] = f
		fieldByEnv[f.env] = f
		parts := strings.Split(f.key, ".")
		for i := 1; i < len(parts); i++ {
			sections[strings.Join(parts[:i], ".")] = true
		}
	}
}

// Keys returns every config key in the order of Config's fields, e.g.
// "data_dir", "log.level", ..., "store.in_memory_ledgers". A map key such as
// "consensus.options" stands for its whole table.
func Keys() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// envName is the environment variable of a key: JTD_ + the key upper-cased
// with "." replaced by "_".
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

var durationType = reflect.TypeOf(time.Duration(0))

func schemaOf(t reflect.Type, prefix string, index []int) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("koanf")
		if tag == "-" {
			continue // read by its own parser (plugins.instance)
		}
		if tag == "" || !sf.IsExported() {
			panic(fmt.Sprintf("config: field %s.%s has no koanf tag", t.Name(), sf.Name))
		}
		key := prefix + tag
		idx := append(append([]int(nil), index...), i)
		ft := sf.Type
		var k kind
		switch {
		case ft == durationType:
			k = kindDuration
		case ft.Kind() == reflect.Struct:
			out = append(out, schemaOf(ft, key+".", idx)...)
			continue
		case ft.Kind() == reflect.String:
			k = kindString
		case ft.Kind() == reflect.Int:
			k = kindInt
		case ft.Kind() == reflect.Int64:
			k = kindInt64
		case ft.Kind() == reflect.Uint32:
			k = kindUint32
		case ft.Kind() == reflect.Float64:
			k = kindFloat
		case ft.Kind() == reflect.Bool:
			k = kindBool
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			k = kindStrings
		case ft.Kind() == reflect.Map && ft.Key().Kind() == reflect.String && ft.Elem().Kind() == reflect.String:
			k = kindStringMap
		default:
			panic(fmt.Sprintf("config: %s has type %s, which the loader cannot read", key, ft))
		}
		out = append(out, field{key: key, env: envName(key), index: idx, kind: k})
	}
	return out
}

// flatValues returns c as a flat key -> value map in the types the fields
// have, except that maps become map[string]any so koanf merges them entry by
// entry across layers (a later layer replaces scalars and lists whole).
func flatValues(c Config) map[string]any {
	rv := reflect.ValueOf(c)
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		v := rv.FieldByIndex(f.index).Interface()
		switch v := v.(type) {
		case map[string]string:
			m := make(map[string]any, len(v))
			for name, s := range v {
				m[name] = s
			}
			out[f.key] = m
		case []string:
			out[f.key] = append([]string{}, v...)
		default:
			out[f.key] = v
		}
	}
	return out
}

// fromTOML reads a value parsed from the TOML file for f. It returns the
// value in f's type, or a problem saying what was expected.
func (f field) fromTOML(v any) (any, string) {
	switch f.kind {
	case kindString:
		if s, ok := v.(string); ok {
			return s, ""
		}
		return nil, "want a string in quotes, got " + tomlType(v)
	case kindInt, kindInt64:
		if n, ok := v.(int64); ok {
			if f.kind == kindInt {
				if n < math.MinInt || n > math.MaxInt {
					return nil, "is too large"
				}
				return int(n), ""
			}
			return n, ""
		}
		return nil, "want a whole number, got " + tomlType(v)
	case kindUint32:
		if n, ok := v.(int64); ok && n >= 0 && n <= math.MaxUint32 {
			return uint32(n), ""
		}
		return nil, "want a whole number from 0 to 4294967295, got " + tomlType(v)
	case kindFloat:
		switch n := v.(type) {
		case int64:
			return float64(n), ""
		case float64:
			if math.IsNaN(n) || math.IsInf(n, 0) {
				return nil, "want a finite number"
			}
			return n, ""
		}
		return nil, "want a number, got " + tomlType(v)
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, ""
		}
		return nil, "want true or false, got " + tomlType(v)
	case kindDuration:
		switch d := v.(type) {
		case string:
			return parseDuration(d)
		case int64, float64:
			return nil, `want a duration in quotes with a unit, such as "10s" or "500ms": a bare number has no unit`
		}
		return nil, `want a duration in quotes, such as "10s" or "500ms", got ` + tomlType(v)
	case kindStrings:
		if a, ok := v.([]any); ok {
			out := make([]string, 0, len(a))
			for _, e := range a {
				s, ok := e.(string)
				if !ok {
					return nil, `want an array of strings, e.g. ["a", "b"], but an element is ` + tomlType(e)
				}
				out = append(out, s)
			}
			return out, ""
		}
		return nil, `want an array of strings, e.g. ["a", "b"], got ` + tomlType(v)
	}
	return nil, "cannot be set this way" // kindStringMap: handled entry by entry by the caller
}

// optionFromTOML reads one entry of a map key: engine options are strings,
// and numbers and booleans are accepted as their TOML text.
func optionFromTOML(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// fromString reads a value for f from a JTD_* variable or a flag.
func (f field) fromString(s string) (any, string) {
	if f.kind != kindString {
		s = strings.TrimSpace(s) // env files often carry stray spaces
	}
	switch f.kind {
	case kindString:
		return s, ""
	case kindInt:
		n, err := strconv.ParseInt(s, 10, 0)
		if err != nil {
			return nil, "want a whole number"
		}
		return int(n), ""
	case kindInt64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, "want a whole number"
		}
		return n, ""
	case kindUint32:
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return nil, "want a whole number from 0 to 4294967295"
		}
		return uint32(n), ""
	case kindFloat:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, "want a number"
		}
		return n, ""
	case kindBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, "want true or false"
		}
		return b, ""
	case kindDuration:
		return parseDuration(s)
	case kindStrings:
		out := []string{}
		for _, e := range strings.Split(s, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
		return out, ""
	}
	return nil, "cannot be set this way"
}

func parseDuration(s string) (any, string) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return nil, `want a duration such as "10s", "500ms" or "1h30m"`
	}
	return d, ""
}

// tomlType names the TOML type of a parsed value for error messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return "a date or time"
	}
}

// tomlValue writes a parsed TOML value back for error messages ("" for a
// table, which would not fit on the line).
func tomlValue(v any) string {
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = tomlValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return ""
	default:
		return formatValue(v)
	}
}

// suggest returns the candidate the user most likely meant by name, or "".
// sep separates the segments of a name ("." for keys, "_" for variables).
// In order: the one candidate that ends with name (a key written without its
// section), the one with the same last segment (a key in the wrong section),
// or the closest by edit distance if close enough to be a typo.
func suggest(name string, candidates []string, sep string) string {
	unique := func(match func(c string) bool) string {
		found := ""
		for _, c := range candidates {
			if c != name && match(c) {
				if found != "" {
					return ""
				}
				found = c
			}
		}
		return found
	}
	if c := unique(func(c string) bool { return strings.HasSuffix(c, sep+name) }); c != "" {
		return c
	}
	leaf := name[strings.LastIndex(name, sep)+1:]
	if c := unique(func(c string) bool { return c[strings.LastIndex(c, sep)+1:] == leaf }); c != "" {
		return c
	}
	best, bestDist := "", len(name)/3+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// sortedKeys returns m's keys in order, so errors come out in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
