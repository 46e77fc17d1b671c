package plugin

import (
	"strings"
	"testing"
)

const testSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "poll_seconds": {"type": "integer", "minimum": 1}
  },
  "required": ["currency"],
  "additionalProperties": false
}`

func TestConfigIsCheckedAgainstThePluginSchemaWithEveryProblemNamed(t *testing.T) {
	if err := ValidateConfig("acme", []byte(testSchema), []byte(`{"currency":"CNY","poll_seconds":5}`)); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	err := ValidateConfig("acme", []byte(testSchema), []byte(`{"currency":"cny","poll_seconds":0,"extra":true}`))
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	msg := err.Error()
	for _, want := range []string{`plugin instance "acme"`, "config /currency", "config /poll_seconds", "extra", "fix [plugins.instance.config]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if err := ValidateConfig("acme", []byte(testSchema), nil); err == nil || !strings.Contains(err.Error(), "currency") {
		t.Errorf("missing required key: %v", err)
	}
}

func TestPluginWithoutSchemaTakesNoConfig(t *testing.T) {
	if err := ValidateConfig("solo", nil, nil); err != nil {
		t.Errorf("no schema, no config: %v", err)
	}
	if err := ValidateConfig("solo", nil, []byte(`{}`)); err != nil {
		t.Errorf("no schema, empty config: %v", err)
	}
	if err := ValidateConfig("solo", nil, []byte(`{"x":1}`)); err == nil || !strings.Contains(err.Error(), "takes no config") {
		t.Errorf("no schema, some config: %v", err)
	}
}

func TestBrokenOrReachingSchemasAreThePluginsFault(t *testing.T) {
	if err := ValidateConfig("p", []byte(`{not json`), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "bug in the plugin") {
		t.Errorf("bad schema JSON: %v", err)
	}
	remote := `{"$ref": "https://example.com/schema.json"}`
	if err := ValidateConfig("p", []byte(remote), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "self-contained") {
		t.Errorf("remote ref: %v", err)
	}
	if err := ValidateConfig("p", []byte(testSchema), []byte(`{"currency":`)); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("bad config JSON: %v", err)
	}
}
