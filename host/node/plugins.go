package node

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/plugin"
	"github.com/jtchain/jtchain/host/rpc"
	sdkplugin "github.com/jtchain/jtchain/sdk/plugin"
)

// pluginStopTimeout bounds the graceful exit of all plugins at shutdown;
// then their process groups are killed.
const pluginStopTimeout = 5 * time.Second

// PluginInstances turns [[plugins.instance]] tables into the launcher's
// instance configs.
func PluginInstances(cfg config.Config) ([]plugin.InstanceConfig, error) {
	out := make([]plugin.InstanceConfig, 0, len(cfg.Plugins.Instances))
	for _, in := range cfg.Plugins.Instances {
		var raw json.RawMessage
		if len(in.Config) > 0 {
			b, err := json.Marshal(in.Config)
			if err != nil {
				return nil, fmt.Errorf("plugin instance %q: config: %w", in.Name, err)
			}
			raw = b
		}
		out = append(out, plugin.InstanceConfig{
			Name:           in.Name,
			Kind:           sdkplugin.Kind(in.Kind),
			Path:           cfg.PluginPath(in),
			SHA256:         in.SHA256,
			Args:           in.Args,
			Env:            in.Env,
			EnvAllowlist:   cfg.Plugins.EnvAllowlist,
			StartTimeout:   in.StartTimeout,
			CallTimeout:    in.CallTimeout,
			HealthInterval: cfg.Plugins.HealthInterval,
			Restart: plugin.RestartPolicy{
				MaxAttempts: in.Restart.MaxAttempts,
				BackoffMin:  in.Restart.BackoffMin,
				BackoffMax:  in.Restart.BackoffMax,
			},
			Config:  raw,
			DataDir: pluginDataDir(cfg, in.Name),
		})
	}
	return out, nil
}

// pluginDataDir is an instance's private directory, inside data_dir.
func pluginDataDir(cfg config.Config, name string) string {
	return filepath.Join(cfg.DataDir, "plugin-data", name)
}

// startPlugins launches every configured plugin instance. All failures are
// reported at once, and if any instance fails none is left running: a node
// does not run with part of the plugins its operator configured.
func startPlugins(cfg config.Config, log hclog.Logger) (*plugin.Manager, error) {
	if len(cfg.Plugins.Instances) == 0 {
		return nil, nil
	}
	if err := cfg.FillPluginHashes(); err != nil {
		return nil, err
	}
	ins, err := PluginInstances(cfg)
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		if err := os.MkdirAll(in.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("plugin instance %q: data directory: %w", in.Name, err)
		}
	}
	m, err := plugin.NewManager(ins, log)
	if err != nil {
		return nil, err
	}
	if err := m.Start(context.Background()); err != nil {
		stopManager(m, log)
		return nil, fmt.Errorf("plugins failed to start:\n%w", err)
	}
	return m, nil
}

func stopManager(m *plugin.Manager, log hclog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), pluginStopTimeout)
	defer cancel()
	if err := m.Stop(ctx); err != nil {
		log.Warn("plugins did not stop in time; their process groups were killed", "error", err)
	}
}

// stopPlugins stops every plugin instance; safe to call more than once.
func (n *Node) stopPlugins() {
	if n.plugins != nil {
		stopManager(n.plugins, n.log)
	}
}

// PluginInfos implements rpc.PluginLister: every plugin instance, for the
// plugins command and jtd plugins list.
func (n *Node) PluginInfos() []rpc.PluginInfo {
	if n.plugins == nil {
		return nil
	}
	list := n.plugins.List()
	out := make([]rpc.PluginInfo, len(list))
	for i, st := range list {
		out[i] = rpc.PluginInfo{
			Name: st.Name, Kind: string(st.Kind), State: st.State.String(), Since: st.Since,
			Version: st.Info.Version, Semantics: st.Info.Semantics,
			APIMajor: st.Info.APIMajor, APIMinor: st.Info.APIMinor, Capabilities: st.Info.Capabilities,
			PID: st.PID, Restarts: st.Restarts,
			Calls: st.Calls, Errors: st.Errors, Timeouts: st.Timeouts, Latency: st.Latency,
			Buckets: st.LatencyBuckets, Bounds: plugin.LatencyBounds[:],
		}
		if st.LastError != nil {
			out[i].LastError = st.LastError.Error()
		}
		if f, ok := n.indexers[st.Name]; ok {
			c := f.cursor.Load()
			out[i].Cursor = &c
		}
	}
	return out
}
