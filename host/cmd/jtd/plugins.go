package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/node"
	"github.com/jtchain/jtchain/host/plugin"
)

func pluginsCmd(stdout io.Writer) *cobra.Command {
	c := &cobra.Command{
		Use:   "plugins",
		Short: "Inspect the node's plugins",
	}
	c.AddCommand(pluginsListCmd(stdout))
	return c
}

// maxPluginsAnswer bounds the node's answer to the plugins command.
const maxPluginsAnswer = 4 << 20

func pluginsListCmd(stdout io.Writer) *cobra.Command {
	var cfgFile, url string
	var asJSON bool
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "list --config FILE",
		Short: "Show each plugin instance: state, version, restarts, calls, errors, latency",
		Long: `Ask the running node (its admin JSON-RPC API, rpc.http_listen of the config,
or --url) for every plugin instance: its state (ready, degraded, restarting,
failed, ...), the version it reported, how often it was restarted and why,
and how many calls it answered, failed and timed out, with their mean latency.

When the node does not answer, list the configured instances instead and
check each binary against its sha256 as the node would before launching it.`,
		Example: "  jtd plugins list --config configs/dev.toml\n  jtd plugins list --url http://127.0.0.1:5050 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var cfg config.Config
			if cfgFile != "" || url == "" {
				var err error
				if cfg, err = config.Load(config.LoadOptions{File: cfgFile, Env: os.Environ()}); err != nil {
					return err
				}
				if url == "" {
					url = "http://" + cfg.RPC.HTTPListen
				}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			list, err := queryPlugins(ctx, url)
			if err != nil {
				if cfgFile == "" {
					return fmt.Errorf("the node at %s does not answer: %w (give --config to check the configured plugins offline)", url, err)
				}
				fmt.Fprintf(stdout, "node at %s does not answer (%v); configured plugins:\n", url, err)
				return listOffline(stdout, cfg)
			}
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"plugins": list})
			}
			printPlugins(stdout, list)
			return nil
		},
	}
	c.Flags().StringVar(&cfgFile, "config", "", "the node's TOML configuration file")
	c.Flags().StringVar(&url, "url", "", "the node's JSON-RPC URL (default: http:// + rpc.http_listen of the config)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the node's answer as JSON")
	c.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the node")
	return c
}

// pluginEntry is one instance in the node's plugins answer.
type pluginEntry struct {
	Name          string           `json:"name"`
	Kind          string           `json:"kind"`
	State         string           `json:"state"`
	Since         string           `json:"since"`
	Version       string           `json:"version"`
	Semantics     string           `json:"semantics"`
	APIVersion    string           `json:"api_version"`
	Capabilities  []string         `json:"capabilities"`
	PID           int              `json:"pid"`
	Restarts      int              `json:"restarts"`
	LastError     string           `json:"last_error,omitempty"`
	Calls         uint64           `json:"calls"`
	Errors        uint64           `json:"errors"`
	Timeouts      uint64           `json:"timeouts"`
	LatencyMeanUS int64            `json:"latency_mean_us"`
	Histogram     []map[string]any `json:"latency_histogram"`
}

func queryPlugins(ctx context.Context, url string) ([]pluginEntry, error) {
	body := []byte(`{"method":"plugins","params":[{}]}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxPluginsAnswer))
	if err != nil {
		return nil, err
	}
	var ans struct {
		Result struct {
			Status       string        `json:"status"`
			Error        string        `json:"error"`
			ErrorMessage string        `json:"error_message"`
			Plugins      []pluginEntry `json:"plugins"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, fmt.Errorf("HTTP %s, not a JSON-RPC answer: %q", resp.Status, truncate(string(raw), 200))
	}
	if ans.Result.Status != "success" {
		msg := ans.Result.ErrorMessage
		if msg == "" {
			msg = ans.Result.Error
		}
		if ans.Result.Error == "noPermission" {
			msg += " (plugins is an admin command: run jtd plugins list from an address in rpc.admin_ips)"
		}
		return nil, errors.New(msg)
	}
	return ans.Result.Plugins, nil
}

func printPlugins(w io.Writer, list []pluginEntry) {
	if len(list) == 0 {
		fmt.Fprintln(w, "the node runs no plugins")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATE\tVERSION\tAPI\tPID\tRESTARTS\tCALLS\tERRORS\tTIMEOUTS\tMEAN")
	for _, p := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", p.Name, p.Kind, p.State, dash(p.Version), dash(p.APIVersion),
			p.PID, p.Restarts, p.Calls, p.Errors, p.Timeouts, time.Duration(p.LatencyMeanUS)*time.Microsecond)
	}
	tw.Flush()
	for _, p := range list {
		if p.LastError != "" {
			fmt.Fprintf(w, "%s: last error: %s\n", p.Name, p.LastError)
		}
	}
}

// listOffline shows the configured instances and checks their binaries.
func listOffline(w io.Writer, cfg config.Config) error {
	if len(cfg.Plugins.Instances) == 0 {
		fmt.Fprintln(w, "no [[plugins.instance]] is configured")
		return nil
	}
	hashErr := cfg.FillPluginHashes()
	ins, err := node.PluginInstances(cfg)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tBINARY\tCHECK")
	var problems []string
	for _, in := range ins {
		check := "sha256 ok"
		if err := plugin.VerifyBinary(in); err != nil {
			check = "REFUSED"
			problems = append(problems, err.Error())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, in.Kind, in.Path, check)
	}
	tw.Flush()
	if hashErr != nil {
		problems = append([]string{hashErr.Error()}, problems...)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
