package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/parsers/toml/v2"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	gotoml "github.com/pelletier/go-toml/v2"
	"github.com/spf13/pflag"
)

// LoadOptions says where Load finds the layers above the built-in defaults.
// Each one may be absent.
type LoadOptions struct {
	// File is the TOML config file; "" for none.
	File string
	// Env is the environment as os.Environ returns it ("NAME=value"). Only
	// JTD_* entries are read, and every one must name a key. nil for none.
	Env []string
	// Flags is the flag set RegisterFlags filled, after parsing. Only the
	// flags the user set are read; other flags in the set are ignored. nil
	// for none.
	Flags *pflag.FlagSet
}

// Load builds the configuration from the built-in defaults, then the file,
// then the environment, then the flags; each layer overrides the previous
// ones only for the keys it sets (entries of consensus.options merge one by
// one; lists are replaced whole). It then validates the result.
//
// Every problem is reported at once: unknown keys and variables, values of
// the wrong type and failed checks, each a *KeyError naming the key and
// where it was set, joined with errors.Join. A file that cannot be read or
// parsed gives an error naming the file (and the line, for bad TOML) that
// wraps the underlying error, so errors.Is(err, fs.ErrNotExist) works.
//
// Relative genesis_file and key_file values from the file are made absolute
// against the file's directory here; see Config.Resolve for the rest.
func Load(opts LoadOptions) (Config, error) {
	return load(opts, func(path string) ([]byte, error) { return file.Provider(path).ReadBytes() })
}

// load is Load reading the config file with read, so tests and the fuzzer
// need no files.
func load(opts LoadOptions, read func(path string) ([]byte, error)) (Config, error) {
	l := &loader{sources: map[string]string{}, read: read}
	k := koanf.New(".")
	if err := k.Load(flatMap(flatValues(Default())), nil); err != nil {
		return Config{}, fmt.Errorf("config: load defaults: %w", err) // cannot happen: a bug here
	}
	if opts.File != "" {
		if m, err := l.readFile(opts.File); err != nil {
			l.errs = append(l.errs, err)
		} else if err := k.Load(m, nil); err != nil {
			return Config{}, fmt.Errorf("config: merge %s: %w", opts.File, err)
		}
	}
	if opts.Env != nil {
		p := env.Provider(".", env.Opt{
			Prefix:        envPrefix,
			TransformFunc: l.envVar,
			EnvironFunc:   func() []string { return opts.Env },
		})
		if err := k.Load(p, nil); err != nil {
			return Config{}, fmt.Errorf("config: merge the environment: %w", err)
		}
	}
	if opts.Flags != nil {
		if err := k.Load(posflag.ProviderWithFlag(opts.Flags, ".", nil, l.flag), nil); err != nil {
			return Config{}, fmt.Errorf("config: merge flags: %w", err)
		}
	}
	if len(l.errs) > 0 {
		// Validating values that fell back to defaults would only add noise.
		return Config{}, l.errs.err()
	}

	var c Config
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return Config{}, fmt.Errorf("config: decode: %w", err) // every value was checked: a bug here
	}
	c.Plugins.Instances = l.instances
	if err := c.Validate(); err != nil {
		return Config{}, l.attribute(err)
	}
	return c, nil
}

// loader checks each layer against the schema as it is read, converting
// values to their fields' types and remembering where each key was set.
type loader struct {
	read      func(path string) ([]byte, error)
	errs      problems
	instances []PluginInstance  // [[plugins.instance]] from the file
	sources   map[string]string // key -> file path, JTD_* variable or --flag
}

func (l *loader) fail(key, value, source, format string, args ...any) {
	l.errs = append(l.errs, &KeyError{Key: key, Value: value, Source: source, Problem: fmt.Sprintf(format, args...)})
}

// readFile parses the TOML file and checks every key in it.
func (l *loader) readFile(path string) (flatMap, error) {
	b, err := l.read(path)
	if err != nil {
		return nil, fmt.Errorf("config: cannot read the config file: %w: check the path", err)
	}
	parsed, err := toml.Parser().Unmarshal(b)
	if err != nil {
		where := path
		if line, col := errorPosition(b, err); line > 0 {
			where = fmt.Sprintf("%s:%d:%d", path, line, col)
		}
		return nil, fmt.Errorf("config: %s: %w: fix the TOML syntax there", where, err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config: locate the config file %s: %w", path, err)
	}

	flat, _ := maps.Flatten(parsed, nil, ".")
	out := flatMap{}
	for _, key := range sortedKeys(flat) {
		v := flat[key]
		if key == "plugins.instance" {
			l.instances = parseInstances(v, path, l.fail)
			continue
		}
		_, isTable := v.(map[string]any) // only empty tables stay unflattened
		f, known := fieldByKey[key]
		mapKey, entry, isEntry := mapEntry(key)
		switch {
		case known && f.kind != kindStringMap:
			val, problem := f.fromTOML(v)
			if problem != "" {
				l.fail(key, tomlValue(v), path, "%s", problem)
				continue
			}
			if s, ok := val.(string); ok && pathKeys[key] && s != "" && !filepath.IsAbs(s) {
				val = filepath.Join(dir, s)
			}
			out[key] = val
			l.sources[key] = path

		case known: // a map key itself: only an empty [table] lands here
			if !isTable {
				l.fail(key, tomlValue(v), path, `is a table of name = "value" pairs: write them under [%s]`, key)
			}

		case isEntry:
			s, ok := optionFromTOML(v)
			switch {
			case strings.Contains(entry, "."):
				l.fail(key, tomlValue(v), path, `%s entries are name = "value" pairs; %q is a table or contains ".": use a plain name`, mapKey, entry)
			case !ok:
				l.fail(key, tomlValue(v), path, "want a string, number or boolean, got %s", tomlType(v))
			default:
				out[key] = s
				l.sources[key] = path
			}

		case sections[key]:
			if !isTable {
				l.fail(key, tomlValue(v), path, "is a section, not a value: write its keys under [%s]", key)
			}

		default:
			problem := "unknown key"
			if s := suggest(key, Keys(), "."); s != "" {
				problem += fmt.Sprintf(": did you mean %s?", s)
			}
			l.fail(key, "", path, "%s (configs/node.example.toml lists every key)", problem)
		}
	}
	return out, nil
}

// errorPosition finds where in the TOML text b parsing failed with err.
// go-toml gives most errors a position; the rest (a key defined twice) are
// found by parsing prefixes of b that end at line ends: a prefix fails with
// the same error exactly when it reaches the offending line, so a binary
// search over lines finds it.
func errorPosition(b []byte, err error) (line, col int) {
	var de *gotoml.DecodeError
	if errors.As(err, &de) {
		return de.Position()
	}
	ends := []int{} // ends[i] is the end of line i+1, its newline included
	for i, c := range b {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		ends = append(ends, len(b))
	}
	n := sort.Search(len(ends), func(i int) bool {
		_, e := toml.Parser().Unmarshal(b[:ends[i]])
		return e != nil && e.Error() == err.Error()
	})
	if n == len(ends) {
		return 0, 0
	}
	return n + 1, 1
}

// mapEntry splits a key such as "consensus.options.peers" into its map key
// and entry name.
func mapEntry(key string) (mapKey, name string, ok bool) {
	for _, f := range fields {
		if f.kind == kindStringMap && strings.HasPrefix(key, f.key+".") {
			return f.key, key[len(f.key)+1:], true
		}
	}
	return "", "", false
}

// envVar is the env provider's TransformFunc: it maps a JTD_* variable to
// its key by looking it up (not by splitting at "_", which keys contain too)
// and converts the value. Returning "" drops the variable.
func (l *loader) envVar(name, value string) (string, any) {
	if f, ok := fieldByEnv[name]; ok {
		if f.kind == kindStringMap {
			l.fail(name, "", "environment", "set one entry per variable instead: %s_<NAME>=value", name)
			return "", nil
		}
		v, problem := f.fromString(value)
		if problem != "" {
			l.fail(f.key, formatValue(value), name, "%s", problem)
			return "", nil
		}
		l.sources[f.key] = name
		return f.key, v
	}
	for _, f := range fields {
		if f.kind != kindStringMap || !strings.HasPrefix(name, f.env+"_") {
			continue
		}
		entry := strings.ToLower(strings.TrimPrefix(name, f.env+"_"))
		if entry == "" || strings.Contains(entry, ".") {
			l.fail(name, "", "environment", "name the entry: %s_<NAME>=value", f.env)
			return "", nil
		}
		key := f.key + "." + entry
		l.sources[key] = name
		return key, value
	}
	problem := "names no config key"
	// Compare without the JTD_ prefix, so a variable missing its section
	// (JTD_WS_LISTEN) matches the key it is the tail of (rpc.ws_listen).
	envNames := make([]string, len(fields))
	for i, f := range fields {
		envNames[i] = strings.TrimPrefix(f.env, envPrefix)
	}
	if s := suggest(strings.TrimPrefix(name, envPrefix), envNames, "_"); s != "" {
		problem += fmt.Sprintf(": did you mean %s?", envPrefix+s)
	}
	l.fail(name, "", "environment", "%s (fix the name or unset the variable; configs/node.example.toml lists every key)", problem)
	return "", nil
}

// flag is the posflag callback: it reads the flags RegisterFlags added and
// the user set, and drops every other flag.
func (l *loader) flag(fl *pflag.Flag) (string, any) {
	key, ok := flagKey[fl.Name]
	if !ok || !fl.Changed {
		return "", nil
	}
	v, problem := fieldByKey[key].fromString(fl.Value.String())
	if problem != "" {
		l.fail(key, formatValue(fl.Value.String()), "--"+fl.Name, "%s", problem)
		return "", nil
	}
	l.sources[key] = "--" + fl.Name
	return key, v
}

// attribute adds to each validation problem where its key was set.
func (l *loader) attribute(err error) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var ke *KeyError
		if errors.As(e, &ke) && ke.Source == "" {
			ke.Source = l.sources[ke.Key]
		}
	}
	return err
}

// flatMap is a koanf provider of flat "a.b" keys and already typed values.
type flatMap map[string]any

func (m flatMap) Read() (map[string]any, error) { return maps.Unflatten(m, "."), nil }

func (m flatMap) ReadBytes() ([]byte, error) {
	return nil, errors.New("config: flatMap provides a map, not bytes")
}
