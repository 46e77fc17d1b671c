package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// maxSchemaSize bounds the JSON Schema a plugin may declare.
const maxSchemaSize = 1 << 20

// checkConfig checks the instance's config against the schema the running
// plugin declares. A plugin without a schema takes no config. Every
// problem is reported at once, each with where in the config it is.
func checkConfig(cfg InstanceConfig, raw any) error {
	sc, ok := raw.(schemaer)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.CallTimeout)
	defer cancel()
	schema, err := sc.ConfigSchema(ctx)
	if err != nil {
		return fmt.Errorf("plugin instance %q: get config schema: %w", cfg.Name, err)
	}
	return ValidateConfig(cfg.Name, schema, cfg.Config)
}

// ValidateConfig checks config (a JSON object, or empty for none) against
// schema (a JSON Schema document, or empty when the plugin takes no
// config) and returns every violation, each naming the instance and the
// config path, e.g. `plugin instance "acme": config /currency: ...`.
func ValidateConfig(name string, schema, config []byte) error {
	empty := len(bytes.TrimSpace(config)) == 0 || bytes.Equal(bytes.TrimSpace(config), []byte("{}")) || bytes.Equal(bytes.TrimSpace(config), []byte("null"))
	if len(bytes.TrimSpace(schema)) == 0 {
		if empty {
			return nil
		}
		return fmt.Errorf("plugin instance %q: the plugin takes no config (it declares no config schema): remove [plugins.instance.config]", name)
	}
	if len(schema) > maxSchemaSize {
		return fmt.Errorf("plugin instance %q: the plugin's config schema is %d bytes, more than %d", name, len(schema), maxSchemaSize)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return fmt.Errorf("plugin instance %q: the plugin's config schema is not JSON: %w (a bug in the plugin)", name, err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{}) // a schema may not make the node fetch anything
	const url = "urn:jtchain:plugin-config"
	if err := c.AddResource(url, doc); err != nil {
		return fmt.Errorf("plugin instance %q: the plugin's config schema: %w (a bug in the plugin)", name, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return fmt.Errorf("plugin instance %q: the plugin's config schema does not compile: %w (a bug in the plugin)", name, err)
	}
	if empty {
		config = []byte("{}")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(config))
	if err != nil {
		return fmt.Errorf("plugin instance %q: config is not JSON: %w", name, err)
	}
	err = sch.Validate(inst)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil
	}
	if !errors.As(err, &ve) {
		return fmt.Errorf("plugin instance %q: config: %w", name, err)
	}
	var problems []string
	var walk func(u jsonschema.OutputUnit)
	walk = func(u jsonschema.OutputUnit) {
		if u.Error != nil && len(u.Errors) == 0 {
			loc := u.InstanceLocation
			if loc == "" {
				loc = "/"
			}
			problems = append(problems, fmt.Sprintf("config %s: %s", loc, u.Error))
		}
		for _, e := range u.Errors {
			walk(e)
		}
	}
	walk(*ve.BasicOutput())
	if len(problems) == 0 {
		problems = []string{err.Error()}
	}
	sort.Strings(problems)
	problems = compactStrings(problems)
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = fmt.Errorf("plugin instance %q: %s (fix [plugins.instance.config])", name, p)
	}
	return errors.Join(errs...)
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// noLoader refuses every external schema reference.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the config schema refers to %s: plugin schemas must be self-contained", url)
}
