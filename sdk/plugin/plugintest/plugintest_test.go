package plugintest

import (
	"strings"
	"testing"
)

func TestCheckConfigSchemaCompilesAsTheNodeDoes(t *testing.T) {
	for _, ok := range []string{"", `{}`, `{"type":"object","properties":{"file":{"type":"string","pattern":"^[^/]+$"}},"additionalProperties":false}`} {
		if err := CheckConfigSchema([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, c := range []struct{ schema, want string }{
		{`[1,2]`, "not a JSON object"},
		{`{"type":`, "not JSON"},
		// ECMA-262's \u escape is not Go's regexp: the node cannot compile it.
		{`{"properties":{"f":{"type":"string","pattern":"^[^\\u0000]+$"}}}`, "does not compile"},
		{`{"type":"strnig"}`, "does not compile"},
		{`{"$ref":"https://example.com/s.json"}`, "self-contained"},
	} {
		err := CheckConfigSchema([]byte(c.schema))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.schema, err, c.want)
		}
	}
}
