package store

import (
	"fmt"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// badgerLogger routes badger's log lines to hclog at WARNING level: warnings
// and errors are forwarded, badger's chatty info and debug lines (table
// opens, compactions, vlog replays) are dropped. badger's WithLoggingLevel
// cannot be used for this: it replaces any custom logger with badger's own
// stderr logger (options.go, v4.9.6).
type badgerLogger struct{ log hclog.Logger }

func (b badgerLogger) Errorf(format string, args ...any) {
	b.log.Error(strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (b badgerLogger) Warningf(format string, args ...any) {
	b.log.Warn(strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
