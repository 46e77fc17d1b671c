package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeConfig decodes an operator config (a JSON object, or empty or null
// for none, which leaves v as it is) into v strictly: unknown keys and
// trailing data are errors. The kinds' ConfigureRequest.Decode use it.
func DecodeConfig(config json.RawMessage, v any) error {
	trimmed := bytes.TrimSpace(config)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil
	}
	if trimmed[0] != '{' {
		return fmt.Errorf("config: %.40q is not a JSON object: write the settings as a table of keys", trimmed)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("config: trailing data after the JSON object")
	}
	return nil
}
