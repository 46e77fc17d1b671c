package vm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// decodeConfig is ConfigureRequest.Decode.
func decodeConfig(config json.RawMessage, v any) error {
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
