package p2p

import (
	"context"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// slogHandler sends go-libp2p-pubsub's slog output to the host's hclog
// logger. pubsub logs every dropped or throttled message at Debug; those map
// to hclog Trace so they only show when asked for (the counters in Stats say
// the same thing cheaply).
type slogHandler struct {
	log   hclog.Logger
	attrs []any
	group string
}

func newSlogHandler(log hclog.Logger) *slogHandler { return &slogHandler{log: log} }

func hclogLevel(l slog.Level) hclog.Level {
	switch {
	case l >= slog.LevelError:
		return hclog.Error
	case l >= slog.LevelWarn:
		return hclog.Warn
	case l >= slog.LevelInfo:
		return hclog.Debug
	}
	return hclog.Trace
}

func (s *slogHandler) Enabled(_ context.Context, l slog.Level) bool {
	switch lvl := s.log.GetLevel(); lvl {
	case hclog.NoLevel, hclog.Off: // NoLevel: the null logger
		return false
	default:
		return lvl <= hclogLevel(l)
	}
}

func (s *slogHandler) Handle(_ context.Context, r slog.Record) error {
	args := append([]any(nil), s.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		args = append(args, s.key(a.Key), a.Value.Resolve().Any())
		return true
	})
	s.log.Log(hclogLevel(r.Level), r.Message, args...)
	return nil
}

func (s *slogHandler) key(k string) string {
	if s.group == "" {
		return k
	}
	return s.group + "." + k
}

func (s *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *s
	n.attrs = append([]any(nil), s.attrs...)
	for _, a := range attrs {
		n.attrs = append(n.attrs, s.key(a.Key), a.Value.Resolve().Any())
	}
	return &n
}

func (s *slogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return s
	}
	n := *s
	n.group = s.key(name)
	return &n
}
