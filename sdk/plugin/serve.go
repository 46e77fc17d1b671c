package plugin

import (
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Serve runs a plugin of p's kind until the host stops it; it is what each
// kind's Serve calls and never returns normally (go-plugin exits the
// process). Before serving it points the standard log package at stderr
// and installs a JSON hclog logger on stderr as hclog's default, which the
// host re-emits under the instance's name with levels preserved: stdout is
// the handshake, and one stray line there fails the plugin's start.
//
// A binary launched by a host as another kind exits with a message that
// names both kinds instead of go-plugin's generic "This binary is a
// plugin".
func Serve(p Protocol, name string) {
	log.SetOutput(os.Stderr)
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       string(p.Kind) + "." + name,
		Level:      hclog.Trace, // the host's logger filters
		Output:     os.Stderr,
		JSONFormat: true,
	})
	hclog.SetDefault(logger)

	if got := os.Getenv(MagicCookieKey); strings.HasPrefix(got, cookiePrefix) && got != cookieValue(p.Kind) {
		other := strings.TrimPrefix(got, cookiePrefix)
		fmt.Fprintf(os.Stderr, "this binary is %s %s plugin, but the node launched it as %s %s plugin: fix the kind of this plugin instance in the node config\n",
			article(string(p.Kind)), p.Kind, article(other), other)
		os.Exit(1)
	}

	go watchParent(os.Getppid(), time.Second, func() {
		logger.Warn("the node that launched this plugin is gone; exiting")
		os.Exit(0)
	})
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  p.Handshake(),
		VersionedPlugins: p.Plugins,
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize))
			return grpc.NewServer(opts...)
		},
		Logger: logger,
	})
}

// watchParent calls gone once the process's parent is no longer parent
// (the node died without stopping the plugin and the process was
// re-parented), checking every interval. On Linux the node also has the
// kernel kill its plugins when it dies; this covers every other system and
// a plugin started by a wrapper. It returns after calling gone.
func watchParent(parent int, interval time.Duration, gone func()) {
	for {
		time.Sleep(interval)
		if os.Getppid() != parent {
			gone()
			return
		}
	}
}

// article is "an" before a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
