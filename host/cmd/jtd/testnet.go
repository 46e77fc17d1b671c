package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtchain/jtchain/host/config"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/node"
	"github.com/jtchain/jtchain/host/p2p"
)

func testnetCmd(stdout, stderr io.Writer) *cobra.Command {
	c := &cobra.Command{
		Use:   "testnet",
		Short: "Create and run a local test network of rbft (or raft) validators",
		Long: `A local test network: several jtd nodes on 127.0.0.1, each with its own
directory, key, ports and database, sharing one genesis file.

  jtd testnet init --validators 4 --dir ./testnet --dev
  jtd testnet run --dir ./testnet

'make testnet' does both.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return usageError{fmt.Errorf("name a subcommand: init or run\nRun 'jtd testnet --help' for usage.")}
		},
	}
	c.AddCommand(testnetInitCmd(stdout, stderr), testnetRunCmd(stdout, stderr))
	return c
}

// testnetInitOptions are the flags of jtd testnet init.
type testnetInitOptions struct {
	Dir        string
	Validators int
	Followers  int
	BasePort   int
	KeyType    crypto.KeyType
	ChainName  string
	Dev        bool
	Chaos      bool
	Engine     string
	PluginDir  string
}

func testnetInitCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		o       testnetInitOptions
		keyType string
	)
	c := &cobra.Command{
		Use:   "init --validators N --dir DIR",
		Short: "Write the genesis, keys and configs of a local test network",
		Long: fmt.Sprintf(`Write everything a network of N validators (and M followers) on 127.0.0.1
needs into DIR, which must not exist or be empty:

  DIR/genesis.json          the chain (engine rbft or raft, every validator's node and
                            VRF public keys), shared by all nodes
  DIR/genesis_account.json  the genesis account's secret (mode 0600; not
                            with --dev)
  DIR/node-I/               validator I, I = 1..N
  DIR/follower-I/           follower I, I = 1..M (syncs from the validators,
                            does not vote)
      config.toml           its configuration (data_dir: the absolute path of
                            DIR/<node>/data; edit it if DIR moves)
      node_key.json         its key (mode 0600)

Ports: node k (k = 0, 1, ...: node-1..node-N, then follower-1..follower-M)
listens on
  --base-port + 10k      WebSocket API   (ws://127.0.0.1:PORT)
  --base-port + 10k + 1  HTTP JSON-RPC   (http://127.0.0.1:PORT)
  --base-port + 10k + 2  libp2p          (/ip4/127.0.0.1/tcp/PORT)
so with the default base port node-1 serves ws://127.0.0.1:6020 and node-2
ws://127.0.0.1:6030.

Validators list every other validator in p2p.peers as PEER_ID@ADDRESS and
every follower as a bare PEER_ID (followers dial in); followers list the
validators. Consensus uses loopback timeouts (propose 1s, prevote and
precommit 500ms, delta 250ms, commit 1s = close_interval).

With --engine raft the chain runs the raft consensus plugin (crash faults
only: f failed validators out of 2f+1, so use at least 3); every config pins
the sha256 of --plugin-dir/consensus-raft as init found it.

rbft tolerates f faulty validators out of 3f+1: use at least 4 (N from 1 to
%d is accepted; below 4 a single failure stops the chain). Without --dev a
fresh genesis account is created; its secret is printed once and saved to
genesis_account.json. Then start the network with 'jtd testnet run --dir DIR'.`, maxTestnetValidators),
		Example: `  jtd testnet init --validators 4 --dir ./testnet --dev
  jtd testnet init --validators 7 --followers 2 --dir /tmp/net --base-port 7000
  jtd testnet init --validators 4 --dir ./chaosnet --dev --chaos
  make plugins && jtd testnet init --validators 3 --engine raft --dir ./raftnet --dev`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			kt, err := crypto.ParseKeyType(keyType)
			if err != nil {
				return usageError{fmt.Errorf("--key-type: %w", err)}
			}
			o.KeyType = kt
			if err := o.check(); err != nil {
				return usageError{err}
			}
			if o.Engine == engineRBFT && o.Validators < 4 {
				fmt.Fprintf(stderr, "warning: with %d validator(s) rbft tolerates no faulty validator; use at least 4 to survive one failure\n", o.Validators)
			}
			if o.Engine == engineRaft && o.Validators < 3 {
				fmt.Fprintf(stderr, "warning: with %d validator(s) raft tolerates no failed validator; use at least 3 to survive one failure\n", o.Validators)
			}
			return initTestnet(stdout, o, time.Now())
		},
	}
	f := c.Flags()
	f.StringVar(&o.Dir, "dir", "", "directory for the network (must not exist, or be empty)")
	f.IntVar(&o.Validators, "validators", 4, fmt.Sprintf("number of validators, 1 to %d", maxTestnetValidators))
	f.IntVar(&o.Followers, "followers", 0, fmt.Sprintf("number of followers (non-voting nodes), 0 to %d", maxTestnetFollowers))
	f.IntVar(&o.BasePort, "base-port", 6020, "first port of the port scheme (see above)")
	f.StringVar(&keyType, "key-type", "ed25519", "node key type: ed25519 or secp256k1")
	f.StringVar(&o.ChainName, "chain-name", "jtchain-testnet", "chain name")
	f.BoolVar(&o.Dev, "dev", false, "use the well-known development genesis account (secret "+crypto.GenesisSecret+")")
	f.BoolVar(&o.Chaos, "chaos", false, "turn on p2p.chaos (fault injection) on every node; tests only")
	f.StringVar(&o.Engine, "engine", engineRBFT, "consensus engine: rbft (built in, Byzantine fault tolerant) or raft (the consensus-raft plugin, crash fault tolerant)")
	f.StringVar(&o.PluginDir, "plugin-dir", "bin/plugins", "with --engine raft: the directory holding "+raftPluginBinary+" (make plugins builds it there); its sha256 is pinned in every node's config")
	return c
}

// check reports every problem with the options at once.
func (o testnetInitOptions) check() error {
	var errs []error
	if o.Dir == "" {
		errs = append(errs, errors.New("--dir is required: name the directory for the network, e.g. --dir ./testnet"))
	}
	if o.Validators < 1 || o.Validators > maxTestnetValidators {
		errs = append(errs, fmt.Errorf("--validators %d: want 1 to %d (4 or more to tolerate a failure)", o.Validators, maxTestnetValidators))
	}
	if o.Followers < 0 || o.Followers > maxTestnetFollowers {
		errs = append(errs, fmt.Errorf("--followers %d: want 0 to %d", o.Followers, maxTestnetFollowers))
	}
	if o.ChainName == "" {
		errs = append(errs, errors.New("--chain-name is empty"))
	}
	if o.Engine != engineRBFT && o.Engine != engineRaft {
		errs = append(errs, fmt.Errorf("--engine %q: want rbft or raft", o.Engine))
	}
	if o.BasePort < 1 {
		errs = append(errs, fmt.Errorf("--base-port %d: want a port from 1 to 65535", o.BasePort))
	} else if o.Validators >= 1 && o.Followers >= 0 {
		if _, _, last := testnetPorts(o.BasePort, o.Validators+o.Followers-1); last > 65535 {
			errs = append(errs, fmt.Errorf("--base-port %d: the last node would need port %d, above 65535: lower --base-port to at most %d",
				o.BasePort, last, o.BasePort-(last-65535)))
		}
	}
	return errors.Join(errs...)
}

// planTestnet creates the keys of every node and assigns ports.
func planTestnet(o testnetInitOptions) (testnetPlan, error) {
	p := testnetPlan{Dir: o.Dir, ChainName: o.ChainName, Chaos: o.Chaos, Engine: o.Engine}
	if o.Engine == engineRaft {
		dir, err := filepath.Abs(o.PluginDir)
		if err != nil {
			return p, err
		}
		b, err := os.ReadFile(filepath.Join(dir, raftPluginBinary))
		if err != nil {
			return p, fmt.Errorf("--engine raft needs the raft plugin: %w (build it with `make plugins`, or point --plugin-dir at its directory)", err)
		}
		sum := sha256.Sum256(b)
		p.PluginDir, p.PluginSHA256 = dir, hex.EncodeToString(sum[:])
	}
	add := func(name, role string) error {
		k, id, err := node.NewNodeKey(o.KeyType)
		if err != nil {
			return err
		}
		pid, err := p2p.PeerIDFromKey(id.P2PSeed())
		if err != nil {
			return fmt.Errorf("%s: peer id: %w", name, err)
		}
		ws, http, p2pPort := testnetPorts(o.BasePort, len(p.Nodes))
		p.Nodes = append(p.Nodes, testnetNode{Name: name, Role: role, Key: k, ID: id, PeerID: pid,
			WSPort: ws, HTTPPort: http, P2PPort: p2pPort})
		return nil
	}
	for i := 1; i <= o.Validators; i++ {
		if err := add(fmt.Sprintf("node-%d", i), roleValidator); err != nil {
			return p, err
		}
	}
	for i := 1; i <= o.Followers; i++ {
		if err := add(fmt.Sprintf("follower-%d", i), roleFollower); err != nil {
			return p, err
		}
	}
	return p, nil
}

// genesisAccountFile is genesis_account.json: the genesis account's keys.
type genesisAccountFile struct {
	Address   string `json:"address"`
	Secret    string `json:"secret"`
	KeyType   string `json:"key_type"`
	PublicKey string `json:"public_key"`
}

func initTestnet(stdout io.Writer, o testnetInitOptions, now time.Time) (err error) {
	absDir, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	created, err := claimDir(absDir)
	if err != nil {
		return err
	}
	// A half-written network is worse than none: on failure remove what
	// this run wrote, leaving the directory as it was.
	defer func() {
		if err != nil {
			removeCreated(absDir, created)
		}
	}()

	plan, err := planTestnet(o)
	if err != nil {
		return err
	}
	account := crypto.GenesisKeyPair()
	secret := crypto.GenesisSecret
	if !o.Dev {
		seed, err := crypto.NewSeed(nil)
		if err != nil {
			return err
		}
		if account, err = crypto.DeriveKeyPair(seed, crypto.Secp256k1); err != nil {
			return err
		}
		secret = crypto.EncodeSecret(seed, crypto.Secp256k1)
	}
	g := node.NewGenesis(o.ChainName, account.AccountID(), plan.Nodes[0].ID, now)
	g.Consensus = node.GenesisConsensus{Engine: o.Engine, Validators: plan.validators()}
	if err := g.Validate(); err != nil {
		return fmt.Errorf("testnet: the genesis is invalid (a bug): %w", err)
	}
	genesisPath := filepath.Join(absDir, testnetGenesisFile)
	if err := g.Save(genesisPath); err != nil {
		return err
	}
	if !o.Dev {
		a := genesisAccountFile{Address: account.AccountID().String(), Secret: secret,
			KeyType: crypto.Secp256k1.String(), PublicKey: account.PublicKeyHex()}
		if err := writeJSONFile(filepath.Join(absDir, testnetAccountFile), a, 0o600); err != nil {
			return err
		}
	}
	for _, n := range plan.Nodes {
		dir := filepath.Join(absDir, n.Name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
		if err := n.Key.Save(filepath.Join(dir, testnetKeyFile)); err != nil {
			return err
		}
		cfg := renderTestnetConfig(plan, n, testnetDataPath(absDir, n.Name))
		if err := os.WriteFile(filepath.Join(dir, testnetConfigFile), []byte(cfg), 0o644); err != nil {
			return err
		}
	}
	if err := checkTestnet(absDir, plan); err != nil {
		return err
	}

	gl, err := g.Ledger()
	if err != nil {
		return err
	}
	printTestnetSummary(stdout, o, plan, gl.Hash(), account.AccountID().String(), secret)
	return nil
}

// checkTestnet loads what was written the way jtd run will, so a network
// that init reports as created starts, as far as configuration goes.
func checkTestnet(absDir string, plan testnetPlan) error {
	if _, err := node.LoadGenesis(filepath.Join(absDir, testnetGenesisFile)); err != nil {
		return fmt.Errorf("testnet: the written genesis does not load (a bug): %w", err)
	}
	for _, n := range plan.Nodes {
		path := filepath.Join(absDir, n.Name, testnetConfigFile)
		if _, err := config.Load(config.LoadOptions{File: path}); err != nil {
			return fmt.Errorf("testnet: %s does not load (a bug): %w", path, err)
		}
		if _, err := node.LoadNodeKey(filepath.Join(absDir, n.Name, testnetKeyFile)); err != nil {
			return fmt.Errorf("testnet: %s: %w", n.Name, err)
		}
	}
	return nil
}

func printTestnetSummary(w io.Writer, o testnetInitOptions, plan testnetPlan, genesis [32]byte, account, secret string) {
	validators := o.Validators
	fmt.Fprintf(w, "created test network %q in %s: %d validator(s), %d follower(s)\n", o.ChainName, o.Dir, validators, o.Followers)
	fmt.Fprintf(w, "  genesis ledger   %X\n", genesis[:])
	fmt.Fprintf(w, "  genesis account  %s\n", account)
	if o.Dev {
		fmt.Fprintf(w, "  secret           %s (the well-known development account)\n", secret)
	} else {
		fmt.Fprintf(w, "  secret           %s\n", secret)
		fmt.Fprintf(w, "                   printed only now; also in %s (mode 0600)\n", filepath.Join(o.Dir, testnetAccountFile))
	}
	if o.Chaos {
		fmt.Fprintln(w, "  p2p.chaos        on (fault injection; tests only)")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tPUBLIC KEY\tPEER ID\tWEBSOCKET\tHTTP")
	for _, n := range plan.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Role, n.Key.PublicKey, n.PeerID, n.wsURL(), n.httpURL())
	}
	tw.Flush()
	fmt.Fprintf(w, "\nstart every node:  jtd testnet run --dir %s\n", o.Dir)
	fmt.Fprintln(w, "or one at a time:")
	for _, n := range plan.Nodes {
		fmt.Fprintf(w, "  jtd run --config %s\n", filepath.Join(o.Dir, n.Name, testnetConfigFile))
	}
}

// claimDir makes dir ready for a new network: it must not exist (it is
// created) or be an empty directory. It reports whether it created dir.
func claimDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, err
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("--dir %s: %w", dir, err)
	case len(entries) > 0:
		return false, fmt.Errorf("--dir %s is not empty (it holds %s): remove it or choose another directory; jtd testnet init never overwrites a network",
			dir, entries[0].Name())
	}
	return false, nil
}

// removeCreated undoes a failed init: the directory if init created it,
// otherwise everything in it (it was empty before).
func removeCreated(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// writeJSONFile writes v as indented JSON to a new file with mode perm.
func writeJSONFile(path string, v any, perm os.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
