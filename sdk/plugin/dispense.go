package plugin

import (
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
)

// Dispense starts the plugin process behind c if it is not running yet
// and returns the kind's client (for consensus, a *consensus.Client; the
// kind packages wrap this in a typed Dispense). c must have been created
// with p's Handshake and Plugins. Start failures that go-plugin reports as
// text come back typed: a *VersionMismatchError, or an error wrapping
// ErrStdoutBeforeHandshake. name identifies the plugin in errors.
func (p Protocol) Dispense(c *goplugin.Client, name string) (any, error) {
	rpc, err := c.Client()
	if err != nil {
		return nil, p.classifyStartError(name, err)
	}
	raw, err := rpc.Dispense(string(p.Kind))
	if err != nil {
		return nil, fmt.Errorf("dispense %s plugin %q: %w", p.Kind, name, err)
	}
	return raw, nil
}
