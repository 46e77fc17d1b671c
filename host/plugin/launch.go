package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	sdkconsensus "github.com/jtchain/jtchain/sdk/consensus"
	sdkgateway "github.com/jtchain/jtchain/sdk/gateway"
	sdkindexer "github.com/jtchain/jtchain/sdk/indexer"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
	sdkvm "github.com/jtchain/jtchain/sdk/vm"
)

// protocols is the registry of plugin kinds this node can launch: each
// kind's SDK package provides the protocol (handshake and the majors the
// node speaks). A kind gets here when its SDK package exists.
var protocols = map[sdkplugin.Kind]func() sdkplugin.Protocol{
	sdkplugin.KindConsensus: sdkconsensus.Protocol,
	sdkplugin.KindIndexer:   sdkindexer.Protocol,
	sdkplugin.KindVM:        sdkvm.Protocol,
	sdkplugin.KindGateway:   sdkgateway.Protocol,
}

func kindList() string {
	kinds := slices.Sorted(maps.Keys(protocols))
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}

// schemaer is the base service's GetConfigSchema, which every kind's
// client implements.
type schemaer interface {
	ConfigSchema(ctx context.Context) ([]byte, error)
}

// infoer is the base service every kind's client implements (GetInfo).
type infoer interface {
	Info(ctx context.Context) (sdkplugin.Info, error)
}

// process is one launched plugin process and its client. The supervisor
// replaces it on every restart; gen tells requests about an old process
// from ones about the current one.
type process struct {
	gen    uint64
	client *goplugin.Client
	rpc    goplugin.ClientProtocol
	raw    any // the kind's client, e.g. *sdkconsensus.Client
	pid    int
}

// launch verifies the binary, starts it and fetches its Info, reporting
// the states it passes to progress (may be nil). On error no process is
// left running.
func launch(cfg InstanceConfig, proto sdkplugin.Protocol, logger hclog.Logger, progress func(State)) (*process, sdkplugin.Info, error) {
	path, err := verify(cfg)
	if err != nil {
		return nil, sdkplugin.Info{}, err
	}
	if progress == nil {
		progress = func(State) {}
	}
	progress(StateVerified)
	sum, _ := hex.DecodeString(cfg.SHA256) // Validate checked it

	cmd := exec.Command(path, cfg.Args...)
	cmd.Env = environment(cfg)
	cmd.SysProcAttr = sysProcAttr()
	stderr := &tailBuffer{max: 2048}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  proto.Handshake(),
		VersionedPlugins: proto.Plugins,
		Cmd:              cmd,
		SecureConfig:     &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		// The supervisor owns the lifecycle; CleanupClients must not race
		// it.
		Managed:         false,
		StartTimeout:    cfg.StartTimeout,
		Logger:          logger,
		GRPCDialOptions: sdkplugin.GRPCDialOptions(),
		Stderr:          stderr,
	})
	p := &process{client: client}

	raw, err := proto.Dispense(client, cfg.Name)
	if cmd.Process != nil {
		p.pid = cmd.Process.Pid
	}
	if err != nil {
		p.kill()
		return nil, sdkplugin.Info{}, startError(cfg.Name, err, stderr.lastLines(3))
	}
	p.raw = raw
	progress(StateLaunched)
	if p.rpc, err = client.Client(); err != nil { // started by Dispense; cannot fail here
		p.kill()
		return nil, sdkplugin.Info{}, fmt.Errorf("plugin instance %q: %w", cfg.Name, err)
	}

	var info sdkplugin.Info
	if in, ok := raw.(infoer); ok {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.CallTimeout)
		info, err = in.Info(ctx)
		cancel()
		if err != nil {
			p.kill()
			return nil, sdkplugin.Info{}, fmt.Errorf("plugin instance %q: get info: %w", cfg.Name, err)
		}
		if info.Kind != cfg.Kind {
			p.kill()
			return nil, sdkplugin.Info{}, fmt.Errorf("plugin instance %q: the binary reports kind %q, the config says %q: fix the instance's kind or path",
				cfg.Name, info.Kind, cfg.Kind)
		}
	}
	if err := checkConfig(cfg, raw); err != nil {
		p.kill()
		return nil, sdkplugin.Info{}, err
	}
	return p, info, nil
}

// startError adds what the plugin printed on stderr to a start error and
// tells a plugin that died before the handshake from one that wrote to
// stdout.
func startError(name string, err error, stderrTail string) error {
	var mismatch *sdkplugin.VersionMismatchError
	if errors.As(err, &mismatch) {
		return err // typed, with its fix; the plugin's stderr is its startup noise
	}
	if errors.Is(err, sdkplugin.ErrStdoutBeforeHandshake) {
		return err // stderr adds nothing to "it printed X on stdout"
	}
	if stderrTail == "" {
		return fmt.Errorf("%w; it printed nothing on stderr", err)
	}
	return fmt.Errorf("%w; its last stderr lines: %s", err, stderrTail)
}

// kill stops the process at once: SIGKILL to its whole process group, then
// go-plugin's cleanup (which finds the process gone and returns without
// its two-second graceful wait).
func (p *process) kill() {
	if p.pid > 0 {
		killGroup(p.pid)
	}
	p.client.Kill()
	if p.pid > 0 {
		killGroup(p.pid) // children the plugin started after the first signal
	}
}

// stop asks the plugin to exit (go-plugin closes the connection, which
// shuts the plugin's server down, and waits up to two seconds), then kills
// the process group so no child of the plugin survives. If ctx ends first
// the group is killed at once.
func (p *process) stop(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.client.Kill()
	}()
	select {
	case <-done:
	case <-ctx.Done():
		if p.pid > 0 {
			killGroup(p.pid)
		}
		<-done
	}
	if p.pid > 0 {
		killGroup(p.pid)
	}
}

// ping checks the plugin answers go-plugin's health service within
// PingTimeout.
func (p *process) ping() error {
	errc := make(chan error, 1)
	go func() { errc <- p.rpc.Ping() }() // returns once the connection closes, at the latest
	t := time.NewTimer(PingTimeout)
	defer t.Stop()
	select {
	case err := <-errc:
		return err
	case <-t.C:
		return fmt.Errorf("no ping answer within %s", PingTimeout)
	}
}

// environment is the plugin's whole environment apart from the variables
// go-plugin adds: the allowlisted host variables that are set, then Env.
func environment(cfg InstanceConfig) []string {
	env := make([]string, 0, len(cfg.EnvAllowlist)+len(cfg.Env))
	for _, name := range cfg.EnvAllowlist {
		if _, set := cfg.Env[name]; set {
			continue
		}
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Env)) {
		env = append(env, name+"="+cfg.Env[name])
	}
	return env
}

// tailBuffer keeps the last max bytes of a plugin's stderr, so a launch
// error can say what the plugin printed before it died.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = slices.Delete(t.b, 0, over)
	}
	return len(p), nil
}

// lastLines returns up to n of the last non-empty lines, joined by " | ".
func (t *tailBuffer) lastLines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(string(t.b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
