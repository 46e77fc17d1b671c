// Command jtd is the jtchain node daemon.
//
//	jtd init    create a new chain: genesis file, node key
//	jtd run     run the node with a configuration file
//	jtd testnet create (init) and run (run) a local network of validators
//	jtd plugins list the node's plugin instances
//	jtd version print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/node"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type usageError struct{ error }

func run(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:   "jtd",
		Short: "jtchain node daemon",
		Long: `jtd runs a jtchain node: a Jingtum-compatible ledger that existing Jingtum
clients (jingtum-lib, swtc-lib) can use over its WebSocket API.

Start a development chain:
  jtd init --dev --data-dir ./data
  jtd run --config configs/dev.toml

Start a local network of four validators:
  jtd testnet init --validators 4 --dir ./testnet --dev
  jtd testnet run --dir ./testnet`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	root.AddCommand(runCmd(stderr), initCmd(stdout), testnetCmd(stdout, stderr), pluginsCmd(stdout), versionCmd(stdout))
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "jtd:", err)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

func versionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { fmt.Fprintln(stdout, "jtd", node.Version) },
	}
}

func runCmd(stderr io.Writer) *cobra.Command {
	var cfgFile, cpuProfile string
	c := &cobra.Command{
		Use:   "run --config FILE",
		Short: "Run the node",
		Long: `Run the node until SIGINT or SIGTERM, then shut down gracefully.

Settings come from, in increasing precedence: built-in defaults, the TOML
file given with --config, JTD_* environment variables (JTD_RPC_WS_LISTEN
sets rpc.ws_listen) and the flags below. configs/node.example.toml
documents every setting.`,
		Example: "  jtd run --config configs/dev.toml\n  JTD_LOG_LEVEL=debug jtd run --config node.toml --ws-listen 127.0.0.1:6020",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(config.LoadOptions{File: cfgFile, Env: os.Environ(), Flags: cmd.Flags()})
			if err != nil {
				return err
			}
			log := newLogger(cfg.Log, stderr)
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
			n, err := node.New(cfg, log)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return n.Run(ctx)
		},
	}
	c.Flags().StringVar(&cfgFile, "config", "", "TOML configuration file")
	c.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file until the node stops (for performance work)")
	config.RegisterFlags(c.Flags())
	return c
}

func newLogger(c config.LogConfig, out io.Writer) hclog.Logger {
	json := c.Format == "json"
	if c.Format == "auto" {
		json = !isTerminal(out)
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:       "jtd",
		Level:      hclog.LevelFromString(c.Level),
		Output:     out,
		JSONFormat: json,
		TimeFormat: time.RFC3339Nano,
	})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func initCmd(stdout io.Writer) *cobra.Command {
	var (
		dataDir, chainName, keyType string
		dev                         bool
	)
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a new chain: genesis file and node key",
		Long: `Create a new chain in the data directory: genesis.json (the chain's
first ledger: all coins in the genesis account, fees, the validator) and
node_key.json (this node's key, mode 0600). Existing files are never
overwritten.

With --dev the genesis account is the well-known development account
(secret snoPBjXtMeMyMHUVTgbuqAfg1SUTb, address jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh),
as Jingtum's test chains use. Without it a fresh genesis account is created;
its secret is printed once and saved to genesis_account.json (mode 0600):
move it somewhere safe, it controls every coin.`,
		Example: "  jtd init --dev --data-dir ./data\n  jtd init --data-dir /var/lib/jtd --chain-name acme",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			kt, err := crypto.ParseKeyType(keyType)
			if err != nil {
				return usageError{fmt.Errorf("--key-type: %w", err)}
			}
			return initChain(stdout, dataDir, chainName, kt, dev)
		},
	}
	c.Flags().StringVar(&dataDir, "data-dir", "./data", "directory for the chain's files and database")
	c.Flags().StringVar(&chainName, "chain-name", "", "chain name (default jtchain-dev with --dev, else jtchain)")
	c.Flags().StringVar(&keyType, "key-type", "ed25519", "node key type: ed25519 or secp256k1")
	c.Flags().BoolVar(&dev, "dev", false, "use the well-known development genesis account")
	return c
}

func initChain(stdout io.Writer, dir, name string, kt crypto.KeyType, dev bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	genesisPath := filepath.Join(dir, "genesis.json")
	keyPath := filepath.Join(dir, "node_key.json")
	for _, p := range []string{genesisPath, keyPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s already exists: this data directory already has a chain (remove the directory to start over)", p)
		}
	}
	nk, kp, err := node.NewNodeKey(kt)
	if err != nil {
		return err
	}
	var account crypto.KeyPair
	secret := crypto.GenesisSecret
	if dev {
		account = crypto.GenesisKeyPair()
		if name == "" {
			name = "jtchain-dev"
		}
	} else {
		seed, err := crypto.NewSeed(nil)
		if err != nil {
			return err
		}
		if account, err = crypto.DeriveKeyPair(seed, crypto.Secp256k1); err != nil {
			return err
		}
		secret = crypto.EncodeSecret(seed, crypto.Secp256k1)
		if name == "" {
			name = "jtchain"
		}
	}
	g := node.NewGenesis(name, account.AccountID(), kp, time.Now())
	if err := nk.Save(keyPath); err != nil {
		return err
	}
	if err := g.Save(genesisPath); err != nil {
		return err
	}
	if !dev {
		acct := node.NodeKey{Secret: secret, KeyType: crypto.Secp256k1.String(), PublicKey: account.PublicKeyHex()}
		if err := acct.Save(filepath.Join(dir, "genesis_account.json")); err != nil {
			return err
		}
	}
	gl, err := g.Ledger()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created chain %q in %s\n", name, dir)
	fmt.Fprintf(stdout, "  genesis ledger  %X\n", gl.Hash())
	fmt.Fprintf(stdout, "  genesis account %s (secret %s)\n", account.AccountID(), secret)
	fmt.Fprintf(stdout, "  node key        %s\n", nk.PublicKey)
	fmt.Fprintf(stdout, "run it with: jtd run --config configs/dev.toml   (data_dir = %s)\n", dir)
	return nil
}
