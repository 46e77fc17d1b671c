package config

// Log formats.
const (
	LogFormatAuto = "auto" // text on a terminal, JSON otherwise
	LogFormatText = "text"
	LogFormatJSON = "json"
)

// LogConfig is the node's logging ([log]).
type LogConfig struct {
	// Level is the least severe level written: trace, debug, info, warn or
	// error (the names hclog.LevelFromString accepts). Default "info".
	Level string `koanf:"level"`
	// Format is auto, text or json. auto writes text when stderr is a
	// terminal and JSON otherwise, so log collectors get structured lines
	// without configuration. Default "auto".
	Format string `koanf:"format"`
}

// JSON reports whether to write JSON lines, given whether the log output is a
// terminal (used only by "auto").
func (c LogConfig) JSON(terminal bool) bool {
	switch c.Format {
	case LogFormatJSON:
		return true
	case LogFormatText:
		return false
	default:
		return !terminal
	}
}

// Validate reports every problem with the section at once.
func (c LogConfig) Validate() error {
	var p problems
	c.check(&p)
	return p.err()
}

func (c LogConfig) check(p *problems) {
	checkOneOf(p, "log.level", c.Level, "trace", "debug", "info", "warn", "error")
	checkOneOf(p, "log.format", c.Format, LogFormatAuto, LogFormatText, LogFormatJSON)
}
